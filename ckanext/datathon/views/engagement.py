"""Mentorship, calendar and impact pages: the ``datathon_engagement`` blueprint.

* ``/challenge/<name>/calendar.ics``: the challenge's iCalendar feed;
* ``/challenge/calendar.ics``: the portal's, every published challenge's dates;
* ``/challenge/<name>/mentorship``: the sessions, and for organizers the
  forms to add, edit (``.../<id>/edit``) and delete (``.../<id>/delete``) them;
* ``/challenge/<name>/impact``: the impact record, same pattern.

What the user may not see answers 404; what they may see but not change, 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response
from flask.wrappers import Response

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon.formats import calendar
from ckanext.datathon.views import engagement_forms, form_labels
from ckanext.datathon.views.base import context, deny, no_store, show_challenge
from ckanext.datathon.views.csrf import csrf_guard

__all__ = ["datathon_engagement"]

_ = tk._
datathon_engagement = Blueprint("datathon_engagement", __name__)
datathon_engagement.before_request(csrf_guard)

# Above this many projects the impact form asks for a project's name
# instead of offering a list.
PROJECT_CHOICES_MAX = 100


def _require(action: str, data: dict[str, Any]) -> None:
    try:
        tk.check_access(action, context(), data)
    except tk.ObjectNotFound:
        tk.abort(404, _("Challenge not found"))
    except tk.NotAuthorized:
        deny()


def _may(action: str, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, context(), data)
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return False
    return True


# -- calendar -------------------------------------------------------------------------


# the portal's calendar holds at most this many challenges, nearest deadlines first
PORTAL_CALENDAR_MAX = 100


@datathon_engagement.route("/challenge/calendar.ics")
def portal_calendar_ics() -> Response:
    """Every published challenge's contest dates (the 100 with the nearest
    deadlines; those with none to come last), as the visitor sees them."""
    found = tk.get_action("challenge_list")(
        context(), {"sort": "next_deadline asc", "limit": PORTAL_CALENDAR_MAX}
    )
    site = tk.config.get("ckan.site_title") or "CKAN"
    body = calendar.build_portal(
        found["results"],
        name=_("Challenges of %(site)s") % {"site": site},
        url=h.url_for("challenge.index", qualified=True),
        site_host=calendar.host(tk.config.get("ckan.site_url") or ""),
        urls=lambda c: h.url_for("challenge.read", name=c["name"], qualified=True),
    )
    response = make_response(body)
    response.headers["Content-Type"] = calendar.MEDIA_TYPE
    response.headers["Content-Disposition"] = 'inline; filename="challenges.ics"'
    if tk.current_user.is_authenticated:
        # a logged-in organizer's list may hold what others do not see
        no_store(response)
    response.add_etag()
    return response.make_conditional(tk.request)


@datathon_engagement.route("/challenge/<name>/calendar.ics")
def calendar_ics(name: str) -> Response:
    challenge = show_challenge(name)
    sessions = tk.get_action("challenge_mentorship_list")(context(), {"id": challenge["id"]})
    body = calendar.build(
        challenge,
        sessions["results"],
        url=h.url_for("challenge.read", name=challenge["name"], qualified=True),
        site_host=calendar.host(tk.config.get("ckan.site_url") or ""),
        stage_label=tk.h.datathon_stage_label,
    )
    response = make_response(body)
    response.headers["Content-Type"] = calendar.MEDIA_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{challenge["name"]}.ics"'
    if challenge["state"] != "active":
        # a draft's feed is for its organizers
        no_store(response)
    # the feed only changes with its sources: subscribed calendars polling
    # with If-None-Match get a bodiless 304 until then
    response.add_etag()
    return response.make_conditional(tk.request)


# -- mentorship -----------------------------------------------------------------------


def _sessions(challenge: dict[str, Any]) -> list[dict[str, Any]]:
    return tk.get_action("challenge_mentorship_list")(context(), {"id": challenge["id"]})["results"]


def _render_mentorship(
    challenge: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    session: dict[str, Any] | None = None,
) -> str:
    return tk.render(
        "challenge/mentorship_edit.html" if session else "challenge/mentorship.html",
        {
            "challenge": challenge,
            "sessions": [] if session else _sessions(challenge),
            "session": session,
            "data": values,
            "errors": errors,
            "error_summary": form_labels.error_summary(errors, form_labels.mentorship()),
            "can_manage": _may("challenge_mentorship_create", {"challenge": challenge["id"]}),
        },
    )


@datathon_engagement.route("/challenge/<name>/mentorship", methods=["GET", "POST"])
def mentorship(name: str) -> Any:
    challenge = show_challenge(name)
    if tk.request.method != "POST":
        return _render_mentorship(challenge, {}, {})
    _require("challenge_mentorship_create", {"challenge": challenge["id"]})
    data = engagement_forms.mentorship_from_form(tk.request.form, challenge["timezone"])
    try:
        tk.get_action("challenge_mentorship_create")(
            context(), {**data, "challenge": challenge["id"]}
        )
    except tk.ValidationError as error:
        return _render_mentorship(challenge, dict(tk.request.form), error.error_dict)
    h.flash_success(_("Mentorship session added."))
    return h.redirect_to("datathon_engagement.mentorship", name=challenge["name"])


def _session_of(challenge: dict[str, Any], session_id: str) -> dict[str, Any]:
    for session in _sessions(challenge):
        if session["id"] == session_id:
            return session
    return tk.abort(404, _("Mentorship session not found"))


@datathon_engagement.route(
    "/challenge/<name>/mentorship/<session_id>/edit", methods=["GET", "POST"]
)
def mentorship_edit(name: str, session_id: str) -> Any:
    challenge = show_challenge(name)
    session = _session_of(challenge, session_id)
    _require("challenge_mentorship_update", {"id": session["id"]})
    if tk.request.method != "POST":
        values = engagement_forms.mentorship_values(session, challenge["timezone"])
        return _render_mentorship(challenge, values, {}, session)
    data = engagement_forms.mentorship_from_form(tk.request.form, challenge["timezone"])
    try:
        tk.get_action("challenge_mentorship_update")(context(), {**data, "id": session["id"]})
    except tk.ValidationError as error:
        return _render_mentorship(challenge, dict(tk.request.form), error.error_dict, session)
    h.flash_success(_("Mentorship session saved."))
    return h.redirect_to("datathon_engagement.mentorship", name=challenge["name"])


@datathon_engagement.route("/challenge/<name>/mentorship/<session_id>/delete", methods=["POST"])
def mentorship_delete(name: str, session_id: str) -> Any:
    challenge = show_challenge(name)
    session = _session_of(challenge, session_id)
    _require("challenge_mentorship_delete", {"id": session["id"]})
    tk.get_action("challenge_mentorship_delete")(context(), {"id": session["id"]})
    h.flash_success(_("Mentorship session deleted."))
    return h.redirect_to("datathon_engagement.mentorship", name=challenge["name"])


# -- impact ---------------------------------------------------------------------------


def _entries(challenge: dict[str, Any]) -> list[dict[str, Any]]:
    return tk.get_action("challenge_impact_list")(context(), {"id": challenge["id"]})["results"]


def _projects(challenge: dict[str, Any]) -> dict[str, Any]:
    """The challenge's projects the organizer may pick from (None: too many
    for a list; the form then asks for a name)."""
    found = tk.get_action("project_list")(
        context(), {"challenge": challenge["id"], "limit": PROJECT_CHOICES_MAX}
    )
    if found["count"] > PROJECT_CHOICES_MAX:
        return {"choices": None}
    return {
        "choices": [{"value": "", "text": _("(none)")}]
        + [{"value": p["id"], "text": p["title"]} for p in found["results"]]
    }


def _render_impact(
    challenge: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    entry: dict[str, Any] | None = None,
) -> str:
    can_manage = _may("challenge_impact_create", {"challenge": challenge["id"]})
    return tk.render(
        "challenge/impact_edit.html" if entry else "challenge/impact.html",
        {
            "challenge": challenge,
            "entries": [] if entry else _entries(challenge),
            "entry": entry,
            "data": values,
            "errors": errors,
            "error_summary": form_labels.error_summary(errors, form_labels.impact()),
            "can_manage": can_manage,
            "projects": _projects(challenge) if can_manage else {"choices": []},
        },
    )


@datathon_engagement.route("/challenge/<name>/impact", methods=["GET", "POST"])
def impact(name: str) -> Any:
    challenge = show_challenge(name)
    if tk.request.method != "POST":
        return _render_impact(challenge, {}, {})
    _require("challenge_impact_create", {"challenge": challenge["id"]})
    data = engagement_forms.impact_from_form(tk.request.form)
    try:
        tk.get_action("challenge_impact_create")(context(), {**data, "challenge": challenge["id"]})
    except tk.ValidationError as error:
        return _render_impact(challenge, dict(tk.request.form), error.error_dict)
    h.flash_success(_("Impact entry added."))
    return h.redirect_to("datathon_engagement.impact", name=challenge["name"])


def _entry_of(challenge: dict[str, Any], entry_id: str) -> dict[str, Any]:
    for entry in _entries(challenge):
        if entry["id"] == entry_id:
            return entry
    return tk.abort(404, _("Impact entry not found"))


@datathon_engagement.route("/challenge/<name>/impact/<entry_id>/edit", methods=["GET", "POST"])
def impact_edit(name: str, entry_id: str) -> Any:
    challenge = show_challenge(name)
    entry = _entry_of(challenge, entry_id)
    _require("challenge_impact_update", {"id": entry["id"]})
    if tk.request.method != "POST":
        return _render_impact(challenge, engagement_forms.impact_values(entry), {}, entry)
    data = engagement_forms.impact_from_form(tk.request.form)
    try:
        tk.get_action("challenge_impact_update")(context(), {**data, "id": entry["id"]})
    except tk.ValidationError as error:
        return _render_impact(challenge, dict(tk.request.form), error.error_dict, entry)
    h.flash_success(_("Impact entry saved."))
    return h.redirect_to("datathon_engagement.impact", name=challenge["name"])


@datathon_engagement.route("/challenge/<name>/impact/<entry_id>/delete", methods=["POST"])
def impact_delete(name: str, entry_id: str) -> Any:
    challenge = show_challenge(name)
    entry = _entry_of(challenge, entry_id)
    _require("challenge_impact_delete", {"id": entry["id"]})
    tk.get_action("challenge_impact_delete")(context(), {"id": entry["id"]})
    h.flash_success(_("Impact entry deleted."))
    return h.redirect_to("datathon_engagement.impact", name=challenge["name"])
