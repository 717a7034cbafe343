"""Reading a source portal's action API, safely.

* anonymous only: no ``Authorization`` header, no cookie is ever sent;
* ``http`` and ``https`` only; redirects are followed by hand (at most
  :data:`MAX_REDIRECTS`), each to the same scheme rules, and never to a
  private, loopback, link-local or reserved address (the configured source
  URL is the sysadmin's choice; where it redirects to is the source's);
* a connect and read timeout, and a cap on the response body, read in chunks
  (a source that streams forever is cut off at the cap);
* only URLs built from the source's root and an action name are requested:
  no URL found in the content (images, logos, links) is ever fetched.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests

import ckan.plugins.toolkit as tk

from ckanext.datathon import config

MAX_REDIRECTS = 3
_SCHEMES = ("http", "https")


class SourceError(Exception):
    """The source could not be read; the message says why (for the job report).
    ``kind``: the ``__type`` of the error the source's API answered, if it did."""

    def __init__(self, message: str, kind: str | None = None):
        super().__init__(message)
        self.kind = kind


def normalise_url(url: Any) -> str:
    """``scheme://host[:port][/path]`` in lower case, without query, fragment,
    credentials or a trailing slash; ``SourceError`` when it is not one."""
    if not isinstance(url, str) or not url.strip() or len(url) > 1000:
        raise SourceError(tk._("The source URL must be an http or https URL"))
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise SourceError(tk._("The source URL must be an http or https URL"))
    if parts.username or parts.password:
        raise SourceError(tk._("The source URL must not carry credentials"))
    try:
        port = parts.port
    except ValueError:
        raise SourceError(tk._("The source URL has an invalid port")) from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def _public_host(host: str) -> bool:
    """Whether every address ``host`` resolves to is a public one."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            return False
    return bool(infos)


class Client:
    """Anonymous reads of one source portal's action API."""

    def __init__(self, site_url: str, session: requests.Session | None = None):
        self.site_url = normalise_url(site_url)
        self.session = session or requests.Session()
        self.session.trust_env = False  # no proxy or .netrc credentials from the environment
        self.timeout = config.harvest_timeout()
        self.max_bytes = config.harvest_max_response_bytes()

    def action(self, name: str, params: dict[str, Any]) -> Any:
        """The ``result`` of GET /api/3/action/<name>?params; ``SourceError``
        when the source is unreachable, answers an error or something else than
        a CKAN action answer."""
        url = f"{self.site_url}/api/3/action/{name}?{urlencode(params)}"
        body = self._get(url)
        try:
            answer = json.loads(body)
        except ValueError:
            raise SourceError(
                tk._("The source did not answer JSON: {url}").format(url=url)
            ) from None
        if not isinstance(answer, dict) or answer.get("success") is not True:
            error = answer.get("error") if isinstance(answer, dict) else None
            kind = error.get("__type") if isinstance(error, dict) else None
            raise SourceError(
                tk._("The source answered an error ({kind}): {url}").format(
                    kind=str(kind or "?")[:100], url=url
                ),
                kind=str(kind) if kind else None,
            )
        return answer.get("result")

    def _get(self, url: str) -> bytes:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = self.session.get(
                    url,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                    headers={"Accept": "application/json", "User-Agent": "ckanext-datathon"},
                )
            except requests.RequestException as error:
                raise SourceError(
                    tk._("The source could not be reached: {error}").format(
                        error=type(error).__name__
                    )
                ) from None
            with response:
                if response.is_redirect:
                    url = self._redirect_target(url, response.headers.get("Location", ""))
                    continue
                if response.status_code >= 400 and response.status_code not in (403, 404, 409):
                    raise SourceError(
                        tk._("The source answered HTTP {status}: {url}").format(
                            status=response.status_code, url=url
                        )
                    )
                return self._read_capped(response, url)
        raise SourceError(tk._("Too many redirects: {url}").format(url=url))

    def _redirect_target(self, url: str, location: str) -> str:
        target = urljoin(url, location)
        parts = urlsplit(target)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            raise SourceError(tk._("The source redirected to a URL that is not http(s)"))
        if not _public_host(parts.hostname):
            raise SourceError(
                tk._("The source redirected to a private address: {host}").format(
                    host=parts.hostname[:200]
                )
            )
        return target

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise SourceError(self._too_large(url))
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise SourceError(self._too_large(url))
                chunks.append(chunk)
        except requests.RequestException as error:
            raise SourceError(
                tk._("The source could not be read: {error}").format(error=type(error).__name__)
            ) from None
        return b"".join(chunks)

    def _too_large(self, url: str) -> str:
        return tk._("The source's answer is larger than {n} bytes: {url}").format(
            n=self.max_bytes, url=url
        )
