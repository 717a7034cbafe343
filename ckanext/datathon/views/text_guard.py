"""Request bodies the portal refuses before any action runs: text that is not
text (lone UTF-16 surrogates), text PostgreSQL cannot store (NUL) and bodies
above the configured size.

JSON may spell a lone surrogate (``"\\ud800"``); Python's JSON decoder turns it
into a ``str`` that cannot be encoded to UTF-8, so the first database write,
Solr call or log line that meets it is a server error, in our actions and in
core's (``package_create`` and ``organization_create`` too).  A surrogate is
never a character: the request is refused (400) for the whole portal before
any action runs.

Only what may hold a surrogate is read: a JSON body (``request.get_json(
silent=True)``, which Flask keeps for the view) and CKAN's "JSON as the only
form key" convention of urlencoded forms.  Query strings and form values are
decoded by Werkzeug, which replaces what is not UTF-8; multipart bodies are
never read here for surrogates (their file parts would be spooled for
nothing).

A NUL character (``\\u0000``, ``%00``) is valid JSON and a valid form value,
but PostgreSQL refuses it in text, so a NUL that reaches a query is a server
error, in core's actions (``package_create``, ``user_create``, ...) and in
views that look a value up.  A NUL in a query string, a JSON body, a form
value or a form key (multipart text fields included: the view parses that
form anyway, and Werkzeug keeps what it parsed) is refused with a 400 for the
whole portal.  Files are not looked at.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from flask import Response, request

import ckan.plugins.toolkit as tk

from ckanext.datathon import config

_ = tk._

SURROGATE = re.compile("[\ud800-\udfff]")
NUL = "\x00"
# JSON nested deeper than this is walked no further (Python's decoder stops
# far deeper, at its recursion limit; such bodies are refused by CKAN anyway).
MAX_DEPTH = 64
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def has_surrogate(value: Any, depth: int = 0) -> bool:
    """Whether a decoded JSON value holds a lone surrogate, in a string or a key."""
    if isinstance(value, str):
        return SURROGATE.search(value) is not None
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return any(
            has_surrogate(key, depth + 1) or has_surrogate(item, depth + 1)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(has_surrogate(item, depth + 1) for item in value)
    return False


def has_nul(value: Any, depth: int = 0) -> bool:
    """Whether a decoded JSON value holds a NUL, in a string or a key."""
    if isinstance(value, str):
        return NUL in value
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return any(
            has_nul(key, depth + 1) or has_nul(item, depth + 1) for key, item in value.items()
        )
    if isinstance(value, list):
        return any(has_nul(item, depth + 1) for item in value)
    return False


def _multidict_has_nul(values: Any) -> bool:
    return any(NUL in key or NUL in value for key, value in values.items(multi=True))


def _json_form_key() -> Any:
    """CKAN's API reads a urlencoded body whose only key is JSON (and whose
    value is empty or "1") as that JSON."""
    form = request.form
    if len(form) != 1:
        return None
    key, value = next(iter(form.items()))
    if value not in ("", "1"):
        return None
    try:
        return json.loads(key)
    except ValueError:
        return None


def _refuse(status: int, message: str) -> Response:
    """The API answers JSON, as CKAN's own 400s do; pages get the error page."""
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return Response(
            json.dumps({"success": False, "error": {"__type": "Bad Request", "message": message}}),
            status=status,
            content_type="application/json;charset=utf-8",
        )
    return tk.abort(status, message)


def limit_request_body() -> Response | None:
    """``before_request`` of the Flask app: 413 for a body above
    ``ckanext.datathon.max_request_body`` bytes, before anything reads it.
    Multipart bodies (file uploads) are left to CKAN's upload limits."""
    cap = config.max_request_body()
    if cap <= 0 or request.mimetype == "multipart/form-data":
        return None
    length = request.content_length
    if length is not None and length > cap:
        return _refuse(
            413,
            _("The request body is larger than this portal accepts ({n} bytes).").format(n=cap),
        )
    if length is None:  # chunked: Werkzeug stops reading at the cap (Flask >= 3.1)
        with contextlib.suppress(AttributeError):
            request.max_content_length = cap  # type: ignore[misc]
    return None


def reject_lone_surrogates() -> Response | None:
    """``before_request`` of the Flask app: 400 for a body holding a lone surrogate."""
    if request.method not in WRITE_METHODS:
        return None
    if request.is_json:
        body = request.get_json(silent=True)
    elif request.mimetype == "application/x-www-form-urlencoded":
        body = _json_form_key()
    else:
        return None
    if not has_surrogate(body):
        return None
    message = _(
        "The request holds a lone surrogate (such as \\ud800), which is not a "
        "character: send the text as valid UTF-8."
    )
    return _refuse(400, message)


def reject_nul() -> Response | None:
    """``before_request`` of the Flask app: 400 for a NUL in the query string,
    a JSON body or a form's keys and values (files excepted)."""
    found = _multidict_has_nul(request.args)
    if not found and request.method in WRITE_METHODS:
        if request.is_json:
            found = has_nul(request.get_json(silent=True))
        elif request.mimetype == "application/x-www-form-urlencoded":
            found = _multidict_has_nul(request.form) or has_nul(_json_form_key())
        elif request.mimetype == "multipart/form-data":
            found = _multidict_has_nul(request.form)
    if not found:
        return None
    message = _(
        "The request holds a NUL character (\\u0000), which text may not contain: "
        "remove it and send the request again."
    )
    return _refuse(400, message)
