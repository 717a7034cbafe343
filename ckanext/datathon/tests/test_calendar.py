"""The iCalendar feed /challenge/<name>/calendar.ics, parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

import ckan.plugins.toolkit as tk

from ckanext.datathon.model import STAGES
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.logic import conftest as logic_conftest
from ckanext.datathon.tests.snapshots import built_over
from ckanext.datathon.tests.views.conftest import Browser

pytestmark = pytest.mark.usefixtures("with_plugins")
world = logic_conftest.world  # the fixture of the logic and view tests

MEXICO = ZoneInfo("America/Mexico_City")
UTC = dt.timezone.utc
HOST = "localhost"  # of ckan.site_url in test.ini

CONTEST = {
    "registration_opens": "2024-08-01T09:00:00-06:00",
    "registration_closes": "2024-08-20T23:59:00-06:00",
    "submission_deadline": "2024-09-01T18:00:00-06:00",
    "judging_closes": "2024-09-10T18:00:00-06:00",
    "results_date": "2024-09-15T12:00:00-06:00",
}
TIMELINE = [
    {
        "stage": "development",
        "starts": "2024-08-01T09:00:00-06:00",
        "ends": "2024-09-01T18:00:00-06:00",
        "notes": "Teams build",
    },
    {
        "stage": "mentorship",
        "starts": "2024-08-19T09:00:00-06:00",
        "ends": "2024-08-23T18:00:00-06:00",
        "notes": "",
    },
]
SESSIONS = [
    {
        "title": "Data cleaning clinic",
        "starts": "2024-08-19T10:00:00-06:00",
        "ends": "2024-08-19T12:30:00-06:00",
        "location": "Laboratorio de Datos, CDMX",
        "url": "",
        "mentors": ["Ana López"],
        "description": "Bring your questions; commas, semicolons; and\nnew lines.",
    },
    {
        # Mexico City still had summer time in 2021 (CDT, UTC-5)
        "title": "Office hours from 2021",
        "starts": "2021-07-01T10:00:00-05:00",
        "ends": "2021-07-01T11:00:00-05:00",
        "location": "",
        "url": "https://meet.example.org/office-hours",
        "mentors": ["Luis Pérez", "María Ruiz"],
        "description": "",
    },
]


def _utc(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(UTC)


@pytest.fixture
def mx(world, published_challenge_factory):
    def build():
        found = published_challenge_factory(
            owner_org=world.org["id"],
            title="Transporte, seguridad y mujeres",
            timezone="America/Mexico_City",
            timeline=TIMELINE,
            **CONTEST,
        )
        found["sessions"] = [
            call_as(world.admin, "challenge_mentorship_create", challenge=found["id"], **s)
            for s in SESSIONS
        ]
        return found

    return built_over("world", "test_calendar.mx", build)


def _fetch(app, name, user=None, status=200):
    """GET the feed as ``user`` (logged in through CKAN's form; None: anonymous)."""
    client = Browser(app, user) if user is not None else app.test_client()
    response = client.get(tk.url_for("datathon_engagement.calendar_ics", name=name))
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def _events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


class TestFeed:
    def test_media_type_and_structure(self, app, mx):
        response = _fetch(app, mx["name"])
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        raw = response.get_data()
        assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
        assert raw.endswith(b"END:VCALENDAR\r\n")
        # content lines are folded at 75 octets (RFC 5545 3.1)
        assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
        cal = icalendar.Calendar.from_ical(raw)
        assert cal["VERSION"] == "2.0"
        assert "PRODID" in cal
        assert str(cal["X-WR-CALNAME"]) == mx["title"]
        for component in cal.walk():
            assert component.errors == [], (component.name, component.errors)
        events = cal.walk("VEVENT")
        assert len(events) == 5 + len(TIMELINE) + len(SESSIONS)
        page = tk.url_for("challenge.read", name=mx["name"], qualified=True)
        for event in events:
            assert str(event["UID"]).endswith(f"@{HOST}")
            assert event.decoded("DTSTAMP").tzinfo is not None  # a UTC date-time
            assert str(event["URL"]) == page
        assert len({str(e["UID"]) for e in events}) == len(events)

    def test_contest_dates_in_the_challenge_time_zone(self, app, mx):
        cal = icalendar.Calendar.from_ical(_fetch(app, mx["name"]).get_data())
        events = _events(cal)
        for name, value in CONTEST.items():
            event = events[f"{name.replace('_', '-')}-{mx['id']}@{HOST}"]
            start = event.decoded("DTSTART")
            assert event["DTSTART"].params["TZID"] == "America/Mexico_City"
            assert start.astimezone(UTC) == _utc(value), name
            assert start.replace(tzinfo=None) == dt.datetime.fromisoformat(value).replace(
                tzinfo=None
            ), name  # the organizers' wall-clock time
            assert mx["title"] in str(event["SUMMARY"])
            assert "DTEND" not in event  # a moment

    def test_stage_windows(self, app, mx):
        events = _events(icalendar.Calendar.from_ical(_fetch(app, mx["name"]).get_data()))
        for entry in TIMELINE:
            event = events[f"stage-{entry['stage']}-{mx['id']}@{HOST}"]
            assert event.decoded("DTSTART").astimezone(UTC) == _utc(entry["starts"])
            assert event.decoded("DTEND").astimezone(UTC) == _utc(entry["ends"])
        assert str(events[f"stage-development-{mx['id']}@{HOST}"]["DESCRIPTION"]) == ("Teams build")
        unscheduled = set(STAGES) - {e["stage"] for e in TIMELINE}
        assert not any(f"stage-{s}-" in uid for s in unscheduled for uid in events)

    def test_every_session(self, app, mx):
        events = _events(icalendar.Calendar.from_ical(_fetch(app, mx["name"]).get_data()))
        for given, stored in zip(SESSIONS, mx["sessions"], strict=True):
            event = events[f"mentorship-{stored['id']}@{HOST}"]
            assert given["title"] in str(event["SUMMARY"])
            starts, ends = event.decoded("DTSTART"), event.decoded("DTEND")
            assert event["DTSTART"].params["TZID"] == "America/Mexico_City"
            assert starts.astimezone(UTC) == _utc(given["starts"])
            assert ends.astimezone(UTC) == _utc(given["ends"])
            for mentor in given["mentors"]:
                assert mentor in str(event["DESCRIPTION"])
        clinic = events[f"mentorship-{mx['sessions'][0]['id']}@{HOST}"]
        assert str(clinic["LOCATION"]) == "Laboratorio de Datos, CDMX"
        assert "commas, semicolons; and\nnew lines." in str(clinic["DESCRIPTION"])
        online = events[f"mentorship-{mx['sessions'][1]['id']}@{HOST}"]
        assert str(online["CONFERENCE"]) == "https://meet.example.org/office-hours"
        assert str(online["LOCATION"]) == "https://meet.example.org/office-hours"

    def test_the_vtimezone_itself_gives_the_right_offsets(self, app, mx):
        """Clients that read the VTIMEZONE (not the TZID name) get the same
        UTC times, summer time of 2021 included."""
        cal = icalendar.Calendar.from_ical(_fetch(app, mx["name"]).get_data())
        (vtimezone,) = cal.walk("VTIMEZONE")
        assert str(vtimezone["TZID"]) == "America/Mexico_City"
        zone = vtimezone.to_tz(lookup_tzid=False)
        for event in cal.walk("VEVENT"):
            start = event.decoded("DTSTART")
            wall = start.replace(tzinfo=None)
            assert wall.replace(tzinfo=zone).astimezone(UTC) == start.astimezone(UTC), str(
                event["UID"]
            )
        office = _utc(SESSIONS[1]["starts"])
        assert office == dt.datetime(2021, 7, 1, 15, 0, tzinfo=UTC)

    def test_the_vtimezone_covers_far_dates(self, app, world, published_challenge_factory):
        """A summer session of 2045 in Madrid is at UTC+2 for clients that
        read the VTIMEZONE too (icalendar stops at 2038 unless told)."""
        found = published_challenge_factory(owner_org=world.org["id"], timezone="Europe/Madrid")
        call_as(
            world.admin,
            "challenge_mentorship_create",
            challenge=found["id"],
            **{
                **SESSIONS[0],
                "starts": "2045-07-03T10:00:00+02:00",
                "ends": "2045-07-03T11:00:00+02:00",
            },
        )
        cal = icalendar.Calendar.from_ical(_fetch(app, found["name"]).get_data())
        (vtimezone,) = cal.walk("VTIMEZONE")
        zone = vtimezone.to_tz(lookup_tzid=False)
        (event,) = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("mentorship-")]
        wall = event.decoded("DTSTART").replace(tzinfo=None)
        assert wall == dt.datetime(2045, 7, 3, 10, 0)
        assert wall.replace(tzinfo=zone).utcoffset() == dt.timedelta(hours=2)
        assert str(cal["X-PUBLISHED-TTL"]) == "PT12H"

    def test_utc_challenge_uses_utc_times(self, app, world, published_challenge_factory):
        found = published_challenge_factory(owner_org=world.org["id"], **CONTEST)
        call_as(world.admin, "challenge_mentorship_create", challenge=found["id"], **SESSIONS[0])
        raw = _fetch(app, found["name"]).get_data()
        cal = icalendar.Calendar.from_ical(raw)
        assert cal.walk("VTIMEZONE") == []
        assert b"TZID" not in raw
        for event in cal.walk("VEVENT"):
            assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        events = _events(cal)
        opens = events[f"registration-opens-{found['id']}@{HOST}"]
        assert opens.decoded("DTSTART") == _utc(CONTEST["registration_opens"])

    def test_stable_between_fetches(self, app, mx):
        assert _fetch(app, mx["name"]).get_data() == _fetch(app, mx["name"]).get_data()

    def test_conditional_requests(self, app, world, mx):
        page = tk.url_for("datathon_engagement.calendar_ics", name=mx["name"])
        client = app.test_client()
        first = client.get(page)
        etag = first.headers["ETag"]
        again = client.get(page, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.get_data() == b""
        call_as(world.admin, "challenge_mentorship_update", id=mx["sessions"][0]["id"], title="New")
        changed = client.get(page, headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != etag
        assert b"New" in changed.get_data()

    def test_changes_follow_the_sessions(self, app, world, mx):
        first = mx["sessions"][0]
        call_as(world.admin, "challenge_mentorship_delete", id=first["id"])
        events = _events(icalendar.Calendar.from_ical(_fetch(app, mx["name"]).get_data()))
        assert f"mentorship-{first['id']}@{HOST}" not in events
        assert f"mentorship-{mx['sessions'][1]['id']}@{HOST}" in events

    def test_a_challenge_without_dates(self, app, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        cal = icalendar.Calendar.from_ical(_fetch(app, draft["name"], world.admin).get_data())
        assert cal.walk("VEVENT") == []


class TestAccess:
    def test_draft_is_not_found_for_non_organizers(self, app, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"], timezone="America/Mexico_City")
        call_as(world.admin, "challenge_mentorship_create", challenge=draft["id"], **SESSIONS[0])
        for user in (None, world.user, world.member, world.outsider_admin):
            _fetch(app, draft["name"], user, status=404)
        for user in (world.admin, world.editor, world.sysadmin):
            response = _fetch(app, draft["name"], user)
            cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= cache
            assert "public" not in cache
            assert len(icalendar.Calendar.from_ical(response.get_data()).walk("VEVENT")) == 1

    @pytest.mark.parametrize("name", ["no-such-challenge", "x" * 300, "%00"])
    def test_unknown(self, app, world, name):
        _fetch(app, name, status=404)


class TestPortalCalendar:
    """/challenge/calendar.ics: every published challenge's contest dates."""

    def test_every_published_challenge_in_its_zone(
        self, app, world, mx, published_challenge_factory, challenge_factory
    ):
        utc = published_challenge_factory(owner_org=world.org["id"], title="En UTC", **CONTEST)
        draft = challenge_factory(owner_org=world.org["id"], title="Borrador", **CONTEST)
        response = app.get("/challenge/calendar.ics")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        cal = icalendar.Calendar.from_ical(response.get_data())
        events = _events(cal)
        for challenge in (mx, utc):
            for date in CONTEST:
                uid = f"{date.replace('_', '-')}-{challenge['id']}@{HOST}"
                assert uid in events, uid
                assert events[uid].decoded("dtstart") == dt.datetime.fromisoformat(CONTEST[date])
        assert not any(draft["id"] in uid for uid in events)
        # Mexico City's events carry its zone; its VTIMEZONE is there
        opens = events[f"registration-opens-{mx['id']}@{HOST}"]
        assert opens["DTSTART"].params["TZID"] == "America/Mexico_City"
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/Mexico_City"]
        # and the same UIDs as the challenge's own feed: subscribing to both never duplicates
        own = _events(icalendar.Calendar.from_ical(_fetch(app, mx["name"]).get_data()))
        assert {u for u in own if mx["id"] in u and not u.startswith(("stage", "mentorship"))} == {
            u for u in events if mx["id"] in u
        }

    def test_conditional_and_linked_from_the_list(self, app, world, mx):
        first = app.get("/challenge/calendar.ics")
        again = app.get("/challenge/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert "/challenge/calendar.ics" in app.get("/challenge").get_data(as_text=True)

    def test_empty_portal(self, app, world):
        cal = icalendar.Calendar.from_ical(app.get("/challenge/calendar.ics").get_data())
        assert cal.walk("VEVENT") == []
