"""The projects listed for a dataset are paged and capped
(``ckanext.datathon.dataset_projects_max``): in ``dataset_challenge_list``, on
the dataset page (the first page and a link) and on its challenges tab (a
pager, a page past the last, a bad page number)."""

from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")
CAP = 3
PROJECTS = 7  # more than two pages of CAP


@pytest.fixture
def used(world, published_challenge_factory):
    def build():
        challenge = published_challenge_factory(owner_org=world.org["id"], max_team_size=5)
        dataset = factories.Dataset(owner_org=world.org["id"], title="Viajes")
        projects = []
        for n in range(PROJECTS):
            project = call_as(
                factories.User(),
                "project_register",
                challenge=challenge["id"],
                title=f"Project {n:02d}",
                team_name=f"Team {n}",
                accept_rules=True,
            )
            call_as(
                world.sysadmin,
                "package_patch",
                id=project["id"],
                datasets_used=[{"dataset": dataset["id"]}],
            )
            projects.append(project)
        return dataset, projects

    return built_over("world", "test_dataset_projects_paged.used", build)


@pytest.mark.ckan_config("ckanext.datathon.dataset_projects_max", str(CAP))
class TestPaged:
    def test_the_action_pages_and_counts(self, world, used):
        dataset, projects = used
        seen = []
        for offset in range(0, PROJECTS + CAP, CAP):
            page = call_as(
                world.sysadmin, "dataset_challenge_list", id=dataset["id"], projects_offset=offset
            )
            assert page["project_count"] == PROJECTS
            assert len(page["projects"]) <= CAP
            seen += [p["id"] for p in page["projects"]]
        assert sorted(seen) == sorted(p["id"] for p in projects)
        assert len(seen) == len(set(seen))

    def test_the_limit_is_capped(self, world, used):
        dataset, _projects = used
        page = call_as(
            world.sysadmin, "dataset_challenge_list", id=dataset["id"], projects_limit=500
        )
        assert len(page["projects"]) == CAP

    @pytest.mark.parametrize("junk", [[1], {"a": 1}, -1, "x", 10**30, 1.5])
    def test_junk_paging_is_a_field_error(self, world, used, junk):
        dataset, _projects = used
        for key in ("projects_limit", "projects_offset"):
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(world.sysadmin, "dataset_challenge_list", id=dataset["id"], **{key: junk})
            assert key in excinfo.value.error_dict

    def test_anonymous_count_only_what_they_may_see(self, used):
        dataset, _projects = used  # drafts are private to their teams
        page = call_as(None, "dataset_challenge_list", id=dataset["id"])
        assert page["project_count"] == 0
        assert page["projects"] == []

    def test_the_dataset_page_shows_the_first_page_and_a_link(self, browse, world, used):
        dataset, _projects = used
        html = browse(world.sysadmin).get(f"/dataset/{dataset['name']}").get_data(as_text=True)
        assert html.count("Project 0") == CAP
        assert f"All {PROJECTS} projects using this data" in html
        assert f'href="/dataset/{dataset["name"]}/challenges"' in html

    def test_the_tab_pages(self, browse, world, used):
        dataset, projects = used
        browser = browse(world.sysadmin)
        url = f"/dataset/{dataset['name']}/challenges"
        titles = []
        for number in (1, 2, 3):
            answer = browser.get(url, query_string={"page": number})
            assert answer.status_code == 200
            html = answer.get_data(as_text=True)
            titles += [t for t in (p["title"] for p in projects) if t in html]
            if number < 3:
                assert f"{url}?page={number + 1}" in html  # the pager
        assert sorted(titles) == sorted(p["title"] for p in projects)
        beyond = browser.get(url, query_string={"page": 4})
        assert beyond.status_code == 200
        assert "There is nothing on page 4" in beyond.get_data(as_text=True)

    @pytest.mark.parametrize("page", ["0", "-1", "x", "1e3", str(10**30)])
    def test_a_bad_page_number_is_400(self, app, used, page):
        dataset, _projects = used
        answer = app.get(f"/dataset/{dataset['name']}/challenges", query_string={"page": page})
        assert answer.status_code == 400


def test_the_default_is_declared(app):
    assert tk.config.get("ckanext.datathon.dataset_projects_max") == 20
