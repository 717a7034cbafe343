"""The order of project_list (challenge page, gallery): the latest submissions
first, and once the results are published, the winners first by prize rank."""

from __future__ import annotations

import pytest

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.logic.test_jury import _scenario

pytestmark = pytest.mark.usefixtures("with_plugins")


def _titles(user, challenge) -> list[str]:
    listed = call_as(user, "project_list", challenge=challenge["id"])
    return [p["title"] for p in listed["results"]]


def test_winners_first_once_the_results_are_published(world, challenge_factory):
    s = _scenario(world, challenge_factory, projects=3, jurors=1)
    newest_first = ["Project 2", "Project 1", "Project 0"]
    assert _titles(None, s.challenge) == newest_first
    by_title = {p["title"]: p for p in s.projects}
    for rank, title in ((1, "Project 0"), (2, "Project 1")):
        call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=by_title[title]["id"],
            rank=rank,
        )
    # awards are a secret until publication, for everyone's listing
    assert _titles(None, s.challenge) == newest_first
    assert _titles(world.admin, s.challenge) == newest_first
    call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
    assert _titles(None, s.challenge) == ["Project 0", "Project 1", "Project 2"]
    # paging follows the same order
    second_page = call_as(None, "project_list", challenge=s.challenge["id"], limit=1, offset=1)
    assert [p["title"] for p in second_page["results"]] == ["Project 1"]
