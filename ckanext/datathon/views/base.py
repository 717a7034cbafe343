"""Pieces shared by the plugin's blueprints (``views/``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from ckan.types import Context

# moved to lib/responses.py (formats/ use it too); the pages import it from here
from ckanext.datathon.lib.responses import no_store as no_store

_ = tk._


def context() -> Context:
    """An action context for the current user, as CKAN's own views build it
    (``get_action`` and ``check_access`` add ``model`` and ``session``)."""
    return {**user_context(), "for_view": True}  # type: ignore[return-value]


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
_PAGE_RE = re.compile(r"[0-9]{1,9}")


def page_number() -> int:
    """The ``page`` of the query string, 1 when absent.  Like core's
    ``h.get_page_number`` (``/dataset?page=0`` is a 400), anything but a whole
    number from 1 to ``MAX_PAGE`` is a bad request, not a silent page 1."""
    raw = tk.request.args.get("page", "")
    if raw == "":
        return 1
    number = int(raw) if _PAGE_RE.fullmatch(raw) else 0
    if not 1 <= number <= MAX_PAGE:
        tk.abort(
            400,
            _('The "page" parameter must be a whole number from 1 to {max}').format(max=MAX_PAGE),
        )
    return number


def pager(
    collection: list[Any],
    page_number: int,
    item_count: int,
    items_per_page: int,
    url: Callable[[int], str],
) -> Any:
    """A ``h.Page`` of a list the action already sliced.

    ``url(n)`` is the address of page ``n``: whatever the template passes to
    ``page.pager(...)`` (``q``, ``sort``...) is ignored, the view knows its own
    parameters.  Beyond the last page the list is empty and ``beyond_last``
    is true, so that the template offers a link to the first page
    (``first_url``), as core's ``/dataset`` does."""
    page = Page(
        collection=collection,
        page=page_number,
        url=lambda **params: url(int(params.get("page") or 1)),
        item_count=item_count,
        items_per_page=items_per_page,
        presliced_list=True,
    )
    page.requested_page = page_number
    page.beyond_last = page_number > 1 and not collection
    page.first_url = url(1)
    return page


def page_url(endpoint: str, challenge: dict[str, Any], number: int, **params: Any) -> str:
    """The address of page ``number`` of a challenge's paged page (no
    ``page`` parameter for the first one)."""
    if number > 1:
        params["page"] = number
    return tk.url_for(endpoint, name=challenge["name"], **params)


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
        "datathon_hub",
        "datathon_open",
        "datathon_mail",
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
