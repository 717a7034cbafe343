"""Read queries of the jury actions, the winner badges and the CSV exports.

Callers check access first (the read actions of ``logic.action.jury``:
``challenge_juror_queue``, ``challenge_jury_progress``,
``challenge_scores_export``, ``challenge_projects_export``); these functions
only read, in a fixed number of queries whatever the number of projects or
jurors:

* ``juror_queue``: one page of a juror's queue with what each card shows and
  their progress, overall and per criterion (5 queries);
* ``jury_completion``: each juror's progress, for organizers (1 query);
  ``criterion_progress``: projects scored per criterion (1 query);
* ``winner_awards``: awards of published results for many projects, from
  the published snapshots (1 query);
* ``score_page`` / ``project_page``: one keyset page of export rows and the
  key of the next (``score_batches`` / ``project_batches`` walk them all), so
  an export never holds a whole challenge in memory.

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


QUEUE_FIELDS = ("team_name", "repository_url", "demo_url", "code_licence")


def _used_datasets(ids: Sequence[str], who: Viewer) -> dict[str, list[dict[str, str]]]:
    """The datasets each project uses that ``who`` may read (one query)."""
    if not ids:
        return {}
    link = ProjectDataset.__table__
    d = model.Package.__table__.alias("used")
    used: dict[str, list[dict[str, str]]] = {}
    for r in model.Session.execute(
        sa.select(link.c.project_id, d.c.name, d.c.title)
        .select_from(link.join(d, d.c.id == link.c.package_id))
        .where(link.c.project_id.in_(list(ids)), readable_dataset(who, d))
        .order_by(link.c.project_id, sa.func.lower(d.c.title), d.c.name)
    ):
        used.setdefault(r.project_id, []).append({"name": r.name, "title": r.title or r.name})
    return used


def juror_queue(challenge_id: str, who: Viewer, limit: int, offset: int) -> dict[str, Any]:
    """The submitted projects of a challenge that juror ``who`` may read, as
    they work on them, in a stable order (title, then id: a project scored
    stays where it was, the page does not jump), with what a scoring card
    shows: summary, repository, demo, licence, the datasets used that ``who``
    may read, the juror's own scores; and their progress, overall and per
    criterion.  Five queries whatever the page size.

    :returns: ``{"count", "scorable", "scored", "criteria": {criterion_id:
        projects scored on it}, "results": [{id, name, title, notes,
        team_name, repository_url, demo_url, code_licence, datasets_used:
        [{name, title}], conflict (None | "team" | "recused"),
        recusal_reason, scores: {criterion_id: {score, comment, modified}}}]}``
    """
    juror_id = who.user_id or ""
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
    queue = pr.join(p, p.c.id == pr.c.package_id).outerjoin(
        rc, sa.and_(rc.c.project_id == p.c.id, rc.c.juror_user_id == juror_id)
    )
    visible = (*_submitted(challenge_id), project_rules.visible_project(who))
    rows = model.Session.execute(
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            p.c.notes,
            conflict.label("conflict"),
            rc.c.reason.label("recusal_reason"),
            sa.func.count().over().label("total"),
            sa.func.sum(sa.case((scorable, 1), else_=0)).over().label("scorable"),
            sa.func.sum(sa.case((done, 1), else_=0)).over().label("scored"),
        )
        .select_from(queue)
        .where(*visible)
        .order_by(sa.func.lower(p.c.title), p.c.id)
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
    extras = project_rules.extras_of(ids, QUEUE_FIELDS)
    used = _used_datasets(ids, who)
    # per criterion: the projects this juror may score that they scored on it
    per_criterion = {
        r.criterion_id: r.projects
        for r in model.Session.execute(
            sa.select(
                s.c.criterion_id, sa.func.count(sa.distinct(s.c.project_id)).label("projects")
            )
            .select_from(
                s.join(pr, pr.c.package_id == s.c.project_id).join(p, p.c.id == pr.c.package_id)
            )
            .where(s.c.juror_user_id == juror_id, ~on_team, *visible)
            .group_by(s.c.criterion_id)
        )
    }
    first = rows[0] if rows else None
    return {
        "count": first.total if first else 0,
        "scorable": int(first.scorable) if first else 0,
        "scored": int(first.scored) if first else 0,
        "criteria": per_criterion,
        "results": [
            {
                "id": r.id,
                "name": r.name,
                "title": r.title or r.name,
                "notes": r.notes or "",
                **{key: extras.get(r.id, {}).get(key) or "" for key in QUEUE_FIELDS},
                "datasets_used": used.get(r.id, []),
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


def criterion_progress(challenge_id: str) -> list[dict[str, Any]]:
    """For organizers, each criterion with how many submitted projects have at
    least one juror's score on it (one query): ``{id, name, max_score,
    scored_projects}``, in the criteria's order."""
    c = Criterion.__table__
    s = Score.__table__
    pr = Project.__table__
    p = model.Package.__table__
    scored = (
        sa.select(sa.func.count(sa.distinct(s.c.project_id)))
        .select_from(
            s.join(pr, pr.c.package_id == s.c.project_id).join(p, p.c.id == pr.c.package_id)
        )
        .where(s.c.criterion_id == c.c.id, *_submitted(challenge_id))
        .correlate(c)
        .scalar_subquery()
    )
    rows = model.Session.execute(
        sa.select(c.c.id, c.c.name, c.c.max_score, scored.label("scored"))
        .where(c.c.challenge_id == challenge_id)
        .order_by(c.c.position, c.c.name, c.c.id)
    ).all()
    return [
        {"id": r.id, "name": r.name, "max_score": r.max_score, "scored_projects": r.scored}
        for r in rows
    ]


def submitted_count(challenge_id: str) -> int:
    """How many submitted projects the challenge has (one query)."""
    pr = Project.__table__
    p = model.Package.__table__
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(*_submitted(challenge_id))
    ).scalar_one()


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


def score_page(
    challenge_id: str, size: int = BATCH_SIZE, after: tuple[str, str, str] | None = None
) -> tuple[list[dict[str, Any]], tuple[str, str, str] | None]:
    """One keyset page of the scores of a challenge (ordered by project, juror
    and criterion ids: the primary key), after the key ``after``; and the key
    to ask the next page with (None: this was the last).  One query."""
    s = Score.__table__
    p = model.Package.__table__
    u = model.User.__table__
    c = Criterion.__table__
    key = sa.tuple_(s.c.project_id, s.c.juror_user_id, s.c.criterion_id)
    query = (
        sa.select(
            s.c.project_id,
            s.c.juror_user_id,
            s.c.criterion_id,
            p.c.title,
            p.c.name,
            u.c.name.label("juror"),
            c.c.name.label("criterion"),
            c.c.max_score,
            c.c.position,
            s.c.score,
            s.c.comment,
            s.c.created,
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
    if after is not None:
        query = query.where(key > sa.tuple_(*after))
    rows = model.Session.execute(query).all()
    page = [
        {
            "project": r.title or r.name,
            "project_name": r.name,
            "juror": r.juror,
            "criterion": r.criterion,
            "score": r.score,
            "comment": r.comment,
            "modified": _iso(r.modified),
            "project_id": r.project_id,
            "project_title": r.title,
            "juror_user_id": r.juror_user_id,
            "criterion_id": r.criterion_id,
            "criterion_position": r.position,
            "max_score": r.max_score,
            "created": _iso(r.created),
        }
        for r in rows
    ]
    if len(rows) < size:
        return page, None
    return page, (rows[-1].project_id, rows[-1].juror_user_id, rows[-1].criterion_id)


def score_batches(challenge_id: str, size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
    """Every score of a challenge, in keyset pages of ``size`` rows."""
    after: tuple[str, str, str] | None = None
    while True:
        page, after = score_page(challenge_id, size, after)
        if page:
            yield page
        if after is None:
            return


def project_page(
    challenge_id: str,
    who: Viewer,
    *,
    with_awards: bool,
    size: int = BATCH_SIZE,
    after: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One keyset page (by package id, after ``after``) of the submitted
    projects of a challenge that ``who`` may read, with the datasets they use
    that ``who`` may read and, when ``with_awards``, their award title (from
    the published snapshot); and the key of the next page (None: this was the
    last).  Three queries, four with awards."""
    pr = Project.__table__
    p = model.Package.__table__
    query = (
        sa.select(p.c.id, p.c.name, p.c.title, pr.c.submitted_at)
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(*_submitted(challenge_id), project_rules.visible_project(who))
        .order_by(p.c.id)
        .limit(size)
    )
    if after is not None:
        query = query.where(p.c.id > after)
    rows = model.Session.execute(query).all()
    if not rows:
        return [], None
    ids = [r.id for r in rows]
    # the published snapshot's awards, not the live ones
    awarded = frozen.snapshot_awards_of(ids) if with_awards else {}
    extras = project_rules.extras_of(ids, ("team_name", "repository_url", "code_licence"))
    used = _used_datasets(ids, who)
    page = [
        {
            "id": r.id,
            "name": r.name,
            "title": r.title or r.name,
            "team_name": extras.get(r.id, {}).get("team_name") or "",
            "repository_url": extras.get(r.id, {}).get("repository_url") or "",
            "code_licence": extras.get(r.id, {}).get("code_licence") or "",
            "datasets_used": [d["name"] for d in used.get(r.id, [])],
            "submitted_at": _iso(r.submitted_at),
            "award": (awarded.get(r.id) or {}).get("title") or "" if with_awards else "",
        }
        for r in rows
    ]
    return page, (rows[-1].id if len(rows) == size else None)


def project_batches(
    challenge_id: str, who: Viewer, *, with_awards: bool, size: int = BATCH_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """Every row of :func:`project_page`, page after page."""
    after: str | None = None
    while True:
        page, after = project_page(
            challenge_id, who, with_awards=with_awards, size=size, after=after
        )
        if page:
            yield page
        if after is None:
            return
