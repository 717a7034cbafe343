"""CSRF check for the plugin's blueprints (``bp.before_request(csrf_guard)``)."""

from __future__ import annotations

from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError as CSRFInvalid

import ckan.plugins.toolkit as tk

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
