"""Issue 17 §5 (security review finding 8): ``datasets_used`` per viewer,
without losing data.

A public (submitted) project cites a public dataset and a private one that its
leader may read (as a member of the dataset's organization) and another team
member may not.  The private dataset's id and resource ids reach nobody who may
not read it (package_show, search results, the Solr document); updates by the
team member keep the entry; the index follows the dataset's visibility.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.lib import licences
from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import Statements, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def cited(clean_db, clean_index):
    """Made once per session, then copied back (snapshots.built_over)."""
    return built_over("", "test_datasets_used.cited", _cited)


def _cited():
    organizer, leader, member, keeper = (factories.User() for _ in range(4))
    org = factories.Organization(users=[{"name": organizer["name"], "capacity": "admin"}])
    # the private dataset's organization: the leader is a member, the other
    # team member is not
    vault = factories.Organization(
        users=[
            {"name": keeper["name"], "capacity": "admin"},
            {"name": leader["name"], "capacity": "member"},
        ]
    )
    challenge = call_as(
        organizer,
        "challenge_create",
        owner_org=org["id"],
        name="open-city",
        title="Open city",
        state="active",
        require_open_data=False,
        **open_registration_dates(),
    )
    public = factories.Dataset(owner_org=org["id"], resources=[{"url": "https://x.org/p.csv"}])
    private = factories.Dataset(
        owner_org=vault["id"], private=True, resources=[{"url": "https://x.org/s.csv"}]
    )
    project = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="Cited",
        team_name="Readers",
        accept_rules=True,
    )
    # teams by consent: the leader invites, the member accepts
    invited = call_as(leader, "project_member_add", id=project["id"], user=member["name"])
    call_as(member, "project_invitation_accept", id=invited["invitation"]["id"])
    call_as(
        leader,
        "package_patch",
        id=project["id"],
        repository_url="https://github.com/readers/cited",
        code_licence="MIT",
        datasets_used=[
            {"dataset": public["id"], "resource_ids": [public["resources"][0]["id"]]},
            {"dataset": private["id"], "resource_ids": [private["resources"][0]["id"]]},
        ],
    )
    call_as(leader, "project_submit", id=project["id"])
    return SimpleNamespace(
        organizer=organizer,
        leader=leader,
        member=member,
        keeper=keeper,
        org=org,
        vault=vault,
        challenge=challenge,
        public=public,
        private=private,
        project=project,
        secret_ids={private["id"], private["resources"][0]["id"]},
    )


def _used(user, project_id) -> list[str]:
    shown = call_as(user, "package_show", id=project_id)
    return [e["dataset"] for e in shown.get("datasets_used") or []]


def _stored(project_id) -> list[str]:
    from ckanext.datathon.logic import datasets_used

    model.Session.expire_all()
    return [e["dataset"] for e in datasets_used.stored(project_id)]


def _leaks(text: str, cited) -> set[str]:
    return {secret for secret in cited.secret_ids if secret in text}


class TestShow:
    def test_each_viewer_sees_the_datasets_they_may_read(self, cited):
        both = [cited.public["id"], cited.private["id"]]
        assert _used(cited.leader, cited.project["id"]) == both
        assert _used(cited.keeper, cited.project["id"]) == both
        assert _used(factories.Sysadmin(), cited.project["id"]) == both
        for viewer in (None, cited.member, cited.organizer, factories.User()):
            assert _used(viewer, cited.project["id"]) == [cited.public["id"]], viewer
            shown = call_as(viewer, "package_show", id=cited.project["id"])
            assert not _leaks(json.dumps(shown), cited)

    def test_updates_read_the_stored_list(self, cited):
        context = {"user": cited.member["name"], "model": model, "for_update": True}
        shown = helpers.call_action("package_show", context=context, id=cited.project["id"])
        assert [e["dataset"] for e in shown["datasets_used"]] == [
            cited.public["id"],
            cited.private["id"],
        ]


class TestSearchAndIndex:
    def test_search_results_and_the_solr_document_hold_public_ids_only(self, cited):
        for viewer in (None, cited.leader, cited.member):
            found = call_as(viewer, "package_search", q=f"id:{cited.project['id']}")
            assert found["count"] == 1
            assert [e["dataset"] for e in found["results"][0]["datasets_used"]] == [
                cited.public["id"]
            ]
            assert not _leaks(json.dumps(found), cited)
            raw = call_as(
                viewer,
                "package_search",
                q=f"id:{cited.project['id']}",
                fl="id,data_dict,validated_data_dict,extras_datasets_used,"
                "vocab_datathon_datasets_used",
            )
            assert not _leaks(json.dumps(raw), cited)
        document = search.show(cited.project["id"])
        assert not _leaks(json.dumps(document), cited)
        assert document["vocab_datathon_datasets_used"] == [cited.public["id"]]

    def test_no_search_by_a_private_id(self, cited):
        found = helpers.call_action(
            "package_search", fq=f"vocab_datathon_datasets_used:{cited.private['id']}"
        )
        assert found["count"] == 0

    def _citing(self, dataset) -> int:
        return helpers.call_action(
            "package_search", fq=f"vocab_datathon_datasets_used:{dataset['id']}"
        )["count"]

    @pytest.mark.parametrize("path", ["package_patch", "bulk"])
    def test_the_index_follows_the_dataset_visibility(self, cited, path):
        def flip(private: bool) -> None:
            if path == "package_patch":
                call_as(cited.keeper, "package_patch", id=cited.private["id"], private=private)
            else:
                action = "bulk_update_private" if private else "bulk_update_public"
                call_as(
                    cited.keeper, action, org_id=cited.vault["id"], datasets=[cited.private["id"]]
                )

        flip(False)
        assert self._citing(cited.private) == 1
        assert cited.private["id"] in json.dumps(search.show(cited.project["id"]))
        flip(True)
        assert self._citing(cited.private) == 0
        assert not _leaks(json.dumps(search.show(cited.project["id"])), cited)

    def test_a_deleted_dataset_leaves_the_index(self, cited):
        assert self._citing(cited.public) == 1
        call_as(cited.organizer, "package_delete", id=cited.public["id"])
        assert self._citing(cited.public) == 0


class TestUpdateKeepsWhatTheEditorCannotRead:
    def test_patch_by_a_member_who_may_not_read_it(self, cited):
        saved = call_as(cited.member, "package_patch", id=cited.project["id"], notes="more")
        assert saved["notes"] == "more"
        assert [e["dataset"] for e in saved["datasets_used"]] == [cited.public["id"]]
        assert _stored(cited.project["id"]) == [cited.public["id"], cited.private["id"]]

    def test_update_with_what_the_member_sees(self, cited):
        seen = call_as(cited.member, "package_show", id=cited.project["id"])
        call_as(cited.member, "package_update", **dict(seen, notes="edited"))
        assert _stored(cited.project["id"]) == [cited.public["id"], cited.private["id"]]

    def test_the_member_removes_what_they_see_only(self, cited):
        call_as(cited.member, "package_patch", id=cited.project["id"], datasets_used=[])
        assert _stored(cited.project["id"]) == [cited.private["id"]]

    def test_the_member_cannot_change_a_hidden_entry(self, cited):
        call_as(
            cited.member,
            "package_patch",
            id=cited.project["id"],
            datasets_used=[{"dataset": cited.private["id"], "resource_ids": ["forged"]}],
        )
        model.Session.expire_all()
        from ckanext.datathon.logic import datasets_used

        entries = datasets_used.stored(cited.project["id"])
        assert entries == [
            {"dataset": cited.private["id"], "resource_ids": [cited.private["resources"][0]["id"]]}
        ]

    def test_the_member_cannot_add_a_dataset_they_may_not_read(self, cited):
        other = factories.Dataset(owner_org=cited.vault["id"], private=True)
        with pytest.raises(tk.ValidationError):
            call_as(
                cited.member,
                "package_patch",
                id=cited.project["id"],
                datasets_used=[{"dataset": cited.public["id"]}, {"dataset": other["id"]}],
            )
        assert _stored(cited.project["id"]) == [cited.public["id"], cited.private["id"]]

    def test_resource_changes_keep_the_list(self, cited):
        call_as(
            cited.member, "resource_create", package_id=cited.project["id"], url="https://x.org/a"
        )
        assert _stored(cited.project["id"]) == [cited.public["id"], cited.private["id"]]

    def test_the_leader_still_edits_the_whole_list(self, cited):
        call_as(
            cited.leader,
            "package_patch",
            id=cited.project["id"],
            datasets_used=[{"dataset": cited.private["id"]}],
        )
        assert _stored(cited.project["id"]) == [cited.private["id"]]


def test_submission_does_not_name_a_dataset_the_submitter_may_not_read(cited):
    call_as(cited.organizer, "challenge_patch", id=cited.challenge["id"], require_open_data=True)
    call_as(cited.leader, "project_withdraw", id=cited.project["id"])
    with pytest.raises(tk.ValidationError) as raised:
        call_as(cited.member, "project_submit", id=cited.project["id"])
    message = json.dumps(raised.value.error_dict)
    assert "open data" in message
    assert not _leaks(message, cited)


class TestResourceIds:
    """``resource_ids`` name resources of the entry's own dataset."""

    def test_only_resources_of_the_chosen_dataset(self, cited):
        public, private = cited.public, cited.private
        own = public["resources"][0]["id"]
        for wrong in (private["resources"][0]["id"], "no-such-resource"):
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(
                    cited.leader,
                    "package_patch",
                    id=cited.project["id"],
                    datasets_used=[{"dataset": public["id"], "resource_ids": [own, wrong]}],
                )
            assert "Only resources of the chosen dataset" in str(excinfo.value.error_dict)

    def test_a_deleted_resource_is_dropped_quietly(self, cited):
        public = cited.public
        sysadmin = factories.Sysadmin()
        extra = call_as(sysadmin, "resource_create", package_id=public["id"], url="https://x.org/y")
        keep = public["resources"][0]["id"]
        call_as(
            cited.leader,
            "package_patch",
            id=cited.project["id"],
            datasets_used=[
                {"dataset": public["id"], "resource_ids": [keep, extra["id"]]},
                {
                    "dataset": cited.private["id"],
                    "resource_ids": [cited.private["resources"][0]["id"]],
                },
            ],
        )
        call_as(sysadmin, "resource_delete", id=extra["id"])
        # an edit of something else still works, and the deleted id goes
        call_as(cited.leader, "package_patch", id=cited.project["id"], notes="Edited")
        model.Session.expire_all()
        from ckanext.datathon.logic import datasets_used

        entries = {
            e["dataset"]: e["resource_ids"] for e in datasets_used.stored(cited.project["id"])
        }
        assert entries[public["id"]] == [keep]
        # but the deleted id cannot be named again
        with pytest.raises(tk.ValidationError):
            call_as(
                cited.leader,
                "package_patch",
                id=cited.project["id"],
                datasets_used=[{"dataset": public["id"], "resource_ids": [extra["id"]]}],
            )


# -- the reads behind the project pages and forms (issue 20, slice 3) ----------------------

HOSTILE_IDS = [7, [7], ["\x00"], ["x" * 200], {"a": 1}, ["a"] * 1001]
HOSTILE_REFS = [7, ["a"], {"a": 1}, "\x00", "x" * 101]


class TestProjectDatasetsUsed:
    def test_per_viewer(self, cited):
        pid = cited.project["id"]
        names = lambda who: [  # noqa: E731
            d["id"] for d in call_as(who, "project_datasets_used", ids=[pid])["results"][pid]
        ]
        assert set(names(cited.leader)) == {cited.public["id"], cited.private["id"]}
        # the team member and anonymous users never learn the private one
        assert names(cited.member) == [cited.public["id"]]
        assert names(None) == [cited.public["id"]]

    def test_a_hidden_project_lends_nothing(self, cited):
        call_as(cited.leader, "project_withdraw", id=cited.project["id"])
        pid = cited.project["id"]
        assert call_as(None, "project_datasets_used", ids=[pid])["results"] == {}
        assert pid in call_as(cited.leader, "project_datasets_used", ids=[pid])["results"]

    @pytest.mark.parametrize("junk", HOSTILE_IDS)
    def test_hostile_ids(self, cited, junk):
        with pytest.raises(tk.ValidationError):
            call_as(None, "project_datasets_used", ids=junk)

    def test_one_statement_for_a_page_of_projects(self, cited):
        projects = []
        for n in range(25):
            leader = factories.User()
            project = call_as(
                leader,
                "project_register",
                challenge=cited.challenge["id"],
                title=f"P{n}",
                team_name=f"T{n}",
                accept_rules=True,
            )
            call_as(
                leader,
                "package_patch",
                id=project["id"],
                datasets_used=[{"dataset": cited.public["id"]}],
            )
            projects.append(project["id"])
        with Statements() as run:
            used = call_as(cited.organizer, "project_datasets_used", ids=projects)["results"]
        assert len(used) == 25
        assert len(run.containing("datathon_project_dataset")) == 1


class TestProjectFormChoices:
    def test_the_challenges_licences_and_datasets_with_their_resources(self, cited):
        call_as(
            cited.organizer,
            "challenge_dataset_add",
            id=cited.challenge["id"],
            dataset=cited.public["id"],
        )
        choices = call_as(cited.leader, "project_form_choices", project=cited.project["name"])
        assert choices["challenge"]["id"] == cited.challenge["id"]
        assert choices["project_id"] == cited.project["id"]
        assert choices["licences"] == cited.challenge["allowed_licences"]
        by_id = {d["id"]: d for d in choices["datasets"]}
        # linked to the challenge, and used by the project (read by the leader)
        assert set(by_id) == {cited.public["id"], cited.private["id"]}
        assert [r["id"] for r in by_id[cited.public["id"]]["resources"]] == [
            cited.public["resources"][0]["id"]
        ]
        # the member may not read the private dataset
        member = call_as(cited.member, "project_form_choices", project=cited.project["id"])
        assert [d["id"] for d in member["datasets"]] == [cited.public["id"]]

    def test_without_a_challenge_the_osi_list(self, cited):
        choices = call_as(cited.member, "project_form_choices")
        assert choices == {
            "challenge": None,
            "project_id": None,
            "licences": list(licences.osi_approved_ids()),
            "datasets": [],
        }

    def test_a_draft_challenge_lends_an_outsider_nothing(self, cited, challenge_factory):
        draft = challenge_factory(owner_org=cited.org["id"])
        outsider = factories.User()
        assert (
            call_as(outsider, "project_form_choices", challenge=draft["name"])["challenge"] is None
        )
        assert call_as(cited.organizer, "project_form_choices", challenge=draft["id"])["challenge"]
        # nor does a project one may not see (a withdrawn one)
        call_as(cited.leader, "project_withdraw", id=cited.project["id"])
        hidden = call_as(outsider, "project_form_choices", project=cited.project["id"])
        assert hidden["project_id"] is None
        assert hidden["challenge"] is None

    @pytest.mark.parametrize("junk", HOSTILE_REFS)
    @pytest.mark.parametrize("key", ["challenge", "project"])
    def test_hostile_refs(self, cited, key, junk):
        with pytest.raises(tk.ValidationError):
            call_as(None, "project_form_choices", **{key: junk})
