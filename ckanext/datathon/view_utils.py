"""Pieces shared by the plugin's blueprints (views.py, team_views.py)."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

_ = tk._


def context() -> Context:
    """An action context for the current user, as CKAN's own views build it."""
    return {
        "model": model,
        "session": model.Session,
        **user_context(),
        "for_view": True,
    }  # type: ignore[return-value]


def user_context() -> Context:
    """The current user, for actions and auth checks run by views and template
    helpers: the signed-in user's object rides along, so that neither CKAN's
    check_access nor our actions look the user up again."""
    if not tk.current_user.is_authenticated:
        return {"user": "", "auth_user_obj": None}
    user = tk.current_user
    user = getattr(user, "_get_current_object", lambda: user)()  # the User, not the proxy
    return {"user": user.name, "auth_user_obj": user}


def show_challenge(name: str) -> dict[str, Any]:
    """The challenge, or a 404 page when it does not exist or is hidden."""
    try:
        return tk.get_action("challenge_show")(context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))


# Beyond this, a page number is junk (and its OFFSET would overflow a bigint).
MAX_PAGE = 100_000


def page_number() -> int:
    try:
        return min(MAX_PAGE, max(1, int(tk.request.args.get("page", 1))))
    except ValueError:
        return 1


def no_store(response: Any) -> Any:
    """Mark a confidential response ``Cache-Control: private, no-store`` and
    nothing else: CKAN's after-request hook marks every response it was not
    told about ``public, max-age=...`` (only rendering a template tells it),
    so it is told here (``__no_cache__``), as a template would."""
    tk.request.environ["__no_cache__"] = True
    response.headers.pop("Cache-Control", None)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def deny() -> Any:
    """401 for anonymous users (403 on writes), 403 for logged-in ones."""
    if not tk.current_user.is_authenticated:
        return tk.abort(401 if tk.request.method == "GET" else 403, _("Please log in"))
    return tk.abort(403, _("You are not allowed to do this"))


PLUGIN_BLUEPRINTS = frozenset(
    (
        "challenge",
        "datathon_team",
        "datathon_jury",
        "datathon_ideas",
        "datathon_engagement",
        "datathon_open",
    )
)


def reject_nul_in_path() -> None:
    """404 for a path of ours carrying a NUL character (``/dataset/%00/challenges``):
    PostgreSQL refuses NUL in text, so the lookup would be a server error."""
    if tk.request.blueprint in PLUGIN_BLUEPRINTS and any(
        isinstance(value, str) and "\x00" in value
        for value in (tk.request.view_args or {}).values()
    ):
        tk.abort(404, _("Not found"))
