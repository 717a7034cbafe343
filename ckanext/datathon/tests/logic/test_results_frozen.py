"""Frozen results (issue 18 §2): the snapshot stored at publication, what
readers get afterwards, what is refused, the publication lock, retraction
and history.  Each "refused" test passed on the old code (the change went
through and the published ranking changed)."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon import jury_queries
from ckanext.datathon.logic.visibility import Viewer
from ckanext.datathon.model import Award, ResultsSnapshot
from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import call_as, iso, now
from ckanext.datathon.tests.jury_scenario import DAY, scenario
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


def _score(user, project, *entries):
    return call_as(
        user,
        "project_score",
        project=project["id"],
        scores=[{"criterion": c["id"], "score": v} for c, v in entries],
    )


@pytest.fixture
def s(world, challenge_factory):
    """Two submitted projects (the first led by ``world.user`` with a second
    member), both scored by two jurors, the first ahead with prize 1."""

    def build():
        s = scenario(world, challenge_factory, projects=2, jurors=2)
        s.member = add_team_member(s.projects[0], factories.User(fullname="Ada Member"))
        for juror in s.jurors:
            _score(juror, s.projects[0], (s.impact, 5), (s.data_use, 9))
            _score(juror, s.projects[1], (s.impact, 2), (s.data_use, 3))
        call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.projects[0]["id"],
            rank=1,
            citation="Best of all",
        )
        return s

    return built_over("world", "test_results_frozen.s", build)


def _publish(world, s):
    return call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])


def _public_view(s):
    """What an anonymous reader gets: ranking and awards."""
    ranking = call_as(None, "challenge_ranking", id=s.challenge["id"])
    awards = call_as(None, "challenge_award_list", id=s.challenge["id"])
    return (
        [
            (r["rank"], r["project"]["id"], r["project"]["title"], r["score"])
            for r in ranking["results"]
        ],
        [
            (a["rank"], a["project"]["id"], a["project"]["title"], a["prize"])
            for a in awards["results"]
        ],
    )


def _refused(user, action, key, /, **data):
    with pytest.raises(tk.ValidationError) as caught:
        call_as(user, action, **data)
    assert key in caught.value.error_dict, caught.value.error_dict
    return " ".join(str(m) for m in caught.value.error_dict[key])


# -- the snapshot ---------------------------------------------------------------------------


class TestSnapshot:
    def test_publication_stores_the_snapshot(self, world, s):
        published = _publish(world, s)
        assert published["version"] == 1
        rows = list(model.Session.scalars(sa.select(ResultsSnapshot)))
        assert len(rows) == 1
        snap = rows[0]
        assert snap.challenge_id == s.challenge["id"]
        assert snap.origin == "publication"
        assert snap.published_by == world.admin["id"]
        assert snap.retracted is None
        ranking = snap.payload["ranking"]
        assert [e["project"]["id"] for e in ranking] == [p["id"] for p in s.projects]
        first = ranking[0]
        assert first["criteria"] == {s.impact["id"]: 5.0, s.data_use["id"]: 9.0}
        assert first["team"][0] == world.user["id"]  # the leader first
        assert set(first["team"]) == {world.user["id"], s.member["id"]}
        assert first["award"]["rank"] == 1
        assert [a["project"]["title"] for a in snap.payload["awards"]] == ["Project 0"]
        assert snap.payload["prizes"][0] == {
            "rank": 1,
            "title": "First prize",
            "amount": "1000.00",
            "currency": "USD",
        }
        assert [c["name"] for c in snap.payload["criteria"]] == ["Impact", "Data use"]

    def test_publishing_again_while_published_changes_nothing(self, world, s):
        first = _publish(world, s)
        again = _publish(world, s)
        assert again == first
        assert (
            model.Session.execute(sa.select(sa.func.count()).select_from(ResultsSnapshot)).scalar()
            == 1
        )

    def test_readers_get_the_snapshot_with_current_display_names(self, world, s):
        _publish(world, s)
        call_as(world.sysadmin, "user_patch", id=s.member["id"], fullname="Ada Renamed")
        ranking = call_as(world.outsider_admin, "challenge_ranking", id=s.challenge["id"])
        assert ranking["live"] is False
        assert ranking["version"] == 1
        team = ranking["results"][0]["team"]
        assert {m["display_name"] for m in team} == {
            world.user["fullname"] or world.user["name"],
            "Ada Renamed",
        }
        # ckan.auth.public_user_details is off (CKAN's default): no names for anonymous
        anonymous = call_as(None, "challenge_ranking", id=s.challenge["id"])
        assert anonymous["results"][0]["team"] == []

    def test_a_purged_winner_stays_in_the_published_results(self, world, s):
        _publish(world, s)
        before = _public_view(s)
        # (core's dataset_purge alone fails on the team's rows: the chained one removes them)
        call_as(world.sysadmin, "dataset_purge", id=s.projects[0]["id"])
        assert model.Session.get(model.Package, s.projects[0]["id"]) is None
        assert _public_view(s) == before
        assert len(list(model.Session.scalars(sa.select(ResultsSnapshot)))) == 1
        # organizers may still see the live ranking, labelled
        live = call_as(world.admin, "challenge_ranking", id=s.challenge["id"], live=True)
        assert live["live"] is True
        assert [r["project"]["id"] for r in live["results"]] == [s.projects[1]["id"]]

    def test_live_changes_do_not_reach_readers(self, world, s):
        """Whatever changes behind the actions' back (here an award row and a
        prize row edited in SQL), readers, badges and the CSV keep the
        snapshot."""
        _publish(world, s)
        before = _public_view(s)
        model.Session.execute(sa.delete(Award))
        model.Session.execute(sa.text("UPDATE datathon_prize SET amount = 1, currency = 'EUR'"))
        model.Session.commit()
        assert _public_view(s) == before
        badges = jury_queries.winner_awards([s.projects[0]["id"], s.projects[1]["id"]])
        assert set(badges) == {s.projects[0]["id"]}
        assert badges[s.projects[0]["id"]]["amount"] == "1000.00"
        batches = list(
            jury_queries.project_batches(s.challenge["id"], Viewer(None, False), with_awards=True)
        )
        awards = {row["id"]: row["award"] for batch in batches for row in batch}
        assert awards == {s.projects[0]["id"]: "First prize", s.projects[1]["id"]: ""}

    def test_only_organizers_see_the_live_ranking(self, world, s):
        _publish(world, s)
        for user in (None, world.user, world.member):
            with pytest.raises(tk.NotAuthorized):
                call_as(user, "challenge_ranking", id=s.challenge["id"], live=True)
            with pytest.raises(tk.NotAuthorized):
                call_as(user, "challenge_ranking", id=s.challenge["id"], version=1)
        assert call_as(world.editor, "challenge_ranking", id=s.challenge["id"], live=True)["live"]


# -- refused after publication --------------------------------------------------------------


class TestRefusedAfterPublication:
    def test_a_winner_cannot_be_withdrawn(self, world, s):
        _publish(world, s)
        before = _public_view(s)
        for user in (world.editor, world.admin, world.sysadmin):
            message = _refused(user, "project_withdraw", "id", id=s.projects[0]["id"])
            assert "published" in message
        assert _public_view(s) == before

    def test_a_winner_cannot_be_deleted(self, world, s):
        _publish(world, s)
        before = _public_view(s)
        _refused(world.sysadmin, "package_delete", "id", id=s.projects[0]["id"])
        _refused(world.sysadmin, "package_patch", "state", id=s.projects[0]["id"], state="deleted")
        _refused(
            world.sysadmin,
            "bulk_update_delete",
            "datasets",
            org_id=world.org["id"],
            datasets=[s.projects[0]["id"]],
        )
        assert _public_view(s) == before

    def test_a_juror_cannot_be_added_to_a_team(self, world, s):
        _publish(world, s)
        before = _public_view(s)
        juror = s.jurors[0]
        _refused(
            world.admin,
            "project_member_add",
            "user",
            id=s.projects[1]["id"],
            user=juror["name"],
        )
        _refused(
            world.sysadmin,
            "package_collaborator_create",
            "user_id",
            id=s.projects[1]["id"],
            user_id=juror["id"],
            capacity="editor",
        )
        _refused(
            world.admin,
            "project_member_remove",
            "user",
            id=s.projects[0]["id"],
            user=s.member["name"],
        )
        # nor does the leader role move (teams are part of the snapshot)
        _refused(
            world.admin,
            "project_leader_set",
            "user",
            id=s.projects[0]["id"],
            user=s.member["name"],
        )
        assert _public_view(s) == before
        live = call_as(world.admin, "challenge_ranking", id=s.challenge["id"], live=True)
        assert [r["jurors"] for r in live["results"]] == [2, 2]

    def test_past_dates_cannot_move(self, world, s):
        _publish(world, s)
        moves = {
            "registration_opens": iso(s.deadline - 35 * DAY),
            "registration_closes": iso(s.deadline - DAY),
            "submission_deadline": iso(now() + DAY),  # reopening submission
        }
        for name, value in moves.items():
            message = _refused(
                world.admin, "challenge_patch", name, id=s.challenge["id"], **{name: value}
            )
            assert "past" in message
        # judging_closes is still ahead in this scenario; results_date may always move
        call_as(
            world.admin,
            "challenge_patch",
            id=s.challenge["id"],
            judging_closes=iso(now() + 20 * DAY),
            results_date=iso(now() + 21 * DAY),
        )
        # the deadline did not move: teams still cannot withdraw
        with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
            call_as(world.user, "project_withdraw", id=s.projects[0]["id"])

    def test_prizes_cannot_be_rewritten(self, world, s):
        _publish(world, s)
        before = _public_view(s)
        prizes = call_as(world.admin, "challenge_show", id=s.challenge["id"])["prizes"]
        keep = [
            {k: p[k] for k in ("rank", "title", "amount", "currency", "description")}
            for p in prizes
        ]
        for changed in (
            [{"rank": 1, "title": "Mention", "amount": "0"}],
            [{**keep[0], "amount": "5"}, keep[1]],
            [{**keep[0], "currency": "EUR"}, keep[1]],
            [{**keep[0], "rank": 3}, keep[1]],
            [*keep, {"rank": 3, "title": "Extra"}],
        ):
            message = _refused(
                world.admin, "challenge_patch", "prizes", id=s.challenge["id"], prizes=changed
            )
            assert "published" in message
        # a title or a description may still be corrected
        call_as(
            world.admin,
            "challenge_patch",
            id=s.challenge["id"],
            prizes=[{**keep[0], "description": "Fixed typo"}, keep[1]],
        )
        assert _public_view(s) == before

    def test_scores_and_awards_are_refused(self, world, s):
        _publish(world, s)
        _refused(
            s.jurors[0],
            "project_score",
            "project",
            project=s.projects[1]["id"],
            scores=[{"criterion": s.impact["id"], "score": 5}],
        )
        _refused(
            world.admin,
            "challenge_award_create",
            "rank",
            challenge=s.challenge["id"],
            project=s.projects[1]["id"],
            rank=2,
        )


# -- retraction and history -----------------------------------------------------------------


class TestRetraction:
    def test_only_sysadmins_retract(self, world, s):
        _publish(world, s)
        for user in (world.admin, world.editor, world.user, None):
            with pytest.raises(tk.NotAuthorized):
                call_as(user, "challenge_results_retract", id=s.challenge["id"])

    def test_retract_then_republish_keeps_the_history(self, world, s):
        _publish(world, s)
        done = call_as(
            world.sysadmin, "challenge_results_retract", id=s.challenge["id"], reason="A mistake"
        )
        assert done["version"] == 1
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "challenge_ranking", id=s.challenge["id"])
        _refused(world.sysadmin, "challenge_results_retract", "id", id=s.challenge["id"])
        # the organizers may change things again
        call_as(world.admin, "project_withdraw", id=s.projects[1]["id"])
        again = _publish(world, s)
        assert again["version"] == 2
        history = call_as(world.admin, "challenge_results_history", id=s.challenge["id"])
        assert [h["version"] for h in history["results"]] == [2, 1]
        assert history["results"][0]["retracted"] is None
        assert history["results"][1]["retracted"] is not None
        assert history["results"][1]["retracted_by"] == world.sysadmin["id"]
        public = call_as(None, "challenge_ranking", id=s.challenge["id"])
        assert public["version"] == 2
        assert [r["project"]["id"] for r in public["results"]] == [s.projects[0]["id"]]
        older = call_as(world.admin, "challenge_ranking", id=s.challenge["id"], version=1)
        assert older["retracted"] is not None
        assert len(older["results"]) == 2
        one = call_as(world.admin, "challenge_results_history", id=s.challenge["id"], version=1)
        assert len(one["payload"]["ranking"]) == 2
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "challenge_results_history", id=s.challenge["id"])

    def test_retraction_is_in_the_activity_stream(self, world, s):
        _publish(world, s)
        call_as(world.sysadmin, "challenge_results_retract", id=s.challenge["id"], reason="Why")
        activities = call_as(world.sysadmin, "organization_activity_list", id=world.org["id"])
        retracted = [a for a in activities if a["activity_type"] == "retracted challenge results"]
        assert len(retracted) == 1
        assert retracted[0]["data"]["reason"] == "Why"
        assert retracted[0]["data"]["challenge"]["id"] == s.challenge["id"]
        assert retracted[0]["user_id"] == world.sysadmin["id"]


# -- the publication lock -------------------------------------------------------------------


class TestPublicationLock:
    def test_a_score_in_flight_is_in_the_snapshot_or_refused(self, world, s):
        """A juror's transaction passed the "not published" check and wrote
        its score, but has not committed when the organizer publishes: the
        publication waits for it, so the snapshot has the score.  (Before,
        the publication committed first and the score landed after it.)"""
        cid, juror, project = s.challenge["id"], s.jurors[0]["name"], s.projects[1]["id"]
        admin = world.admin["name"]
        model.Session.remove()
        written = threading.Event()
        outcomes: dict[str, str] = {}

        def score() -> None:
            try:
                helpers.call_action(
                    "project_score",
                    context={"user": juror, "ignore_auth": False, "defer_commit": True},
                    project=project,
                    scores=[{"criterion": s.impact["id"], "score": 0}],
                )
                written.set()
                time.sleep(1.0)
                model.repo.commit()
                outcomes["score"] = "ok"
            except Exception as e:  # pragma: no cover - reported below
                written.set()
                outcomes["score"] = repr(e)
            finally:
                model.Session.remove()

        def publish() -> None:
            written.wait(30)
            try:
                helpers.call_action("challenge_results_publish", context={"user": admin}, id=cid)
                outcomes["publish"] = "ok"
            except Exception as e:  # pragma: no cover - reported below
                outcomes["publish"] = repr(e)
            finally:
                model.Session.remove()

        threads = [threading.Thread(target=score), threading.Thread(target=publish)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert outcomes == {"score": "ok", "publish": "ok"}, outcomes
        snap = model.Session.scalars(sa.select(ResultsSnapshot)).one()
        entry = next(e for e in snap.payload["ranking"] if e["project"]["id"] == project)
        assert entry["criteria"][s.impact["id"]] == 1.0  # mean of 0 and 2
        live = call_as(world.admin, "challenge_ranking", id=cid, live=True)
        assert [(r["project"]["id"], r["score"]) for r in live["results"]] == [
            (e["project"]["id"], e["score"]) for e in snap.payload["ranking"]
        ]

    def test_concurrent_scores_and_publication_agree(self, world, s):
        """Eight jurors' scores race a publication: every score either is in
        the snapshot or was refused; the snapshot equals the ranking of what
        was committed."""
        cid = s.challenge["id"]
        for _ in range(6):
            user = factories.User()
            call_as(world.admin, "challenge_juror_add", id=cid, user=user["name"])
            s.jurors.append(user)
        model.Session.remove()
        barrier = threading.Barrier(len(s.jurors) + 1)
        outcomes: list[str] = []

        def run(call) -> None:
            barrier.wait()
            try:
                call()
                outcomes.append("ok")
            except tk.ValidationError:
                outcomes.append("refused")
            except Exception as e:  # pragma: no cover - reported below
                outcomes.append(repr(e))
            finally:
                model.Session.remove()

        calls = [
            lambda j=j: helpers.call_action(
                "project_score",
                context={"user": j["name"], "ignore_auth": False},
                project=s.projects[1]["id"],
                scores=[{"criterion": s.impact["id"], "score": 5}],
            )
            for j in s.jurors
        ]
        calls.append(
            lambda: helpers.call_action(
                "challenge_results_publish", context={"user": world.admin["name"]}, id=cid
            )
        )
        threads = [threading.Thread(target=run, args=(c,)) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert set(outcomes) <= {"ok", "refused"}, outcomes
        snap = model.Session.scalars(sa.select(ResultsSnapshot)).one()
        live = call_as(world.admin, "challenge_ranking", id=cid, live=True)
        assert [(r["project"]["id"], r["score"], r["jurors"]) for r in live["results"]] == [
            (e["project"]["id"], e["score"], e["jurors"]) for e in snap.payload["ranking"]
        ]
