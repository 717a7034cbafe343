"""Pages of the team flow: the ``datathon_team`` blueprint.

Registering a team, the project gallery of a challenge, managing the team of a
project, submitting and withdrawing.  The project record itself is edited on
the ``project`` type's own pages (ckanext-scheming: ``/project/edit/<name>``).

Views are thin: the project actions hold every rule (window, deadline, team
cap, who may do what); a view calls them with the current user's context and
renders the outcome.  What the user may not see answers 404, what they may see
but not change answers 403.  Every state change is a POST checked by
``csrf_guard``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, g
from flask.views import MethodView

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.model import PROJECT_TYPE
from ckanext.datathon.views import hub
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import deny as _deny
from ckanext.datathon.views.base import page_number as _page_number
from ckanext.datathon.views.base import page_url as _page_url
from ckanext.datathon.views.base import pager as _pager
from ckanext.datathon.views.base import show_challenge as _show
from ckanext.datathon.views.csrf import csrf_guard

__all__ = ["team"]

_ = tk._
team = Blueprint("datathon_team", __name__)
team.before_request(csrf_guard)


# (views.py imports this module, so its helpers are not imported from there)
def _project(id: str) -> dict[str, Any]:
    """The project as the user sees it, or a 404 page (also for drafts the
    user may not read, and for datasets of other types)."""
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Project not found"))
    if pkg.get("type") != PROJECT_TYPE:
        return tk.abort(404, _("Project not found"))
    return pkg


def _may(action: str, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _require(action: str, pkg: dict[str, Any]) -> None:
    try:
        tk.check_access(action, _context(), {"id": pkg["id"]})
    except tk.ObjectNotFound:
        tk.abort(404, _("Project not found"))
    except tk.NotAuthorized:
        _deny()


def _challenge_of(pkg: dict[str, Any]) -> dict[str, Any]:
    try:
        return tk.get_action("challenge_show")(_context(), {"id": pkg.get("challenge")})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Challenge not found"))


def _messages(errors: dict[str, Any]) -> list[str]:
    """Flat list of the error messages of an action (for the top of a page)."""
    result = []
    for value in errors.values():
        items = value if isinstance(value, list) else [value]
        result.extend(str(item) for item in items if isinstance(item, str))
    return result


# -- registration -------------------------------------------------------------------


class RegisterView(MethodView):
    """Register a team: the rules, eligibility, team size, licences and data of
    the challenge, then title, team name and the acceptance of the rules."""

    def _render(self, challenge: dict[str, Any], data: dict[str, Any], errors: dict[str, Any]):
        return tk.render(
            "team/register.html",
            {
                "challenge": challenge,
                "data": data,
                "errors": errors,
                "error_summary": {_("Registration"): " ".join(_messages(errors))}
                if errors.get("challenge")
                else {},
                "closed_message": _registration_message(challenge),
            },
        )

    def get(self, name: str) -> str:
        challenge = _show(name)
        return self._render(challenge, {}, {})

    def post(self, name: str) -> Any:
        challenge = _show(name)
        if not tk.current_user.is_authenticated:
            return _deny()
        form = tk.request.form
        data = {
            "challenge": challenge["id"],
            "title": form.get("title", ""),
            "team_name": form.get("team_name", ""),
            "notes": form.get("notes", ""),
            "accept_rules": form.get("accept_rules") in ("on", "true", "1", "yes"),
        }
        try:
            project = tk.get_action("project_register")(_context(), dict(data))
        except tk.ValidationError as error:
            return self._render(challenge, data, error.error_dict)
        except tk.NotAuthorized:
            return _deny()
        h.flash_success(
            _("Your team is registered. Complete your project and submit it before the deadline.")
        )
        return h.redirect_to(f"{PROJECT_TYPE}.edit", id=project["name"])


def _registration_message(challenge: dict[str, Any]) -> str | None:
    """Why the challenge does not take registrations now (None: it does).
    Only for the page: project_register decides."""
    if challenge.get("registration_open"):
        return None
    if challenge.get("state") != "active":
        return _("Teams can register once the challenge is published.")
    opens = challenge.get("registration_opens")
    if not opens or not challenge.get("registration_closes"):
        return _("The registration dates of this challenge are not set yet.")
    if dt.datetime.fromisoformat(opens) > dt.datetime.now(dt.timezone.utc):
        return _("Registration opens on {date}.").format(
            date=h.render_datetime(opens, with_hours=True)
        )
    return _("Registration is closed.")


team.add_url_rule(
    "/challenge/<name>/register",
    view_func=RegisterView.as_view("register"),
    methods=["GET", "POST"],
)


# -- gallery --------------------------------------------------------------------------


def _datasets_used(project_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The datasets each project uses that the viewer may read:
    ``project_datasets_used``, one query for the page."""
    if not project_ids:
        return {}
    used = tk.get_action("project_datasets_used")(_context(), {"ids": project_ids})
    return {
        project: [{"name": d["name"], "title": d["title"]} for d in datasets]
        for project, datasets in used["results"].items()
    }


@team.route("/challenge/<name>/projects")
def projects(name: str) -> str:
    challenge = _show(name)
    limit = config.challenge_list_limit()
    page_number = _page_number()
    try:
        result = tk.get_action("project_list")(
            _context(),
            {"challenge": challenge["id"], "limit": limit, "offset": (page_number - 1) * limit},
        )
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))
    used = _datasets_used([p["id"] for p in result["results"]])
    for item in result["results"]:
        item["datasets_used"] = used.get(item["id"], [])

    page = _pager(
        result["results"],
        page_number,
        result["count"],
        limit,
        lambda number: _page_url("datathon_team.projects", challenge, number),
    )
    return tk.render("team/projects.html", {"challenge": challenge, "page": page})


# -- team ------------------------------------------------------------------------------


def _team_members(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's team, leader first (project_member_list)."""
    try:
        return tk.get_action("project_member_list")(_context(), {"id": pkg["id"]})["members"]
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []


def _project_invitations(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The team's pending and lapsed invitations (for its members and the
    organizers; nothing for others)."""
    found: list[dict[str, Any]] = []
    for status in ("pending", "lapsed"):
        try:
            result = tk.get_action("project_invitation_list")(
                _context(), {"id": pkg["id"], "status": status, "limit": 100}
            )
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            return []
        found.extend(result["results"])
    return found


def _revoke(pkg: dict[str, Any], invitation_id: str) -> Any:
    """Withdraw one of the team's open invitations (POST from the team page)."""
    try:
        answer = tk.get_action("project_invitation_revoke")(_context(), {"id": invitation_id})
    except tk.ValidationError as error:
        for message in _messages(error.error_dict):
            h.flash_error(message)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Invitation not found"))
    except tk.NotAuthorized:
        return _deny()
    else:
        invitee = (answer.get("invitee") or {}).get("display_name", "")
        h.flash_success(_("The invitation of {user} was withdrawn.").format(user=invitee))
    return h.redirect_to("datathon_team.team_page", id=pkg["name"])


@team.route("/project/<id>/team", methods=["GET", "POST"])
def team_page(id: str) -> Any:
    pkg = _project(id)
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if tk.request.method == "POST" and tk.request.form.get("revoke"):
        return _revoke(pkg, tk.request.form.get("revoke", ""))
    if tk.request.method == "POST":
        form = tk.request.form
        username = form.get("username", "").strip()
        removing = bool(form.get("remove"))
        if removing:
            username = form.get("remove", "").strip()
        action = "project_member_remove" if removing else "project_member_add"
        try:
            answer = tk.get_action(action)(_context(), {"id": pkg["id"], "user": username})
        except tk.ValidationError as error:
            errors = error.error_dict
            data = {"username": username} if not removing else {}
        except tk.ObjectNotFound:
            return tk.abort(404, _("Project not found"))
        except tk.NotAuthorized:
            return _deny()
        else:
            me = tk.current_user.name
            if removing and username == me:
                h.flash_success(_("You left the team."))
                if answer.get("deleted") or not _may("package_show", {"id": pkg["id"]}):
                    challenge = _challenge_of(pkg)
                    return h.redirect_to("challenge.read", name=challenge["name"])
                return h.redirect_to(f"{PROJECT_TYPE}.read", id=pkg["name"])
            if removing:
                h.flash_success(_("{user} left the team.").format(user=username))
            elif answer.get("status") == "invited":
                h.flash_success(
                    _("{user} is invited: they join the team when they accept.").format(
                        user=username
                    )
                )
            else:
                h.flash_success(_("{user} joined the team.").format(user=username))
            return h.redirect_to("datathon_team.team_page", id=pkg["name"])
    challenge = _challenge_of(pkg)
    return tk.render(
        "team/team.html",
        {
            "pkg": pkg,
            "pkg_dict": pkg,
            "dataset_type": PROJECT_TYPE,
            "challenge": challenge,
            "members": _team_members(pkg),
            "invitations": _project_invitations(pkg),
            "can_add": _may("project_member_add", {"id": pkg["id"]}),
            "is_leader_or_organizer": _may("project_member_remove", {"id": pkg["id"], "user": ""}),
            "may_revoke": _may("project_invitation_revoke", {}),
            "errors": errors,
            "data": data,
        },
    )


# -- invitations -------------------------------------------------------------------------


@team.route("/dashboard/invitations", methods=["GET", "POST"])
def invitations() -> Any:
    """My invitations: the team invitations of the current user, to accept or
    decline (POST, CSRF-checked); shown as the invitations section of the
    personal hub.  The address stays: e-mails and activities link to it."""
    if not tk.current_user.is_authenticated:
        return _deny()
    if tk.request.method == "POST":
        form = tk.request.form
        answer = form.get("answer")
        action = {
            "accept": "project_invitation_accept",
            "decline": "project_invitation_decline",
        }.get(answer or "")
        if action is None:
            return tk.abort(400, _("Choose to accept or decline the invitation"))
        try:
            result = tk.get_action(action)(_context(), {"id": form.get("invitation", "")})
        except tk.ObjectNotFound:
            return tk.abort(404, _("Invitation not found"))
        except tk.ValidationError as error:
            h.flash_error(" ".join(_messages(error.error_dict)))
        except tk.NotAuthorized:
            return _deny()
        else:
            project = result.get("project") or {}
            if answer == "accept":
                h.flash_success(
                    _("You joined the team of “{title}”.").format(title=project.get("title", ""))
                )
                return h.redirect_to("datathon_team.team_page", id=project.get("name"))
            h.flash_success(_("You declined the invitation."))
        # answered from the hub's overview: back there
        if form.get("from") == "hub":
            return h.redirect_to("datathon_hub.index")
        return h.redirect_to("datathon_team.invitations")
    # the invitations section of the personal hub
    return hub.invitations_page()


# -- submission -------------------------------------------------------------------------


def _state_change(id: str, action: str, template: str, done: str) -> Any:
    pkg = _project(id)
    _require(action, pkg)
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        try:
            tk.get_action(action)(_context(), {"id": pkg["id"]})
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized:
            return _deny()
        else:
            h.flash_success(done)
            return h.redirect_to(f"{PROJECT_TYPE}.read", id=pkg["name"])
    challenge = _challenge_of(pkg)
    return tk.render(
        template,
        {
            "pkg": pkg,
            "pkg_dict": pkg,
            "dataset_type": PROJECT_TYPE,
            "challenge": challenge,
            "members": _team_members(pkg),
            "errors": errors,
            "messages": _messages(errors),
        },
    )


@team.route("/project/<id>/submit", methods=["GET", "POST"])
def submit(id: str) -> Any:
    return _state_change(
        id,
        "project_submit",
        "team/submit.html",
        _("Your project is submitted: it is now public and in the contest."),
    )


@team.route("/project/<id>/withdraw", methods=["GET", "POST"])
def withdraw(id: str) -> Any:
    return _state_change(
        id,
        "project_withdraw",
        "team/withdraw.html",
        _("Your project is withdrawn: it left the contest and is private again."),
    )


# -- core's "new project" form ------------------------------------------------------------------


def project_new_guard() -> Any:
    """``app.before_request`` hook (plugin.py, IMiddleware): core's
    ``/project/new`` (the ``project`` type's dataset form) would create a
    project past project_register (no leader, no team).  The chained
    package_create refuses it; the form itself sends its visitors, GET or
    POST, to the challenges, where teams register."""
    if tk.request.endpoint != f"{PROJECT_TYPE}.new":
        return None
    h.flash_notice(_("Projects are created by registering a team on a challenge's page."))
    return h.redirect_to("challenge.index")


# -- CSRF of the project type's own forms ----------------------------------------------------

PROJECT_BLUEPRINTS = (PROJECT_TYPE, f"{PROJECT_TYPE}_resource")


def project_forms_csrf_guard() -> None:
    """``app.before_request`` hook (plugin.py, IMiddleware): the forms of the
    ``project`` type's blueprints (created by CKAN/scheming, not ours) check
    their CSRF token too.  CKAN 2.12.0 exempts a view from CSRF for the rest of
    the process once an anonymous or API-token request reached it, and the
    views of ``/project/edit/<id>`` are core's dataset views.  Requests that
    authenticated with a valid API token carry no cookie session to forge and
    are left to CKAN (a header that is merely present proves nothing)."""
    if tk.request.blueprint not in PROJECT_BLUEPRINTS:
        return
    if g.get("login_via_auth_header") and tk.current_user.is_authenticated:
        return
    csrf_guard()
