"""Read queries of the jury pages, the winner badges and the CSV exports.

Callers check access first (``jury_views``); these functions only read, in a
fixed number of queries whatever the number of projects or jurors:

* ``juror_queue``: one page of a juror's queue with their progress (3 queries);
* ``jury_completion``: each juror's progress, for organizers (1 query);
* ``winner_awards``: awards of published results for many projects, from
  the published snapshots (1 query);
* ``score_batches`` / ``project_batches``: keyset pages of export rows, so an
  export never holds a whole challenge in memory.

A project counts as *scored* by a juror when the juror scored every criterion
of the challenge on it (a partly scored project is still in their queue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic import project_rules
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.logic.visibility import Viewer, readable_dataset
from ckanext.datathon.model import (
    Criterion,
    Juror,
    Project,
    ProjectDataset,
    Recusal,
    Score,
)

BATCH_SIZE = 500


def _submitted(challenge_id: str) -> list[sa.ColumnElement[bool]]:
    pr = Project.__table__
    p = model.Package.__table__
    return [
        pr.c.challenge_id == challenge_id,
        pr.c.submission_status == "submitted",
        p.c.state == "active",
    ]


def _criteria_count(challenge_id: str) -> sa.ScalarSelect:
    return (
        sa.select(sa.func.count())
        .select_from(Criterion.__table__)
        .where(Criterion.__table__.c.challenge_id == challenge_id)
        .scalar_subquery()
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).isoformat() if value is not None else None


# -- a juror's queue ----------------------------------------------------------------


def juror_queue(challenge_id: str, juror_id: str, limit: int, offset: int) -> dict[str, Any]:
    """The submitted projects of a challenge as juror ``juror_id`` works on
    them: projects still to score first, then scored ones, then those they
    may not score (their own team, recused).

    :returns: ``{"count", "scorable", "scored", "results": [{id, name,
        title, team_name, conflict (None | "team" | "recused"),
        recusal_reason, scores: {criterion_id: {score, comment, modified}}}]}``
    """
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    rc = Recusal.__table__
    s = Score.__table__
    on_team = sa.exists().where(pm.c.package_id == p.c.id, pm.c.user_id == juror_id)
    given = (
        sa.select(sa.func.count())
        .select_from(s)
        .where(s.c.project_id == p.c.id, s.c.juror_user_id == juror_id)
        .scalar_subquery()
    )
    criteria = _criteria_count(challenge_id)
    conflict = sa.case((on_team, "team"), (rc.c.project_id.is_not(None), "recused"), else_=None)
    scorable = sa.and_(~on_team, rc.c.project_id.is_(None))
    done = sa.and_(scorable, criteria > 0, given >= criteria)
    # 0: to score, 1: scored, 2: may not score
    group = sa.case((done, 1), (scorable, 0), else_=2)
    rows = model.Session.execute(
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            conflict.label("conflict"),
            rc.c.reason.label("recusal_reason"),
            sa.func.count().over().label("total"),
            sa.func.sum(sa.case((scorable, 1), else_=0)).over().label("scorable"),
            sa.func.sum(sa.case((done, 1), else_=0)).over().label("scored"),
        )
        .select_from(
            pr.join(p, p.c.id == pr.c.package_id).outerjoin(
                rc, sa.and_(rc.c.project_id == p.c.id, rc.c.juror_user_id == juror_id)
            )
        )
        .where(*_submitted(challenge_id))
        .order_by(group, sa.func.lower(p.c.title), p.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [r.id for r in rows]
    scores: dict[str, dict[str, dict[str, Any]]] = {}
    if ids:
        for r in model.Session.execute(
            sa.select(s.c.project_id, s.c.criterion_id, s.c.score, s.c.comment, s.c.modified).where(
                s.c.project_id.in_(ids), s.c.juror_user_id == juror_id
            )
        ):
            scores.setdefault(r.project_id, {})[r.criterion_id] = {
                "score": r.score,
                "comment": r.comment,
                "modified": _iso(r.modified),
            }
    extras = project_rules.extras_of(ids, ("team_name",))
    first = rows[0] if rows else None
    return {
        "count": first.total if first else 0,
        "scorable": int(first.scorable) if first else 0,
        "scored": int(first.scored) if first else 0,
        "results": [
            {
                "id": r.id,
                "name": r.name,
                "title": r.title or r.name,
                "team_name": extras.get(r.id, {}).get("team_name") or "",
                "conflict": r.conflict,
                "recusal_reason": r.recusal_reason or "",
                "scores": scores.get(r.id, {}),
            }
            for r in rows
        ],
    }


# -- the organizers' view of the jury ---------------------------------------------------


def jury_completion(challenge_id: str) -> list[dict[str, Any]]:
    """Each juror's progress, in one query: ``{user_id, name, display_name,
    scored, total, last_activity}`` where ``total`` counts the submitted
    projects the juror may score (not their team's, not recused) and
    ``scored`` those of them they scored on every criterion."""
    j = Juror.__table__
    u = model.User.__table__
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    rc = Recusal.__table__
    s = Score.__table__
    may_score = sa.and_(
        *_submitted(challenge_id),
        ~sa.exists().where(pm.c.package_id == p.c.id, pm.c.user_id == j.c.user_id).correlate(j, p),
        ~sa.exists()
        .where(rc.c.project_id == p.c.id, rc.c.juror_user_id == j.c.user_id)
        .correlate(j, p),
    )
    total = (
        sa.select(sa.func.count())
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(may_score)
        .correlate(j)
        .scalar_subquery()
    )
    criteria = _criteria_count(challenge_id)
    complete = (
        sa.select(s.c.project_id)
        .where(s.c.challenge_id == challenge_id, s.c.juror_user_id == j.c.user_id)
        .group_by(s.c.project_id)
        .having(sa.func.count() >= criteria)
        .correlate(j)
    )
    scored = (
        sa.select(sa.func.count())
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(may_score, p.c.id.in_(complete), criteria > 0)
        .correlate(j)
        .scalar_subquery()
    )
    last = (
        sa.select(sa.func.max(s.c.modified))
        .where(s.c.challenge_id == challenge_id, s.c.juror_user_id == j.c.user_id)
        .correlate(j)
        .scalar_subquery()
    )
    rows = model.Session.execute(
        sa.select(
            u.c.id,
            u.c.name,
            u.c.fullname,
            total.label("total"),
            scored.label("scored"),
            last.label("last_activity"),
        )
        .select_from(j.join(u, u.c.id == j.c.user_id))
        .where(j.c.challenge_id == challenge_id, u.c.state == "active")
        .order_by(u.c.name)
    ).all()
    return [
        {
            "user_id": r.id,
            "name": r.name,
            "display_name": r.fullname or r.name,
            "total": r.total,
            "scored": r.scored,
            "last_activity": _iso(r.last_activity),
        }
        for r in rows
    ]


# -- winner badges ----------------------------------------------------------------------


def winner_awards(project_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The award of each project whose challenge published its results, as
    the published snapshot has it (one query): ``{project_id: {rank, title,
    citation, prize_title, amount, currency}}``.  Awards of unpublished (or
    retracted) results are not returned."""
    result = {}
    for project_id, award in frozen.snapshot_awards_of(project_ids).items():
        prize = award.get("prize") or {}
        result[project_id] = {
            "rank": award.get("rank"),
            "title": award.get("title"),
            "citation": award.get("citation"),
            "prize_title": prize.get("title"),
            "amount": prize.get("amount"),
            "currency": prize.get("currency"),
        }
    return result


# -- exports ------------------------------------------------------------------------------


def score_batches(challenge_id: str, size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
    """Every score of a challenge, in keyset pages of ``size`` rows (ordered
    by project, juror and criterion ids: the primary key)."""
    s = Score.__table__
    p = model.Package.__table__
    u = model.User.__table__
    c = Criterion.__table__
    key = sa.tuple_(s.c.project_id, s.c.juror_user_id, s.c.criterion_id)
    last: tuple[str, str, str] | None = None
    while True:
        query = (
            sa.select(
                s.c.project_id,
                s.c.juror_user_id,
                s.c.criterion_id,
                p.c.title,
                p.c.name,
                u.c.name.label("juror"),
                c.c.name.label("criterion"),
                s.c.score,
                s.c.comment,
                s.c.modified,
            )
            .select_from(
                s.join(p, p.c.id == s.c.project_id)
                .join(u, u.c.id == s.c.juror_user_id)
                .join(c, c.c.id == s.c.criterion_id)
            )
            .where(s.c.challenge_id == challenge_id)
            .order_by(s.c.project_id, s.c.juror_user_id, s.c.criterion_id)
            .limit(size)
        )
        if last is not None:
            query = query.where(key > sa.tuple_(*last))
        rows = model.Session.execute(query).all()
        if not rows:
            return
        yield [
            {
                "project": r.title or r.name,
                "juror": r.juror,
                "criterion": r.criterion,
                "score": r.score,
                "comment": r.comment,
                "modified": _iso(r.modified),
            }
            for r in rows
        ]
        if len(rows) < size:
            return
        last = (rows[-1].project_id, rows[-1].juror_user_id, rows[-1].criterion_id)


def project_batches(
    challenge_id: str, who: Viewer, *, with_awards: bool, size: int = BATCH_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """The submitted projects of a challenge that ``who`` may read, in keyset
    pages of ``size`` (by package id), with the datasets they use that ``who``
    may read and, when ``with_awards``, their award title (from the published
    snapshot).  Three queries per page, four with awards."""
    pr = Project.__table__
    p = model.Package.__table__
    link = ProjectDataset.__table__
    d = model.Package.__table__.alias("used")
    last: str | None = None
    while True:
        query = (
            sa.select(p.c.id, p.c.name, p.c.title, pr.c.submitted_at)
            .select_from(pr.join(p, p.c.id == pr.c.package_id))
            .where(*_submitted(challenge_id), project_rules.visible_project(who))
            .order_by(p.c.id)
            .limit(size)
        )
        if last is not None:
            query = query.where(p.c.id > last)
        rows = model.Session.execute(query).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        # the published snapshot's awards, not the live ones
        awarded = frozen.snapshot_awards_of(ids) if with_awards else {}
        extras = project_rules.extras_of(ids, ("team_name", "repository_url", "code_licence"))
        used: dict[str, list[str]] = {}
        for r in model.Session.execute(
            sa.select(link.c.project_id, d.c.name)
            .select_from(link.join(d, d.c.id == link.c.package_id))
            .where(link.c.project_id.in_(ids), readable_dataset(who, d))
            .order_by(link.c.project_id, d.c.name)
        ):
            used.setdefault(r.project_id, []).append(r.name)
        yield [
            {
                "id": r.id,
                "name": r.name,
                "title": r.title or r.name,
                "team_name": extras.get(r.id, {}).get("team_name") or "",
                "repository_url": extras.get(r.id, {}).get("repository_url") or "",
                "code_licence": extras.get(r.id, {}).get("code_licence") or "",
                "datasets_used": used.get(r.id, []),
                "submitted_at": _iso(r.submitted_at),
                "award": (awarded.get(r.id) or {}).get("title") or "" if with_awards else "",
            }
            for r in rows
        ]
        if len(rows) < size:
            return
        last = rows[-1].id
