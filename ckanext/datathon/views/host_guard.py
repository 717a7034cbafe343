"""The Host header is the client's: before Flask routes a request (and binds
its URL builder to that host), a Host no URL can be built for -- a DNS label
over 63 characters, an empty label, a port that is not a number, a space --
is answered 400.  Without this, Werkzeug's IDNA encoding raises and even the
error page cannot build its links: a 500 anyone can cause, on every route."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["valid_host", "wrap"]

_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\Z")
_PORT = re.compile(r"\d{1,5}\Z")
_IPV6 = re.compile(r"\[[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9_.-]{1,32})?\]\Z")

_BODY = b"Bad Request: the Host header does not name a valid host.\n"


def valid_host(host: str) -> bool:
    """``host[:port]`` as a client may send it: names (ASCII labels of 1-63
    characters, 253 in all, a trailing dot allowed), IPv4 and bracketed IPv6."""
    if not host or len(host) > 260:
        return False
    name, port = host, ""
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[: end + 1], host[end + 1 :]
        if end < 0 or not _IPV6.match(name):
            return False
        return not rest or (rest.startswith(":") and _PORT.match(rest[1:]) is not None)
    if ":" in host:
        name, _sep, port = host.rpartition(":")
        if not _PORT.match(port):
            return False
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > 253:
        return False
    return all(_LABEL.match(label) for label in name.split("."))


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wrap(wsgi_app: WSGIApp) -> WSGIApp:
    """``app.wsgi_app = wrap(app.wsgi_app)`` (plugin.py, IMiddleware)."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(_BODY))),
                ],
            )
            return [_BODY]
        return wsgi_app(environ, start_response)

    return guarded
