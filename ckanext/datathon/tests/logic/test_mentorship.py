"""Mentorship sessions: CRUD, validation, time zones and the auth matrix."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.helpers import auth_as, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

ORGANIZERS = {"sysadmin", "admin", "editor"}
EVERYONE = ORGANIZERS | {"member", "other_org_admin", "user", "anonymous", "team", "juror"}

SESSION = {
    "title": "Data cleaning clinic",
    "starts": "2024-08-26T10:00:00-06:00",
    "ends": "2024-08-26T12:30:00-06:00",
    "location": "Laboratorio de Datos, CDMX",
    "url": "https://meet.example.org/clinic",
    "mentors": ["Ana López", "Luis Pérez"],
    "description": "Bring your questions about the Metro data.",
}


@pytest.fixture
def roles(world, published_challenge_factory, project_factory):
    """``world``'s roles plus a team member and a juror of a published
    challenge of ``world.org`` (returned as ``(roles, challenge)``)."""

    def build():
        challenge = published_challenge_factory(
            owner_org=world.org["id"], timezone="America/Mexico_City"
        )
        team = factories.User()
        project_factory(user=team, challenge=challenge["id"])
        juror = factories.User()
        helpers.call_action("challenge_juror_add", id=challenge["id"], user=juror["name"])
        return {**world.roles, "team": team, "juror": juror}, challenge

    return built_over("world", "test_mentorship.roles", build)


def _allowed(roles: dict, auth: str, **data) -> set[str]:
    return {role for role, user in roles.items() if auth_as(user, auth, **data)}


class TestCrud:
    def test_create_list_update_delete(self, world, roles):
        _roles, challenge = roles
        created = call_as(
            world.editor, "challenge_mentorship_create", challenge=challenge["name"], **SESSION
        )
        assert created["challenge_id"] == challenge["id"]
        assert created["starts"] == "2024-08-26T16:00:00+00:00"  # stored UTC
        assert created["ends"] == "2024-08-26T18:30:00+00:00"
        assert created["mentors"] == ["Ana López", "Luis Pérez"]
        listed = call_as(None, "challenge_mentorship_list", id=challenge["id"])
        assert listed["count"] == 1
        assert listed["timezone"] == "America/Mexico_City"
        assert listed["results"][0] == created

        updated = call_as(
            world.admin,
            "challenge_mentorship_update",
            id=created["id"],
            title="Clinic (moved online)",
            location="",
            mentors="Ana López\nMaría Ruiz, Luis Pérez",
        )
        assert updated["title"] == "Clinic (moved online)"
        assert updated["location"] == ""
        assert updated["url"] == SESSION["url"]  # not given: kept
        assert updated["starts"] == created["starts"]
        assert updated["mentors"] == ["Ana López", "María Ruiz", "Luis Pérez"]

        call_as(world.admin, "challenge_mentorship_delete", id=created["id"])
        assert call_as(None, "challenge_mentorship_list", id=challenge["id"])["count"] == 0
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.admin, "challenge_mentorship_delete", id=created["id"])

    def test_sorted_by_start(self, world, roles):
        _roles, challenge = roles
        for title, day in (("Second", 27), ("First", 26), ("Third", 28)):
            call_as(
                world.admin,
                "challenge_mentorship_create",
                challenge=challenge["id"],
                **{
                    **SESSION,
                    "title": title,
                    "starts": f"2024-08-{day}T10:00:00Z",
                    "ends": f"2024-08-{day}T11:00:00Z",
                },
            )
        listed = call_as(None, "challenge_mentorship_list", id=challenge["name"])
        assert [s["title"] for s in listed["results"]] == ["First", "Second", "Third"]

    def test_online_only_and_place_only(self, world, roles):
        _roles, challenge = roles
        online = call_as(
            world.admin,
            "challenge_mentorship_create",
            challenge=challenge["id"],
            **{**SESSION, "location": ""},
        )
        assert online["location"] == ""
        assert online["url"]
        onsite = call_as(
            world.admin,
            "challenge_mentorship_create",
            challenge=challenge["id"],
            **{**SESSION, "url": ""},
        )
        assert onsite["url"] == ""
        assert onsite["location"]

    def test_sessions_of_a_draft_are_hidden(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_mentorship_create", challenge=draft["id"], **SESSION)
        assert call_as(world.editor, "challenge_mentorship_list", id=draft["id"])["count"] == 1
        for user in (None, world.user, world.member, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(user, "challenge_mentorship_list", id=draft["id"])


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"ends": "2024-08-26T09:59:59-06:00"}, "ends"),
            ({"location": "", "url": ""}, "location"),
            ({"url": "javascript:alert(1)"}, "url"),
            ({"url": "ftp://example.org/x"}, "url"),
            ({"url": ["https://example.org"]}, "url"),
            ({"starts": "2024-08-26T10:00:00"}, "starts"),  # no time zone
            ({"starts": "tomorrow"}, "starts"),
            ({"starts": -1}, "starts"),
            ({"starts": "NaN"}, "starts"),
            ({"starts": "99999-01-01T00:00:00Z"}, "starts"),
            ({"ends": None}, "ends"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"title": "a\x00b"}, "title"),
            ({"title": {"a": 1}}, "title"),
            ({"mentors": [{"name": "x"}]}, "mentors"),
            ({"mentors": [1, 2]}, "mentors"),
            ({"mentors": {"a": 1}}, "mentors"),
            ({"mentors": ["x" * 201]}, "mentors"),
            ({"mentors": [f"Mentor {i}" for i in range(51)]}, "mentors"),
            ({"description": "x" * 5001}, "description"),
        ],
    )
    def test_junk_is_a_field_error(self, world, roles, change, field):
        _roles, challenge = roles
        with pytest.raises(tk.ValidationError) as error:
            call_as(
                world.admin,
                "challenge_mentorship_create",
                challenge=challenge["id"],
                **{**SESSION, **change},
            )
        assert field in error.value.error_dict, error.value.error_dict

    def test_update_checks_the_merged_dates(self, world, roles):
        _roles, challenge = roles
        created = call_as(
            world.admin, "challenge_mentorship_create", challenge=challenge["id"], **SESSION
        )
        with pytest.raises(tk.ValidationError) as error:
            call_as(
                world.admin,
                "challenge_mentorship_update",
                id=created["id"],
                ends="2024-08-26T15:00:00Z",
            )
        assert "ends" in error.value.error_dict
        with pytest.raises(tk.ValidationError) as error:
            call_as(
                world.admin, "challenge_mentorship_update", id=created["id"], location="", url=""
            )
        assert "location" in error.value.error_dict
        # every problem at once: a bad URL does not hide the dates
        with pytest.raises(tk.ValidationError) as error:
            call_as(
                world.admin,
                "challenge_mentorship_update",
                id=created["id"],
                url="javascript:x",
                starts="2024-08-27T10:00:00Z",
            )
        assert set(error.value.error_dict) == {"url", "ends"}

    def test_all_errors_are_reported_together(self, world, roles):
        _roles, challenge = roles
        with pytest.raises(tk.ValidationError) as error:
            call_as(
                world.admin,
                "challenge_mentorship_create",
                challenge=challenge["id"],
                **{**SESSION, "title": "", "url": "ftp://x", "ends": "2024-08-26T09:00:00-06:00"},
            )
        assert set(error.value.error_dict) == {"title", "url", "ends"}

    def test_equal_start_and_end_is_allowed(self, world, roles):
        _roles, challenge = roles
        moment = "2024-08-26T10:00:00Z"
        created = call_as(
            world.admin,
            "challenge_mentorship_create",
            challenge=challenge["id"],
            **{**SESSION, "starts": moment, "ends": moment},
        )
        assert created["starts"] == created["ends"]

    @pytest.mark.parametrize("ref", ["", "nope", "a\x00b", -1, ["x"], "x" * 1000])
    def test_unknown_ids(self, world, ref):
        for action in ("challenge_mentorship_update", "challenge_mentorship_delete"):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(world.admin, action, id=ref)
        with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
            call_as(world.admin, "challenge_mentorship_list", id=ref)
        with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
            call_as(world.admin, "challenge_mentorship_create", challenge=ref, **SESSION)

    def test_not_a_json_object(self, world, roles):
        _roles, challenge = roles
        created = call_as(
            world.admin, "challenge_mentorship_create", challenge=challenge["id"], **SESSION
        )
        with pytest.raises(tk.ValidationError):
            call_as(world.admin, "challenge_mentorship_update", id=created["id"], starts={"x": 1})


class TestAuthMatrix:
    def test_published_challenge(self, world, roles):
        everyone, challenge = roles
        created = helpers.call_action(
            "challenge_mentorship_create", challenge=challenge["id"], **SESSION
        )
        assert (
            _allowed(everyone, "challenge_mentorship_create", challenge=challenge["id"])
            == ORGANIZERS
        )
        assert _allowed(everyone, "challenge_mentorship_update", id=created["id"]) == ORGANIZERS
        assert _allowed(everyone, "challenge_mentorship_delete", id=created["id"]) == ORGANIZERS
        assert _allowed(everyone, "challenge_mentorship_list", id=challenge["id"]) == EVERYONE

    def test_draft_challenge(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        created = helpers.call_action(
            "challenge_mentorship_create", challenge=draft["id"], **SESSION
        )
        for auth, data in (
            ("challenge_mentorship_create", {"challenge": draft["id"]}),
            ("challenge_mentorship_update", {"id": created["id"]}),
            ("challenge_mentorship_delete", {"id": created["id"]}),
            ("challenge_mentorship_list", {"id": draft["id"]}),
        ):
            assert _allowed(world.roles, auth, **data) == ORGANIZERS, auth

    def test_outsiders_writing_get_403_on_published_404_on_drafts(
        self, world, roles, challenge_factory
    ):
        _roles, challenge = roles
        with pytest.raises(tk.NotAuthorized):
            call_as(
                world.outsider_admin,
                "challenge_mentorship_create",
                challenge=challenge["id"],
                **SESSION,
            )
        draft = challenge_factory(owner_org=world.org["id"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(
                world.outsider_admin,
                "challenge_mentorship_create",
                challenge=draft["id"],
                **SESSION,
            )
        created = helpers.call_action(
            "challenge_mentorship_create", challenge=draft["id"], **SESSION
        )
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.user, "challenge_mentorship_update", id=created["id"], title="Mine")

    def test_deleted_challenge_takes_no_sessions(self, world, roles):
        _roles, challenge = roles
        helpers.call_action("challenge_delete", id=challenge["id"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(
                world.admin, "challenge_mentorship_create", challenge=challenge["id"], **SESSION
            )


def test_stored_in_utc_whatever_the_offset(world, roles):
    _roles, challenge = roles
    created = call_as(
        world.admin,
        "challenge_mentorship_create",
        challenge=challenge["id"],
        **{**SESSION, "starts": "2024-08-26T10:00:00+02:00", "ends": "2024-08-26T09:00:00Z"},
    )
    starts = dt.datetime.fromisoformat(created["starts"])
    assert starts.utcoffset() == dt.timedelta(0)
    assert starts.hour == 8
