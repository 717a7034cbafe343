"""Issue 17, item 6 (security review finding 9): a project whose challenge is
unpublished keeps its own visibility, and shows "a challenge that is no
longer public" without naming or linking it."""

from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.logic.test_chained_core import contest  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def hidden(contest):  # noqa: F811
    call_as(
        contest.organizer,
        "challenge_patch",
        id=contest.challenge["id"],
        state="draft",
        title="Renamed While Hidden",
    )
    return contest


def test_dataset_challenge_list_does_not_name_a_hidden_challenge(hidden):
    for user in (None, hidden.outsider):
        listed = call_as(user, "dataset_challenge_list", id=hidden.dataset["id"])
        assert [p["name"] for p in listed["projects"]] == [hidden.open["name"]]
        assert listed["projects"][0]["challenge"] is None
        assert "Renamed While Hidden" not in str(listed)


def test_organizers_still_see_their_draft_challenge(hidden):
    listed = call_as(hidden.organizer, "dataset_challenge_list", id=hidden.dataset["id"])
    assert listed["projects"][0]["challenge"]["title"] == "Renamed While Hidden"


def test_project_page_says_no_longer_public(app, hidden):
    page = app.get(tk.url_for("project.read", id=hidden.open["name"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "a challenge that is no longer public" in html
    assert "Renamed While Hidden" not in html
    assert tk.url_for("challenge.read", name=hidden.challenge["name"]) not in html
