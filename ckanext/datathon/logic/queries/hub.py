"""SQL reads of the personal hub (``datathon_hub_show``).

The caller checks access first (the action).  Each section is one page of
rows read in one statement whatever the number of rows (its total comes from
a window function; only a page past the end costs a second, counting,
statement), plus, for teams, one statement for the team names of the page.
Visibility is the caller's (``Viewer``): a challenge or project the caller
may not read is never listed, even on another user's hub read by a sysadmin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic import dictize, project_rules
from ckanext.datathon.logic.visibility import Viewer, visible_challenge
from ckanext.datathon.model import (
    CONTEST_DATES,
    Challenge,
    ChallengeFollower,
    Criterion,
    Idea,
    Juror,
    Project,
    Recusal,
    Results,
    Score,
    TeamInvitation,
)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).isoformat() if value is not None else None


def _challenge_columns(at: dt.datetime) -> list[Any]:
    c = Challenge.__table__
    return [
        c.c.id.label("challenge_id"),
        c.c.name.label("challenge_name"),
        c.c.title.label("challenge_title"),
        c.c.state.label("challenge_state"),
        c.c.timezone.label("challenge_timezone"),
        *(c.c[d].label(d) for d in CONTEST_DATES),
        dictize.phase_column(at).label("phase"),
        dictize.current_stage_column(at).label("current_stage"),
    ]


def _challenge(row: Any, at: dt.datetime, kinds: Sequence[str] = CONTEST_DATES) -> dict[str, Any]:
    """The challenge part of a hub row, with its next deadline among
    ``kinds`` (``{"kind": <date field>, "at": iso}``, or None)."""
    upcoming = sorted(
        (getattr(row, kind), kind)
        for kind in kinds
        if getattr(row, kind) and getattr(row, kind) > at
    )
    return {
        "id": row.challenge_id,
        "name": row.challenge_name,
        "title": row.challenge_title,
        "state": row.challenge_state,
        "timezone": row.challenge_timezone,
        "phase": row.phase,
        "current_stage": row.current_stage,
        "next_deadline": {"kind": upcoming[0][1], "at": _iso(upcoming[0][0])} if upcoming else None,
    }


def _page(query: sa.Select, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of ``query`` (which selects ``total``: ``count(*) over ()``)
    and the number of rows of the whole query."""
    rows = model.Session.execute(query.limit(limit).offset(offset)).all()
    if rows:
        return rows, rows[0].total
    if offset == 0 and limit > 0:
        return [], 0
    # past the last page (or a page of 0 rows): the window function saw no row
    counted = query.with_only_columns(sa.literal(1)).order_by(None).subquery()
    return [], model.Session.execute(sa.select(sa.func.count()).select_from(counted)).scalar_one()


# -- my teams ----------------------------------------------------------------------------

# the dates a team works to
TEAM_DATES = ("registration_closes", "submission_deadline", "results_date")


def teams(user_id: str, v: Viewer, limit: int, offset: int, at: dt.datetime) -> dict[str, Any]:
    """The projects whose team ``user_id`` is on (collaborators of the
    dataset), the caller may read, in challenges the caller may read: the
    ones with a deadline still to come first."""
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    c = Challenge.__table__
    nearest = dictize.next_deadline_column(at)
    query = (
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            pr.c.submission_status,
            (pr.c.leader_user_id == user_id).label("leader"),
            *_challenge_columns(at),
            sa.func.count().over().label("total"),
        )
        .select_from(
            pm.join(p, p.c.id == pm.c.package_id)
            .join(pr, pr.c.package_id == p.c.id)
            .join(c, c.c.id == pr.c.challenge_id)
        )
        .where(
            pm.c.user_id == user_id,
            c.c.state != "deleted",
            project_rules.visible_project(v),
            visible_challenge(v),
        )
        .order_by(nearest.asc().nulls_last(), sa.func.lower(p.c.title), p.c.id)
    )
    rows, total = _page(query, limit, offset)
    names = project_rules.extras_of([r.id for r in rows], ("team_name",))
    return {
        "count": total,
        "results": [
            {
                "project": {
                    "id": r.id,
                    "name": r.name,
                    "title": r.title or r.name,
                    "team_name": names.get(r.id, {}).get("team_name") or "",
                    "submission_status": r.submission_status,
                },
                "role": "leader" if r.leader else "member",
                "challenge": _challenge(r, at, TEAM_DATES),
            }
            for r in rows
        ],
    }


# -- my jury assignments -----------------------------------------------------------------


def jury(user_id: str, v: Viewer, limit: int, offset: int, at: dt.datetime) -> dict[str, Any]:
    """The challenges ``user_id`` is a juror of, with their progress:
    ``total`` submitted projects they may score (not their team's, not
    recused), ``scored`` those scored on every criterion, ``to_score`` the
    rest."""
    j = Juror.__table__
    c = Challenge.__table__
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    rc = Recusal.__table__
    s = Score.__table__
    cr = Criterion.__table__
    criteria = (
        sa.select(sa.func.count())
        .select_from(cr)
        .where(cr.c.challenge_id == c.c.id)
        .correlate(c)
        .scalar_subquery()
    )
    may_score = sa.and_(
        pr.c.challenge_id == c.c.id,
        pr.c.submission_status == "submitted",
        p.c.state == "active",
        ~sa.exists().where(pm.c.package_id == p.c.id, pm.c.user_id == user_id).correlate(p),
        ~sa.exists().where(rc.c.project_id == p.c.id, rc.c.juror_user_id == user_id).correlate(p),
    )
    given = (
        sa.select(sa.func.count())
        .select_from(s)
        .where(s.c.project_id == p.c.id, s.c.juror_user_id == user_id)
        .correlate(p)
        .scalar_subquery()
    )
    scorable = pr.join(p, p.c.id == pr.c.package_id)
    total = (
        sa.select(sa.func.count())
        .select_from(scorable)
        .where(may_score)
        .correlate(c)
        .scalar_subquery()
    )
    scored = (
        sa.select(sa.func.count())
        .select_from(scorable)
        .where(may_score, criteria > 0, given >= criteria)
        .correlate(c)
        .scalar_subquery()
    )
    query = (
        sa.select(
            *_challenge_columns(at),
            total.label("projects"),
            scored.label("scored"),
            sa.func.count().over().label("total"),
        )
        .select_from(j.join(c, c.c.id == j.c.challenge_id))
        .where(j.c.user_id == user_id, c.c.state != "deleted", visible_challenge(v))
        .order_by(
            dictize.next_deadline_column(at).asc().nulls_last(), sa.func.lower(c.c.title), c.c.id
        )
    )
    rows, count = _page(query, limit, offset)
    return {
        "count": count,
        "results": [
            {
                "challenge": _challenge(r, at, ("submission_deadline", "judging_closes")),
                "total": r.projects,
                "scored": r.scored,
                "to_score": r.projects - r.scored,
            }
            for r in rows
        ],
    }


# -- the challenges I organize -------------------------------------------------------------


def organizing(user_id: str, v: Viewer, limit: int, offset: int, at: dt.datetime) -> dict[str, Any]:
    """The challenges of the organizations ``user_id`` is an admin or editor
    of (drafts included, when the caller may read them), with what waits for
    the organizers: submitted projects some juror has still to score,
    results not published although judging closed, ideas not adopted."""
    c = Challenge.__table__
    m = model.Member.__table__
    g = model.Group.__table__
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    j = Juror.__table__
    rc = Recusal.__table__
    s = Score.__table__
    cr = Criterion.__table__
    ideas = Idea.__table__
    results = Results.__table__
    orgs = (
        sa.select(m.c.group_id)
        .join(g, g.c.id == m.c.group_id)
        .where(
            m.c.table_name == "user",
            m.c.table_id == user_id,
            m.c.state == "active",
            m.c.capacity.in_(("admin", "editor")),
            g.c.is_organization.is_(True),
            g.c.state == "active",
        )
    )
    criteria = (
        sa.select(sa.func.count())
        .select_from(cr)
        .where(cr.c.challenge_id == c.c.id)
        .correlate(c)
        .scalar_subquery()
    )
    # a juror who may score the project and has not scored every criterion
    behind = (
        sa.exists()
        .where(
            j.c.challenge_id == c.c.id,
            ~sa.exists().where(pm.c.package_id == p.c.id, pm.c.user_id == j.c.user_id),
            ~sa.exists().where(rc.c.project_id == p.c.id, rc.c.juror_user_id == j.c.user_id),
            sa.select(sa.func.count())
            .select_from(s)
            .where(s.c.project_id == p.c.id, s.c.juror_user_id == j.c.user_id)
            .scalar_subquery()
            < criteria,
        )
        .correlate(c, p)
    )
    unscored = (
        sa.select(sa.func.count())
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(
            pr.c.challenge_id == c.c.id,
            pr.c.submission_status == "submitted",
            p.c.state == "active",
            behind,
        )
        .correlate(c)
        .scalar_subquery()
    )
    unpublished = sa.and_(
        c.c.state == "active",
        c.c.judging_closes < at,
        ~sa.exists().where(results.c.challenge_id == c.c.id),
    )
    to_review = (
        sa.select(sa.func.count())
        .select_from(ideas)
        .where(ideas.c.challenge_id == c.c.id, ideas.c.adopted.is_(None))
        .correlate(c)
        .scalar_subquery()
    )
    query = (
        sa.select(
            *_challenge_columns(at),
            unscored.label("unscored"),
            unpublished.label("unpublished"),
            to_review.label("ideas"),
            sa.func.count().over().label("total"),
        )
        .where(c.c.owner_org.in_(orgs), c.c.state != "deleted", visible_challenge(v))
        .order_by(
            # drafts first, then by the next date to come
            (c.c.state == "draft").desc(),
            dictize.next_deadline_column(at).asc().nulls_last(),
            sa.func.lower(c.c.title),
            c.c.id,
        )
    )
    rows, count = _page(query, limit, offset)
    return {
        "count": count,
        "results": [
            {
                "challenge": _challenge(r, at),
                "waiting": {
                    "unscored_projects": r.unscored,
                    "results_unpublished": bool(r.unpublished),
                    "ideas_to_review": r.ideas,
                },
            }
            for r in rows
        ],
    }


# -- the challenges I follow ------------------------------------------------------------------


def following(user_id: str, v: Viewer, limit: int, offset: int, at: dt.datetime) -> dict[str, Any]:
    """The challenges ``user_id`` follows that the caller may read, most
    recently followed first."""
    c = Challenge.__table__
    f = ChallengeFollower.__table__
    query = (
        sa.select(
            *_challenge_columns(at),
            f.c.created.label("followed"),
            sa.func.count().over().label("total"),
        )
        .select_from(f.join(c, c.c.id == f.c.challenge_id))
        .where(f.c.user_id == user_id, c.c.state != "deleted", visible_challenge(v))
        .order_by(f.c.created.desc(), c.c.id)
    )
    rows, count = _page(query, limit, offset)
    return {
        "count": count,
        "results": [{"challenge": _challenge(r, at), "since": _iso(r.followed)} for r in rows],
    }


def header_counts(user_id: str) -> tuple[int, bool]:
    """The user's pending invitations (lapsed ones included: lapse is
    computed where they are listed) and whether they follow a challenge:
    one statement."""
    inv = TeamInvitation.__table__
    f = ChallengeFollower.__table__
    pending = (
        sa.select(sa.func.count())
        .where(inv.c.invitee_user_id == user_id, inv.c.state == "pending")
        .scalar_subquery()
    )
    follows = sa.exists().where(f.c.user_id == user_id)
    row = model.Session.execute(sa.select(pending.label("pending"), follows.label("follows"))).one()
    return int(row.pending), bool(row.follows)
