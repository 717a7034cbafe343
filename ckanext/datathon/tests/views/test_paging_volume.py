"""Every paged page of the plugin at volume: more than one page of challenges,
projects, ideas, queue rows and ranking rows.

Page 1, 2, the last page and the one after it, with each sort, with and without
a search, with no facet, one and two, in English, then in Spanish and
Portuguese.  Beyond the last page the answer is a 200 with an empty list and a
link to the first page (as core's ``/dataset``); a page number that is not a
whole number from 1 to ``MAX_PAGE`` is a 400.

The portal is built once for the module (``volume``: the database reset as
``tests/e2e/conftest.py``'s ``e2e_db`` does, then bulk creation through the
actions), and the tests only read it.  Page sizes are made small (3) so that a
few dozen objects make several pages.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.datathon import idea_views, jury_views
from ckanext.datathon.logic.schema import SORTS
from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import call_as, module_database
from ckanext.datathon.view_utils import MAX_PAGE

PAGE_SIZE = 3
# published challenges matching the search word, others, drafts
MATCHING, OTHERS, DRAFTS = 8, 4, 4
PROJECTS = 7
IDEAS = 7
LOCALES = ("", "/es", "/pt_BR")
BEYOND = 'class="empty datathon-beyond-last"'

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "small_pages"),
    pytest.mark.ckan_config("ckanext.datathon.challenge_list_limit", str(PAGE_SIZE)),
]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idea_views, "PAGE_SIZE", PAGE_SIZE)
    monkeypatch.setattr(jury_views, "RESULTS_PAGE_SIZE", PAGE_SIZE, raising=False)


def _token(user: dict[str, Any]) -> str:
    return factories.APIToken(user=user["name"])["token"]


def _build() -> SimpleNamespace:
    sysadmin = factories.Sysadmin()
    organizer = factories.User()
    juror = factories.User()
    org = factories.Organization(
        name="volume-org", users=[{"name": organizer["name"], "capacity": "admin"}]
    )
    dataset = factories.Dataset(owner_org=org["id"], name="volume-data")
    dates = open_registration_dates()
    challenges = []
    for n in range(MATCHING + OTHERS):
        word = "Agua" if n < MATCHING else "Movilidad"
        challenges.append(
            call_as(
                organizer,
                "challenge_create",
                name=f"volume-{n:02d}",
                title=f"{word} {n:02d}",
                owner_org=org["id"],
                state="active",
                **dates,
            )
        )
        call_as(organizer, "challenge_dataset_add", id=challenges[-1]["id"], dataset="volume-data")
    for n in range(DRAFTS):
        call_as(
            organizer,
            "challenge_create",
            name=f"volume-draft-{n:02d}",
            title=f"Agua draft {n:02d}",
            owner_org=org["id"],
        )
    main = challenges[0]
    call_as(sysadmin, "challenge_juror_add", id=main["id"], user=juror["name"])
    call_as(organizer, "challenge_criterion_create", challenge=main["id"], name="Impact")
    for n in range(PROJECTS):
        leader = factories.User()
        project = call_as(
            leader,
            "project_register",
            challenge=main["id"],
            title=f"Project {n:02d}",
            team_name=f"Team {n:02d}",
            accept_rules=True,
        )
        call_as(
            leader,
            "package_patch",
            id=project["id"],
            repository_url=f"https://github.com/volume/p{n}",
            code_licence="MIT",
            datasets_used=[{"dataset": dataset["id"]}],
        )
        call_as(leader, "project_submit", id=project["id"])
        call_as(leader, "challenge_idea_create", challenge=main["id"], title=f"Idea {n:02d}")
    return SimpleNamespace(
        main=main,
        organizer=_token(organizer),
        juror=_token(juror),
        dataset=dataset,
    )


@pytest.fixture(scope="module")
def volume(reset_db: Any, migrate_db_for: Any) -> SimpleNamespace:
    """The module's portal: reset once, built once, then only read."""
    with module_database(reset_db, migrate_db_for):
        return _build()


def _get(app: Any, url: str, token: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    return app.get(url, query_string=params or None, headers=headers, status=None)


def _count(action: str, token_user: str | None = None, **data: Any) -> int:
    context = {"user": token_user or "", "ignore_auth": False}
    return helpers.call_action(action, context=context, limit=1, **data)["count"]


def _check_pages(app: Any, url: str, count: int, token: str | None = None, **params: Any) -> None:
    """Pages 1, 2, last and last + 1 of a listing of ``count`` items."""
    last = max(1, math.ceil(count / PAGE_SIZE))
    assert count > PAGE_SIZE, (url, params, count)  # more than one page
    for number in sorted({1, 2, last, last + 1}):
        page = _get(app, url, token, page=number, **params)
        assert page.status_code == 200, (url, params, number, page.status_code)
        text = page.get_data(as_text=True)
        if number > last and number > 1:
            assert BEYOND in text, (url, params, number)
            first = re.search(BEYOND + r'[^>]*>\s*[^<]*<a href="([^"]+)"', text)
            assert first, (url, params, number)
            back = _get(app, first.group(1).replace("&amp;", "&"), token)
            assert back.status_code == 200
            assert BEYOND not in back.get_data(as_text=True)
        else:
            assert BEYOND not in text, (url, params, number)
        if number == 1 and last > 1:
            # the pager links to page 2 and keeps the other parameters
            links = re.findall(r'href="([^"]*page=2[^"]*)"', text)
            assert links, (url, params)
            for key in params:
                assert any(f"{key}=" in link for link in links), (url, key, links)


# Each test walks many pages: a test's setup (a new app, the plugins loaded)
# costs more than the pages it reads.


class TestChallengeIndex:
    @pytest.mark.parametrize("q", ["", "agua"])
    def test_every_sort_and_facet(self, app, volume, q):
        for sort in sorted(SORTS):
            for facets in ("none", "one", "two"):
                params: dict[str, Any] = {"sort": sort}
                if q:
                    params["q"] = q
                if facets in ("one", "two"):
                    params["owner_org"] = "volume-org"
                if facets == "two":
                    params["state"] = "active"
                count = _count("challenge_list", **params)
                assert count == (MATCHING if q else MATCHING + OTHERS)
                _check_pages(app, "/challenge", count, **params)

    def test_each_language(self, app, volume):
        for locale in LOCALES:
            _check_pages(app, f"{locale}/challenge", MATCHING + OTHERS)
            _check_pages(app, f"{locale}/challenge", MATCHING, q="agua", sort="title asc")

    def test_drafts_of_an_organizer(self, app, volume):
        for locale in LOCALES:
            _check_pages(app, f"{locale}/challenge", DRAFTS, volume.organizer, state="draft")


class TestChallengePages:
    def test_project_gallery(self, app, volume):
        for locale in LOCALES:
            _check_pages(app, f"{locale}/challenge/{volume.main['name']}/projects", PROJECTS)

    def test_ideas(self, app, volume):
        for locale in LOCALES:
            for sort in ("votes", "recent"):
                url = f"{locale}/challenge/{volume.main['name']}/ideas"
                _check_pages(app, url, IDEAS, sort=sort)

    def test_jury_queue(self, app, volume):
        for locale in LOCALES:
            url = f"{locale}/challenge/{volume.main['name']}/jury"
            _check_pages(app, url, PROJECTS, volume.juror)

    def test_results_for_the_organizer(self, app, volume):
        for locale in LOCALES:
            url = f"{locale}/challenge/{volume.main['name']}/results"
            _check_pages(app, url, PROJECTS, volume.organizer)

    def test_dataset_challenges_tab(self, app, volume):
        for locale in LOCALES:
            page = _get(app, f"{locale}/dataset/{volume.dataset['name']}/challenges")
            assert page.status_code == 200
            text = page.get_data(as_text=True)
            assert "Agua 07" in text
            assert "Movilidad 11" in text


PAGED = [
    "/challenge",
    "/challenge/volume-00/projects",
    "/challenge/volume-00/ideas",
    "/challenge/volume-00/jury",
    "/challenge/volume-00/results",
]
JUNK_PAGES = ["0", "-1", "abc", "1.5", "1e3", " 2", "\u0662", str(MAX_PAGE + 1), str(10**30)]


def test_junk_page_number_is_a_bad_request(app, volume):
    for url in PAGED:
        token = volume.juror if url.endswith("/jury") else volume.organizer
        for page in JUNK_PAGES:
            answer = _get(app, url, token, page=page)
            assert answer.status_code == 400, (url, page, answer.status_code)
            assert "page" in answer.get_data(as_text=True)


def test_empty_page_parameter_is_the_first_page(app, volume):
    for url in PAGED:
        token = volume.juror if url.endswith("/jury") else volume.organizer
        assert _get(app, url, token, page="").status_code == 200
        assert _get(app, url, token, page=str(MAX_PAGE)).status_code == 200
