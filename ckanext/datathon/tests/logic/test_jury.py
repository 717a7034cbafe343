"""The jury: jurors, criteria, scoring rules, blind scoring, ranking, awards,
publication, concurrency and the auth matrix of every jury action."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.logic.action import jury as jury_actions
from ckanext.datathon.model import Award, Criterion, Juror, Recusal, Score
from ckanext.datathon.tests.factories import legacy_team_member
from ckanext.datathon.tests.helpers import auth_as, call_as, now
from ckanext.datathon.tests.jury_scenario import DAY, SECOND, _submitted, scenario
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

ORGANIZERS = {"sysadmin", "admin", "editor"}
EVERYONE = {"sysadmin", "admin", "editor", "member", "other_org_admin", "user", "anonymous"}


# -- scenario -------------------------------------------------------------------------


def _scenario(world, challenge_factory, *, deadline=None, projects=1, jurors=2):
    """``jury_scenario.scenario`` with every project led by ``world.user``."""
    return scenario(
        world,
        challenge_factory,
        deadline=deadline,
        projects=projects,
        jurors=jurors,
        same_leader=True,
    )


def _score(user, project, *entries):
    """``entries``: (criterion dict, score[, comment])."""
    return call_as(
        user,
        "project_score",
        project=project["id"],
        scores=[
            {"criterion": e[0]["id"], "score": e[1], "comment": e[2] if len(e) > 2 else ""}
            for e in entries
        ],
    )


def _rows(**where):
    query = sa.select(Score)
    for key, value in where.items():
        query = query.where(getattr(Score, key) == value)
    model.Session.expire_all()
    return list(model.Session.scalars(query))


def _publish(world, s):
    return call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])


@pytest.fixture
def s(world, challenge_factory):
    # made once per session, then copied back (snapshots.built_over)
    return built_over("world", "jury_scenario", lambda: _scenario(world, challenge_factory))


# -- jurors ---------------------------------------------------------------------------------


class TestJurors:
    def test_add_list_remove(self, world, s):
        extra = factories.User(fullname="Ada Juror")
        added = call_as(
            world.editor, "challenge_juror_add", id=s.challenge["name"], user=extra["name"]
        )
        assert added["user_id"] == extra["id"]
        assert added["display_name"] == "Ada Juror"
        # appointing again changes nothing
        call_as(world.editor, "challenge_juror_add", id=s.challenge["id"], user=extra["id"])
        listed = call_as(world.admin, "challenge_juror_list", id=s.challenge["id"])
        assert listed["count"] == 3
        assert listed["projects"] == 1
        assert {j["user_id"] for j in listed["results"]} == {
            extra["id"],
            *(j["id"] for j in s.jurors),
        }
        assert all(j["scored_projects"] == 0 for j in listed["results"])
        call_as(world.admin, "challenge_juror_remove", id=s.challenge["id"], user=extra["name"])
        assert call_as(world.admin, "challenge_juror_list", id=s.challenge["id"])["count"] == 2
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_juror_remove", id=s.challenge["id"], user=extra["name"])
        assert "user" in excinfo.value.error_dict

    def test_jurors_see_the_jury_but_not_its_progress(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 3))
        as_juror = call_as(s.jurors[1], "challenge_juror_list", id=s.challenge["id"])
        assert as_juror["count"] == 2
        assert "projects" not in as_juror
        assert all("scored_projects" not in j for j in as_juror["results"])
        as_organizer = call_as(world.editor, "challenge_juror_list", id=s.challenge["id"])
        progress = {j["user_id"]: j["scored_projects"] for j in as_organizer["results"]}
        assert progress == {s.jurors[0]["id"]: 1, s.jurors[1]["id"]: 0}

    def test_unknown_or_deleted_user(self, world, s):
        gone = factories.User()
        helpers.call_action("user_delete", id=gone["id"])
        for username in ("no-such-user", gone["name"]):
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(world.admin, "challenge_juror_add", id=s.challenge["id"], user=username)
            assert "user" in excinfo.value.error_dict

    def test_removing_a_juror_removes_their_scores(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 3), (s.data_use, 7))
        _score(s.jurors[1], s.project, (s.impact, 4))
        call_as(
            world.admin,
            "challenge_juror_remove",
            id=s.challenge["id"],
            user=s.jurors[0]["name"],
        )
        assert [(r.juror_user_id, r.score) for r in _rows()] == [(s.jurors[1]["id"], 4)]

    def test_deleting_the_user_removes_the_juror_and_scores(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 3))
        model.Session.remove()
        model.Session.execute(sa.delete(model.User).where(model.User.id == s.jurors[0]["id"]))
        model.Session.commit()
        assert _rows() == []
        assert model.Session.scalars(sa.select(Juror)).all()[0].user_id == s.jurors[1]["id"]


# -- criteria -------------------------------------------------------------------------------


class TestCriteria:
    def test_create_defaults_and_order(self, world, s):
        third = call_as(
            world.editor,
            "challenge_criterion_create",
            challenge=s.challenge["id"],
            name="Design",
        )
        assert third["weight"] == 1.0
        assert third["max_score"] == 5
        assert third["position"] == 2
        listed = call_as(None, "challenge_criterion_list", id=s.challenge["name"])
        assert [c["name"] for c in listed["results"]] == ["Impact", "Data use", "Design"]
        assert listed["results"][0]["weight"] == 2.0

    def test_names_are_unique_per_challenge(self, world, s, challenge_factory):
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                world.admin,
                "challenge_criterion_create",
                challenge=s.challenge["id"],
                name="Impact",
            )
        assert "name" in excinfo.value.error_dict
        other = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_criterion_create", challenge=other["id"], name="Impact")

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("weight", 0),
            ("weight", -1),
            ("weight", "abc"),
            ("weight", "NaN"),
            ("weight", float("inf")),
            ("weight", True),
            ("weight", 1001),
            ("weight", "0.0001"),
            ("max_score", 0),
            ("max_score", 101),
            ("max_score", 2.5),
            ("max_score", True),
            ("max_score", "five"),
            ("position", -1),
            ("name", ""),
            ("name", "x" * 201),
            ("name", "a\x00b"),
            ("name", ["list"]),
        ],
    )
    def test_invalid_fields(self, world, s, key, value):
        data = {"challenge": s.challenge["id"], "name": "Design", key: value}
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_criterion_create", **data)
        assert key in excinfo.value.error_dict
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_criterion_update", id=s.impact["id"], **{key: value})
        assert key in excinfo.value.error_dict

    def test_update_keeps_fields_not_given(self, world, s):
        updated = call_as(
            world.admin, "challenge_criterion_update", id=s.impact["id"], weight="1.5"
        )
        assert updated["weight"] == 1.5
        assert updated["name"] == "Impact"
        assert updated["max_score"] == 5
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_criterion_update", id=s.impact["id"], name="Data use")
        assert "name" in excinfo.value.error_dict

    def test_max_score_cannot_drop_below_a_given_score(self, world, s):
        _score(s.jurors[0], s.project, (s.data_use, 8))
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_criterion_update", id=s.data_use["id"], max_score=7)
        assert "max_score" in excinfo.value.error_dict
        assert (
            call_as(world.admin, "challenge_criterion_update", id=s.data_use["id"], max_score=8)[
                "max_score"
            ]
            == 8
        )

    def test_delete_removes_its_scores(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 3), (s.data_use, 8))
        call_as(world.admin, "challenge_criterion_delete", id=s.impact["id"])
        assert [r.criterion_id for r in _rows()] == [s.data_use["id"]]
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.admin, "challenge_criterion_delete", id=s.impact["id"])

    def test_criteria_of_a_draft_are_hidden(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_criterion_create", challenge=draft["id"], name="Impact")
        with pytest.raises(tk.ObjectNotFound):
            call_as(None, "challenge_criterion_list", id=draft["id"])
        assert call_as(world.editor, "challenge_criterion_list", id=draft["id"])["count"] == 1


# -- scoring rules ---------------------------------------------------------------------------


class TestScoring:
    def test_one_call_scores_several_criteria_and_rescoring_updates_in_place(self, world, s):
        juror = s.jurors[0]
        first = _score(juror, s.project, (s.impact, 4, "Clear problem"), (s.data_use, 0))
        assert first["count"] == 2
        assert {(r["criterion_id"], r["score"]) for r in first["results"]} == {
            (s.impact["id"], 4),
            (s.data_use["id"], 0),
        }
        created = {r.criterion_id: r.created for r in _rows()}
        again = _score(juror, s.project, (s.impact, 5, "Even clearer"))
        by_criterion = {r["criterion_id"]: r for r in again["results"]}
        assert by_criterion[s.impact["id"]]["score"] == 5
        assert by_criterion[s.impact["id"]]["comment"] == "Even clearer"
        assert by_criterion[s.data_use["id"]]["score"] == 0
        rows = _rows()
        assert len(rows) == 2
        assert {r.criterion_id: r.created for r in rows} == created

    @pytest.mark.parametrize(
        ("offset", "allowed"),
        [
            # now relative to submission_deadline (judging opens strictly after it)
            (dt.timedelta(0), False),
            (SECOND, True),
            # now relative to judging_closes (inclusive)
            (10 * DAY, True),
            (10 * DAY + SECOND, False),
            (-DAY, False),
        ],
    )
    def test_judging_window(self, world, challenge_factory, offset, allowed):
        deadline = now() - 20 * DAY
        s = _scenario(world, challenge_factory, deadline=deadline)
        with freeze_time(deadline + offset):
            if allowed:
                assert _score(s.jurors[0], s.project, (s.impact, 3))["count"] == 1
            else:
                with pytest.raises(tk.ValidationError) as excinfo:
                    _score(s.jurors[0], s.project, (s.impact, 3))
                assert "project" in excinfo.value.error_dict
        assert len(_rows()) == (1 if allowed else 0)

    @pytest.mark.parametrize(
        "value",
        [-1, 6, float("nan"), float("inf"), "3", "", True, False, 2.5, 3.0, None, [3], {"v": 3}],
    )
    def test_scores_are_integers_from_0_to_max(self, world, s, value):
        with pytest.raises(tk.ValidationError) as excinfo:
            _score(s.jurors[0], s.project, (s.data_use, 10), (s.impact, value))
        errors = excinfo.value.error_dict["scores"]
        assert errors[1].get("score"), errors
        assert _rows() == []

    def test_zero_and_max_are_valid(self, world, s):
        result = _score(s.jurors[0], s.project, (s.impact, 0), (s.data_use, 10))
        assert sorted(r["score"] for r in result["results"]) == [0, 10]

    def test_missing_score(self, world, s):
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                s.jurors[0],
                "project_score",
                project=s.project["id"],
                scores=[{"criterion": s.impact["id"]}],
            )
        assert excinfo.value.error_dict["scores"][0].get("score")

    def test_criterion_of_another_challenge(self, world, s, challenge_factory):
        other = _scenario(world, challenge_factory, projects=0, jurors=0)
        with pytest.raises(tk.ValidationError) as excinfo:
            _score(s.jurors[0], s.project, (s.impact, 1), (other.impact, 3))
        assert excinfo.value.error_dict["scores"][1].get("criterion")
        with pytest.raises(tk.ValidationError):
            call_as(
                s.jurors[0],
                "project_score",
                project=s.project["id"],
                scores=[{"criterion": "no-such-criterion", "score": 1}],
            )
        assert _rows() == []

    def test_a_criterion_appears_once_per_call(self, world, s):
        with pytest.raises(tk.ValidationError) as excinfo:
            _score(s.jurors[0], s.project, (s.impact, 1), (s.impact, 3))
        assert excinfo.value.error_dict["scores"][1].get("criterion")

    @pytest.mark.parametrize(
        "scores",
        [None, [], "5", {"criterion": "x", "score": 1}, [1, 2], [[]], [{}] * 101],
    )
    def test_malformed_scores(self, world, s, scores):
        data = {"project": s.project["id"]}
        if scores is not None:
            data["scores"] = scores
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(s.jurors[0], "project_score", **data)
        assert "scores" in excinfo.value.error_dict

    def test_non_juror_and_juror_of_another_challenge(self, world, s, challenge_factory):
        other = _scenario(world, challenge_factory, projects=0, jurors=1)
        for user in (world.user, world.member, factories.User(), other.jurors[0]):
            with pytest.raises(tk.NotAuthorized):
                _score(user, s.project, (s.impact, 3))
        with pytest.raises(tk.NotAuthorized):
            _score(None, s.project, (s.impact, 3))
        assert _rows() == []

    @pytest.mark.parametrize("role", ["sysadmin", "admin", "editor"])
    def test_organizers_do_not_score_unless_appointed(self, world, s, role):
        organizer = world.roles[role]
        with pytest.raises(tk.NotAuthorized):
            _score(organizer, s.project, (s.impact, 3))
        call_as(world.admin, "challenge_juror_add", id=s.challenge["id"], user=organizer["name"])
        assert _score(organizer, s.project, (s.impact, 3))["count"] == 1

    def test_a_juror_on_the_team_never_scores_it(self, world, s, challenge_factory):
        juror = s.jurors[0]
        with freeze_time(s.deadline - DAY):
            legacy_team_member(s.project, juror)
        with pytest.raises(tk.NotAuthorized) as excinfo:
            _score(juror, s.project, (s.impact, 5))
        assert "team" in str(excinfo.value)
        # not even skipping auth
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(
                "project_score",
                context={"user": juror["name"], "ignore_auth": True},
                project=s.project["id"],
                scores=[{"criterion": s.impact["id"], "score": 5}],
            )
        assert _rows() == []

    def test_the_database_refuses_a_score_by_a_non_juror(self, world, s, monkeypatch):
        # as if the juror had been removed between the checks and the insert
        from ckanext.datathon.logic.auth import jury as jury_auth

        monkeypatch.setattr(jury_auth, "judging_conflict", lambda user_id, project: None)
        with pytest.raises(tk.ValidationError) as excinfo:
            helpers.call_action(
                "project_score",
                context={"user": world.user["name"], "ignore_auth": True},
                project=s.project["id"],
                scores=[{"criterion": s.impact["id"], "score": 3}],
            )
        assert "project" in excinfo.value.error_dict
        assert _rows() == []

    def test_a_recused_juror_no_longer_scores_and_loses_earlier_scores(self, world, s):
        juror = s.jurors[0]
        _score(juror, s.project, (s.impact, 5), (s.data_use, 9))
        _score(s.jurors[1], s.project, (s.impact, 2))
        recusal = call_as(juror, "project_recuse", project=s.project["name"], reason="My cousin")
        assert recusal["reason"] == "My cousin"
        with pytest.raises(tk.NotAuthorized):
            _score(juror, s.project, (s.impact, 5))
        assert [r.juror_user_id for r in _rows()] == [s.jurors[1]["id"]]
        assert model.Session.get(Recusal, (s.project["id"], juror["id"])).reason == "My cousin"
        # recusing again only updates the reason
        call_as(juror, "project_recuse", project=s.project["id"], reason="")
        assert model.Session.scalars(sa.select(Recusal)).all()[0].reason == ""

    def test_only_jurors_recuse(self, world, s):
        for user in (world.user, world.admin, world.sysadmin, None):
            with pytest.raises(tk.NotAuthorized):
                call_as(user, "project_recuse", project=s.project["id"])

    def test_only_submitted_projects(self, world, challenge_factory):
        s = _scenario(world, challenge_factory, projects=2)
        with freeze_time(s.deadline - 24 * DAY):
            draft = call_as(
                world.user,
                "project_register",
                challenge=s.challenge["id"],
                title="Draft",
                team_name="Late",
                accept_rules=True,
            )
        withdrawn = s.projects[1]
        call_as(world.admin, "project_withdraw", id=withdrawn["id"])
        for project in (draft, withdrawn):
            # hidden from jurors: not found
            with pytest.raises(tk.ObjectNotFound):
                _score(s.jurors[0], project, (s.impact, 3))
        # an organizer on the jury sees it, and is told it is not submitted
        call_as(world.admin, "challenge_juror_add", id=s.challenge["id"], user=world.editor["name"])
        for project in (draft, withdrawn):
            with pytest.raises(tk.ValidationError) as excinfo:
                _score(world.editor, project, (s.impact, 3))
            assert "project" in excinfo.value.error_dict
        assert _rows() == []

    def test_unknown_project(self, world, s):
        for ref in (
            "no-such-project",
            s.challenge["id"],
            factories.Dataset(owner_org=world.org["id"])["id"],
        ):
            with pytest.raises(tk.ObjectNotFound):
                _score(s.jurors[0], {"id": ref}, (s.impact, 3))

    def test_published_results_freeze_the_jury(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 3))
        award = call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.project["id"],
            rank=1,
        )
        _publish(world, s)
        writes = [
            (world.admin, "challenge_award_delete", {"id": award["id"]}),
            (
                world.admin,
                "challenge_award_create",
                {"challenge": s.challenge["id"], "project": s.project["id"], "rank": 2},
            ),
            (
                s.jurors[0],
                "project_score",
                {"project": s.project["id"], "scores": [{"criterion": s.impact["id"], "score": 5}]},
            ),
            (s.jurors[0], "project_recuse", {"project": s.project["id"]}),
            (world.admin, "challenge_criterion_update", {"id": s.impact["id"], "weight": 3}),
            (world.admin, "challenge_criterion_delete", {"id": s.impact["id"]}),
            (
                world.admin,
                "challenge_criterion_create",
                {"challenge": s.challenge["id"], "name": "New"},
            ),
            (
                world.admin,
                "challenge_juror_add",
                {"id": s.challenge["id"], "user": world.user["name"]},
            ),
            (
                world.admin,
                "challenge_juror_remove",
                {"id": s.challenge["id"], "user": s.jurors[0]["name"]},
            ),
        ]
        for user, action, data in writes:
            with pytest.raises(tk.ValidationError):
                call_as(user, action, **data)
        assert [r.score for r in _rows()] == [3]
        awards = call_as(None, "challenge_award_list", id=s.challenge["id"])["results"]
        assert [a["id"] for a in awards] == [award["id"]]


# -- blind scoring ----------------------------------------------------------------------


class TestBlindScoring:
    def test_jurors_see_only_their_own_scores(self, world, s):
        one, two = s.jurors
        returned = _score(one, s.project, (s.impact, 5, "secret one"))
        _score(two, s.project, (s.impact, 1, "secret two"))
        assert {r["juror_user_id"] for r in returned["results"]} == {one["id"]}
        mine = call_as(two, "project_score_list", id=s.project["id"])
        assert [(r["juror_user_id"], r["score"]) for r in mine["results"]] == [(two["id"], 1)]
        assert "secret one" not in json.dumps(mine)
        everything = call_as(world.editor, "project_score_list", id=s.project["id"])
        assert {(r["juror_user_id"], r["score"]) for r in everything["results"]} == {
            (one["id"], 5),
            (two["id"], 1),
        }
        # no other way in: the team, other users, the ranking before publication
        for user in (world.user, world.member, None):
            with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
                call_as(user, "project_score_list", id=s.project["id"])
        for action in ("challenge_ranking", "challenge_award_list"):
            with pytest.raises(tk.NotAuthorized):
                call_as(two, action, id=s.challenge["id"])

    def test_published_ranking_shows_no_individual_score(self, world, s):
        one, two = s.jurors
        _score(one, s.project, (s.impact, 5, "secret one"))
        _score(two, s.project, (s.impact, 2, "secret two"))
        _publish(world, s)
        ranking = json.dumps(call_as(None, "challenge_ranking", id=s.challenge["id"]))
        for secret in ("secret one", "secret two", one["id"], two["id"], one["name"]):
            assert secret not in ranking
        with pytest.raises(tk.NotAuthorized):
            call_as(world.user, "project_score_list", id=s.project["id"])
        # jurors still see only their own after publication
        mine = call_as(two, "project_score_list", id=s.project["id"])
        assert {r["juror_user_id"] for r in mine["results"]} == {two["id"]}


# -- publication ----------------------------------------------------------------------------


class TestPublication:
    def test_results_are_for_organizers_until_published(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 4))
        call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.project["id"],
            rank=1,
        )
        roles = {**world.roles, "juror": s.jurors[0]}
        for action in ("challenge_ranking", "challenge_award_list"):
            allowed = {r for r, u in roles.items() if auth_as(u, action, id=s.challenge["id"])}
            assert allowed == ORGANIZERS
        ranking = call_as(world.editor, "challenge_ranking", id=s.challenge["id"])
        assert ranking["published"] is None
        assert ranking["results"][0]["score"] == 80.0
        published = _publish(world, s)
        assert published["published"]
        for action in ("challenge_ranking", "challenge_award_list"):
            allowed = {r for r, u in roles.items() if auth_as(u, action, id=s.challenge["id"])}
            assert allowed == EVERYONE | {"juror"}
        public = call_as(None, "challenge_ranking", id=s.challenge["name"])
        assert public["published"] == published["published"]
        assert public["results"][0]["award"]["prize"]["title"] == "First prize"
        awards = call_as(None, "challenge_award_list", id=s.challenge["id"])
        assert [(a["rank"], a["project"]["id"]) for a in awards["results"]] == [
            (1, s.project["id"])
        ]
        # publishing again keeps the first date
        with freeze_time(now() + DAY):
            assert _publish(world, s)["published"] == published["published"]

    def test_not_before_the_submission_deadline(self, world, challenge_factory):
        deadline = now() + DAY
        s = _scenario(world, challenge_factory, deadline=deadline, projects=0)
        with pytest.raises(tk.ValidationError):
            _publish(world, s)
        with freeze_time(deadline + SECOND):
            assert _publish(world, s)["published"]

    def test_results_of_a_draft_challenge_stay_hidden(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        with pytest.raises(tk.ValidationError):
            call_as(world.admin, "challenge_results_publish", id=draft["id"])
        for user in (None, world.user, world.member):
            with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
                call_as(user, "challenge_ranking", id=draft["id"])


# -- awards ------------------------------------------------------------------------------------


class TestAwards:
    def test_awards_refer_to_prizes_by_rank(self, world, challenge_factory):
        s = _scenario(world, challenge_factory, projects=3)
        first = call_as(
            world.editor,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.projects[0]["name"],
            rank=1,
            citation="For the data",
        )
        assert first["title"] == "First prize"
        assert first["prize"] == {
            "rank": 1,
            "title": "First prize",
            "amount": "1000.00",
            "currency": "USD",
        }
        second = call_as(
            world.editor,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.projects[1]["id"],
            rank="2",
            title="Runner-up",
        )
        assert second["title"] == "Runner-up"
        bad = [
            ({"project": s.projects[2]["id"], "rank": 3}, "rank"),  # no such prize
            ({"project": s.projects[2]["id"], "rank": 1}, "rank"),  # prize given
            ({"project": s.projects[0]["id"], "rank": 2}, "rank"),  # project has one
            ({"project": "nope", "rank": 2}, "project"),
            ({"project": s.projects[2]["id"], "rank": 0}, "rank"),
            ({"project": s.projects[2]["id"], "rank": "first"}, "rank"),
            ({"project": s.projects[2]["id"]}, "rank"),
        ]
        for data, key in bad:
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(world.editor, "challenge_award_create", challenge=s.challenge["id"], **data)
            assert key in excinfo.value.error_dict, (data, excinfo.value.error_dict)
        call_as(world.admin, "challenge_award_delete", id=first["id"])
        again = call_as(
            world.editor,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.projects[2]["id"],
            rank=1,
        )
        ranks = {a.rank: a.project_id for a in model.Session.scalars(sa.select(Award))}
        assert ranks == {1: s.projects[2]["id"], 2: s.projects[1]["id"]}
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.admin, "challenge_award_delete", id=first["id"])
        assert again["rank"] == 1

    def test_only_submitted_projects_of_the_challenge(self, world, challenge_factory):
        s = _scenario(world, challenge_factory, projects=2)
        other = _scenario(world, challenge_factory, projects=1, jurors=0)
        call_as(world.admin, "project_withdraw", id=s.projects[1]["id"])
        for project in (other.project, s.projects[1]):
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(
                    world.admin,
                    "challenge_award_create",
                    challenge=s.challenge["id"],
                    project=project["id"],
                    rank=1,
                )
            assert "project" in excinfo.value.error_dict

    def test_awards_and_scores_are_not_dataset_fields(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 4))
        call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.project["id"],
            rank=1,
        )
        for user in (world.user, world.admin):
            for key, value in (
                ("awards", [{"rank": 2}]),
                ("scores", [{"criterion": s.impact["id"], "score": 0}]),
            ):
                for action, data in (
                    ("package_patch", {"id": s.project["id"], key: value}),
                    ("package_revise", {"match": {"id": s.project["id"]}, "update": {key: value}}),
                ):
                    with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
                        call_as(user, action, **data)
        assert [r.score for r in _rows()] == [4]
        assert [a.rank for a in model.Session.scalars(sa.select(Award))] == [1]


# -- ranking ---------------------------------------------------------------------------------


class TestRanking:
    # six teams led by one person: above the default caps of issue 16
    @pytest.mark.ckan_config("ckanext.datathon.max_teams_led_per_challenge", "0")
    @pytest.mark.ckan_config("ckanext.datathon.max_teams_per_challenge", "0")
    def test_hand_computed_ranking_with_ties(self, world, challenge_factory):
        """Impact: weight 2, scores 0-5; Data use: weight 1, scores 0-10.
        score = 100 * (2 * mean(Impact)/5 + 1 * mean(Data use)/10) / (2 + 1)
        over the criteria that have a score.

        P1: Impact 5, 3 -> 4 (0.8); Data 6, 8 -> 7 (0.7) -> 100 * 2.3/3 = 76.6667, 2 jurors
        P2: Impact 4 -> 4 (0.8); Data 7, 7 -> 7 (0.7)  -> 76.6667, 2 jurors (j1, j3);
            j2's Impact 0 is gone: j2 recused
        P3: Impact 4, 4, 4; Data 7, 7, 7                -> 76.6667, 3 jurors
        P4: Impact 1, 2, 2 -> 5/3 (1/3); Data 10 (1.0)   -> 100 * (2/3 + 1)/3 = 55.5556
        P5: no score                                       -> null, last
        P6: Impact 0, Data 0 (j1); j3's Impact 5 ignored: j3 joined the team later -> 0.0

        Order: P3 (more jurors), P1 (submitted before P2), P2, P4, P6, P5.
        """
        s = _scenario(world, challenge_factory, projects=6, jurors=3)
        p1, p2, p3, p4, p5, p6 = s.projects
        j1, j2, j3 = s.jurors
        imp, data = s.impact, s.data_use
        _score(j1, p1, (imp, 5), (data, 6))
        _score(j2, p1, (imp, 3), (data, 8))
        _score(j1, p2, (imp, 4), (data, 7))
        _score(j3, p2, (data, 7))
        _score(j2, p2, (imp, 0))
        call_as(j2, "project_recuse", project=p2["id"])
        for juror in (j1, j2, j3):
            _score(juror, p3, (imp, 4), (data, 7))
        _score(j1, p4, (imp, 1))
        _score(j2, p4, (imp, 2), (data, 10))
        _score(j3, p4, (imp, 2))
        _score(j1, p6, (imp, 0), (data, 0))
        _score(j3, p6, (imp, 5))
        legacy_team_member(p6, j3)  # data of the code before issue 18

        ranking = call_as(world.admin, "challenge_ranking", id=s.challenge["id"])
        got = [
            (r["project"]["id"], r["rank"], r["score_rank"], r["score"], r["jurors"])
            for r in ranking["results"]
        ]
        assert got == [
            (p3["id"], 1, 1, 76.6667, 3),
            (p1["id"], 2, 1, 76.6667, 2),
            (p2["id"], 3, 1, 76.6667, 2),
            (p4["id"], 4, 4, 55.5556, 3),
            (p6["id"], 5, 5, 0.0, 1),
            (p5["id"], 6, 6, None, 0),
        ]
        assert ranking["count"] == 6
        by_id = {r["project"]["id"]: r for r in ranking["results"]}
        assert by_id[p1["id"]]["criteria"] == {imp["id"]: 4.0, data["id"]: 7.0}
        assert by_id[p4["id"]]["criteria"] == {imp["id"]: 1.6667, data["id"]: 10.0}
        assert by_id[p5["id"]]["criteria"] == {}
        assert [c["name"] for c in ranking["criteria"]] == ["Impact", "Data use"]
        # paging
        page = call_as(world.admin, "challenge_ranking", id=s.challenge["id"], limit=2, offset=2)
        assert [r["project"]["id"] for r in page["results"]] == [p2["id"], p4["id"]]
        assert page["count"] == 6
        assert (
            call_as(world.admin, "challenge_ranking", id=s.challenge["id"], offset=10)["count"] == 6
        )

    def test_title_breaks_the_last_tie(self, world, challenge_factory):
        s = _scenario(world, challenge_factory, projects=0)
        moment = s.deadline - 25 * DAY
        beta = _submitted(world.user, s.challenge, "beta routes", moment)
        alpha = _submitted(world.user, s.challenge, "Alpha routes", moment)
        ranking = call_as(world.admin, "challenge_ranking", id=s.challenge["id"])
        assert [r["project"]["id"] for r in ranking["results"]] == [alpha["id"], beta["id"]]

    def test_withdrawn_projects_leave_the_ranking(self, world, challenge_factory):
        s = _scenario(world, challenge_factory, projects=2)
        _score(s.jurors[0], s.projects[1], (s.impact, 5))
        call_as(world.admin, "project_withdraw", id=s.projects[1]["id"])
        ranking = call_as(world.admin, "challenge_ranking", id=s.challenge["id"])
        assert [r["project"]["id"] for r in ranking["results"]] == [s.projects[0]["id"]]

    def test_one_query(self, world, s):
        _score(s.jurors[0], s.project, (s.impact, 4))
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        engine = model.Session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            model.Session.execute(jury_actions.ranking_query(s.challenge["id"])).all()
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert len(statements) == 1
        assert "datathon_score" in statements[0]


# -- concurrency -----------------------------------------------------------------------------


def _run_threads(targets):
    model.Session.remove()
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []

    def run(call):
        barrier.wait()
        try:
            call()
            outcomes.append("ok")
        except Exception as e:  # pragma: no cover - reported below
            outcomes.append(repr(e))
        finally:
            model.Session.remove()  # this thread's own session and connection

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def _threaded_score(juror, project, criterion_id, score):
    return lambda: helpers.call_action(
        "project_score",
        context={"user": juror["name"], "ignore_auth": False},
        project=project["id"],
        scores=[{"criterion": criterion_id, "score": score, "comment": f"try {score}"}],
    )


class TestConcurrency:
    def test_eight_threads_score_the_same_triple(self, world, s):
        juror = s.jurors[0]
        outcomes = _run_threads(
            [_threaded_score(juror, s.project, s.data_use["id"], n) for n in range(8)]
        )
        assert outcomes == ["ok"] * 8, outcomes
        rows = _rows()
        assert len(rows) == 1
        assert rows[0].score in range(8)
        assert rows[0].comment == f"try {rows[0].score}"

    def test_eight_threads_score_different_criteria(self, world, s):
        juror = s.jurors[0]
        criteria = [
            call_as(
                world.admin,
                "challenge_criterion_create",
                challenge=s.challenge["id"],
                name=f"C{n}",
                max_score=10,
            )
            for n in range(8)
        ]
        outcomes = _run_threads(
            [_threaded_score(juror, s.project, c["id"], n) for n, c in enumerate(criteria)]
        )
        assert outcomes == ["ok"] * 8, outcomes
        got = {r.criterion_id: r.score for r in _rows()}
        assert got == {c["id"]: n for n, c in enumerate(criteria)}

    def test_eight_jurors_score_at_once(self, world, challenge_factory):
        s = _scenario(world, challenge_factory, jurors=8)
        outcomes = _run_threads(
            [_threaded_score(j, s.project, s.impact["id"], n % 6) for n, j in enumerate(s.jurors)]
        )
        assert outcomes == ["ok"] * 8, outcomes
        assert sorted(r.score for r in _rows()) == sorted(n % 6 for n in range(8))


# -- junk input -----------------------------------------------------------------------------


JUNK = [None, "", ["x"], {"a": 1}, "a\x00b", 5, "no-such-thing"]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize(
    ("action", "key"),
    [
        ("challenge_juror_add", "id"),
        ("challenge_juror_remove", "id"),
        ("challenge_juror_list", "id"),
        ("challenge_criterion_create", "challenge_id"),
        ("challenge_criterion_update", "id"),
        ("challenge_criterion_delete", "id"),
        ("challenge_criterion_list", "id"),
        ("project_score", "project"),
        ("project_score_list", "project"),
        ("project_recuse", "project"),
        ("challenge_ranking", "id"),
        ("challenge_award_create", "challenge_id"),
        ("challenge_award_delete", "id"),
        ("challenge_award_list", "id"),
        ("challenge_results_publish", "id"),
    ],
)
def test_junk_is_never_a_server_error(world, action, key, junk):
    data = {} if junk is None else {key: junk}
    with pytest.raises((tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized)):
        call_as(world.sysadmin, action, **data)


def test_junk_body_is_a_validation_error(world, s):
    for action in ("project_score", "challenge_criterion_create", "challenge_award_create"):
        with pytest.raises((tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound)):
            helpers.call_action(action, context={"user": world.sysadmin["name"]}, junk=object())
    with pytest.raises(tk.ValidationError):
        jury_actions.project_score(
            {"user": s.jurors[0]["name"], "model": model, "ignore_auth": True}, ["not a dict"]
        )


# -- auth matrix ------------------------------------------------------------------------------


class TestAuthMatrix:
    def _expect(self, roles, allowed, auth, **data):
        results = {role: auth_as(user, auth, **data) for role, user in roles.items()}
        assert {role for role, ok in results.items() if ok} == allowed, (auth, results)

    def test_every_jury_action(self, world, s):
        roles = {**world.roles, "juror": s.jurors[0]}
        cid = s.challenge["id"]
        award = call_as(
            world.admin, "challenge_award_create", challenge=cid, project=s.project["id"], rank=1
        )
        organizers = ORGANIZERS
        matrix = [
            ("challenge_juror_add", {"id": cid, "user": world.user["name"]}, organizers),
            ("challenge_juror_remove", {"id": cid, "user": s.jurors[1]["name"]}, organizers),
            ("challenge_juror_list", {"id": cid}, organizers | {"juror"}),
            ("challenge_criterion_create", {"challenge": cid, "name": "X"}, organizers),
            ("challenge_criterion_update", {"id": s.impact["id"]}, organizers),
            ("challenge_criterion_delete", {"id": s.impact["id"]}, organizers),
            ("challenge_criterion_list", {"id": cid}, EVERYONE | {"juror"}),
            # only jurors score and recuse: sysadmins and organizers too must be appointed
            ("project_score", {"project": s.project["id"]}, {"juror"}),
            ("project_recuse", {"project": s.project["id"]}, {"juror"}),
            ("project_score_list", {"id": s.project["id"]}, organizers | {"juror"}),
            ("challenge_ranking", {"id": cid}, organizers),
            ("challenge_award_list", {"id": cid}, organizers),
            ("challenge_award_create", {"challenge": cid}, organizers),
            ("challenge_award_delete", {"id": award["id"]}, organizers),
            ("challenge_results_publish", {"id": cid}, organizers),
            ("challenge_results_history", {"id": cid}, organizers),
            ("challenge_results_retract", {"id": cid}, {"sysadmin"}),
            # reads (issue 20 §3): whoever reads the challenge, its jurors, its organizers
            ("challenge_jury_status", {"id": cid}, EVERYONE | {"juror"}),
            ("challenge_juror_queue", {"id": cid}, {"juror"}),
            ("challenge_jury_progress", {"id": cid}, organizers),
            ("challenge_scores_export", {"id": cid}, organizers),
            ("challenge_projects_export", {"id": cid}, EVERYONE | {"juror"}),
            ("project_winner_awards", {"ids": [s.project["id"]]}, EVERYONE | {"juror"}),
        ]
        assert {name for name, _d, _a in matrix} == set(jury_actions.__all__)
        for auth, data, allowed in matrix:
            self._expect(roles, allowed, auth, **data)

    def test_the_team_lead_cannot_score_even_as_juror(self, world, s):
        # a team member is never appointed (issue 18) ...
        with pytest.raises(tk.ValidationError):
            call_as(
                world.admin,
                "challenge_juror_add",
                id=s.challenge["id"],
                user=world.user["name"],
            )
        # ... but a portal upgraded from older code may hold such a juror
        model.Session.add(
            Juror(challenge_id=s.challenge["id"], user_id=world.user["id"], created=now())
        )
        model.Session.commit()
        assert not auth_as(world.user, "project_score", project=s.project["id"])
        assert auth_as(world.user, "project_recuse", project=s.project["id"])

    def test_draft_challenge_jury_is_for_organizers(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        roles = world.roles
        for auth in (
            "challenge_juror_add",
            "challenge_juror_list",
            "challenge_ranking",
            "challenge_results_publish",
        ):
            self._expect(roles, ORGANIZERS, auth, id=draft["id"], user=world.user["name"])
        self._expect(roles, ORGANIZERS, "challenge_criterion_list", id=draft["id"])

    def test_another_organizations_admin_is_an_outsider(self, world, s):
        criterion = model.Session.get(Criterion, s.impact["id"])
        assert criterion is not None
        assert not auth_as(world.outsider_admin, "challenge_criterion_update", id=criterion.id)
        assert not auth_as(world.outsider_admin, "challenge_juror_add", id=s.challenge["id"])


# -- factories and scale ----------------------------------------------------------------------


class TestFactories:
    def test_juror_and_criterion_factories(self, world, juror_factory, criterion_factory):
        juror = juror_factory()
        listed = helpers.call_action("challenge_juror_list", id=juror["challenge_id"])
        assert [j["user_id"] for j in listed["results"]] == [juror["user_id"]]
        criterion = criterion_factory(challenge=juror["challenge_id"], weight=3)
        assert criterion["weight"] == 3.0
        assert criterion["max_score"] == 5


class TestRankingScale:
    def test_30_jurors_100_projects_5_criteria_in_one_query(self, world, challenge_factory):
        """The issue's benchmark: prints the ranking's time beside a package_search."""
        import random
        import time
        import uuid

        from ckanext.datathon.model import Project

        challenge = challenge_factory(owner_org=world.org["id"])
        cid = challenge["id"]
        moment = now()
        packages = [
            model.Package(
                id=str(uuid.uuid4()),
                name=f"bench-project-{n:03d}",
                title=f"Bench project {n:03d}",
                type="project",
                state="active",
                private=False,
                owner_org=world.org["id"],
            )
            for n in range(100)
        ]
        users = [
            model.User(id=str(uuid.uuid4()), name=f"bench-juror-{n:02d}", email=f"j{n}@example.org")
            for n in range(30)
        ]
        model.Session.add_all([*packages, *users])
        model.Session.flush()
        model.Session.execute(
            sa.insert(Project),
            [
                {
                    "package_id": p.id,
                    "challenge_id": cid,
                    "submission_status": "submitted",
                    "submitted_at": moment - n * SECOND,
                    "created": moment,
                    "modified": moment,
                }
                for n, p in enumerate(packages)
            ],
        )
        model.Session.execute(
            sa.insert(Juror), [{"challenge_id": cid, "user_id": u.id} for u in users]
        )
        criteria = [
            {
                "id": str(uuid.uuid4()),
                "challenge_id": cid,
                "name": f"C{n}",
                "weight": n + 1,
                "max_score": 5 + n,
                "position": n,
            }
            for n in range(5)
        ]
        model.Session.execute(sa.insert(Criterion), criteria)
        rng = random.Random(7)
        model.Session.execute(
            sa.insert(Score),
            [
                {
                    "project_id": p.id,
                    "juror_user_id": u.id,
                    "criterion_id": c["id"],
                    "challenge_id": cid,
                    "score": rng.randint(0, c["max_score"]),
                }
                for p in packages
                for u in users
                for c in criteria
            ],
        )
        model.Session.commit()
        model.Session.execute(sa.text("ANALYZE datathon_score"))

        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        engine = model.Session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            started = time.perf_counter()
            ranking = helpers.call_action("challenge_ranking", id=cid, limit=1000)
            ranking_time = time.perf_counter() - started
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        helpers.call_action("package_search", q="*:*", rows=20)
        search_time = time.perf_counter() - started
        print(  # noqa: T201
            f"\nchallenge_ranking (30 jurors x 100 projects x 5 criteria = 15000 scores): "
            f"{ranking_time * 1000:.1f} ms; package_search: {search_time * 1000:.1f} ms"
        )
        assert ranking["count"] == 100
        assert [r["rank"] for r in ranking["results"]] == list(range(1, 101))
        assert all(r["jurors"] == 30 for r in ranking["results"])
        scores = [r["score"] for r in ranking["results"]]
        assert scores == sorted(scores, reverse=True)
        assert len([s for s in statements if "datathon_score" in s]) == 1
        assert ranking_time < 5
