"""Impact entries as a viewer sees them, in a fixed number of queries.

An entry is shown to whoever may read its challenge; its project only when
the viewer may read the project (submitted ones are public) and its cited
datasets only those the viewer may read (``logic.visibility``).  Listing any
number of entries costs two queries: the entries (with their project and
challenge joined in) and the cited datasets of all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic.dictize import jsonable
from ckanext.datathon.logic.project_rules import visible_project
from ckanext.datathon.logic.visibility import Viewer, readable_dataset, visible_challenge
from ckanext.datathon.model import PROJECT_TYPE, Challenge, Impact, ImpactDataset, Project


def _entries(v: Viewer, *conditions: Any, cited_in: Sequence[str] = ()) -> list[Any]:
    """Entries with their challenge and (when visible) project; with
    ``cited_in``, one row per (entry, cited dataset among those ids)."""
    i = Impact.__table__
    c = Challenge.__table__
    pr = Project.__table__
    p = model.Package.__table__
    link = ImpactDataset.__table__
    joined = i.join(c, c.c.id == i.c.challenge_id)
    columns: list[Any] = []
    if cited_in:
        joined = joined.join(
            link, sa.and_(link.c.impact_id == i.c.id, link.c.package_id.in_(list(cited_in)))
        )
        columns.append(link.c.package_id.label("cited_package_id"))
    # the project's package joins only when the viewer may read the project
    joined = joined.outerjoin(pr, pr.c.package_id == i.c.project_id).outerjoin(
        p, sa.and_(p.c.id == pr.c.package_id, visible_project(v))
    )
    query = (
        sa.select(
            i,
            c.c.name.label("challenge_name"),
            c.c.title.label("challenge_title"),
            p.c.id.label("project_id_visible"),
            p.c.name.label("project_name"),
            p.c.title.label("project_title"),
            *columns,
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(i.c.date.desc(), i.c.created.desc(), i.c.id)
    )
    return list(model.Session.execute(query).all())


def _cited(impact_ids: Sequence[str], v: Viewer) -> dict[str, list[dict[str, Any]]]:
    """Datasets each entry cites that the viewer may read: one query."""
    if not impact_ids:
        return {}
    link = ImpactDataset.__table__
    p = model.Package.__table__
    rows = model.Session.execute(
        sa.select(link.c.impact_id, p.c.id, p.c.name, p.c.title, p.c.private)
        .select_from(link.join(p, p.c.id == link.c.package_id))
        .where(link.c.impact_id.in_(list(impact_ids)), readable_dataset(v, p))
        .order_by(p.c.title, p.c.name)
    ).all()
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        result[r.impact_id].append(
            {"id": r.id, "name": r.name, "title": r.title or r.name, "private": r.private}
        )
    return result


def _dict(row: Any, datasets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "challenge_id": row.challenge_id,
        "challenge": {
            "id": row.challenge_id,
            "name": row.challenge_name,
            "title": row.challenge_title,
        },
        "date": row.date.isoformat(),
        "kind": row.kind,
        "title": row.title,
        "description": row.description,
        "url": row.url,
        "project": None
        if row.project_id_visible is None
        else {
            "id": row.project_id_visible,
            "name": row.project_name,
            "title": row.project_title or row.project_name,
        },
        "datasets": datasets,
        "created": jsonable(row.created),
        "modified": jsonable(row.modified),
    }


def challenge_impact(challenge_id: str, v: Viewer) -> list[dict[str, Any]]:
    """Every impact entry of a challenge (the caller checked the viewer may
    read the challenge), newest first: two queries."""
    rows = _entries(v, Impact.challenge_id == challenge_id)
    cited = _cited([r.id for r in rows], v)
    return [_dict(r, cited.get(r.id, [])) for r in rows]


def one(impact_id: str, v: Viewer) -> dict[str, Any]:
    rows = _entries(v, Impact.id == impact_id)
    return _dict(rows[0], _cited([impact_id], v).get(impact_id, []))


def citing_datasets(package_ids: Sequence[str], v: Viewer) -> dict[str, list[dict[str, Any]]]:
    """Impact entries citing each of ``package_ids``, of challenges the viewer
    may see ("this data informed ..."): two queries for any number of ids."""
    if not package_ids:
        return {}
    c = Challenge.__table__
    rows = _entries(v, c.c.state != "deleted", visible_challenge(v), cited_in=package_ids)
    cited = _cited(list({r.id for r in rows}), v)
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        result[r.cited_package_id].append(_dict(r, cited.get(r.id, [])))
    return result


def dataset_refs(refs: Sequence[str], v: Viewer) -> tuple[list[str], list[str]]:
    """Resolve dataset ids or names to ids of datasets the viewer may read
    (projects excluded): (ids in the order given, refs not found)."""
    if not refs:
        return [], []
    p = model.Package.__table__
    rows = model.Session.execute(
        sa.select(p.c.id, p.c.name).where(
            sa.or_(p.c.id.in_(list(refs)), p.c.name.in_(list(refs))),
            p.c.type != PROJECT_TYPE,
            readable_dataset(v, p),
        )
    ).all()
    by_ref = {r.id: r.id for r in rows} | {r.name: r.id for r in rows}
    ids: list[str] = []
    for ref in refs:
        found = by_ref.get(ref)
        if found is not None and found not in ids:
            ids.append(found)
    return ids, [ref for ref in refs if ref not in by_ref]


def unreadable_links(impact_id: str, v: Viewer) -> list[str]:
    """Datasets an entry cites that the viewer may not read (kept when they
    edit the entry: they could not see them to keep them)."""
    link = ImpactDataset.__table__
    p = model.Package.__table__
    return list(
        model.Session.scalars(
            sa.select(link.c.package_id)
            .select_from(link.join(p, p.c.id == link.c.package_id))
            .where(link.c.impact_id == impact_id, sa.not_(readable_dataset(v, p)))
        )
    )
