"""Issue 20 slice 3, "every read is an action": the reads that pages,
helpers, formats and the CLI made around the action layer, as actions --
per viewer, hostile input refused as a validation error, one statement for
a page of rows."""

from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import Statements, call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

HOSTILE_IDS = [7, [7], ["\x00"], ["x" * 200], {"a": 1}, ["a"] * 1001]


class TestCatalogueReads:
    @pytest.fixture
    def linked(self, world, published_challenge_factory, challenge_factory):
        public = factories.Dataset(owner_org=world.org["id"])
        private = factories.Dataset(owner_org=world.org["id"], private=True)
        published = published_challenge_factory(owner_org=world.org["id"])
        draft = challenge_factory(owner_org=world.org["id"])
        for challenge in (published, draft):
            for dataset in (public, private):
                call_as(
                    world.admin,
                    "challenge_dataset_add",
                    id=challenge["id"],
                    dataset=dataset["id"],
                )
        return public, private, published, draft

    def test_dataset_published_challenges(self, world, linked):
        public, private, published, _draft = linked
        ids = [public["id"], private["id"], "no-such-dataset"]
        named = [{"id": published["id"], "name": published["name"], "title": published["title"]}]
        # published challenges only, whoever asks; datasets the caller may read
        assert call_as(None, "dataset_published_challenges", ids=ids)["results"] == {
            public["id"]: named
        }
        assert call_as(world.admin, "dataset_published_challenges", ids=ids)["results"] == {
            public["id"]: named,
            private["id"]: named,
        }

    @pytest.mark.parametrize("junk", HOSTILE_IDS)
    def test_dataset_published_challenges_hostile(self, world, junk):
        with pytest.raises(tk.ValidationError):
            call_as(None, "dataset_published_challenges", ids=junk)

    def test_challenge_event_list_names_published_challenges_only(self, world, linked):
        _public, _private, published, draft = linked
        events = call_as(None, "challenge_event_list")["results"]
        assert {e["challenge"]["id"] for e in events} == {published["id"]}
        assert {e["kind"] for e in events} <= {"published", "stage", "results"}
        assert call_as(None, "challenge_event_list", limit=1, offset=0)["results"] == events[:1]
        assert draft["id"] not in str(call_as(world.sysadmin, "challenge_event_list"))

    @pytest.mark.parametrize(
        "junk",
        [{"limit": "x"}, {"limit": -1}, {"limit": [1]}, {"offset": "\x00"}, {"limit": 10**6}],
    )
    def test_challenge_event_list_hostile(self, world, junk):
        with pytest.raises(tk.ValidationError):
            call_as(None, "challenge_event_list", **junk)

    @pytest.mark.parametrize("junk", ["2025-13-01", "x", 7, ["2025-01-01"], "2025-01-01\x00"])
    def test_challenge_stage_report_hostile(self, world, junk):
        with pytest.raises(tk.ValidationError):
            call_as(None, "challenge_stage_report", date=junk)

    def test_challenge_stage_report_names_published_challenges(self, world, linked):
        _public, _private, published, draft = linked
        day = published["registration_closes"][:10]
        report = call_as(None, "challenge_stage_report", date=day)
        assert draft["name"] not in {r["name"] for r in report}


class TestHubCounts:
    def test_anonymous_is_refused(self, world):
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "datathon_hub_counts")

    def test_kept_and_forgotten(self, world, published_challenge_factory):
        leader, guest = factories.User(), factories.User()
        challenge = published_challenge_factory(
            owner_org=world.org["id"], **open_registration_dates()
        )
        project = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title="P",
            team_name="T",
            accept_rules=True,
        )
        assert call_as(guest, "datathon_hub_counts") == {
            "pending_invitations": 0,
            "follows_challenges": False,
        }
        answer = call_as(leader, "project_member_add", id=project["id"], user=guest["name"])
        call_as(guest, "follow_challenge", id=challenge["id"])
        assert call_as(guest, "datathon_hub_counts") == {
            "pending_invitations": 1,
            "follows_challenges": True,
        }
        # kept: no statement the second time
        with Statements() as run:
            call_as(guest, "datathon_hub_counts")
        assert run.ours == []
        call_as(guest, "project_invitation_accept", id=answer["invitation"]["id"])
        call_as(guest, "unfollow_challenge", id=challenge["id"])
        assert call_as(guest, "datathon_hub_counts") == {
            "pending_invitations": 0,
            "follows_challenges": False,
        }
