"""challenge_create|update|patch|delete|show|list: behaviour and validation."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.datathon import licences
from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import Statements, call_as, iso, now

pytestmark = pytest.mark.usefixtures("with_plugins")


def _errors(excinfo) -> dict:
    return excinfo.value.error_dict


class TestCreate:
    def test_defaults_of_the_rules(self, world):
        challenge = call_as(
            world.editor, "challenge_create", owner_org=world.org["name"], name="care", title="Care"
        )
        assert challenge["state"] == "draft"
        assert challenge["owner_org"] == world.org["id"]
        assert challenge["creator_user_id"] == world.editor["id"]
        assert challenge["max_team_size"] == 6
        assert challenge["min_team_size"] == 1
        assert challenge["require_open_data"] is True
        assert challenge["require_rules_acceptance"] is True
        assert challenge["allowed_licences"] == list(licences.osi_approved_ids())
        assert "MIT" in challenge["allowed_licences"]
        assert "Beerware" not in challenge["allowed_licences"]  # in SPDX, not OSI
        assert challenge["published"] is None
        assert challenge["timezone"] == "UTC"

    def test_time_zone_of_the_challenge(self, world):
        challenge = call_as(
            world.admin,
            "challenge_create",
            owner_org=world.org["id"],
            name="tzc",
            title="T",
            timezone="America/Mexico_City",
        )
        assert challenge["timezone"] == "America/Mexico_City"
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_patch", id=challenge["id"], timezone="Mars/Olympus")
        assert "timezone" in _errors(excinfo)

    @pytest.mark.ckan_config("ckanext.datathon.default_max_team_size", "4")
    def test_team_cap_default_is_configurable(self, world):
        challenge = call_as(
            world.admin, "challenge_create", owner_org=world.org["id"], name="c4", title="C"
        )
        assert challenge["max_team_size"] == 4

    def test_no_mass_assignment(self, world):
        challenge = call_as(
            world.editor,
            "challenge_create",
            owner_org=world.org["id"],
            name="mass",
            title="Mass",
            id="00000000-0000-0000-0000-000000000000",
            created="2000-01-01T00:00:00Z",
            published="2000-01-01T00:00:00Z",
            creator_user_id=world.sysadmin["id"],
        )
        assert challenge["id"] != "00000000-0000-0000-0000-000000000000"
        assert not challenge["created"].startswith("2000")
        assert challenge["published"] is None
        assert challenge["creator_user_id"] == world.editor["id"]

    def test_publishing_needs_every_contest_date(self, world):
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                world.admin,
                "challenge_create",
                owner_org=world.org["id"],
                name="early",
                title="Early",
                state="active",
                registration_opens=iso(now()),
            )
        errors = _errors(excinfo)
        assert set(errors) == {
            "registration_closes",
            "submission_deadline",
            "judging_closes",
            "results_date",
        }

    def test_published_challenge_records_when(self, world):
        challenge = call_as(
            world.admin,
            "challenge_create",
            owner_org=world.org["id"],
            name="pub",
            title="Pub",
            state="active",
            **open_registration_dates(),
        )
        assert challenge["published"] is not None
        assert challenge["registration_open"] is True

    def test_dates_are_stored_in_utc(self, world):
        challenge = call_as(
            world.admin,
            "challenge_create",
            owner_org=world.org["id"],
            name="tz",
            title="Tz",
            registration_opens="2023-08-25T09:00:00-06:00",
            registration_closes="2023-09-15T23:59:59-06:00",
        )
        assert challenge["registration_opens"] == "2023-08-25T15:00:00+00:00"
        assert challenge["registration_closes"] == "2023-09-16T05:59:59+00:00"

    def test_prizes_and_totals(self, world):
        challenge = call_as(
            world.admin,
            "challenge_create",
            owner_org=world.org["id"],
            name="prizes",
            title="Prizes",
            prizes=[
                {"rank": 2, "title": "Second", "amount": "2500", "currency": "usd"},
                {"rank": 1, "title": "First", "amount": 2500, "currency": "USD"},
                {"rank": 3, "title": "Third", "amount": "2500.5", "currency": "MXN"},
                {"rank": 4, "title": "Mention"},
            ],
        )
        assert [p["rank"] for p in challenge["prizes"]] == [1, 2, 3, 4]
        assert challenge["prizes"][1]["currency"] == "USD"
        assert challenge["prizes"][3]["amount"] is None
        assert challenge["prize_total"] == [
            {"currency": "MXN", "amount": "2500.50"},
            {"currency": "USD", "amount": "5000.00"},
        ]


BAD_INPUT = [
    ({"name": "Bad Slug!"}, "name"),
    ({"name": "a"}, "name"),
    ({"name": "new"}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "nul\x00name"}, "name"),
    ({"title": ""}, "title"),
    ({"title": "t" * 201}, "title"),
    ({"title": "nul\x00"}, "title"),
    ({"problem_statement": "p" * 50001}, "problem_statement"),
    ({"description": "d\x00"}, "description"),
    ({"owner_org": "no-such-org"}, "owner_org"),
    ({"image_url": "javascript:alert(1)"}, "image_url"),
    ({"image_url": "data:text/html,hi"}, "image_url"),
    ({"image_url": "ftp://example.org/x.png"}, "image_url"),
    ({"image_url": "http://"}, "image_url"),
    ({"max_team_size": 0}, "max_team_size"),
    ({"max_team_size": 51}, "max_team_size"),
    ({"max_team_size": "six"}, "max_team_size"),
    ({"max_team_size": True}, "max_team_size"),
    ({"min_team_size": 0}, "min_team_size"),
    ({"min_team_size": 7, "max_team_size": 6}, "min_team_size"),
    ({"allowed_licences": ["MIT", "NOT-A-LICENCE"]}, "allowed_licences"),
    ({"allowed_licences": []}, "allowed_licences"),
    ({"allowed_licences": 42}, "allowed_licences"),
    ({"registration_opens": "2024-08-25T09:00:00"}, "registration_opens"),
    ({"registration_opens": "2024-08-25"}, "registration_opens"),
    ({"registration_opens": "yesterday"}, "registration_opens"),
    ({"registration_opens": 12}, "registration_opens"),
    (
        {
            "registration_opens": "2024-09-15T00:00:00Z",
            "registration_closes": "2024-08-25T00:00:00Z",
        },
        "registration_closes",
    ),
    (
        {
            "submission_deadline": "2024-10-01T00:00:00Z",
            "judging_closes": "2024-09-01T00:00:00Z",
        },
        "judging_closes",
    ),
    ({"tags": ["x"]}, "tags"),
    ({"tags": ["<script>"]}, "tags"),
    ({"state": "deleted"}, "state"),
    ({"state": "published"}, "state"),
    ({"prizes": "first"}, "prizes"),
    ({"prizes": ["first"]}, "prizes"),
    ({"prizes": [{"rank": 1, "title": "A"}, {"rank": 1, "title": "B"}]}, "prizes"),
    ({"prizes": [{"rank": 0, "title": "A"}]}, "prizes"),
    ({"prizes": [{"rank": 1, "title": "A", "amount": "-5"}]}, "prizes"),
    ({"prizes": [{"rank": 1, "title": "A", "amount": "NaN"}]}, "prizes"),
    ({"prizes": [{"rank": 1, "title": "A", "currency": "XXXX"}]}, "prizes"),
    ({"timeline": {"stage": "launch"}}, "timeline"),
    (
        {
            "timeline": [
                {
                    "stage": "hackathon",
                    "starts": "2024-01-01T00:00:00Z",
                    "ends": "2024-01-02T00:00:00Z",
                }
            ]
        },
        "timeline",
    ),
    (
        {
            "timeline": [
                {
                    "stage": "launch",
                    "starts": "2024-01-02T00:00:00Z",
                    "ends": "2024-01-01T00:00:00Z",
                }
            ]
        },
        "timeline",
    ),
    (
        {
            "timeline": [
                {"stage": "launch", "starts": "2024-01-01T00:00:00", "ends": "2024-01-02T00:00:00Z"}
            ]
        },
        "timeline",
    ),
    (
        {
            "timeline": [
                {
                    "stage": "launch",
                    "starts": "2024-01-01T00:00:00Z",
                    "ends": "2024-01-02T00:00:00Z",
                },
                {
                    "stage": "launch",
                    "starts": "2024-01-03T00:00:00Z",
                    "ends": "2024-01-04T00:00:00Z",
                },
            ]
        },
        "timeline",
    ),
]


class TestValidation:
    @pytest.mark.parametrize(("bad", "field"), BAD_INPUT)
    def test_field_error_never_500(self, world, bad, field):
        data = {"owner_org": world.org["id"], "name": "valid-name", "title": "Valid", **bad}
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_create", **data)
        assert field in _errors(excinfo), _errors(excinfo)

    def test_duplicate_name(self, world, challenge_factory):
        challenge_factory(owner_org=world.org["id"], name="taken")
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                world.admin, "challenge_create", owner_org=world.org["id"], name="taken", title="T"
            )
        assert "name" in _errors(excinfo)

    def test_update_keeps_its_own_name(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"], name="mine")
        updated = call_as(
            world.admin,
            "challenge_update",
            id=challenge["id"],
            owner_org=world.org["id"],
            name="mine",
            title="Renamed",
        )
        assert updated["title"] == "Renamed"

    def test_licence_ids_are_canonicalised(self, world):
        challenge = call_as(
            world.admin,
            "challenge_create",
            owner_org=world.org["id"],
            name="lic",
            title="Lic",
            allowed_licences="mit, apache-2.0 GPL-3.0-or-later MIT",
        )
        assert challenge["allowed_licences"] == ["MIT", "Apache-2.0", "GPL-3.0-or-later"]

    def test_non_object_input(self, world):
        with pytest.raises(tk.ValidationError):
            helpers.call_action(
                "challenge_create",
                context={"user": world.admin["name"]},
                owner_org=world.org["id"],
                name="x-y",
                title="T",
                prizes=[{"rank": {"nested": 1}, "title": "A"}],
            )


class TestUpdatePatchDelete:
    def test_update_replaces_prizes_and_timeline(self, world, challenge_factory):
        challenge = challenge_factory(
            owner_org=world.org["id"],
            prizes=[{"rank": 1, "title": "Gold"}],
            timeline=[
                {
                    "stage": "launch",
                    "starts": "2024-01-01T00:00:00Z",
                    "ends": "2024-01-02T00:00:00Z",
                }
            ],
        )
        updated = call_as(
            world.editor,
            "challenge_update",
            id=challenge["id"],
            owner_org=world.org["id"],
            name=challenge["name"],
            title="Same",
        )
        assert updated["prizes"] == []
        assert all(e["starts"] is None for e in updated["timeline"])

    def test_patch_changes_only_what_is_given(self, world, challenge_factory):
        challenge = challenge_factory(
            owner_org=world.org["id"],
            max_team_size=4,
            prizes=[{"rank": 1, "title": "Gold", "amount": "10", "currency": "EUR"}],
            timeline=[
                {
                    "stage": "launch",
                    "starts": "2024-01-01T00:00:00Z",
                    "ends": "2024-01-02T00:00:00Z",
                }
            ],
        )
        patched = call_as(world.editor, "challenge_patch", id=challenge["name"], title="Patched")
        assert patched["title"] == "Patched"
        assert patched["max_team_size"] == 4
        assert patched["prizes"] == challenge["prizes"]
        assert patched["timeline"] == challenge["timeline"]
        assert patched["modified"] > challenge["modified"]

    def test_patch_validates(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.editor, "challenge_patch", id=challenge["id"], max_team_size=99)
        assert "max_team_size" in _errors(excinfo)

    def test_publish_by_patch(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        published = call_as(
            world.admin,
            "challenge_patch",
            id=challenge["id"],
            state="active",
            **open_registration_dates(),
        )
        assert published["state"] == "active"
        assert published["published"] is not None

    def test_delete_hides_the_challenge(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_delete", id=challenge["id"])
        for who in (None, world.user, world.admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(who, "challenge_show", id=challenge["id"])
        assert call_as(world.sysadmin, "challenge_show", id=challenge["id"])["state"] == "deleted"
        assert call_as(None, "challenge_list")["count"] == 0

    def test_outsiders_writing_a_draft_get_404_not_403(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        for who in (world.user, world.member, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(who, "challenge_patch", id=draft["id"], title="Hijack")
        # anonymous writes are refused by CKAN before any lookup, whatever the id
        with pytest.raises(tk.NotAuthorized, match="authenticated"):
            call_as(None, "challenge_patch", id=draft["id"], title="Hijack")
        published = challenge_factory(
            owner_org=world.org["id"], state="active", **open_registration_dates()
        )
        with pytest.raises(tk.NotAuthorized):
            call_as(world.user, "challenge_patch", id=published["id"], title="Hijack")
        assert call_as(None, "challenge_show", id=published["id"])["title"] == published["title"]

    def test_unknown_challenge_is_not_found(self, world):
        for action in ("challenge_show", "challenge_update", "challenge_delete"):
            with pytest.raises(tk.ObjectNotFound):
                call_as(world.sysadmin, action, id="nope")


class TestShow:
    def test_draft_is_not_found_for_outsiders(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        for who in (None, world.user, world.member, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(who, "challenge_show", id=challenge["id"])
        for who in (world.admin, world.editor, world.sysadmin):
            assert call_as(who, "challenge_show", id=challenge["name"])["id"] == challenge["id"]

    def test_draft_is_404_over_the_api(self, app, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        response = app.get("/api/3/action/challenge_show", query_string={"id": challenge["id"]})
        assert response.status_code == 404
        assert challenge["title"] not in response.get_data(as_text=True)

    def test_timeline_has_all_stages_with_status(self, world, challenge_factory):
        t = now()
        challenge = challenge_factory(
            owner_org=world.org["id"],
            timeline=[
                {
                    "stage": "ideathon",
                    "starts": iso(t - dt.timedelta(days=30)),
                    "ends": iso(t - dt.timedelta(days=29)),
                },
                {
                    "stage": "development",
                    "starts": iso(t - dt.timedelta(days=5)),
                    "ends": iso(t + dt.timedelta(days=5)),
                },
                {
                    "stage": "mentorship",
                    "starts": iso(t - dt.timedelta(days=1)),
                    "ends": iso(t + dt.timedelta(days=1)),
                    "notes": "4 sessions",
                },
                {
                    "stage": "awards",
                    "starts": iso(t + dt.timedelta(days=20)),
                    "ends": iso(t + dt.timedelta(days=20)),
                },
            ],
        )
        shown = helpers.call_action("challenge_show", id=challenge["id"])
        statuses = {e["stage"]: e["status"] for e in shown["timeline"]}
        assert [e["stage"] for e in shown["timeline"]] == [
            "identify",
            "ideathon",
            "rules",
            "preparation",
            "launch",
            "development",
            "mentorship",
            "jury",
            "submission",
            "awards",
            "impact",
        ]
        assert statuses["ideathon"] == "past"
        assert statuses["development"] == "current"
        assert statuses["mentorship"] == "current"
        assert statuses["awards"] == "upcoming"
        assert statuses["identify"] == "unscheduled"
        # overlapping windows: the stage that started last is the current one
        assert shown["current_stage"] == "mentorship"
        assert shown["next_stage"] == "awards"


class TestList:
    def _make(self, factory, org, **kw):
        return factory(owner_org=org["id"], **kw)

    def test_public_sees_published_only(
        self, world, challenge_factory, published_challenge_factory
    ):
        self._make(challenge_factory, world.org)
        published = self._make(published_challenge_factory, world.org)
        result = call_as(None, "challenge_list")
        assert result["count"] == 1
        assert [r["id"] for r in result["results"]] == [published["id"]]

    def test_drafts_for_organizers(self, world, challenge_factory):
        draft = self._make(challenge_factory, world.org)
        self._make(challenge_factory, world.other_org)
        assert call_as(None, "challenge_list", state="draft")["count"] == 0
        assert call_as(world.member, "challenge_list", state="draft")["count"] == 0
        mine = call_as(world.editor, "challenge_list", state="draft")
        assert [r["id"] for r in mine["results"]] == [draft["id"]]
        assert call_as(world.sysadmin, "challenge_list", state="draft")["count"] == 2

    def test_q_owner_org_and_sort(self, world, published_challenge_factory):
        self._make(
            published_challenge_factory,
            world.org,
            title="Transporte y mujeres",
            problem_statement="Seguridad en el transporte público",
        )
        self._make(
            published_challenge_factory,
            world.org,
            title="Economía de los cuidados",
            problem_statement="Trabajo de cuidados no remunerado",
        )
        self._make(
            published_challenge_factory,
            world.other_org,
            title="Pátio Digital",
            problem_statement="Dados abertos da educação",
        )
        assert call_as(None, "challenge_list", q="cuidados")["count"] == 1
        assert call_as(None, "challenge_list", q="TRANSPORTE")["count"] == 1
        assert call_as(None, "challenge_list", q="100%_")["count"] == 0
        by_org = call_as(None, "challenge_list", owner_org=world.other_org["name"])
        assert [r["title"] for r in by_org["results"]] == ["Pátio Digital"]
        titles = [r["title"] for r in call_as(None, "challenge_list", sort="title asc")["results"]]
        assert titles == sorted(titles, key=str.lower)

    def test_q_matches_every_word_by_prefix(self, world, published_challenge_factory):
        transport = self._make(
            published_challenge_factory,
            world.org,
            name="women-on-buses",
            title="Transporte público, seguridad y mujeres",
            problem_statement="Acoso en el care-economy del transporte (3.5 millones)",
        )
        self._make(
            published_challenge_factory,
            world.org,
            title="Economía de los cuidados",
            problem_statement="Trabajo no remunerado",
        )

        def found(q):
            return [r["id"] for r in call_as(None, "challenge_list", q=q)["results"]]

        assert found("transp") == [transport["id"]]  # a word's start
        assert found("MUJERES transporte") == [transport["id"]]  # every word, any order
        assert found("mujeres cuidados") == []  # one challenge must hold both
        assert found("ansporte") == []  # not the middle of a word
        assert found("buses") == [transport["id"]]  # the name's words
        assert found("care-economy") == [transport["id"]]
        assert found("3.5") == [transport["id"]]
        assert len(found("trabajo")) == 1
        assert found("!!! ??") == []  # no word at all: nothing, not everything
        assert found("'; drop table x; --") == []

    def test_q_follows_updates(self, world, published_challenge_factory):
        challenge = self._make(published_challenge_factory, world.org, title="Agua potable")
        call_as(world.editor, "challenge_patch", id=challenge["id"], title="Calidad del aire")
        assert call_as(None, "challenge_list", q="agua")["count"] == 0
        assert call_as(None, "challenge_list", q="aire")["count"] == 1

    def test_listing_stages_agree_with_challenge_show(self, world, challenge_factory):
        t = now()
        challenge = self._make(
            challenge_factory,
            world.org,
            state="active",
            **open_registration_dates(),
            timeline=[
                # overlapping windows: the one that started last is current
                {
                    "stage": "development",
                    "starts": iso(t - dt.timedelta(days=5)),
                    "ends": iso(t + dt.timedelta(days=5)),
                },
                {
                    "stage": "mentorship",
                    "starts": iso(t - dt.timedelta(days=1)),
                    "ends": iso(t + dt.timedelta(days=1)),
                },
                # two upcoming: the earlier start is next
                {
                    "stage": "awards",
                    "starts": iso(t + dt.timedelta(days=20)),
                    "ends": iso(t + dt.timedelta(days=21)),
                },
                {
                    "stage": "jury",
                    "starts": iso(t + dt.timedelta(days=6)),
                    "ends": iso(t + dt.timedelta(days=10)),
                },
            ],
        )
        shown = call_as(None, "challenge_show", id=challenge["id"])
        (listed,) = call_as(None, "challenge_list")["results"]
        assert (shown["current_stage"], shown["next_stage"]) == ("mentorship", "jury")
        assert (listed["current_stage"], listed["next_stage"]) == ("mentorship", "jury")

    def test_stage_filter(self, world, challenge_factory):
        t = now()
        running = self._make(
            challenge_factory,
            world.org,
            state="active",
            **open_registration_dates(),
            timeline=[
                {
                    "stage": "development",
                    "starts": iso(t - dt.timedelta(days=1)),
                    "ends": iso(t + dt.timedelta(days=1)),
                }
            ],
        )
        self._make(
            challenge_factory,
            world.org,
            state="active",
            **open_registration_dates(),
            timeline=[
                {
                    "stage": "awards",
                    "starts": iso(t + dt.timedelta(days=9)),
                    "ends": iso(t + dt.timedelta(days=10)),
                }
            ],
        )
        result = call_as(None, "challenge_list", stage="development")
        assert [r["id"] for r in result["results"]] == [running["id"]]
        assert result["results"][0]["current_stage"] == "development"

    def test_facets_per_viewer(self, world, challenge_factory, published_challenge_factory):
        self._make(published_challenge_factory, world.org)
        self._make(challenge_factory, world.org)
        public = call_as(None, "challenge_list", facets=True)["facets"]
        assert public["state"] == [{"name": "active", "display_name": "active", "count": 1}]
        assert public["owner_org"][0]["count"] == 1
        organizer = call_as(world.editor, "challenge_list", facets=True)["facets"]
        assert {f["name"]: f["count"] for f in organizer["state"]} == {"active": 1, "draft": 1}

    def test_project_count_of_submitted_projects(self, world, published_challenge_factory):
        from ckan.tests import factories as core_factories

        from ckanext.datathon.tests.factories import ProjectFactory

        challenge = self._make(published_challenge_factory, world.org)
        ProjectFactory(challenge=challenge["id"], user=world.user)  # a draft: not counted
        leader = core_factories.User()
        submitted = ProjectFactory(challenge=challenge["id"], user=leader)
        data = core_factories.Dataset(owner_org=world.org["id"])
        call_as(
            leader,
            "package_patch",
            id=submitted["id"],
            repository_url="https://example.org/repo",
            code_licence="MIT",
            datasets_used=[{"dataset": data["id"]}],
        )
        call_as(leader, "project_submit", id=submitted["id"])
        listed = call_as(None, "challenge_list")["results"][0]
        assert listed["project_count"] == 1

    def test_paging(self, world, published_challenge_factory):
        for _ in range(5):
            self._make(published_challenge_factory, world.org)
        page = call_as(None, "challenge_list", limit=2, offset=2, sort="name asc")
        assert page["count"] == 5
        assert len(page["results"]) == 2
        beyond = call_as(None, "challenge_list", limit=2, offset=10)
        assert beyond == {"count": 5, "results": []}

    @pytest.mark.ckan_config("ckanext.datathon.challenge_list_limit", "3")
    def test_default_and_maximum_limit(self, world, published_challenge_factory):
        for _ in range(4):
            self._make(published_challenge_factory, world.org)
        assert len(call_as(None, "challenge_list")["results"]) == 3
        assert len(call_as(None, "challenge_list", limit=1000)["results"]) == 4

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"limit": "ten"}, "limit"),
            ({"limit": -1}, "limit"),
            ({"offset": "x"}, "offset"),
            ({"offset": -5}, "offset"),
            ({"sort": "title; DROP TABLE x"}, "sort"),
            ({"sort": "password asc"}, "sort"),
            ({"state": "everything"}, "state"),
            ({"stage": "party"}, "stage"),
            ({"q": "a\x00b"}, "q"),
        ],
    )
    def test_junk_parameters(self, world, bad, field):
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(None, "challenge_list", **bad)
        assert field in _errors(excinfo)

    def test_junk_over_http_is_a_400(self, app):
        response = app.get("/api/3/action/challenge_list", query_string={"limit": "x"})
        assert response.status_code == 409 or response.status_code == 400
        assert response.json["success"] is False


class TestOrganizationLifecycle:
    def test_organization_with_challenges_cannot_be_deleted(self, world, challenge_factory):
        challenge_factory(owner_org=world.org["id"])
        with pytest.raises(tk.ValidationError):
            call_as(world.sysadmin, "organization_delete", id=world.org["id"])
        assert helpers.call_action("organization_show", id=world.org["id"])["state"] == "active"

    def test_organization_without_live_challenges_can_be_deleted(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_delete", id=challenge["id"])
        call_as(world.sysadmin, "organization_delete", id=world.org["id"])

    def test_purging_an_organization_removes_its_challenges(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_delete", id=challenge["id"])
        call_as(world.sysadmin, "organization_purge", id=world.org["id"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.sysadmin, "challenge_show", id=challenge["id"])


class TestActivity:
    def test_published_challenge_in_organization_stream(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_patch", id=challenge["id"], title="Edited draft")
        call_as(
            world.admin,
            "challenge_patch",
            id=challenge["id"],
            state="active",
            **open_registration_dates(),
        )
        call_as(world.admin, "challenge_patch", id=challenge["id"], title="Edited")

        def types(user):
            stream = call_as(user, "organization_activity_list", id=world.org["id"])
            return [a["activity_type"] for a in stream if "challenge" in a["activity_type"]]

        # the stream starts at publication: drafts are secret and org streams public
        assert types(None) == ["changed challenge", "published challenge"]
        assert types(world.admin) == ["changed challenge", "published challenge"]
        call_as(world.admin, "challenge_delete", id=challenge["id"])
        assert types(None)[0] == "deleted challenge"

    def test_created_published(self, world, published_challenge_factory):
        # (the site user's activities are hidden by CKAN, so act as the admin)
        published_challenge_factory(owner_org=world.org["id"], user=world.admin)
        stream = call_as(None, "organization_activity_list", id=world.org["id"])
        assert "new challenge" in [a["activity_type"] for a in stream]

    def test_activity_page_renders_challenge_events(self, app, world, published_challenge_factory):
        published_challenge_factory(
            owner_org=world.org["id"], title="Cuidados <b>2024</b>", user=world.admin
        )
        response = app.get(tk.url_for("activity.organization_activity", id=world.org["name"]))
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "created the challenge" in body
        assert "Cuidados &lt;b&gt;2024&lt;/b&gt;" in body
        assert "Cuidados <b>2024</b>" not in body


@pytest.mark.usefixtures("app", "clean_redis")
@pytest.mark.ckan_config("ckanext.datathon.page_cache_seconds", "60")
class TestKeptListing:
    """Anonymous listings are kept until the next write or the next date that
    changes a listed challenge."""

    @staticmethod
    def _listing(user=None, **params):
        with Statements() as ran:
            result = call_as(user, "challenge_list", **params)
        return result, bool(ran.ours)

    def test_kept_until_the_next_write(self, world, published_challenge_factory):
        published_challenge_factory(owner_org=world.org["id"], title="Agua")
        first, queried = self._listing()
        assert queried
        again, queried = self._listing()
        assert (again, queried) == (first, False)
        published_challenge_factory(owner_org=world.org["id"], title="Aire")
        after, queried = self._listing()
        assert queried
        assert sorted(r["title"] for r in after["results"]) == ["Agua", "Aire"]

    def test_each_query_its_own(self, world, published_challenge_factory):
        published_challenge_factory(owner_org=world.org["id"], title="Agua")
        assert self._listing(q="agua")[0]["count"] == 1
        assert self._listing(q="aire")[0]["count"] == 0
        assert self._listing(q="agua") == (self._listing(q="agua")[0], False)

    def test_not_for_signed_in_users_facets_or_stages(self, world, published_challenge_factory):
        published_challenge_factory(owner_org=world.org["id"])
        for user, params in (
            (world.admin, {}),
            (None, {"facets": True}),
            (None, {"stage": "development"}),
        ):
            self._listing(user, **params)
            assert self._listing(user, **params)[1], (user, params)

    def test_a_registration_date_ends_the_kept_listing(self, world, published_challenge_factory):
        t = now()
        published_challenge_factory(
            owner_org=world.org["id"],
            registration_opens=iso(t - dt.timedelta(days=1)),
            registration_closes=iso(t + dt.timedelta(minutes=5)),
            submission_deadline=iso(t + dt.timedelta(days=5)),
            judging_closes=iso(t + dt.timedelta(days=6)),
            results_date=iso(t + dt.timedelta(days=7)),
        )
        (listed,) = self._listing()[0]["results"]
        assert listed["registration_open"] is True
        assert self._listing()[1] is False
        from freezegun import freeze_time

        with freeze_time(t + dt.timedelta(minutes=6)):
            result, queried = self._listing()
        assert queried
        assert result["results"][0]["registration_open"] is False
