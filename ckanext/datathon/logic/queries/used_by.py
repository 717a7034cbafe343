"""What uses a dataset, for the block of its page (``dataset_challenge_list``),
in **one** SQL statement.

The dataset page must cost at most two statements more than CKAN's own
(issue 21), the header's invitation count being one of them for signed-in
users.  So the block's four lists -- the challenges linking the dataset, one
page of the projects using it (with their team name and, once results are
published, their award), how many such projects there are, and the impact
entries citing it (with the datasets each cites) -- are scalar subqueries of
a single ``SELECT``, each list aggregated as JSON by PostgreSQL.  Per-viewer
visibility is the same as everywhere (``logic.visibility``,
``project_rules.visible_project``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by

import ckan.model as model

from ckanext.datathon.logic import dictize
from ckanext.datathon.logic.project_rules import visible_project
from ckanext.datathon.logic.visibility import Viewer, readable_dataset, visible_challenge
from ckanext.datathon.model import (
    Challenge,
    ChallengeDataset,
    Impact,
    ImpactDataset,
    Project,
    ProjectDataset,
    Results,
    ResultsSnapshot,
)


def _json_rows(query: sa.Select, order_by: Sequence[Any], name: str) -> sa.ScalarSelect:
    """A JSON array of the rows of ``query`` in the order ``order_by`` (an
    empty array when there is none), as a scalar subquery."""
    rows = query.add_columns(sa.func.row_number().over(order_by=list(order_by)).label("_ord"))
    sub = rows.subquery(name)
    return (
        sa.select(
            sa.func.coalesce(
                sa.func.json_agg(
                    aggregate_order_by(sa.func.row_to_json(sa.literal_column(name)), sub.c._ord)
                ),
                sa.text("'[]'::json"),
            )
        )
        .select_from(sub)
        .scalar_subquery()
    )


def _team_name(p: Any) -> Any:
    """The ``team_name`` extra of the package row ``p`` (2.12: the JSONB
    ``extras`` column; 2.11: the ``package_extra`` table)."""
    if "extras" in p.c:
        return p.c.extras.op("->>")("team_name")
    e = model.package_extra_table  # type: ignore[attr-defined]
    return (
        sa.select(e.c.value)
        .where(e.c.package_id == p.c.id, e.c.key == "team_name", e.c.state == "active")
        .limit(1)
        .scalar_subquery()
    )


def _award(pr: Any, c: Any) -> Any:
    """The award of the project row ``pr`` in the current snapshot of its
    challenge's published results (NULL before publication, after a
    retraction, or for a challenge that is not published)."""
    s = ResultsSnapshot.__table__
    r = Results.__table__
    award = (
        sa.func.jsonb_array_elements(s.c.payload["awards"])
        .table_valued(sa.column("value", JSONB))
        .alias("award")
    )
    return (
        sa.select(award.c.value)
        .select_from(s.join(r, r.c.challenge_id == s.c.challenge_id).join(award, sa.true()))
        .where(
            s.c.challenge_id == pr.c.challenge_id,
            s.c.retracted.is_(None),
            c.c.state == "active",
            award.c.value["project"]["id"].astext == pr.c.package_id,
        )
        .order_by(s.c.version.desc())
        .limit(1)
        .scalar_subquery()
    )


def _challenges(package_id: str, v: Viewer, at: dt.datetime) -> sa.ScalarSelect:
    c = Challenge.__table__
    g = model.Group.__table__
    link = ChallengeDataset.__table__
    query = (
        sa.select(
            c.c.id,
            c.c.name,
            c.c.title,
            c.c.state,
            c.c.image_url,
            c.c.problem_statement,
            c.c.owner_org,
            g.c.title.label("organization_title"),
            link.c.role,
            link.c.note,
            dictize.current_stage_column(at).label("current_stage"),
        )
        .select_from(link.join(c, c.c.id == link.c.challenge_id).join(g, g.c.id == c.c.owner_org))
        .where(link.c.package_id == package_id, c.c.state != "deleted", visible_challenge(v))
    )
    return _json_rows(query, (c.c.created.desc(), c.c.id), "challenges")


def _projects_from() -> Any:
    link = ProjectDataset.__table__
    pr = Project.__table__
    p = model.Package.__table__
    c = Challenge.__table__
    return (
        link.join(pr, pr.c.package_id == link.c.project_id)
        .join(p, p.c.id == pr.c.package_id)
        .join(c, c.c.id == pr.c.challenge_id)
    )


def _projects(package_id: str, v: Viewer, limit: int, offset: int) -> sa.ScalarSelect:
    link = ProjectDataset.__table__
    pr = Project.__table__
    p = model.Package.__table__
    c = Challenge.__table__
    order = (pr.c.submitted_at.desc().nulls_last(), p.c.title, p.c.id)
    page = (
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            pr.c.submission_status,
            pr.c.submitted_at,
            _team_name(p).label("team_name"),
            _award(pr, c).label("award"),
            c.c.id.label("challenge_id"),
            c.c.name.label("challenge_name"),
            c.c.title.label("challenge_title"),
            visible_challenge(v).label("challenge_visible"),
        )
        .select_from(_projects_from())
        .where(link.c.package_id == package_id, c.c.state != "deleted", visible_project(v))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return _json_rows(page, order, "projects")


def _project_count(package_id: str, v: Viewer) -> sa.ScalarSelect:
    link = ProjectDataset.__table__
    c = Challenge.__table__
    return (
        sa.select(sa.func.count())
        .select_from(_projects_from())
        .where(link.c.package_id == package_id, c.c.state != "deleted", visible_project(v))
        .scalar_subquery()
    )


def _impact(package_id: str, v: Viewer) -> sa.ScalarSelect:
    i = Impact.__table__
    c = Challenge.__table__
    pr = Project.__table__
    p = model.Package.__table__
    cited = ImpactDataset.__table__
    # the datasets each entry cites that the viewer may read
    ip = model.Package.__table__.alias("cited_package")
    il = ImpactDataset.__table__.alias("cited_link")
    datasets = (
        sa.select(
            sa.func.coalesce(
                sa.func.json_agg(
                    aggregate_order_by(
                        sa.func.json_build_object(
                            "id",
                            ip.c.id,
                            "name",
                            ip.c.name,
                            "title",
                            sa.func.coalesce(sa.func.nullif(ip.c.title, ""), ip.c.name),
                            "private",
                            ip.c.private,
                        ),
                        sa.tuple_(ip.c.title, ip.c.name),
                    )
                ),
                sa.text("'[]'::json"),
            )
        )
        .select_from(il.join(ip, ip.c.id == il.c.package_id))
        .where(il.c.impact_id == i.c.id, readable_dataset(v, ip))
        .correlate(i)
        .scalar_subquery()
    )
    query = (
        sa.select(
            i.c.id,
            i.c.challenge_id,
            c.c.name.label("challenge_name"),
            c.c.title.label("challenge_title"),
            i.c.date,
            i.c.kind,
            i.c.title,
            i.c.description,
            i.c.url,
            p.c.id.label("project_id_visible"),
            p.c.name.label("project_name"),
            p.c.title.label("project_title"),
            datasets.label("datasets"),
            i.c.created,
            i.c.modified,
        )
        .select_from(
            i.join(c, c.c.id == i.c.challenge_id)
            .join(cited, sa.and_(cited.c.impact_id == i.c.id, cited.c.package_id == package_id))
            # the project only when the viewer may read it
            .outerjoin(pr, pr.c.package_id == i.c.project_id)
            .outerjoin(p, sa.and_(p.c.id == pr.c.package_id, visible_project(v)))
        )
        .where(c.c.state != "deleted", visible_challenge(v))
    )
    return _json_rows(query, (i.c.date.desc(), i.c.created.desc(), i.c.id), "impact")


def _iso(value: str | None) -> str | None:
    """A timestamp of PostgreSQL's JSON as the API writes them (UTC ISO 8601)."""
    if not value:
        return None
    return dictize.jsonable(dt.datetime.fromisoformat(value))


def _award_dict(award: dict[str, Any] | None) -> dict[str, Any] | None:
    # the shape of queries.jury.winner_awards
    if not award:
        return None
    prize = award.get("prize") or {}
    return {
        "rank": award.get("rank"),
        "title": award.get("title"),
        "citation": award.get("citation"),
        "prize_title": prize.get("title"),
        "amount": prize.get("amount"),
        "currency": prize.get("currency"),
    }


def used_by(package_id: str, v: Viewer, limit: int, offset: int, at: dt.datetime) -> dict[str, Any]:
    """``{"challenges", "projects", "project_count", "impact"}`` of the
    dataset ``package_id`` for the viewer ``v`` (one statement)."""
    row = model.Session.execute(
        sa.select(
            _challenges(package_id, v, at).label("challenges"),
            _projects(package_id, v, limit, offset).label("projects"),
            _project_count(package_id, v).label("project_count"),
            _impact(package_id, v).label("impact"),
        )
    ).one()
    challenges = [
        {key: value for key, value in entry.items() if key != "_ord"} for entry in row.challenges
    ]
    projects = [
        {
            "id": r["id"],
            "name": r["name"],
            "title": r["title"] or r["name"],
            "team_name": r["team_name"] or "",
            "submission_status": r["submission_status"],
            "submitted_at": _iso(r["submitted_at"]),
            # a challenge the viewer may not read is not named
            "challenge": {
                "id": r["challenge_id"],
                "name": r["challenge_name"],
                "title": r["challenge_title"],
            }
            if r["challenge_visible"]
            else None,
            "award": _award_dict(r["award"]),
        }
        for r in row.projects
    ]
    impact = [
        {
            "id": r["id"],
            "challenge_id": r["challenge_id"],
            "challenge": {
                "id": r["challenge_id"],
                "name": r["challenge_name"],
                "title": r["challenge_title"],
            },
            "date": r["date"],
            "kind": r["kind"],
            "title": r["title"],
            "description": r["description"],
            "url": r["url"],
            "project": None
            if r["project_id_visible"] is None
            else {
                "id": r["project_id_visible"],
                "name": r["project_name"],
                "title": r["project_title"] or r["project_name"],
            },
            "datasets": r["datasets"],
            "created": _iso(r["created"]),
            "modified": _iso(r["modified"]),
        }
        for r in row.impact
    ]
    return {
        "challenges": challenges,
        "projects": projects,
        "project_count": row.project_count,
        "impact": impact,
    }
