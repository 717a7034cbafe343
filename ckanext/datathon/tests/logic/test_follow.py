"""Following challenges: core's follow conventions, and the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.helpers import auth_as, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def published(world, published_challenge_factory):
    def build():
        return published_challenge_factory(owner_org=world.org["id"], title="Cuidados")

    return built_over("world", "test_follow.published", build)


class TestFollow:
    def test_follow_count_and_am_following(self, world, published):
        follower = call_as(world.user, "follow_challenge", id=published["name"])
        user_id = model.User.get(world.user["name"]).id
        assert follower["follower_id"] == user_id
        assert follower["object_id"] == published["id"]
        assert follower["datetime"]
        assert call_as(world.user, "am_following_challenge", id=published["id"]) is True
        assert call_as(world.member, "am_following_challenge", id=published["id"]) is False
        call_as(world.member, "follow_challenge", id=published["id"])
        assert call_as(None, "challenge_follower_count", id=published["id"]) == 2

    def test_following_twice_is_like_core(self, world, published):
        # CKAN 2.11 and 2.12 answer a second follow_dataset with the existing
        # follower (no error, no second row): so do we
        dataset = factories.Dataset(owner_org=world.org["id"])
        core_first = call_as(world.user, "follow_dataset", id=dataset["id"])
        core_again = call_as(world.user, "follow_dataset", id=dataset["id"])
        assert core_again == core_first
        first = call_as(world.user, "follow_challenge", id=published["id"])
        again = call_as(world.user, "follow_challenge", id=published["id"])
        assert again == first
        assert set(first) == set(core_first)
        assert call_as(None, "challenge_follower_count", id=published["id"]) == 1

    def test_unfollow(self, world, published):
        call_as(world.user, "follow_challenge", id=published["id"])
        assert call_as(world.user, "unfollow_challenge", id=published["id"]) is None
        assert call_as(world.user, "am_following_challenge", id=published["id"]) is False
        assert call_as(None, "challenge_follower_count", id=published["id"]) == 0
        # as core's unfollow_dataset: unfollowing what one does not follow is no error
        call_as(world.user, "unfollow_challenge", id=published["id"])

    def test_anonymous_refused(self, world, published):
        for action in ("follow_challenge", "unfollow_challenge", "am_following_challenge"):
            with pytest.raises(tk.NotAuthorized):
                call_as(None, action, id=published["id"])

    def test_drafts_deleted_and_unknown_are_not_found(
        self, world, challenge_factory, published_challenge_factory
    ):
        draft = challenge_factory(owner_org=world.org["id"])
        deleted = published_challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_delete", id=deleted["id"])
        for target in (draft["id"], deleted["id"], "no-such-challenge"):
            for action in (
                "follow_challenge",
                "unfollow_challenge",
                "am_following_challenge",
                "challenge_follower_count",
            ):
                with pytest.raises(tk.ObjectNotFound):
                    call_as(world.user, action, id=target)
            with pytest.raises(tk.ObjectNotFound):
                call_as(None, "challenge_follower_count", id=target)
        # organizers see their draft, so they may follow it
        call_as(world.admin, "follow_challenge", id=draft["id"])
        assert call_as(world.admin, "challenge_follower_count", id=draft["id"]) == 1

    @pytest.mark.parametrize(
        "junk", [None, "", 7, -1, float("nan"), ["a"], {"a": 1}, "x\x00y", "é" * 5000]
    )
    def test_junk_ids(self, world, published, junk):
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
            call_as(world.user, "follow_challenge", id=junk)
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized)):
            call_as(world.user, "challenge_followee_list", id=junk)

    def test_missing_id_is_a_field_error(self, world):
        # sysadmins pass the auth function, so the schema answers
        for action in ("follow_challenge", "challenge_follower_count", "challenge_followee_list"):
            with pytest.raises(tk.ValidationError) as error:
                call_as(world.sysadmin, action)
            assert "id" in error.value.error_dict


class TestLists:
    def test_follower_list_for_organizers_and_sysadmins(self, world, published):
        call_as(world.user, "follow_challenge", id=published["id"])
        call_as(world.member, "follow_challenge", id=published["id"])
        expected = {world.user["name"], world.member["name"]}
        for role in ("admin", "editor", "sysadmin"):
            users = call_as(world.roles[role], "challenge_follower_list", id=published["id"])
            assert {u["name"] for u in users} == expected
            assert all("email" not in u and "apikey" not in u for u in users)
        for role in ("member", "user", "other_org_admin", "anonymous"):
            assert not auth_as(world.roles[role], "challenge_follower_list", id=published["id"])
            with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
                call_as(world.roles[role], "challenge_follower_list", id=published["id"])

    def test_followee_list(self, world, published, published_challenge_factory):
        other = published_challenge_factory(owner_org=world.org["id"], title="Movilidad")
        call_as(world.user, "follow_challenge", id=published["id"])
        call_as(world.user, "follow_challenge", id=other["id"])
        followed = call_as(world.user, "challenge_followee_list", id=world.user["name"])
        # most recently followed first, as challenge_list results
        assert [c["name"] for c in followed] == [other["name"], published["name"]]
        assert {"current_stage", "organization", "dataset_count"} <= set(followed[0])
        assert call_as(world.sysadmin, "challenge_followee_list", id=world.user["id"])
        # as core's *_followee_list: not visible to other users
        for role in ("member", "admin", "anonymous"):
            with pytest.raises(tk.NotAuthorized):
                call_as(world.roles[role], "challenge_followee_list", id=world.user["name"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.sysadmin, "challenge_followee_list", id="no-such-user")

    def test_followee_list_hides_what_the_caller_may_not_see(self, world, published):
        call_as(world.admin, "follow_challenge", id=published["id"])
        call_as(world.admin, "challenge_patch", id=published["id"], state="draft")
        mine = call_as(world.admin, "challenge_followee_list", id=world.admin["name"])
        assert [c["name"] for c in mine] == [published["name"]]  # its organizer sees it
        call_as(world.admin, "challenge_delete", id=published["id"])
        assert call_as(world.admin, "challenge_followee_list", id=world.admin["name"]) == []


def _dashboard(user, **params):
    context = {"user": user["name"], "model": model}
    context["auth_user_obj"] = model.User.get(user["name"])
    return helpers.call_action("dashboard_activity_list", context=context, **params)


def _epoch(activity) -> float:
    # the dashboard's timestamps are naive UTC; core reads before/after as such
    moment = dt.datetime.fromisoformat(activity["timestamp"])
    return moment.replace(tzinfo=dt.timezone.utc).timestamp()


def _challenge_ids(activities):
    return [a["data"].get("challenge", {}).get("id") for a in activities]


class TestDashboard:
    """Activities of followed challenges reach the follower's dashboard."""

    def test_followed_challenge_activity_on_the_dashboard(
        self, world, published, published_challenge_factory
    ):
        other = published_challenge_factory(owner_org=world.org["id"], title="Not followed")
        call_as(world.user, "follow_challenge", id=published["id"])
        call_as(world.admin, "challenge_patch", id=published["id"], title="Cuidados 2")
        call_as(world.admin, "challenge_patch", id=other["id"], title="Still not followed")
        activities = _dashboard(world.user)
        ids = _challenge_ids(activities)
        assert published["id"] in ids
        assert other["id"] not in ids
        changed = [a for a in activities if a["activity_type"] == "changed challenge"]
        assert changed[0]["data"]["challenge"]["title"] == "Cuidados 2"
        assert all(a["is_new"] for a in changed)  # someone else's, not yet seen
        timestamps = [a["timestamp"] for a in activities]
        assert timestamps == sorted(timestamps, reverse=True)

    def test_unfollowed_challenge_leaves_the_dashboard(self, world, published):
        call_as(world.user, "follow_challenge", id=published["id"])
        call_as(world.admin, "challenge_patch", id=published["id"], title="Cuidados 2")
        assert published["id"] in _challenge_ids(_dashboard(world.user))
        call_as(world.user, "unfollow_challenge", id=published["id"])
        assert published["id"] not in _challenge_ids(_dashboard(world.user))

    def test_paging_merges_both_streams(self, world, published):
        call_as(world.user, "follow_challenge", id=published["id"])
        for n in range(4):
            call_as(world.admin, "challenge_patch", id=published["id"], title=f"Cuidados {n}")
            # the user's own activities (core's stream) interleave with them
            call_as(world.user, "user_patch", id=world.user["id"], about=f"About {n}")
        everything = _dashboard(world.user, limit=100)
        ours = [a["id"] for a in everything]
        assert len(ours) == len(set(ours))
        assert len(everything) >= 8
        pages = [a["id"] for a in _dashboard(world.user, limit=3)]
        pages += [a["id"] for a in _dashboard(world.user, limit=3, offset=3)]
        pages += [a["id"] for a in _dashboard(world.user, limit=3, offset=6)]
        assert pages == ours[:9]

    def test_offsets_beyond_the_configured_maximum(self, world, published, ckan_config):
        call_as(world.user, "follow_challenge", id=published["id"])
        for n in range(4):
            call_as(world.admin, "challenge_patch", id=published["id"], title=f"Cuidados {n}")
            call_as(world.user, "user_patch", id=world.user["id"], about=f"About {n}")
            call_as(world.user, "user_patch", id=world.user["id"], about=f"About {n}!")
        everything = [a["id"] for a in _dashboard(world.user, limit=100)]
        assert len(everything) >= 12
        # core never returns more than ckan.activity_list_limit_max items a call;
        # a merged page at offset 8 needs core's first 10: fetched in 4 calls
        ckan_config["ckan.activity_list_limit_max"] = 3
        pages = []
        for offset in (0, 2, 4, 6, 8):
            pages += [a["id"] for a in _dashboard(world.user, limit=2, offset=offset)]
        assert pages == everything[:10]

    def test_before_and_after_pages_as_the_dashboard_view_asks(self, world, published):
        # /dashboard pages with ``before``/``after`` (timestamps), not offsets
        call_as(world.user, "follow_challenge", id=published["id"])
        for n in range(3):
            call_as(world.admin, "challenge_patch", id=published["id"], title=f"Cuidados {n}")
            call_as(world.user, "user_patch", id=world.user["id"], about=f"About {n}")
        everything = _dashboard(world.user, limit=100)
        first = _dashboard(world.user, limit=3)
        assert [a["id"] for a in first] == [a["id"] for a in everything[:3]]
        older = _dashboard(world.user, limit=3, before=_epoch(first[-1]))
        assert [a["id"] for a in older] == [a["id"] for a in everything[3:6]]
        # "after" answers the oldest items after the point, newest first, as core
        newer = _dashboard(world.user, limit=2, after=_epoch(older[0]))
        assert [a["id"] for a in newer] == [a["id"] for a in everything[1:3]]

    @pytest.mark.parametrize(
        "junk", [{"limit": "abc"}, {"offset": -1}, {"before": "yesterday"}, {"limit": -5}]
    )
    def test_junk_paging_is_a_validation_error(self, world, published, junk):
        call_as(world.user, "follow_challenge", id=published["id"])
        with pytest.raises(tk.ValidationError):
            _dashboard(world.user, **junk)

    def test_count_of_new_activities(self, world, published):
        call_as(world.user, "follow_challenge", id=published["id"])
        call_as(world.admin, "challenge_patch", id=published["id"], title="Cuidados 2")
        context = {"user": world.user["name"], "model": model}
        context["auth_user_obj"] = model.User.get(world.user["name"])
        assert helpers.call_action("dashboard_new_activities_count", context=context) >= 1
