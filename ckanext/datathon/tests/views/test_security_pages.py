"""Issue 17 through the web pages: the forms go through the same checks as
the API (security review findings 1 and 7)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.model import Challenge
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.logic.test_chained_core import contest  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("with_plugins")

PASSWORD = "Datathon-Security-2026"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Client:
    """A browser: logs in through CKAN's login form, posts forms with their
    CSRF token (read from ``form_url``)."""

    def __init__(self, app: Any, user: dict[str, Any] | None) -> None:
        self.client = app.test_client()
        if user:
            account = model.User.get(user["name"])
            account.password = PASSWORD
            model.Session.commit()
            response = self.post("/user/login", {"login": user["name"], "password": PASSWORD})
            assert response.status_code == 302, f"login of {user['name']} failed"

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any], form_url: str | None = None) -> Any:
        page = self.client.get(form_url or url)
        found = TOKEN.search(page.get_data(as_text=True))
        assert found, f"no CSRF token in {form_url or url} ({page.status_code})"
        return self.client.post(
            url, data={**data, "_csrf_token": found.group(1)}, follow_redirects=False
        )


@pytest.fixture
def two_orgs(clean_db):
    eve = factories.User(password=PASSWORD)
    acme = factories.Organization(name="acme", users=[{"name": eve["name"], "capacity": "editor"}])
    ministry = factories.Organization(name="ministry")
    return SimpleNamespace(eve=eve, acme=acme, ministry=ministry)


def _challenge_form(owner_org: str, **extra: str) -> dict[str, str]:
    return {"owner_org": owner_org, "name": "ministry-prize", "title": "Prize", **extra}


class TestChallengeFormsOwner:
    @pytest.mark.parametrize("ref", [" ministry", "ministry ", "MINISTRY", "ministry"])
    def test_new_form_refuses_other_organization(self, app, two_orgs, ref):
        browser = Client(app, two_orgs.eve)
        response = browser.post(
            tk.url_for("challenge.new"),
            _challenge_form(ref),
            form_url=tk.url_for("challenge.new", owner_org="acme"),
        )
        assert response.status_code in (200, 403)  # 200: the form again, with errors
        assert model.Session.query(Challenge).count() == 0

    def test_edit_form_refuses_moving_to_other_organization(self, app, two_orgs):
        own = call_as(
            two_orgs.eve, "challenge_create", owner_org="acme", name="acme-prize", title="Prize"
        )
        browser = Client(app, two_orgs.eve)
        edit = tk.url_for("challenge.edit", name=own["name"])
        for ref in (" ministry", f"{two_orgs.ministry['id']} "):
            response = browser.post(edit, _challenge_form(ref, name="acme-prize"))
            assert response.status_code == 403
        model.Session.expire_all()
        assert {c.owner_org for c in model.Session.query(Challenge)} == {two_orgs.acme["id"]}

    def test_new_form_with_padded_own_organization_works(self, app, two_orgs):
        browser = Client(app, two_orgs.eve)
        response = browser.post(
            tk.url_for("challenge.new"),
            _challenge_form(" acme "),
            form_url=tk.url_for("challenge.new", owner_org="acme"),
        )
        assert response.status_code == 302
        assert model.Session.query(Challenge).one().owner_org == two_orgs.acme["id"]


def _directives(response: Any) -> set[str]:
    return {
        part.strip().lower()
        for part in response.headers.get("Cache-Control", "").split(",")
        if part.strip()
    }


@pytest.fixture
def organizer_and_challenges(clean_db):
    organizer = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": organizer["name"], "capacity": "editor"}])
    published = call_as(
        organizer,
        "challenge_create",
        owner_org=org["id"],
        name="open-prize",
        title="Open prize",
        state="active",
        registration_opens="2030-01-01T00:00:00Z",
        registration_closes="2030-02-01T00:00:00Z",
        submission_deadline="2030-03-01T00:00:00Z",
        judging_closes="2030-03-15T00:00:00Z",
        results_date="2030-03-20T00:00:00Z",
    )
    draft = call_as(
        organizer, "challenge_create", owner_org=org["id"], name="draft-prize", title="Draft"
    )
    return SimpleNamespace(organizer=organizer, published=published, draft=draft)


class TestExportCacheControl:
    """Security review finding 7: confidential or per-viewer exports answer
    ``Cache-Control: private, no-store`` and nothing else (no ``public,
    max-age=0`` appended by CKAN)."""

    @pytest.mark.parametrize(
        "endpoint",
        [
            "datathon_jury.scores_csv",
            "datathon_ideas.data_gaps_csv",
            "datathon_jury.projects_csv",
        ],
    )
    def test_organizer_exports_are_private_no_store_only(
        self, app, organizer_and_challenges, endpoint
    ):
        browser = Client(app, organizer_and_challenges.organizer)
        response = browser.get(tk.url_for(endpoint, name="open-prize"))
        assert response.status_code == 200
        assert _directives(response) == {"private", "no-store"}

    def test_draft_calendar_is_private_no_store_only(self, app, organizer_and_challenges):
        browser = Client(app, organizer_and_challenges.organizer)
        response = browser.get(tk.url_for("datathon_engagement.calendar_ics", name="draft-prize"))
        assert response.status_code == 200
        assert _directives(response) == {"private", "no-store"}

    @pytest.mark.parametrize(
        ("endpoint", "kwargs"),
        [
            ("datathon_jury.projects_csv", {"name": "open-prize"}),
            ("datathon_engagement.calendar_ics", {"name": "open-prize"}),
            ("datathon_open.feed", {}),
        ],
    )
    def test_public_exports_are_public_only(self, app, organizer_and_challenges, endpoint, kwargs):
        response = app.get(tk.url_for(endpoint, **kwargs))
        assert response.status_code == 200
        directives = _directives(response)
        assert "public" in directives
        assert not directives & {"private", "no-store", "no-cache"}


class TestProjectFormLifecycle:
    """Issue 17, item 2: core's Unpublish and Delete are not offered on the
    project form; the plugin's transitions are the project's lifecycle."""

    def test_no_core_unpublish_or_delete_buttons(self, app, contest):  # noqa: F811
        for user, project in ((contest.leader, contest.open), (contest.organizer, contest.secret)):
            page = Client(app, user).get(tk.url_for("project.edit", id=project["name"]))
            assert page.status_code == 200
            html = page.get_data(as_text=True)
            assert "go-metadata-unpublish" not in html
            assert tk.url_for("project.delete", id=project["id"]) not in html

    def test_plain_datasets_keep_core_buttons(self, app, contest):  # noqa: F811
        dataset = factories.Dataset(owner_org=contest.org["id"])
        page = Client(app, contest.organizer).get(tk.url_for("dataset.edit", id=dataset["name"]))
        html = page.get_data(as_text=True)
        if tk.check_ckan_version(min_version="2.12"):  # CKAN 2.11's form has no Unpublish
            assert "go-metadata-unpublish" in html
        assert tk.url_for("dataset.delete", id=dataset["id"]) in html
