"""Edges of issue 7's "Tests that must exist" list not covered by
test_jury.py: both ends of the judging window to the second, more junk
scores, and the ranking rule for criteria nobody scored (left out of the
mean, not counted as 0), checked against a hand-computed example with a tie."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

import ckan.plugins.toolkit as tk

from ckanext.datathon.tests.helpers import call_as, now
from ckanext.datathon.tests.jury_scenario import DAY, SECOND, scenario
from ckanext.datathon.tests.logic.test_jury import _rows, _score

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.mark.parametrize(
    ("offset", "allowed"),
    [
        (-SECOND, False),  # 1 s before the submission deadline
        (0 * SECOND, False),  # at the deadline: still closed
        (SECOND, True),  # 1 s after it
        (10 * DAY - SECOND, True),  # 1 s before judging closes
        (10 * DAY, True),  # at judging_closes (inclusive)
        (10 * DAY + SECOND, False),  # 1 s after
    ],
)
def test_judging_window_to_the_second(world, challenge_factory, offset, allowed):
    deadline = now() - 20 * DAY
    s = scenario(world, challenge_factory, projects=1, jurors=1, deadline=deadline)
    with freeze_time(deadline + offset):
        if allowed:
            assert _score(s.jurors[0], s.project, (s.data_use, 10))["count"] == 1
        else:
            with pytest.raises(tk.ValidationError) as excinfo:
                _score(s.jurors[0], s.project, (s.data_use, 10))
            assert "project" in excinfo.value.error_dict
    assert len(_rows()) == (1 if allowed else 0)


@pytest.mark.parametrize(
    "value", [-1, 11, 10**20, -(10**20), "NaN", "nan", "Infinity", "five", "10", " 3", 1e1]
)
def test_scores_of_a_0_to_10_criterion(world, challenge_factory, value):
    s = scenario(world, challenge_factory, projects=1, jurors=1)
    with pytest.raises(tk.ValidationError) as excinfo:
        _score(s.jurors[0], s.project, (s.data_use, value))
    assert excinfo.value.error_dict["scores"][0].get("score")
    assert _rows() == []


def test_an_unscored_criterion_is_left_out_not_zero(world, challenge_factory):
    """Impact: weight 2, 0-5; Data use: weight 1, 0-10.

    P0: Impact 4 (j1) only           -> 100 * (2 * 0.8) / 2           = 80.0, 1 juror
    P1: Impact 4, 4; Data use 8 (j1) -> 100 * (2 * 0.8 + 1 * 0.8) / 3 = 80.0, 2 jurors
    P2: Data use 5 (j2) only         -> 100 * (1 * 0.5) / 1           = 50.0, 1 juror
        (as 0 on Impact it would be 100 * 0.5 / 3 = 16.6667)

    Order: P1 (tie with P0 at 80, more jurors), P0, P2.
    """
    s = scenario(world, challenge_factory, projects=3, jurors=2)
    p0, p1, p2 = s.projects
    j1, j2 = s.jurors
    _score(j1, p0, (s.impact, 4))
    _score(j1, p1, (s.impact, 4), (s.data_use, 8))
    _score(j2, p1, (s.impact, 4))
    _score(j2, p2, (s.data_use, 5))
    ranking = call_as(world.admin, "challenge_ranking", id=s.challenge["id"])
    got = [
        (r["project"]["id"], r["rank"], r["score_rank"], r["score"], r["jurors"])
        for r in ranking["results"]
    ]
    assert got == [
        (p1["id"], 1, 1, 80.0, 2),
        (p0["id"], 2, 1, 80.0, 1),
        (p2["id"], 3, 3, 50.0, 1),
    ]
    assert ranking["results"][1]["criteria"] == {s.impact["id"]: 4.0}


def test_a_juror_of_another_challenge_and_a_criterion_of_another_challenge(
    world, challenge_factory
):
    s = scenario(world, challenge_factory, projects=1, jurors=1)
    other = scenario(world, challenge_factory, projects=1, jurors=1)
    with pytest.raises(tk.NotAuthorized):
        _score(other.jurors[0], s.project, (s.impact, 3))
    with pytest.raises(tk.ValidationError) as excinfo:
        _score(s.jurors[0], s.project, (other.impact, 3))
    assert excinfo.value.error_dict["scores"][0].get("criterion")
    assert _rows() == []
