"""CSRF check for the plugin's blueprints (``bp.before_request(csrf_guard)``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError as CSRFInvalid

import ckan.plugins.toolkit as tk

from ckanext.datathon import config

_ = tk._


def csrf_guard() -> None:
    """Check the CSRF token of every state-changing request to our pages.

    CKAN's global protection cannot be relied on alone: CKAN 2.12.0 exempts a
    view for the rest of the process once an anonymous or API-token request
    reaches it (``csrf.exempt`` in ``ckan_before_request``), and 2.11 exempts
    extension blueprints unless ``ckan.csrf_protection.ignore_extensions`` is
    false.  So our blueprint validates the token itself.
    """
    if tk.request.method in ("GET", "HEAD", "OPTIONS"):
        return
    field = tk.config.get("WTF_CSRF_FIELD_NAME") or "_csrf_token"
    token = tk.request.form.get(field) or tk.request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except CSRFInvalid:
        tk.abort(
            400,
            _(
                "The form is missing its security token or it has expired. "
                "Please reload the page and try again."
            ),
        )


# -- the whole portal: views CKAN 2.12.0 exempted after start-up ------------------------------

UNSAFE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
_STARTUP_EXEMPT = "datathon_csrf_startup_exempt"


def _core_csrf() -> Any:
    from ckan.config.middleware import flask_app

    return flask_app.csrf


def core_decides_per_request() -> bool:
    """CKAN 2.11.5 and later 2.11 releases exempt token requests per request
    (``exempt_this_request``): nothing to mend there."""
    from ckan.config.middleware import flask_app

    return hasattr(flask_app, "exempt_this_request")


def remember_startup_exemptions(app: Any) -> None:
    """Keep the views CKAN exempts from CSRF at start-up (IMiddleware)."""
    app.config[_STARTUP_EXEMPT] = frozenset(_core_csrf()._exempt_views)


def _view_name() -> str | None:
    view = current_app.view_functions.get(tk.request.endpoint or "")
    return f"{view.__module__}.{view.__name__}" if view is not None else None


def _carries_session_cookie() -> bool:
    names = (
        tk.config.get("SESSION_COOKIE_NAME") or "ckan",
        tk.config.get("REMEMBER_COOKIE_NAME") or "remember_token",
    )
    return any(name in tk.request.cookies for name in names)


def cookie_sessions_guard() -> None:
    """``app.before_request`` hook, after CKAN's: an unsafe request that
    carries the session or remember-me cookie, to a view that CKAN exempted
    from CSRF after start-up (because an anonymous or API-token request once
    reached it, CKAN 2.12.0), is checked as CKAN checks any other: the form
    field or the ``X-CSRFToken`` header.  Requests authenticated by a valid
    API token are left alone (a token is no ambient credential)."""
    if (
        tk.request.method not in UNSAFE_METHODS
        or not config.csrf_cookie_sessions()
        or core_decides_per_request()
        or not _carries_session_cookie()
    ):
        return
    if g.get("login_via_auth_header") and tk.current_user.is_authenticated:
        return
    name = _view_name()
    startup = current_app.config.get(_STARTUP_EXEMPT)
    if name is None or startup is None or name in startup:
        return
    if name in _core_csrf()._exempt_views:
        _core_csrf().protect()
