"""The ideathon: ideas, votes (also concurrent), deletion rights, adoption,
data gaps, the ideathon window, junk input, sort orders, paging, the number
of queries of a listing and the auth matrix of every ideathon action."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.model import DataGap, Idea, IdeaVote, Stage
from ckanext.datathon.tests.helpers import auth_as, call_as, iso, now
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

DAY = dt.timedelta(days=1)
ORGANIZERS = {"sysadmin", "admin", "editor"}
REGISTERED = ORGANIZERS | {"member", "other_org_admin", "user"}
EVERYONE = REGISTERED | {"anonymous"}


@pytest.fixture
def challenge(world, published_challenge_factory):
    def build():
        return published_challenge_factory(owner_org=world.org["id"])

    return built_over("world", "test_ideas.challenge", build)


@pytest.fixture
def draft(world, challenge_factory):
    return challenge_factory(owner_org=world.org["id"])


def _idea(user, challenge, title="Safer bus stops", **extra):
    return call_as(user, "challenge_idea_create", challenge=challenge["id"], title=title, **extra)


def _list(user, challenge, **extra):
    return call_as(user, "challenge_idea_list", id=challenge["id"], **extra)


def _votes(idea_id: str) -> int:
    return model.Session.execute(
        sa.select(sa.func.count()).where(IdeaVote.idea_id == idea_id)
    ).scalar_one()


def _expect(world, allowed: set[str], auth: str, **data) -> None:
    results = {role: auth_as(user, auth, **data) for role, user in world.roles.items()}
    assert {role for role, ok in results.items() if ok} == allowed, results


def _race(calls: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """Run ``{key: (action, user name, idea id)}`` at once, one thread (own
    context, session and connection) each; the outcome of each key."""
    model.Session.remove()
    barrier = threading.Barrier(len(calls))
    outcomes: dict[str, str] = {}

    def run(key: str, action: str, user: str, idea_id: str) -> None:
        barrier.wait()
        try:
            helpers.call_action(action, context={"user": user, "ignore_auth": False}, id=idea_id)
            outcomes[key] = "ok"
        except tk.NotAuthorized:
            outcomes[key] = "refused"
        except tk.ObjectNotFound:
            outcomes[key] = "not found"
        except Exception as e:  # pragma: no cover - reported by the caller
            outcomes[key] = repr(e)
        finally:
            model.Session.remove()

    threads = [threading.Thread(target=run, args=(key, *call)) for key, call in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


# -- proposing ----------------------------------------------------------------------------


class TestCreate:
    def test_registered_user_proposes_with_data_gaps(self, world, challenge):
        idea = _idea(
            world.user,
            challenge,
            description="  Lighting and cameras at night stops  ",
            data_gaps=[
                {"title": "Bus stop lighting", "holder": "Public works"},
                {"title": "Night ridership", "description": "By hour", "holder": ""},
            ],
        )
        assert idea["title"] == "Safer bus stops"
        assert idea["description"] == "Lighting and cameras at night stops"
        assert idea["author"]["name"] == world.user["name"]
        assert idea["vote_count"] == 0
        assert idea["adopted"] is None
        assert [g["title"] for g in idea["data_gaps"]] == ["Bus stop lighting", "Night ridership"]
        assert [g["position"] for g in idea["data_gaps"]] == [0, 1]
        stored = model.Session.get(Idea, idea["id"])
        assert stored.user_id == world.user["id"]
        assert stored.challenge_id == challenge["id"]
        gaps = model.Session.scalars(
            sa.select(DataGap).where(DataGap.idea_id == idea["id"]).order_by(DataGap.position)
        ).all()
        assert [(g.holder, g.challenge_id) for g in gaps] == [
            ("Public works", challenge["id"]),
            ("", challenge["id"]),
        ]

    def test_by_challenge_name(self, world, challenge):
        idea = call_as(
            world.user, "challenge_idea_create", challenge=challenge["name"], title="By name"
        )
        assert idea["challenge_id"] == challenge["id"]

    def test_anonymous_cannot_propose(self, challenge):
        with pytest.raises(tk.NotAuthorized):
            _idea(None, challenge)
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0

    def test_draft_challenge_is_not_found_for_outsiders(self, world, draft):
        for user in (world.user, world.member, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                _idea(user, draft)
        # its organizers may seed ideas before publishing
        assert _idea(world.editor, draft)["challenge_id"] == draft["id"]

    def test_unknown_challenge(self, world):
        for ref in ("no-such-challenge", "", None, 5, ["x"], "a\x00b"):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(world.user, "challenge_idea_create", challenge=ref, title="T")
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(world.sysadmin, "challenge_idea_create", challenge=ref, title="T")


JUNK = [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": ["a", "list"]}, "title"),
    ({"title": {"an": "object"}}, "title"),
    ({"title": "NUL \x00 inside"}, "title"),
    ({"title": "T", "description": "d" * 5001}, "description"),
    ({"title": "T", "data_gaps": "not a list"}, "data_gaps"),
    ({"title": "T", "data_gaps": {"title": "an object"}}, "data_gaps"),
    ({"title": "T", "data_gaps": ["a string"]}, "data_gaps"),
    ({"title": "T", "data_gaps": [{"title": f"Gap {n}"} for n in range(11)]}, "data_gaps"),
    ({"title": "T", "data_gaps": [{"description": "no title"}]}, "data_gaps"),
    ({"title": "T", "data_gaps": [{"title": "G", "holder": "h" * 201}]}, "data_gaps"),
    ({"title": "T", "data_gaps": [{"title": ["x"]}]}, "data_gaps"),
]


class TestJunk:
    @pytest.mark.parametrize(("data", "field"), JUNK)
    def test_create_refuses_junk_with_a_field_error(self, world, challenge, data, field):
        with pytest.raises(tk.ValidationError) as error:
            call_as(world.user, "challenge_idea_create", challenge=challenge["id"], **data)
        assert field in error.value.error_dict, error.value.error_dict
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0

    def test_ten_gaps_are_accepted(self, world, challenge):
        gaps = [{"title": f"Gap {n}"} for n in range(10)]
        idea = _idea(world.user, challenge, data_gaps=gaps)
        assert len(idea["data_gaps"]) == 10

    def test_non_object_input(self, world):
        with pytest.raises(tk.ValidationError):
            helpers.call_action(
                "challenge_idea_create", context={"user": world.user["name"]}, data_dict=["x"]
            )

    @pytest.mark.parametrize(
        "extra",
        [
            {"sort": "title"},
            {"sort": ["votes"]},
            {"limit": 0},
            {"limit": 101},
            {"limit": "NaN"},
            {"limit": "1e9"},
            {"offset": -1},
            {"offset": "x"},
            {"offset": 10**30},
        ],
    )
    def test_list_refuses_junk(self, world, challenge, extra):
        with pytest.raises(tk.ValidationError) as error:
            _list(world.user, challenge, **extra)
        assert set(error.value.error_dict) <= {"sort", "limit", "offset"}

    @pytest.mark.parametrize("ref", ["no-such-idea", "", None, 7, ["x"], {"a": 1}, "a\x00b"])
    @pytest.mark.parametrize(
        "action",
        [
            "challenge_idea_vote",
            "challenge_idea_unvote",
            "challenge_idea_delete",
            "challenge_idea_adopt",
        ],
    )
    def test_unknown_idea(self, world, action, ref):
        for user in (world.user, world.sysadmin):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(user, action, id=ref)

    def test_adopt_refuses_junk_flag(self, world, challenge):
        idea = _idea(world.user, challenge)
        with pytest.raises(tk.ValidationError) as error:
            call_as(world.admin, "challenge_idea_adopt", id=idea["id"], adopted="perhaps")
        assert "adopted" in error.value.error_dict


# -- votes ----------------------------------------------------------------------------------


class TestVotes:
    def test_double_vote_counts_once(self, world, challenge):
        idea = _idea(world.user, challenge)
        first = call_as(world.member, "challenge_idea_vote", id=idea["id"])
        second = call_as(world.member, "challenge_idea_vote", id=idea["id"])
        assert first == second == {"id": idea["id"], "vote_count": 1, "voted_by_me": True}
        assert _votes(idea["id"]) == 1
        other = call_as(world.editor, "challenge_idea_vote", id=idea["id"])
        assert other["vote_count"] == 2

    def test_anonymous_cannot_vote(self, world, challenge):
        idea = _idea(world.user, challenge)
        for action in ("challenge_idea_vote", "challenge_idea_unvote"):
            with pytest.raises(tk.NotAuthorized):
                call_as(None, action, id=idea["id"])
        assert _votes(idea["id"]) == 0

    def test_unvote(self, world, challenge):
        idea = _idea(world.user, challenge)
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        call_as(world.editor, "challenge_idea_vote", id=idea["id"])
        result = call_as(world.member, "challenge_idea_unvote", id=idea["id"])
        assert result == {"id": idea["id"], "vote_count": 1, "voted_by_me": False}
        # unvoting again (or without a vote) changes nothing
        assert call_as(world.member, "challenge_idea_unvote", id=idea["id"])["vote_count"] == 1
        assert call_as(world.user, "challenge_idea_unvote", id=idea["id"])["vote_count"] == 1
        voters = model.Session.scalars(
            sa.select(IdeaVote.user_id).where(IdeaVote.idea_id == idea["id"])
        ).all()
        assert voters == [world.editor["id"]]

    def test_vote_on_idea_of_draft_challenge_is_not_found(self, world, draft):
        idea = _idea(world.admin, draft)
        for user in (world.user, world.member, world.outsider_admin):
            for action in ("challenge_idea_vote", "challenge_idea_unvote"):
                with pytest.raises(tk.ObjectNotFound):
                    call_as(user, action, id=idea["id"])
        assert _votes(idea["id"]) == 0
        assert call_as(world.editor, "challenge_idea_vote", id=idea["id"])["vote_count"] == 1

    def test_vote_on_idea_of_deleted_challenge_is_not_found(self, world, challenge):
        idea = _idea(world.user, challenge)
        helpers.call_action("challenge_delete", id=challenge["id"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.user, "challenge_idea_vote", id=idea["id"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.admin, "challenge_idea_vote", id=idea["id"])

    def test_ten_concurrent_votes_by_one_user_count_once(self, world, challenge):
        idea = _idea(world.user, challenge)
        voter = world.member["name"]
        model.Session.remove()
        barrier = threading.Barrier(10)
        outcomes: list[object] = []

        def vote() -> None:
            barrier.wait()
            try:
                # each thread: its own context and (scoped) session/connection
                result = helpers.call_action(
                    "challenge_idea_vote",
                    context={"user": voter, "ignore_auth": False},
                    id=idea["id"],
                )
                outcomes.append(result["vote_count"])
            except Exception as e:  # pragma: no cover - reported below
                outcomes.append(repr(e))
            finally:
                model.Session.remove()

        threads = [threading.Thread(target=vote) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert outcomes == [1] * 10, outcomes
        assert _votes(idea["id"]) == 1

    def test_concurrent_votes_of_different_users_all_count(self, world, challenge):
        idea = _idea(world.user, challenge)
        voters = [factories.User()["name"] for _ in range(8)]
        model.Session.remove()
        barrier = threading.Barrier(len(voters))
        outcomes: list[str] = []

        def vote(name: str) -> None:
            barrier.wait()
            try:
                helpers.call_action(
                    "challenge_idea_vote",
                    context={"user": name, "ignore_auth": False},
                    id=idea["id"],
                )
                outcomes.append("ok")
            except Exception as e:  # pragma: no cover - reported below
                outcomes.append(repr(e))
            finally:
                model.Session.remove()

        threads = [threading.Thread(target=vote, args=(n,)) for n in voters]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert outcomes == ["ok"] * 8, outcomes
        assert _votes(idea["id"]) == 8


# -- the ideathon window ------------------------------------------------------------------


def _ideathon(challenge_id: str, starts: dt.datetime, ends: dt.datetime) -> None:
    """Give the challenge an ideathon stage (as the organizers' timeline would)."""
    model.Session.add(
        Stage(challenge_id=challenge_id, stage="ideathon", position=2, starts=starts, ends=ends)
    )
    model.Session.commit()


class TestIdeathonWindow:
    def test_no_new_ideas_or_votes_after_the_ideathon(self, world, challenge):
        idea = _idea(world.user, challenge)
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        _ideathon(challenge["id"], now() - 10 * DAY, now() - DAY)
        with pytest.raises(tk.ValidationError) as error:
            _idea(world.user, challenge, title="Too late")
        assert "ended" in error.value.error_dict["challenge"][0]
        for action in ("challenge_idea_vote", "challenge_idea_unvote"):
            with pytest.raises(tk.ValidationError) as error:
                call_as(world.member, action, id=idea["id"])
            assert "id" in error.value.error_dict
        assert _votes(idea["id"]) == 1
        # organizers are exempt
        assert _idea(world.editor, challenge, title="Late organizer note")["id"]
        assert call_as(world.admin, "challenge_idea_vote", id=idea["id"])["vote_count"] == 2

    def test_the_refusal_names_the_end_in_the_challenge_time_zone(self, world, challenge):
        call_as(world.admin, "challenge_patch", id=challenge["id"], timezone="America/Mexico_City")
        ended = dt.datetime(2024, 3, 1, 0, 30, tzinfo=dt.timezone.utc)
        _ideathon(challenge["id"], ended - 10 * DAY, ended)
        with pytest.raises(tk.ValidationError) as error:
            _idea(world.user, challenge, title="Too late")
        message = error.value.error_dict["challenge"][0]
        assert "2024-02-29 18:30 (America/Mexico_City)" in message

    def test_open_during_the_ideathon(self, world, challenge):
        _ideathon(challenge["id"], now() - DAY, now() + DAY)
        idea = _idea(world.user, challenge)
        assert call_as(world.member, "challenge_idea_vote", id=idea["id"])["vote_count"] == 1
        with freeze_time(now() + 2 * DAY), pytest.raises(tk.ValidationError):
            call_as(world.user, "challenge_idea_vote", id=idea["id"])

    def test_the_timeline_of_the_challenge_sets_the_window(self, world, challenge):
        call_as(
            world.admin,
            "challenge_patch",
            id=challenge["id"],
            timeline=[
                {
                    "stage": "ideathon",
                    "starts": iso(now() - 20 * DAY),
                    "ends": iso(now() - 2 * DAY),
                }
            ],
        )
        with pytest.raises(tk.ValidationError):
            _idea(world.user, challenge)


# -- deletion -------------------------------------------------------------------------------


class TestDelete:
    def test_author_deletes_own_idea_with_its_votes_and_gaps(self, world, challenge):
        idea = _idea(world.user, challenge, data_gaps=[{"title": "G"}])
        call_as(world.user, "challenge_idea_vote", id=idea["id"])  # one's own vote
        call_as(world.user, "challenge_idea_delete", id=idea["id"])
        assert model.Session.get(Idea, idea["id"]) is None
        assert _votes(idea["id"]) == 0
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(DataGap)) == 0

    @pytest.mark.parametrize("role", ["admin", "editor", "sysadmin"])
    def test_organizers_delete_any_idea(self, world, challenge, role):
        idea = _idea(world.user, challenge)
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        call_as(world.admin, "challenge_idea_adopt", id=idea["id"])
        call_as(world.roles[role], "challenge_idea_delete", id=idea["id"])
        assert model.Session.get(Idea, idea["id"]) is None

    @pytest.mark.parametrize("role", ["member", "other_org_admin"])
    def test_other_users_cannot_delete(self, world, challenge, role):
        idea = _idea(world.user, challenge)
        with pytest.raises(tk.NotAuthorized):
            call_as(world.roles[role], "challenge_idea_delete", id=idea["id"])
        assert model.Session.get(Idea, idea["id"]) is not None

    def test_anonymous_cannot_delete(self, world, challenge):
        idea = _idea(world.user, challenge)
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "challenge_idea_delete", id=idea["id"])
        assert model.Session.get(Idea, idea["id"]) is not None

    def test_author_cannot_delete_once_others_voted(self, world, challenge):
        idea = _idea(world.user, challenge)
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        with pytest.raises(tk.NotAuthorized) as error:
            call_as(world.user, "challenge_idea_delete", id=idea["id"])
        assert "voted" in str(error.value)
        # the vote taken back, the idea is only the author's again
        call_as(world.member, "challenge_idea_unvote", id=idea["id"])
        call_as(world.user, "challenge_idea_delete", id=idea["id"])
        assert model.Session.get(Idea, idea["id"]) is None

    def test_author_deleting_while_someone_votes(self, world, challenge):
        """Either the vote lands first and the author may no longer delete, or
        the idea goes first and the vote finds nothing: never a vote counted
        and then silently deleted with the idea."""
        for _round in range(10):  # timing varies: several rounds
            idea = _idea(world.user, challenge)
            outcomes = _race(
                {
                    "vote": ("challenge_idea_vote", world.member["name"], idea["id"]),
                    "delete": ("challenge_idea_delete", world.user["name"], idea["id"]),
                }
            )
            assert outcomes in (
                {"vote": "ok", "delete": "refused"},
                {"vote": "not found", "delete": "ok"},
            ), outcomes
            exists = model.Session.get(Idea, idea["id"]) is not None
            assert exists == (outcomes["vote"] == "ok")
            if exists:
                assert _votes(idea["id"]) == 1

    def test_author_cannot_delete_an_adopted_idea(self, world, challenge):
        idea = _idea(world.user, challenge)
        call_as(world.admin, "challenge_idea_adopt", id=idea["id"])
        with pytest.raises(tk.NotAuthorized):
            call_as(world.user, "challenge_idea_delete", id=idea["id"])

    def test_idea_of_a_draft_is_not_found_for_outsiders(self, world, draft):
        idea = _idea(world.admin, draft)
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.user, "challenge_idea_delete", id=idea["id"])

    def test_list_tells_who_may_delete(self, world, challenge):
        mine = _idea(world.user, challenge, title="Mine")
        voted = _idea(world.user, challenge, title="Voted by others")
        theirs = _idea(world.member, challenge, title="Theirs")
        call_as(world.member, "challenge_idea_vote", id=voted["id"])
        flags = {i["title"]: i["can_delete"] for i in _list(world.user, challenge)["results"]}
        assert flags == {"Mine": True, "Voted by others": False, "Theirs": False}
        organizer = {i["id"]: i["can_delete"] for i in _list(world.editor, challenge)["results"]}
        assert set(organizer.values()) == {True}
        anonymous = {i["id"]: i["can_delete"] for i in _list(None, challenge)["results"]}
        assert set(anonymous.values()) == {False}
        # the flag agrees with the auth function
        for idea in (mine, voted, theirs):
            assert auth_as(world.user, "challenge_idea_delete", id=idea["id"]) == flags.get(
                idea["title"]
            )


# -- adoption -------------------------------------------------------------------------------


class TestAdopt:
    def test_organizers_mark_and_unmark(self, world, challenge):
        idea = _idea(world.user, challenge)
        adopted = call_as(world.editor, "challenge_idea_adopt", id=idea["id"])
        assert adopted["adopted"]
        again = call_as(world.admin, "challenge_idea_adopt", id=idea["id"], adopted=True)
        assert again["adopted"] == adopted["adopted"]  # the first date is kept
        listed = _list(None, challenge)["results"][0]
        assert listed["adopted"] == adopted["adopted"]
        assert call_as(world.admin, "challenge_idea_adopt", id=idea["id"], adopted="false") == {
            "id": idea["id"],
            "adopted": None,
        }
        assert model.Session.get(Idea, idea["id"]).adopted is None

    @pytest.mark.parametrize("role", ["member", "other_org_admin", "user"])
    def test_others_cannot_adopt(self, world, challenge, role):
        idea = _idea(world.user, challenge)
        with pytest.raises(tk.NotAuthorized):
            call_as(world.roles[role], "challenge_idea_adopt", id=idea["id"])
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "challenge_idea_adopt", id=idea["id"])
        assert model.Session.get(Idea, idea["id"]).adopted is None


# -- listing -------------------------------------------------------------------------------


def _three_ideas(world, challenge):
    """Ideas created a day apart (oldest first) with 1, 3 and 0 votes."""
    voters = [factories.User() for _ in range(3)]
    ideas = []
    for n, title in enumerate(["Old", "Popular", "New"]):
        with freeze_time(now() - (3 - n) * DAY):
            ideas.append(_idea(world.user, challenge, title=title))
    for voter in voters[:1]:
        call_as(voter, "challenge_idea_vote", id=ideas[0]["id"])
    for voter in voters:
        call_as(voter, "challenge_idea_vote", id=ideas[1]["id"])
    return ideas, voters


class TestList:
    def test_sort_by_votes_then_newest(self, world, challenge):
        _three_ideas(world, challenge)
        result = _list(None, challenge)
        assert result["count"] == 3
        assert [(i["title"], i["vote_count"]) for i in result["results"]] == [
            ("Popular", 3),
            ("Old", 1),
            ("New", 0),
        ]
        assert _list(None, challenge, sort="votes")["results"] == result["results"]

    def test_sort_by_recent(self, world, challenge):
        _three_ideas(world, challenge)
        titles = [i["title"] for i in _list(None, challenge, sort="recent")["results"]]
        assert titles == ["New", "Popular", "Old"]

    def test_equal_votes_newest_first(self, world, challenge):
        with freeze_time(now() - DAY):
            older = _idea(world.user, challenge, title="Older")
        newer = _idea(world.user, challenge, title="Newer")
        for idea in (older, newer):
            call_as(world.member, "challenge_idea_vote", id=idea["id"])
        assert [i["title"] for i in _list(None, challenge)["results"]] == ["Newer", "Older"]

    def test_paging(self, world, challenge):
        for n in range(7):
            with freeze_time(now() - (10 - n) * DAY):
                _idea(world.user, challenge, title=f"Idea {n}")
        pages = [
            _list(None, challenge, sort="recent", limit=3, offset=offset) for offset in (0, 3, 6, 9)
        ]
        assert [p["count"] for p in pages] == [7, 7, 7, 7]
        assert [[i["title"] for i in p["results"]] for p in pages] == [
            ["Idea 6", "Idea 5", "Idea 4"],
            ["Idea 3", "Idea 2", "Idea 1"],
            ["Idea 0"],
            [],
        ]
        assert _list(None, challenge)["count"] == 7  # default page size 20

    def test_voted_by_me_author_and_gaps(self, world, challenge):
        ideas, voters = _three_ideas(world, challenge)
        call_as(world.admin, "challenge_idea_adopt", id=ideas[2]["id"])
        call_as(
            world.member,
            "challenge_idea_create",
            challenge=challenge["id"],
            title="With gaps",
            data_gaps=[{"title": "B", "holder": "Agency"}, {"title": "A"}],
        )
        by_title = {i["title"]: i for i in _list(voters[0], challenge)["results"]}
        assert by_title["Old"]["voted_by_me"]
        assert by_title["Popular"]["voted_by_me"]
        assert not by_title["New"]["voted_by_me"]
        assert by_title["New"]["adopted"]
        assert by_title["Old"]["adopted"] is None
        assert by_title["With gaps"]["author"]["display_name"] == (
            world.member["fullname"] or world.member["name"]
        )
        assert [(g["title"], g["holder"]) for g in by_title["With gaps"]["data_gaps"]] == [
            ("B", "Agency"),
            ("A", ""),
        ]
        anonymous = _list(None, challenge)["results"]
        assert not any(i["voted_by_me"] for i in anonymous)

    def test_show_is_a_list_item(self, world, challenge):
        idea = _idea(world.user, challenge, data_gaps=[{"title": "G", "holder": "H"}])
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        shown = call_as(world.member, "challenge_idea_show", id=idea["id"])
        assert shown == _list(world.member, challenge)["results"][0]
        assert shown["vote_count"] == 1
        assert shown["voted_by_me"] is True
        assert shown["data_gaps"][0]["holder"] == "H"
        assert call_as(None, "challenge_idea_show", id=idea["id"])["voted_by_me"] is False

    def test_show_of_a_draft_idea_is_not_found_for_outsiders(self, world, draft):
        idea = _idea(world.admin, draft)
        assert call_as(world.editor, "challenge_idea_show", id=idea["id"])["id"] == idea["id"]
        for user in (None, world.user, world.member):
            with pytest.raises(tk.ObjectNotFound):
                call_as(user, "challenge_idea_show", id=idea["id"])
        for ref in ("no-such-idea", "", None, ["x"]):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(world.user, "challenge_idea_show", id=ref)

    def test_draft_ideas_are_for_organizers(self, world, draft):
        _idea(world.admin, draft)
        assert _list(world.editor, draft)["count"] == 1
        for user in (None, world.user, world.member):
            with pytest.raises(tk.ObjectNotFound):
                _list(user, draft)

    def test_a_fixed_number_of_queries_whatever_the_page_size(self, world, challenge):
        def statements_for_listing() -> int:
            statements: list[str] = []

            def record(conn, cursor, statement, *args):
                statements.append(statement)

            engine = model.Session.get_bind()
            sa.event.listen(engine, "before_cursor_execute", record)
            try:
                result = _list(world.member, challenge, limit=100)
            finally:
                sa.event.remove(engine, "before_cursor_execute", record)
            return statements, result["count"]

        _idea(world.user, challenge, data_gaps=[{"title": "G"}])
        statements, count = statements_for_listing()
        few = len(statements)
        assert count == 1
        for n in range(15):
            idea = _idea(world.user, challenge, title=f"Idea {n}", data_gaps=[{"title": "G"}])
            call_as(world.member, "challenge_idea_vote", id=idea["id"])
        statements, count = statements_for_listing()
        many = len(statements)
        assert count == 16
        assert many == few, (few, many)
        # CKAN's own auth lookups (users, memberships) and ours: a dozen at most
        assert many <= 12, "\n".join(s[:90] for s in statements)


# -- data gaps -------------------------------------------------------------------------------


class TestDataGaps:
    def test_organizers_see_every_gap_with_its_idea(self, world, challenge):
        quiet = _idea(world.user, challenge, title="Quiet", data_gaps=[{"title": "Q1"}])
        loud = _idea(
            world.member,
            challenge,
            title="Loud",
            data_gaps=[
                {"title": "L1", "description": "Per stop", "holder": "Transit agency"},
                {"title": "L2"},
            ],
        )
        _idea(world.user, challenge, title="No gaps")
        call_as(world.user, "challenge_idea_vote", id=loud["id"])
        result = call_as(world.editor, "challenge_data_gap_list", id=challenge["name"])
        assert result["count"] == 3
        assert [
            (g["idea"]["title"], g["idea"]["vote_count"], g["title"], g["holder"])
            for g in result["results"]
        ] == [
            ("Loud", 1, "L1", "Transit agency"),
            ("Loud", 1, "L2", ""),
            ("Quiet", 0, "Q1", ""),
        ]
        assert result["results"][0]["description"] == "Per stop"
        assert result["results"][2]["idea"]["id"] == quiet["id"]
        page = call_as(
            world.admin, "challenge_data_gap_list", id=challenge["id"], limit=2, offset=2
        )
        assert page["count"] == 3
        assert [g["title"] for g in page["results"]] == ["Q1"]

    def test_other_challenges_are_not_mixed_in(self, world, challenge, published_challenge_factory):
        other = published_challenge_factory(owner_org=world.org["id"])
        _idea(world.user, other, data_gaps=[{"title": "Elsewhere"}])
        _idea(world.user, challenge, data_gaps=[{"title": "Here"}])
        result = call_as(world.admin, "challenge_data_gap_list", id=challenge["id"])
        assert [g["title"] for g in result["results"]] == ["Here"]


# -- auth matrix -------------------------------------------------------------------------------


class TestAuthMatrix:
    def test_published_challenge(self, world, challenge):
        idea = _idea(world.user, challenge)
        _expect(world, EVERYONE, "challenge_idea_list", id=challenge["id"])
        _expect(world, EVERYONE, "challenge_idea_show", id=idea["id"])
        _expect(world, REGISTERED, "challenge_idea_create", challenge=challenge["id"])
        _expect(world, REGISTERED, "challenge_idea_vote", id=idea["id"])
        _expect(world, REGISTERED, "challenge_idea_unvote", id=idea["id"])
        _expect(world, ORGANIZERS | {"user"}, "challenge_idea_delete", id=idea["id"])
        _expect(world, ORGANIZERS, "challenge_idea_adopt", id=idea["id"])
        _expect(world, ORGANIZERS, "challenge_data_gap_list", id=challenge["id"])

    def test_draft_challenge(self, world, draft):
        idea = _idea(world.admin, draft)
        for auth, data in [
            ("challenge_idea_list", {"id": draft["id"]}),
            ("challenge_idea_show", {"id": idea["id"]}),
            ("challenge_idea_create", {"challenge": draft["id"]}),
            ("challenge_idea_vote", {"id": idea["id"]}),
            ("challenge_idea_unvote", {"id": idea["id"]}),
            ("challenge_idea_delete", {"id": idea["id"]}),
            ("challenge_idea_adopt", {"id": idea["id"]}),
            ("challenge_data_gap_list", {"id": draft["id"]}),
        ]:
            _expect(world, ORGANIZERS, auth, **data)

    def test_outsiders_get_not_found_on_drafts(self, world, draft):
        idea = _idea(world.admin, draft)
        context = {"user": world.user["name"], "model": model}
        for auth, data in [
            ("challenge_idea_create", {"challenge": draft["id"]}),
            ("challenge_idea_vote", {"id": idea["id"]}),
            ("challenge_idea_delete", {"id": idea["id"]}),
            ("challenge_idea_adopt", {"id": idea["id"]}),
            ("challenge_data_gap_list", {"id": draft["id"]}),
        ]:
            with pytest.raises(tk.ObjectNotFound):
                helpers.call_auth(auth, context=dict(context), **data)


@pytest.mark.ckan_config("ckanext.datathon.max_ideas_per_user", "3")
class TestIdeasPerUser:
    """``ckanext.datathon.max_ideas_per_user`` ideas per person and challenge."""

    def test_one_more_is_a_field_error_and_writes_nothing(self, world, challenge):
        for n in range(3):
            _idea(world.user, challenge, title=f"Idea {n}")
        with pytest.raises(tk.ValidationError) as excinfo:
            _idea(world.user, challenge, title="One too many")
        assert "challenge" in excinfo.value.error_dict
        assert "3 ideas" in excinfo.value.error_dict["challenge"][0]
        assert model.Session.query(Idea).count() == 3

    def test_per_person_and_per_challenge(self, world, challenge, published_challenge_factory):
        other = published_challenge_factory(owner_org=world.org["id"])
        for n in range(3):
            _idea(world.user, challenge, title=f"Idea {n}")
        _idea(world.member, challenge, title="Someone else's")
        _idea(world.user, other, title="Another challenge")
        assert model.Session.query(Idea).count() == 5

    def test_deleted_ideas_free_their_place(self, world, challenge):
        ideas = [_idea(world.user, challenge, title=f"Idea {n}") for n in range(3)]
        call_as(world.user, "challenge_idea_delete", id=ideas[0]["id"])
        _idea(world.user, challenge, title="A new one")

    def test_organizers_are_exempt(self, world, challenge):
        for n in range(5):
            _idea(world.admin, challenge, title=f"Idea {n}")
            _idea(world.sysadmin, challenge, title=f"Idea {n}")

    def test_over_the_api(self, app, world, challenge):
        token = factories.APIToken(user=world.user["name"])["token"]
        statuses = [
            app.post(
                "/api/3/action/challenge_idea_create",
                json={"challenge": challenge["id"], "title": f"Idea {n}"},
                headers={"Authorization": token},
                status=None,
            ).status_code
            for n in range(4)
        ]
        assert statuses == [200, 200, 200, 409]


@pytest.mark.ckan_config("ckanext.datathon.max_ideas_per_user", "0")
def test_zero_ideas_per_user_is_no_limit(world, challenge):
    for n in range(5):
        _idea(world.user, challenge, title=f"Idea {n}")


def test_the_default_ideas_per_user_is_declared():
    assert tk.config.get("ckanext.datathon.max_ideas_per_user") == 20
