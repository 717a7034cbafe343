"""Who sees a hidden project, in every listing: a generated table (issue 18 §3).

The readers, listings and expected cells are in ``permission_table``; the
portal is built once for the module and only read.  ``former member`` is a
member removed with ``project_member_remove``; ``pending invitee`` holds an
invitation to both hidden projects.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import helpers

from ckanext.datathon.tests.helpers import call_as, module_database
from ckanext.datathon.tests.permission_table import (
    HIDDEN,
    LISTINGS,
    READERS,
    Reading,
    build,
    expected,
)

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture(scope="module")
def portal(reset_db: Any, migrate_db_for: Any) -> SimpleNamespace:
    with module_database(reset_db, migrate_db_for):
        return build()


def _id(name: str) -> str:
    return name.replace(" ", "_")


@pytest.mark.parametrize("listing", list(LISTINGS), ids=_id)
@pytest.mark.parametrize("reader", READERS, ids=_id)
def test_reader_sees_what_they_may_read(app, portal, reader, listing):
    read = LISTINGS[listing][0]
    found = read(Reading(portal, reader, app))
    assert found == expected(reader, listing), (reader, listing)


# -- the labels themselves -----------------------------------------------------------------


def _labels(package_id: str) -> list[list[str]]:
    from ckanext.activity.model.activity import Activity

    rows = model.Session.query(Activity).filter(Activity.object_id == package_id).all()
    return [sorted(a.permission_labels or []) for a in rows]


def _indexed_labels(package_id: str, org_id: str) -> list[str]:
    """The labels the index holds for the dataset, among those it could carry
    (CKAN's Solr schema does not store them: each is searched for)."""
    candidates = ("public", f"collaborator-{package_id}", f"member-{org_id}", f"organizer-{org_id}")
    return sorted(
        label
        for label in candidates
        if helpers.call_action(
            "package_search",
            fq=f'+id:"{package_id}" +permission_labels:"{label}"',
            include_private=True,
            include_drafts=True,
        )["count"]
    )


class TestFixedLabels:
    def test_hidden_projects_are_labelled_for_team_and_organizers(self, portal):
        org_id = portal.org["id"]
        for kind in HIDDEN:
            project_id = portal.projects[kind]["id"]
            hidden = sorted([f"collaborator-{project_id}", f"organizer-{org_id}"])
            assert _indexed_labels(project_id, org_id) == hidden, kind
            assert all(labels == hidden for labels in _labels(project_id)), kind
        assert _indexed_labels(portal.projects["submitted"]["id"], org_id) == ["public"]

    def test_a_submitted_project_keeps_its_draft_history_hidden(self, portal):
        project_id = portal.projects["submitted"]["id"]
        labels = _labels(project_id)
        hidden = sorted([f"collaborator-{project_id}", f"organizer-{portal.org['id']}"])
        assert ["public"] in labels
        assert hidden in labels  # registration and edits of the draft
        assert set(map(tuple, labels)) == {("public",), tuple(hidden)}

    def test_datasets_that_are_not_projects_keep_cores_labels(self, portal):
        private = call_as(
            portal.people["sysadmin"],
            "package_create",
            name="labels-private-dataset",
            owner_org=portal.org["id"],
            private=True,
        )
        try:
            assert _indexed_labels(private["id"], portal.org["id"]) == sorted(
                [f"collaborator-{private['id']}", f"member-{portal.org['id']}"]
            )
            member = portal.people["org member"]
            found = call_as(
                member, "package_search", q="name:labels-private-dataset", include_private=True
            )
            assert found["count"] == 1
        finally:
            call_as(portal.people["sysadmin"], "dataset_purge", id=private["id"])

    def test_user_labels(self, portal):
        from ckan.lib.plugins import get_permission_labels

        labels = get_permission_labels()
        org_id = portal.org["id"]
        for reader, organizer in (
            ("org admin", True),
            ("org editor", True),
            ("org member", False),
            ("other org organizer", False),
        ):
            user = model.User.get(portal.people[reader]["name"])
            held = labels.get_user_dataset_labels(user)
            assert (f"organizer-{org_id}" in held) is organizer, reader
            assert f"member-{org_id}" in held or reader == "other org organizer"
