"""The computed method timeline (pure function, no services needed)."""

from __future__ import annotations

import datetime as dt

from ckanext.datathon.timeline import stage_statuses

UTC = dt.timezone.utc
T = dt.datetime(2023, 8, 28, 12, 0, tzinfo=UTC)


def _stage(name, starts, ends):
    return {"stage": name, "starts": starts, "ends": ends, "notes": ""}


def test_all_eleven_stages_in_method_order():
    result = stage_statuses([], T)
    assert [e["position"] for e in result["timeline"]] == list(range(1, 12))
    assert {e["status"] for e in result["timeline"]} == {"unscheduled"}
    assert result["current_stage"] is None
    assert result["next_stage"] is None


def test_edges_are_inclusive():
    stages = [_stage("launch", T, T)]
    assert stage_statuses(stages, T)["current_stage"] == "launch"
    assert stage_statuses(stages, T + dt.timedelta(seconds=1))["timeline"][4]["status"] == "past"
    before = stage_statuses(stages, T - dt.timedelta(seconds=1))
    assert before["timeline"][4]["status"] == "upcoming"
    assert before["next_stage"] == "launch"


def test_overlap_latest_start_wins_then_method_order():
    # 2023 datathon: registration/development 25 Aug - 15 Sep, mentorship 28 - 31 Aug
    development = _stage("development", T - dt.timedelta(days=3), T + dt.timedelta(days=18))
    mentorship = _stage("mentorship", T - dt.timedelta(hours=1), T + dt.timedelta(days=3))
    assert stage_statuses([development, mentorship], T)["current_stage"] == "mentorship"
    same_start = _stage("jury", development["starts"], development["ends"])
    assert stage_statuses([development, same_start], T)["current_stage"] == "jury"


def test_next_stage_is_the_earliest_upcoming():
    stages = [
        _stage("awards", T + dt.timedelta(days=30), T + dt.timedelta(days=30)),
        _stage("jury", T + dt.timedelta(days=20), T + dt.timedelta(days=25)),
    ]
    assert stage_statuses(stages, T)["next_stage"] == "jury"


def test_time_zones_are_compared_as_instants():
    mexico = dt.timezone(dt.timedelta(hours=-6))
    # 09:00 in Mexico City is 15:00 UTC: at 12:00 UTC the stage has not started
    stages = [
        _stage("launch", dt.datetime(2023, 8, 28, 9, 0, tzinfo=mexico), T + dt.timedelta(days=1))
    ]
    assert stage_statuses(stages, T)["timeline"][4]["status"] == "upcoming"
