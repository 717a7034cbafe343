"""Upgrade step ``labels``: projects and their activities get the permission
labels of ``logic/labels.py`` (issue 18 §3).

Before it, a draft or withdrawn project carried core's ``member-<org>`` label
(readable by every member of its organization in searches and streams), a
project withdrawn after it was public kept ``public`` on the activities
written meanwhile, and core's resource view activities of projects (a type
core never filters) were recorded.  Labels are fixed when written, so the
new plugin code alone changes none of them.  This step:

* relabels the ``... package`` activities of every project (as a status
  change does, see ``logic/labels.py``);
* removes the activities of projects whose type does not end in "package",
  after writing them to ``project-activities-removed.jsonl`` in the output
  directory (appended to, one JSON object a line);
* indexes again every project whose labels in the search index are not the
  ones it carries now (or that is missing from the index).

Idempotent: a second run finds nothing to do.  ``--dry-run`` reports the
counts and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels
from ckan.lib.search.query import solr_literal

from ckanext.datathon.logic import labels
from ckanext.datathon.model import PROJECT_TYPE
from ckanext.datathon.upgrade import Step, UpgradeContext

REMOVED_FILE = "project-activities-removed.jsonl"
BATCH = 20


def _projects() -> list[model.Package]:
    return list(
        model.Session.scalars(
            sa.select(model.Package)
            .where(model.Package.type == PROJECT_TYPE)
            .order_by(model.Package.id)
        )
    )


def _current_in_index(projects: list[model.Package]) -> set[str]:
    """The ids of the projects the search index holds with exactly the labels
    they carry now.  (CKAN's Solr schema does not store ``permission_labels``:
    each project is matched against its labels and against the others it
    could carry, core's and ours, in batches of OR-ed clauses.)"""
    current: set[str] = set()
    effective = get_permission_labels()
    for start in range(0, len(projects), BATCH):
        clauses = []
        for pkg in projects[start : start + BATCH]:
            wanted = set(effective.get_dataset_labels(pkg))
            possible = {
                labels.PUBLIC,
                f"collaborator-{pkg.id}",
                f"member-{pkg.owner_org}",
                labels.organizer_label(pkg.owner_org or ""),
                f"creator-{pkg.creator_user_id}",
            }
            terms = [f"+id:{solr_literal(pkg.id)}"]
            terms += [f"+permission_labels:{solr_literal(lb)}" for lb in sorted(wanted)]
            terms += [f"-permission_labels:{solr_literal(lb)}" for lb in sorted(possible - wanted)]
            clauses.append(f"({' '.join(terms)})")
        result = tk.get_action("package_search")(
            {"ignore_auth": True},  # type: ignore[typeddict-item]  (an operator's command: no viewer)
            {
                "fq": f"+dataset_type:{PROJECT_TYPE} +({' OR '.join(clauses)})",
                "include_private": True,
                "include_drafts": True,
                "include_deleted": True,
                "fl": ["id"],
                "rows": BATCH,
            },
        )
        current.update(row["id"] for row in result["results"])
    return current


def _unfiltered_activities(project_ids: list[str]) -> list[Any]:
    table = labels._activity_table()
    if table is None or not project_ids:
        return []
    return list(
        model.Session.execute(
            sa.select(table)
            .where(
                table.c.object_id.in_(project_ids),
                sa.or_(
                    table.c.activity_type.is_(None),
                    sa.not_(table.c.activity_type.like("%package")),
                ),
            )
            .order_by(table.c.timestamp, table.c.id)
        ).all()
    )


def run(context: UpgradeContext) -> list[str]:
    projects = _projects()
    current = _current_in_index(projects)
    stale = [pkg for pkg in projects if pkg.id not in current]
    relabel = {pkg.id: labels.mislabelled_activities(pkg) for pkg in projects}
    to_relabel = sum(relabel.values())
    removable = _unfiltered_activities([pkg.id for pkg in projects])
    verb = "would be" if context.dry_run else "were"
    report = [
        f"{len(projects)} projects; {len(stale)} {verb} indexed again "
        f"(their labels in the search index were not current)",
        f"{to_relabel} activities of projects {verb} relabelled",
        f"{len(removable)} activities of projects of a type CKAN does not filter "
        f"by label {verb} removed"
        + (f" (kept in {REMOVED_FILE})" if removable and not context.dry_run else ""),
    ]
    if not p.plugin_loaded("activity"):
        report.append("the activity plugin is not enabled: no activity was read")
    if context.dry_run:
        return report
    if removable:
        with (context.output_dir / REMOVED_FILE).open("a", encoding="utf-8") as out:
            for row in removable:
                out.write(json.dumps(dict(row._mapping), default=str, ensure_ascii=False) + "\n")
        table = labels._activity_table()
        if table is not None:  # (there are rows to remove: the plugin is on)
            ids = [r.id for r in removable]
            model.Session.execute(sa.delete(table).where(table.c.id.in_(ids)))
    for pkg in projects:
        if relabel[pkg.id]:
            labels.relabel_activities(pkg)
    model.Session.commit()
    for pkg in stale:
        labels.reindex(pkg.id)
    return report


STEP = Step(
    name="labels",
    order=40,
    summary=(
        "reindex projects and relabel their activities (drafts hidden from organization members)"
    ),
    run=run,
)
