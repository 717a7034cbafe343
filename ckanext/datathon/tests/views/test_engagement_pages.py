"""Mentorship and impact pages per role, CSRF refusal, the challenge page's
sections and calendar link, and the dataset page's "This data informed"."""

from __future__ import annotations

import re

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

SESSION = {
    "title": "Data cleaning clinic",
    "starts": "2024-08-26T10:00:00-06:00",
    "ends": "2024-08-26T12:30:00-06:00",
    "location": "Laboratorio de Datos, CDMX",
    "url": "https://meet.example.org/clinic",
    "mentors": ["Ana López", "Luis Pérez"],
    "description": "Bring your **questions**.",
}
IMPACT = {
    "date": "2024-03-08",
    "kind": "policy_adoption",
    "title": "Metro adopts safe-route lighting",
    "url": "https://example.gob.mx/boletin/123",
}


def body(response) -> str:
    return response.get_data(as_text=True)


def url(endpoint: str, **kw) -> str:
    return tk.url_for(f"datathon_engagement.{endpoint}", **kw)


@pytest.fixture
def published(world, published_challenge_factory):
    def build():
        return published_challenge_factory(
            owner_org=world.org["id"], title="Transporte y mujeres", timezone="America/Mexico_City"
        )

    return built_over("world", "test_engagement_pages.published", build)


@pytest.fixture
def draft(world, challenge_factory):
    return challenge_factory(owner_org=world.org["id"], title="Secret draft")


@pytest.fixture
def session(world, published):
    return call_as(world.admin, "challenge_mentorship_create", challenge=published["id"], **SESSION)


class TestChallengePage:
    def test_sections_and_calendar_link(self, app, world, published, session):
        call_as(world.admin, "challenge_impact_create", challenge=published["id"], **IMPACT)
        html = body(app.get(tk.url_for("challenge.read", name=published["name"])))
        assert 'id="mentorship"' in html
        assert "Data cleaning clinic" in html
        # shown in the challenge's time zone
        assert "10:00" in html
        assert "America/Mexico_City" in html
        assert "Ana López, Luis Pérez" in html
        assert 'id="impact"' in html
        assert IMPACT["title"] in html
        assert "Policy adoption" in html
        calendar = url("calendar_ics", name=published["name"])
        assert f'href="{calendar}"' in html
        assert "Add to calendar" in html
        # readers get no management links
        assert url("mentorship_edit", name=published["name"], session_id=session["id"]) not in html
        assert "Manage the mentorship sessions" not in html

    def test_empty_sections_are_only_shown_to_organizers(self, app, browse, world, published):
        html = body(app.get(tk.url_for("challenge.read", name=published["name"])))
        assert 'id="mentorship"' not in html
        assert 'id="impact"' not in html
        assert "Add to calendar" in html
        html = body(browse(world.editor).get(tk.url_for("challenge.read", name=published["name"])))
        assert "Manage the mentorship sessions" in html
        assert "Manage the impact record" in html


class TestMentorshipPage:
    @pytest.mark.parametrize("role", ["anonymous", "user", "member", "other_org_admin"])
    def test_readers_see_sessions_without_forms(self, browse, world, published, session, role):
        response = browse(world.roles[role]).get(url("mentorship", name=published["name"]))
        assert response.status_code == 200
        html = body(response)
        assert "Data cleaning clinic" in html
        assert "<strong>questions</strong>" in html  # markdown
        assert "datathon-form" not in html
        assert "datathon-entry-actions" not in html
        assert "Add a session" not in html

    @pytest.mark.parametrize("role", ["admin", "editor", "sysadmin"])
    def test_organizers_get_the_forms(self, browse, world, published, session, role):
        html = body(browse(world.roles[role]).get(url("mentorship", name=published["name"])))
        assert "Add a session" in html
        assert 'name="_csrf_token" value=' in html
        assert url("mentorship_edit", name=published["name"], session_id=session["id"]) in html
        assert "America/Mexico_City" in html

    def test_draft_is_404_to_outsiders(self, browse, world, draft):
        page = url("mentorship", name=draft["name"])
        for role in ("anonymous", "user", "member", "other_org_admin"):
            assert browse(world.roles[role]).get(page).status_code == 404, role
        assert browse(world.admin).get(page).status_code == 200
        assert browse(world.admin).get(url("calendar_ics", name=draft["name"])).status_code == 200

    def test_add_in_the_challenge_time_zone(self, browse, world, published):
        b = browse(world.editor)
        response = b.post(
            url("mentorship", name=published["name"]),
            {
                "title": "Office hours",
                "starts": "2024-08-27T09:00",
                "ends": "2024-08-27T10:30",
                "location": "",
                "url": "https://meet.example.org/office",
                "mentors": "Ana López\nMaría Ruiz",
                "description": "",
            },
        )
        assert response.status_code == 302, body(response)[:3000]
        (stored,) = helpers.call_action("challenge_mentorship_list", id=published["id"])["results"]
        assert stored["starts"] == "2024-08-27T15:00:00+00:00"  # 09:00 in Mexico City
        assert stored["ends"] == "2024-08-27T16:30:00+00:00"
        assert stored["mentors"] == ["Ana López", "María Ruiz"]
        html = body(b.get(url("mentorship", name=published["name"])))
        assert "Mentorship session added." in html

    def test_errors_are_shown_next_to_fields_and_values_kept(self, browse, world, published):
        b = browse(world.admin)
        response = b.post(
            url("mentorship", name=published["name"]),
            {
                "title": "Backwards",
                "starts": "2024-08-27T09:00",
                "ends": "2024-08-27T08:00",
                "location": "",
                "url": "javascript:alert(1)",
                "mentors": "",
            },
        )
        assert response.status_code == 200
        html = body(response)
        assert "Must not be earlier than the start" in html
        assert "valid http or https URL" in html
        assert 'value="Backwards"' in html
        assert helpers.call_action("challenge_mentorship_list", id=published["id"])["count"] == 0

    @pytest.mark.parametrize(
        "junk",
        [
            {"starts": "not a date", "ends": "2024-08-27T08:00"},
            {"starts": "", "ends": ""},
            {"starts": "2024-13-45T99:99", "ends": "x"},
            {"title": "a\x00b"},
            {},
        ],
    )
    def test_junk_never_500s(self, browse, world, published, junk):
        response = browse(world.admin).post(url("mentorship", name=published["name"]), junk)
        if any("\x00" in value for value in junk.values()):
            # a NUL is refused for the whole request before any view runs
            assert response.status_code == 400
            return
        assert response.status_code == 200
        assert 'class="error-block"' in body(response) or "error" in body(response).lower()

    def test_edit_and_delete(self, browse, world, published, session):
        b = browse(world.admin)
        edit = url("mentorship_edit", name=published["name"], session_id=session["id"])
        html = body(b.get(edit))
        # the form shows local times of the challenge's zone
        assert 'value="2024-08-26T10:00"' in html
        assert "Ana López\nLuis Pérez" in html
        form = {
            "title": "Clinic, moved",
            "starts": "2024-08-26T11:00",
            "ends": "2024-08-26T12:00",
            "location": "",
            "url": SESSION["url"],
            "mentors": "Ana López",
            "description": "",
        }
        assert b.post(edit, form).status_code == 302
        (stored,) = helpers.call_action("challenge_mentorship_list", id=published["id"])["results"]
        assert stored["title"] == "Clinic, moved"
        assert stored["starts"] == "2024-08-26T17:00:00+00:00"
        delete = url("mentorship_delete", name=published["name"], session_id=session["id"])
        page = url("mentorship", name=published["name"])
        assert b.post(delete, {}, form_url=page).status_code == 302
        assert helpers.call_action("challenge_mentorship_list", id=published["id"])["count"] == 0

    def test_a_session_of_another_challenge_is_404(
        self, browse, world, published, published_challenge_factory
    ):
        other = published_challenge_factory(owner_org=world.org["id"])
        theirs = call_as(
            world.admin, "challenge_mentorship_create", challenge=other["id"], **SESSION
        )
        b = browse(world.admin)
        assert (
            b.get(
                url("mentorship_edit", name=published["name"], session_id=theirs["id"])
            ).status_code
            == 404
        )
        page = url("mentorship", name=published["name"])
        for bad in (theirs["id"], "nope"):
            response = b.post(
                url("mentorship_delete", name=published["name"], session_id=bad), {}, form_url=page
            )
            assert response.status_code == 404

    def test_writes_refused_to_others(self, browse, world, published, session, draft):
        form = {**SESSION, "starts": "2024-08-27T09:00", "ends": "2024-08-27T10:00", "mentors": ""}
        page = url("mentorship", name=published["name"])
        for role in ("user", "member", "other_org_admin"):
            b = browse(world.roles[role])
            assert b.post(page, form).status_code == 403, role
            edit = url("mentorship_edit", name=published["name"], session_id=session["id"])
            assert b.get(edit).status_code == 403, role
            delete = url("mentorship_delete", name=published["name"], session_id=session["id"])
            assert b.post(delete, {}, form_url=page).status_code == 403, role
        # on a draft, outsiders learn nothing: 404
        assert (
            browse(world.user)
            .post(url("mentorship", name=draft["name"]), form, form_url=page)
            .status_code
            == 404
        )
        assert helpers.call_action("challenge_mentorship_list", id=published["id"])["count"] == 1

    def test_team_members_and_jurors_read_but_do_not_write(
        self, browse, world, published, session, project_factory
    ):
        team = factories.User()
        project_factory(user=team, challenge=published["id"])
        juror = factories.User()
        helpers.call_action("challenge_juror_add", id=published["id"], user=juror["name"])
        form = {**SESSION, "starts": "2024-08-27T09:00", "ends": "2024-08-27T10:00", "mentors": ""}
        for user in (team, juror):
            b = browse(user)
            for page in (
                url("mentorship", name=published["name"]),
                url("impact", name=published["name"]),
            ):
                html = body(b.get(page))
                assert "datathon-form" not in html
            assert b.post(url("mentorship", name=published["name"]), form).status_code == 403
            assert b.post(url("impact", name=published["name"]), IMPACT).status_code == 403
        assert helpers.call_action("challenge_mentorship_list", id=published["id"])["count"] == 1
        assert helpers.call_action("challenge_impact_list", id=published["id"])["count"] == 0

    def test_csrf_refusal(self, browse, world, published, session):
        b = browse(world.admin)
        form = {**SESSION, "starts": "2024-08-27T09:00", "ends": "2024-08-27T10:00", "mentors": ""}
        assert (
            b.post(url("mentorship", name=published["name"]), form, csrf=False).status_code == 400
        )
        delete = url("mentorship_delete", name=published["name"], session_id=session["id"])
        assert b.post(delete, {}, csrf=False).status_code == 400
        forged = {**form, "_csrf_token": "forged"}
        assert (
            b.client.post(url("mentorship", name=published["name"]), data=forged).status_code == 400
        )
        assert helpers.call_action("challenge_mentorship_list", id=published["id"])["count"] == 1


class TestImpactPage:
    @pytest.fixture
    def data(self, world, published, project_factory):
        team = factories.User()
        project = project_factory(user=team, challenge=published["id"], title="Safe routes app")
        return {
            "project": project,
            "public": factories.Dataset(owner_org=world.org["id"], title="Public trips"),
            "private": factories.Dataset(
                owner_org=world.org["id"], private=True, title="Internal complaints"
            ),
        }

    def test_record_edit_delete(self, browse, world, published, data):
        b = browse(world.editor)
        page = url("impact", name=published["name"])
        html = body(b.get(page))
        assert "Record an impact" in html
        assert "Safe routes app" in html  # the draft project is offered to organizers
        form = {
            **IMPACT,
            "description": "Lit **stations**.",
            "project": data["project"]["id"],
            "datasets": f"{data['public']['name']}, {data['private']['name']}",
        }
        assert b.post(page, form).status_code == 302
        (entry,) = call_as(world.admin, "challenge_impact_list", id=published["id"])["results"]
        assert entry["project"]["id"] == data["project"]["id"]
        assert len(entry["datasets"]) == 2
        html = body(b.get(page))
        assert "Impact entry added." in html
        assert "Internal complaints" in html
        edit = url("impact_edit", name=published["name"], entry_id=entry["id"])
        html = body(b.get(edit))
        assert f'value="{data["public"]["name"]}, {data["private"]["name"]}"' in html or (
            data["public"]["name"] in html and data["private"]["name"] in html
        )
        assert (
            b.post(edit, {**form, "kind": "media", "datasets": data["public"]["name"]}).status_code
            == 302
        )
        (entry,) = helpers.call_action("challenge_impact_list", id=published["id"])["results"]
        assert entry["kind"] == "media"
        assert [d["title"] for d in entry["datasets"]] == ["Public trips"]
        delete = url("impact_delete", name=published["name"], entry_id=entry["id"])
        assert b.post(delete, {}, form_url=page).status_code == 302
        assert helpers.call_action("challenge_impact_list", id=published["id"])["count"] == 0

    def test_readers_see_what_they_may_read(self, app, browse, world, published, data):
        call_as(
            world.admin,
            "challenge_impact_create",
            challenge=published["id"],
            **IMPACT,
            project=data["project"]["id"],
            datasets=[data["public"]["id"], data["private"]["id"]],
        )
        page = url("impact", name=published["name"])
        html = body(app.get(page))
        assert IMPACT["title"] in html
        assert "Public trips" in html
        assert "Internal complaints" not in html  # private dataset
        assert "Safe routes app" not in html  # a draft project
        assert "datathon-form" not in html
        assert "datathon-entry-actions" not in html
        html = body(browse(world.member).get(page))
        assert "Internal complaints" in html
        assert "Record an impact" not in html

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"kind": "party"}, "Must be one of"),
            ({"url": "ftp://example.org"}, "valid http or https URL"),
            ({"date": "someday"}, "Must be a date"),
            ({"datasets": "no-such-dataset"}, "Dataset not found"),
            ({"project": "no-such-project"}, "Not a project of this challenge"),
            ({"title": ""}, "Missing value"),
        ],
    )
    def test_field_errors(self, browse, world, published, data, change, message):
        response = browse(world.admin).post(
            url("impact", name=published["name"]), {**IMPACT, **change}
        )
        assert response.status_code == 200
        assert message in body(response)
        assert helpers.call_action("challenge_impact_list", id=published["id"])["count"] == 0

    def test_writes_refused_to_others_and_csrf(self, browse, world, published, draft, data):
        page = url("impact", name=published["name"])
        for role in ("user", "member", "other_org_admin"):
            assert browse(world.roles[role]).post(page, IMPACT).status_code == 403, role
        assert (
            browse(world.user)
            .post(url("impact", name=draft["name"]), IMPACT, form_url=page)
            .status_code
            == 404
        )
        for role in ("anonymous", "user"):
            assert (
                browse(world.roles[role]).get(url("impact", name=draft["name"])).status_code == 404
            )
        assert browse(world.admin).post(page, IMPACT, csrf=False).status_code == 400
        assert helpers.call_action("challenge_impact_list", id=published["id"])["count"] == 0


class TestDatasetPage:
    def test_this_data_informed(self, app, browse, world, published, draft):
        dataset = factories.Dataset(owner_org=world.org["id"], title="Public trips")
        call_as(
            world.admin,
            "challenge_impact_create",
            challenge=published["id"],
            **IMPACT,
            datasets=[dataset["id"]],
        )
        call_as(
            world.admin,
            "challenge_impact_create",
            challenge=draft["id"],
            **{**IMPACT, "title": "Hidden draft impact"},
            datasets=[dataset["id"]],
        )
        for page in (
            tk.url_for("dataset.read", id=dataset["name"]),
            tk.url_for("challenge.dataset_challenges", id=dataset["name"]),
        ):
            html = body(app.get(page))
            assert "This data informed" in html, page
            assert IMPACT["title"] in html
            assert "Hidden draft impact" not in html
            assert url("impact", name=published["name"]) in html
        html = body(browse(world.editor).get(tk.url_for("dataset.read", id=dataset["name"])))
        assert "Hidden draft impact" in html

    def test_nothing_cited(self, app, world):
        dataset = factories.Dataset(owner_org=world.org["id"])
        html = body(app.get(tk.url_for("dataset.read", id=dataset["name"])))
        assert "This data informed" not in html
        assert re.search(r"No challenge or project uses this data yet", html)
