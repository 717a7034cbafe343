"""The iCalendar (RFC 5545) feed of a challenge, built with ``icalendar``.

One VEVENT per contest date (registration opens and closes, submission
deadline, judging closes, results), per scheduled stage of the method and per
mentorship session.  Times are in the challenge's time zone, with its
VTIMEZONE, so calendar applications show the organizers' wall-clock times
(a challenge in UTC uses UTC times).  UIDs are stable (``<kind>-<id>@<site
host>``), so subscribers' calendars update instead of duplicating events;
DTSTAMP is when the source last changed, so the feed is the same until then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

import ckan.plugins.toolkit as tk

from ckanext.datathon.model import CONTEST_DATES

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//ckanext-datathon//Challenge calendar//EN"
REFRESH = dt.timedelta(hours=12)

_ = tk._


def _contest_labels() -> dict[str, str]:
    return {
        "registration_opens": _("Registration opens"),
        "registration_closes": _("Registration closes"),
        "submission_deadline": _("Projects due"),
        "judging_closes": _("Jury deliberation ends"),
        "results_date": _("Winners announced"),
    }


def _zone(name: Any) -> dt.tzinfo:
    if not name or name == "UTC":
        return dt.timezone.utc
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def _moment(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """An ISO date-time of the API in ``zone`` (whole seconds)."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(zone).replace(microsecond=0)


def _utc(value: Any) -> dt.datetime:
    moment = _moment(value, dt.timezone.utc)
    return moment or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def host(site_url: str) -> str:
    """The host part of UIDs: the site's host name (``localhost`` if none)."""
    return urlsplit(site_url).hostname or "localhost"


def _event(uid: str, summary: str, stamp: Any, url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp))
    event.add("last-modified", _utc(stamp))
    event.add("summary", summary)
    event.add("url", url, parameters={"VALUE": "URI"})
    return event


def _calendar(name: str, url: str, zone_name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("url", url, parameters={"VALUE": "URI"})
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH).to_ical().decode())
    cal.add("x-wr-timezone", zone_name)
    return cal


def _contest_events(challenge: dict[str, Any], url: str, site_host: str) -> list[icalendar.Event]:
    """One event per contest date of ``challenge``, in its time zone."""
    zone = _zone(challenge.get("timezone"))
    title = challenge.get("title") or challenge.get("name") or ""
    labels = _contest_labels()
    events = []
    for name in CONTEST_DATES:
        moment = _moment(challenge.get(name), zone)
        if moment is None:
            continue
        event = _event(
            f"{name.replace('_', '-')}-{challenge['id']}@{site_host}",
            _("%(what)s: %(challenge)s") % {"what": labels[name], "challenge": title},
            challenge.get("modified"),
            url,
        )
        event.add("dtstart", moment)  # no DTEND: a moment (RFC 5545 3.6.1)
        event.add("transp", "TRANSPARENT")
        event.add("categories", [_("Contest date")])
        events.append(event)
    return events


def _add_timezones(cal: icalendar.Calendar) -> None:
    """A VTIMEZONE for every zone the events use, covering all of them
    (icalendar's default span: 1970-2038)."""
    days = [e.decoded("dtstart").date() for e in cal.walk("VEVENT")]
    days += [e.decoded("dtend").date() for e in cal.walk("VEVENT") if "DTEND" in e]
    cal.add_missing_timezones(
        first_date=min([*days, dt.date(1970, 1, 1)]),
        last_date=max([*days, dt.date(2037, 12, 31)]) + dt.timedelta(days=1),
    )


def build_portal(
    challenges: Sequence[dict[str, Any]], *, name: str, url: str, site_host: str, urls: Any
) -> bytes:
    """The portal's calendar: the contest dates of ``challenges``
    (challenge_list results), each in its challenge's time zone.  ``urls(c)``
    is a challenge's page.  UIDs are those of each challenge's own feed."""
    cal = _calendar(name, url, "UTC")
    for challenge in challenges:
        for event in _contest_events(challenge, urls(challenge), site_host):
            cal.add_component(event)
    _add_timezones(cal)
    return cal.to_ical()


def build(
    challenge: dict[str, Any],
    sessions: Sequence[dict[str, Any]],
    *,
    url: str,
    site_host: str,
    stage_label: Any,
) -> bytes:
    """The calendar of ``challenge`` (a challenge_show dict) and its
    mentorship ``sessions`` (challenge_mentorship_list results).

    ``url`` is the challenge page, ``stage_label(stage)`` a stage's name.
    """
    zone = _zone(challenge.get("timezone"))
    title = challenge.get("title") or challenge.get("name") or ""
    cal = _calendar(title, url, getattr(zone, "key", "UTC"))
    for event in _contest_events(challenge, url, site_host):
        cal.add_component(event)

    for entry in challenge.get("timeline") or []:
        starts, ends = _moment(entry.get("starts"), zone), _moment(entry.get("ends"), zone)
        if starts is None or ends is None:
            continue
        event = _event(
            f"stage-{entry['stage']}-{challenge['id']}@{site_host}",
            _("%(stage)s: %(challenge)s")
            % {"stage": stage_label(entry["stage"]), "challenge": title},
            challenge.get("modified"),
            url,
        )
        event.add("dtstart", starts)
        event.add("dtend", ends)
        event.add("transp", "TRANSPARENT")
        event.add("categories", [_("Stage of the datathon")])
        if entry.get("notes"):
            event.add("description", entry["notes"])
        cal.add_component(event)

    for session in sessions:
        event = _event(
            f"mentorship-{session['id']}@{site_host}",
            _("Mentorship: %(session)s") % {"session": session["title"]},
            session.get("modified"),
            url,
        )
        event.add("dtstart", _moment(session["starts"], zone))
        event.add("dtend", _moment(session["ends"], zone))
        event.add("created", _utc(session.get("created")))
        event.add("categories", [_("Mentorship")])
        if session.get("location") or session.get("url"):
            event.add("location", session.get("location") or session["url"])
        if session.get("url"):
            event.add("conference", session["url"], parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
        event.add("description", _session_description(session, title))
        cal.add_component(event)

    _add_timezones(cal)
    return cal.to_ical()


def _session_description(session: dict[str, Any], challenge_title: str) -> str:
    lines = [_("Mentorship session of %(challenge)s") % {"challenge": challenge_title}]
    if session.get("mentors"):
        lines.append(_("Mentors: %(names)s") % {"names": ", ".join(session["mentors"])})
    if session.get("url"):
        lines.append(_("Join online: %(url)s") % {"url": session["url"]})
    if session.get("description"):
        lines.extend(["", session["description"]])
    return "\n".join(lines)
