"""SQL reads of projects for pages and forms: the datasets each project uses
(``project_datasets_used``) and what a project form offers
(``project_form_choices``).

The caller checks access first (the actions).  Datasets are filtered per
viewer (``readable_dataset``), projects too (``visible_project``); each read
is one statement whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic.project_rules import visible_project
from ckanext.datathon.logic.visibility import Viewer, readable_dataset
from ckanext.datathon.model import PROJECT_TYPE, ChallengeDataset, Project, ProjectDataset


def _visible_projects(v: Viewer) -> sa.Select:
    pr = Project.__table__
    p = model.Package.__table__
    return (
        sa.select(pr.c.package_id)
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(visible_project(v))
    )


def datasets_used(project_ids: Sequence[str], v: Viewer) -> dict[str, list[dict[str, Any]]]:
    """The datasets each project the viewer may see uses, those the viewer
    may read, by title: one statement."""
    if not project_ids:
        return {}
    link = ProjectDataset.__table__
    d = model.Package.__table__.alias("used")
    rows = model.Session.execute(
        sa.select(link.c.project_id, d.c.id, d.c.name, d.c.title)
        .select_from(link.join(d, d.c.id == link.c.package_id))
        .where(
            link.c.project_id.in_(list(project_ids)),
            link.c.project_id.in_(_visible_projects(v)),
            readable_dataset(v, d),
        )
        .order_by(d.c.title, d.c.name)
    ).all()
    result: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        result.setdefault(r.project_id, []).append(
            {"id": r.id, "name": r.name, "title": r.title or r.name}
        )
    return result


def visible_project_challenge(package_id: str, v: Viewer) -> str | None:
    """The challenge id of the project ``package_id`` if the viewer may see
    the project (None: not a project, or hidden): one statement."""
    pr = Project.__table__
    p = model.Package.__table__
    return model.Session.execute(
        sa.select(pr.c.challenge_id)
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(pr.c.package_id == package_id, visible_project(v))
    ).scalar()


def dataset_choices(
    challenge_id: str, project_id: str | None, v: Viewer, *, public_only: bool
) -> list[dict[str, Any]]:
    """The datasets linked to the challenge and those the project uses, that
    the viewer may read (public ones only with ``public_only``), by title,
    each with its active resources in their order: one statement."""
    p = model.Package.__table__
    r = model.Resource.__table__
    cd = ChallengeDataset.__table__
    pd = ProjectDataset.__table__
    wanted = sa.select(cd.c.package_id).where(cd.c.challenge_id == challenge_id)
    if project_id:
        wanted = wanted.union(sa.select(pd.c.package_id).where(pd.c.project_id == project_id))
    conditions = [p.c.id.in_(wanted), p.c.type != PROJECT_TYPE, readable_dataset(v, p)]
    if public_only:
        conditions.append(p.c.private.is_(False))
    rows = model.Session.execute(
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            r.c.id.label("resource_id"),
            r.c.name.label("resource_name"),
            r.c.url.label("resource_url"),
        )
        .select_from(p.outerjoin(r, sa.and_(r.c.package_id == p.c.id, r.c.state == "active")))
        .where(*conditions)
        .order_by(p.c.title, p.c.name, p.c.id, r.c.position)
    ).all()
    datasets: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = datasets.setdefault(
            row.id, {"id": row.id, "name": row.name, "title": row.title, "resources": []}
        )
        if row.resource_id is not None:
            entry["resources"].append(
                {"id": row.resource_id, "name": row.resource_name, "url": row.resource_url}
            )
    return list(datasets.values())
