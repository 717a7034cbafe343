"""``ckan datathon upgrade --step labels``: projects written before the
permission labels (issue 18 §3) are reindexed and their activities relabelled.

"Before" is made by writing with core's default labels and without our
relabelling or activity filter (the code of the previous release), then the
step runs: a dry run first (counts, no change), then for real, then again
(nothing left to do).
"""

from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.datathon.tests.helpers import call_as, previous_release_labels
from ckanext.datathon.upgrade import UpgradeContext
from ckanext.datathon.upgrade import labels as step

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _activities(package_id: str) -> list[tuple[str, list[str]]]:
    from ckanext.activity.model.activity import Activity

    rows = model.Session.query(Activity).filter(Activity.object_id == package_id).all()
    model.Session.expire_all()
    return sorted((a.activity_type, sorted(a.permission_labels or [])) for a in rows)


def _found_by(user, project_id: str) -> bool:
    result = call_as(
        user, "package_search", fq=f'+id:"{project_id}"', include_private=True, include_drafts=True
    )
    return result["count"] == 1


def _resource_view_activity(world, package_id: str, resource_id: str):
    """What core records when a resource view is created (a type it never
    filters by label)."""
    return helpers.call_action(
        "activity_create",
        context={"user": world.sysadmin["name"], "ignore_auth": True},
        user_id=world.sysadmin["id"],
        object_id=package_id,
        activity_type="new resource view",
        data={"id": "v1", "resource_id": resource_id, "package_id": package_id, "title": "View"},
    )


def test_projects_written_before_the_labels(world, published_challenge_factory, tmp_path):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    leader = factories.User()
    with pytest.MonkeyPatch.context() as old:
        previous_release_labels(old)
        draft = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title="Old draft",
            team_name="A",
            accept_rules=True,
        )
        withdrawn = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title="Old withdrawn",
            team_name="B",
            accept_rules=True,
        )
        call_as(
            leader,
            "package_patch",
            id=withdrawn["id"],
            repository_url="https://example.org/c",
            code_licence="MIT",
        )
        call_as(leader, "project_submit", id=withdrawn["id"])
        call_as(leader, "package_patch", id=withdrawn["id"], notes="while public")
        call_as(leader, "project_withdraw", id=withdrawn["id"])
        resource = call_as(
            leader, "resource_create", package_id=draft["id"], url="https://example.org/x"
        )
        _resource_view_activity(world, draft["id"], resource["id"])
    org = world.org["id"]
    # as the previous release left them
    assert _found_by(world.member, draft["id"])
    assert _found_by(world.member, withdrawn["id"])
    before = dict.fromkeys(map(tuple, [lb for _t, lb in _activities(withdrawn["id"])]))
    assert ("public",) in before
    assert any(t == "new resource view" for t, _lb in _activities(draft["id"]))

    dry = step.run(UpgradeContext(output_dir=tmp_path, dry_run=True))
    assert dry[0] == (
        "2 projects; 2 would be indexed again (their labels in the search index were not current)"
    )
    assert dry[2].startswith("1 activities of projects of a type CKAN does not filter")
    relabelled = int(dry[1].split()[0])
    assert relabelled >= 4
    assert _found_by(world.member, draft["id"])  # nothing changed
    assert not (tmp_path / step.REMOVED_FILE).exists()

    done = step.run(UpgradeContext(output_dir=tmp_path))
    assert done[1] == f"{relabelled} activities of projects were relabelled"
    hidden = {
        pid: sorted([f"collaborator-{pid}", f"organizer-{org}"])
        for pid in (draft["id"], withdrawn["id"])
    }
    for pid in hidden:
        assert not _found_by(world.member, pid)
        assert _found_by(world.editor, pid)
        assert _found_by(leader, pid)
        assert {tuple(lb) for _t, lb in _activities(pid)} == {tuple(hidden[pid])}
    assert all(t.endswith("package") for t, _lb in _activities(draft["id"]))
    removed = [json.loads(line) for line in (tmp_path / step.REMOVED_FILE).read_text().splitlines()]
    assert [r["activity_type"] for r in removed] == ["new resource view"]
    assert removed[0]["object_id"] == draft["id"]
    # a member's streams no longer name the projects
    for action, data in (
        ("user_activity_list", {"id": leader["id"]}),
        ("recently_changed_packages_activity_list", {}),
    ):
        seen = {a["object_id"] for a in call_as(world.member, action, **data)}
        assert not seen & set(hidden), action

    again = step.run(UpgradeContext(output_dir=tmp_path))
    assert again[:3] == [
        "2 projects; 0 were indexed again (their labels in the search index were not current)",
        "0 activities of projects were relabelled",
        "0 activities of projects of a type CKAN does not filter by label were removed",
    ]


def test_registered_as_a_step():
    from ckanext.datathon import upgrade

    assert "labels" in {s.name for s in upgrade.steps()}


def test_activities_core_does_not_filter_are_not_recorded_for_projects(
    world, published_challenge_factory
):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    leader = factories.User()
    draft = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="Draft",
        team_name="A",
        accept_rules=True,
    )
    dataset = factories.Dataset(owner_org=world.org["id"])
    assert _resource_view_activity(world, draft["id"], "r1") is None
    assert _resource_view_activity(world, dataset["id"], "r2") is not None
    assert [t for t, _lb in _activities(draft["id"]) if not t.endswith("package")] == []
    assert [t for t, _lb in _activities(dataset["id"])].count("new resource view") == 1
