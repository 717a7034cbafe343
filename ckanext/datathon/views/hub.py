"""The personal hub: a tab of CKAN's dashboard (blueprint ``datathon_hub``).

``/dashboard/challenges`` shows the first rows of each section of
``datathon_hub_show`` (my teams, my invitations, my jury assignments, the
challenges I organize, the challenges I follow); ``/dashboard/challenges/<section>``
pages one section.  The invitations section is the page
``/dashboard/invitations`` (``datathon_team.invitations``, kept for the links
of e-mails and activities), which renders in the hub and takes the answers.
Anonymous users are sent to the login page, as core's dashboard does.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import page_number as _page_number
from ckanext.datathon.views.base import pager as _pager

__all__ = ["datathon_hub"]

_ = tk._
datathon_hub = Blueprint("datathon_hub", __name__, url_prefix="/dashboard")

# the sections of the hub, in page order (logic/schema/hub.py)
SECTIONS = ("teams", "invitations", "jury", "organizing", "following")
# rows of a section on the overview, and on its own page
OVERVIEW_ROWS = 5
SECTION_ROWS = 20


@datathon_hub.before_request
def _logged_in() -> Any:
    if not tk.current_user.is_authenticated:
        h.flash_error(_("Not authorized to see this page"))
        return h.redirect_to("user.login")
    return None


def section_url(section: str, number: int = 1) -> str:
    """The address of page ``number`` of a hub section."""
    if section == "invitations":
        return tk.url_for("datathon_team.invitations", **({"page": number} if number > 1 else {}))
    return tk.url_for(
        "datathon_hub.section", section=section, **({"page": number} if number > 1 else {})
    )


@datathon_hub.route("/challenges")
def index() -> str:
    hub = tk.get_action("datathon_hub_show")(_context(), {"limit": OVERVIEW_ROWS})
    return tk.render(
        "user/dashboard_challenges.html",
        {"hub": hub, "sections": SECTIONS, "section": None, "page": None},
    )


@datathon_hub.route("/challenges/<section>")
def section(section: str) -> Any:
    if section == "invitations":
        return h.redirect_to("datathon_team.invitations")
    if section not in SECTIONS:
        return tk.abort(404, _("Not found"))
    number = _page_number()
    hub = tk.get_action("datathon_hub_show")(
        _context(),
        {"section": section, "limit": SECTION_ROWS, "offset": (number - 1) * SECTION_ROWS},
    )
    part = hub[section]
    page = _pager(
        part["results"],
        number,
        part["count"],
        SECTION_ROWS,
        lambda n: section_url(section, n),
    )
    return tk.render(
        "user/dashboard_challenges.html",
        {"hub": hub, "sections": (section,), "section": section, "page": page},
    )


def invitations_page() -> str:
    """The invitations section on its own page: every invitation of the user
    (answered ones too), paged (``datathon_team.invitations`` GET)."""
    number = _page_number()
    result = tk.get_action("project_invitation_list")(
        _context(), {"limit": SECTION_ROWS, "offset": (number - 1) * SECTION_ROWS}
    )
    page = _pager(
        result["results"],
        number,
        result["count"],
        SECTION_ROWS,
        lambda n: section_url("invitations", n),
    )
    return tk.render(
        "user/dashboard_challenges.html",
        {
            "hub": {"invitations": result},
            "sections": ("invitations",),
            "section": "invitations",
            "page": page,
        },
    )
