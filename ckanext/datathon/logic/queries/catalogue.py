"""SQL reads of the portal-wide formats: the Atom feed's events
(``challenge_event_list``) and the DCAT references from datasets to the
published challenges using them (``dataset_published_challenges``).

The caller checks access first (the actions).  Both name published
challenges only: what they hold is public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic.visibility import Viewer, readable_dataset
from ckanext.datathon.model import Challenge, ChallengeDataset, Results, Stage

PUBLISHED, STAGE, RESULTS = "published", "stage", "results"
EVENT_KINDS = (PUBLISHED, STAGE, RESULTS)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat()


def events(limit: int, offset: int, at: dt.datetime) -> list[dict[str, Any]]:
    """The newest events of published challenges (after the first
    ``offset``), newest first: one UNION query, ordered and bounded in SQL."""
    c = Challenge.__table__
    s = Stage.__table__
    r = Results.__table__
    g = model.Group.__table__

    def columns(kind: str, stage: Any, when: Any) -> list[Any]:
        return [
            sa.literal(kind).label("kind"),
            stage.label("stage"),
            when.label("at"),
            c.c.id,
            c.c.name,
            c.c.title,
            c.c.problem_statement,
            g.c.title.label("org_title"),
            g.c.name.label("org_name"),
        ]

    published = (
        sa.select(*columns(PUBLISHED, sa.null(), c.c.published))
        .join(g, g.c.id == c.c.owner_org)
        .where(c.c.state == "active", c.c.published.is_not(None), c.c.published <= at)
    )
    stages = (
        sa.select(*columns(STAGE, s.c.stage, s.c.starts))
        .select_from(s.join(c, c.c.id == s.c.challenge_id))
        .join(g, g.c.id == c.c.owner_org)
        .where(c.c.state == "active", s.c.starts <= at)
    )
    results = (
        sa.select(*columns(RESULTS, sa.null(), r.c.published))
        .select_from(r.join(c, c.c.id == r.c.challenge_id))
        .join(g, g.c.id == c.c.owner_org)
        .where(c.c.state == "active", r.c.published <= at)
    )
    union = sa.union_all(published, stages, results).subquery()
    rows = model.Session.execute(
        sa.select(union)
        .order_by(union.c.at.desc(), union.c.id, union.c.kind, union.c.stage)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        {
            "kind": row.kind,
            "stage": row.stage,
            "at": _iso(row.at),
            "challenge": {
                "id": row.id,
                "name": row.name,
                "title": row.title,
                "problem_statement": row.problem_statement,
            },
            "organization": {"name": row.org_name, "title": row.org_title},
        }
        for row in rows
    ]


def published_challenges_using(
    dataset_ids: Sequence[str], v: Viewer
) -> dict[str, list[dict[str, Any]]]:
    """The published challenges linked to each of the datasets the viewer
    may read, oldest first (one indexed query for all of them)."""
    if not dataset_ids:
        return {}
    c = Challenge.__table__
    p = model.Package.__table__
    link = ChallengeDataset.__table__
    rows = model.Session.execute(
        sa.select(link.c.package_id, c.c.id, c.c.name, c.c.title)
        .select_from(
            link.join(c, c.c.id == link.c.challenge_id).join(p, p.c.id == link.c.package_id)
        )
        .where(
            link.c.package_id.in_(list(dataset_ids)),
            c.c.state == "active",
            readable_dataset(v, p),
        )
        .order_by(link.c.package_id, c.c.created, c.c.id)
    ).all()
    result: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row.package_id, []).append(
            {"id": row.id, "name": row.name, "title": row.title}
        )
    return result
