"""Permission labels follow a project through its status changes (issue 18 §3).

The reader-by-listing table is ``tests/test_permission_labels.py``; these
tests follow one project through submit, withdraw, resubmission, deletion and
team changes, and check the pieces: the relabelling, the index, the plugin
order warning and the SQL visibility filter.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as p
from ckan.tests import factories, helpers

from ckanext.datathon.logic import labels
from ckanext.datathon.logic.visibility import Viewer, readable_dataset
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def _activity_labels(package_id: str) -> list[tuple[str, tuple[str, ...]]]:
    """(``notes`` of the package as the activity saw it, labels), oldest first."""
    from ckanext.activity.model.activity import Activity

    model.Session.expire_all()
    rows = (
        model.Session.query(Activity)
        .filter(Activity.object_id == package_id)
        .order_by(Activity.timestamp)
        .all()
    )
    return [
        ((a.data.get("package") or {}).get("notes") or "", tuple(sorted(a.permission_labels or [])))
        for a in rows
    ]


def _seen_by(user, project_id: str) -> bool:
    """Whether ``user`` finds any activity of the project in the streams
    core filters by label (user stream of everyone involved, recently changed)."""
    found = call_as(user, "recently_changed_packages_activity_list", limit=100)
    return any(a["object_id"] == project_id for a in found)


def _indexed(project_id: str, field: str) -> object:
    result = helpers.call_action(
        "package_search",
        fq=f'+id:"{project_id}"',
        include_private=True,
        include_deleted=True,
        fl=["id", field],
    )
    return result["results"][0].get(field)


def _indexed_labels(project_id: str, org_id: str) -> tuple[str, ...]:
    """The labels the index holds (CKAN's schema does not store them: each
    possible one is searched for)."""
    candidates = ("public", f"collaborator-{project_id}", f"member-{org_id}", f"organizer-{org_id}")
    return tuple(
        sorted(
            label
            for label in candidates
            if helpers.call_action(
                "package_search",
                fq=f'+id:"{project_id}" +permission_labels:"{label}"',
                include_private=True,
            )["count"]
        )
    )


@pytest.fixture
def project(world, published_challenge_factory):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    leader = factories.User()
    created = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="Followed",
        team_name="Team",
        accept_rules=True,
    )
    call_as(
        leader,
        "package_patch",
        id=created["id"],
        notes="draft edit",
        repository_url="https://example.org/code",
        code_licence="MIT",
    )
    return {**created, "leader": leader}


class TestStatusChanges:
    def test_submit_withdraw_resubmit(self, world, project):
        pid, leader = project["id"], project["leader"]
        hidden = tuple(sorted([f"collaborator-{pid}", f"organizer-{world.org['id']}"]))
        assert {lb for _n, lb in _activity_labels(pid)} == {hidden}
        assert not _seen_by(None, pid)

        call_as(leader, "project_submit", id=pid)
        call_as(leader, "package_patch", id=pid, notes="public edit")
        assert _indexed_labels(pid, world.org["id"]) == ("public",)
        by_notes = dict(_activity_labels(pid))
        assert by_notes["public edit"] == ("public",)
        assert by_notes["draft edit"] == hidden  # the draft's history stays hidden
        assert _seen_by(None, pid)

        call_as(leader, "project_withdraw", id=pid)
        assert _indexed_labels(pid, world.org["id"]) == hidden
        assert {lb for _n, lb in _activity_labels(pid)} == {hidden}
        assert not _seen_by(None, pid)
        assert not _seen_by(world.member, pid)
        assert _seen_by(world.editor, pid)
        assert _seen_by(leader, pid)

        call_as(leader, "project_submit", id=pid)
        by_notes = dict(_activity_labels(pid))
        assert by_notes["public edit"] == ("public",)
        assert by_notes["draft edit"] == hidden
        assert _seen_by(None, pid)

    def test_deleting_a_submitted_project_hides_its_activities(self, world, project):
        pid, leader = project["id"], project["leader"]
        call_as(leader, "project_submit", id=pid)
        call_as(leader, "package_patch", id=pid, notes="public edit")
        call_as(world.sysadmin, "package_delete", id=pid)
        labels_now = {lb for _n, lb in _activity_labels(pid)}
        assert ("public",) not in labels_now
        assert not _seen_by(None, pid)
        assert not _seen_by(world.member, pid)

    def test_a_team_change_reindexes_and_relabels_nothing(self, world, project):
        pid = project["id"]
        newcomer = factories.User()
        before = _indexed(pid, "indexed_ts")
        labels_before = _activity_labels(pid)
        assert not _seen_by(newcomer, pid)
        # an organizer adds directly (a team member would invite)
        call_as(world.editor, "project_member_add", id=pid, user=newcomer["name"])
        assert _indexed(pid, "indexed_ts") != before
        # the earlier activities keep their labels; the addition itself is
        # recorded (teams by consent) with the hidden project's labels
        after = _activity_labels(pid)
        assert after[: len(labels_before)] == labels_before
        hidden = tuple(sorted([f"collaborator-{pid}", f"organizer-{world.org['id']}"]))
        assert [labels for _unused, labels in after[len(labels_before) :]] == [hidden]
        assert _seen_by(newcomer, pid)  # the user's labels are computed at read time
        middle = _indexed(pid, "indexed_ts")
        call_as(world.editor, "project_member_remove", id=pid, user=newcomer["name"])
        assert _indexed(pid, "indexed_ts") != middle
        assert not _seen_by(newcomer, pid)

    def test_recorded_project_activity_carries_the_projects_labels(self, world, project):
        pid = project["id"]
        labels.record_project_activity(world.editor["id"], pid, {"team": {"added": "x"}})
        model.Session.commit()
        rows = _activity_labels(pid)
        hidden = tuple(sorted([f"collaborator-{pid}", f"organizer-{world.org['id']}"]))
        assert rows[-1][1] == hidden
        editor_stream = call_as(world.member, "user_activity_list", id=world.editor["id"])
        assert all(a["object_id"] != pid for a in editor_stream)
        editor_stream = call_as(project["leader"], "user_activity_list", id=world.editor["id"])
        assert [a["activity_type"] for a in editor_stream if a["object_id"] == pid] == [
            "changed package"
        ]


class TestVisibilityFilter:
    def test_readable_dataset_hides_projects_from_plain_members(self, world, project):
        private = factories.Dataset(owner_org=world.org["id"], private=True)
        p_table = model.Package.__table__

        def readable(user) -> set[str]:
            who = Viewer(user_id=user["id"], sysadmin=False)
            query = sa.select(p_table.c.id).where(readable_dataset(who, p_table))
            return set(model.Session.execute(query).scalars())

        assert private["id"] in readable(world.member)
        assert project["id"] not in readable(world.member)
        assert {private["id"], project["id"]} <= readable(world.editor)
        assert project["id"] in readable(project["leader"])
        assert project["id"] not in readable(world.outsider_admin)


class _Other:
    name = "other_labels"


class TestPluginOrder:
    def test_no_warning_when_datathon_is_the_only_one(self):
        assert labels.check_plugin_order(p.get_plugin("datathon")) == []

    @pytest.mark.parametrize("first", [True, False])
    def test_another_labels_plugin(self, monkeypatch, first):
        ours = p.get_plugin("datathon")
        loaded = [ours, _Other()] if first else [_Other(), ours]
        monkeypatch.setattr(labels.p, "PluginImplementations", lambda interface: loaded)
        logged: list[str] = []
        monkeypatch.setattr(labels.log, "warning", logged.append)
        warnings = labels.check_plugin_order(ours)
        assert len(warnings) == 1
        assert logged == warnings
        if first:
            assert "labels of other_labels are ignored" in warnings[0]
        else:
            assert "not datathon's" in warnings[0]
