"""Who the plugin's mail goes to (reads only; the job checks, as each
recipient, what the mail may name)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic.queries import jury as jury_queries
from ckanext.datathon.model import Announcement, Challenge, ChallengeFollower, Project, Reminder

# the date each reminder kind comes before
REMINDER_DATES = {
    "registration": "registration_closes",
    "submission": "submission_deadline",
    "judging": "judging_closes",
}


def team_members(challenge_id: str, *, submitted: bool | None) -> list[str]:
    """Active users on the team of an active project of the challenge: of a
    submitted one, of one still to submit (``submitted=False``: a draft), or
    of either (``None``: the registered teams, not the withdrawn ones)."""
    return [
        user_id for user_id, _project in team_member_projects(challenge_id, submitted=submitted)
    ]


def team_member_projects(challenge_id: str, *, submitted: bool | None) -> list[tuple[str, str]]:
    """``(user_id, project_id)`` of the members of the challenge's active
    projects: submitted ones, drafts (``submitted=False``) or both (``None``);
    one row per user (their first project)."""
    pm = model.PackageMember.__table__
    pr = Project.__table__
    p = model.Package.__table__
    u = model.User.__table__
    statuses = {True: ("submitted",), False: ("draft",), None: ("draft", "submitted")}[submitted]
    status = pr.c.submission_status.in_(statuses)
    rows = model.Session.execute(
        sa.select(pm.c.user_id, sa.func.min(pr.c.package_id).label("project_id"))
        .select_from(
            pm.join(pr, pr.c.package_id == pm.c.package_id)
            .join(p, p.c.id == pr.c.package_id)
            .join(u, u.c.id == pm.c.user_id)
        )
        .where(
            pr.c.challenge_id == challenge_id, status, p.c.state == "active", u.c.state == "active"
        )
        .group_by(pm.c.user_id)
        .order_by(pm.c.user_id)
    ).all()
    return [(r.user_id, r.project_id) for r in rows]


def followers_without_team(challenge_id: str) -> list[str]:
    """Active followers of the challenge who are on no team of it."""
    f = ChallengeFollower.__table__
    pm = model.PackageMember.__table__
    pr = Project.__table__
    p = model.Package.__table__
    u = model.User.__table__
    on_team = sa.exists().where(
        pm.c.user_id == f.c.user_id,
        pm.c.package_id == pr.c.package_id,
        pr.c.challenge_id == challenge_id,
        p.c.id == pr.c.package_id,
        p.c.state == "active",
    )
    return list(
        model.Session.scalars(
            sa.select(f.c.user_id)
            .join(u, u.c.id == f.c.user_id)
            .where(f.c.challenge_id == challenge_id, u.c.state == "active", ~on_team)
            .order_by(f.c.user_id)
        )
    )


def jurors_with_unscored(challenge_id: str) -> list[str]:
    """Jurors with submitted projects still to score."""
    return [
        r["user_id"] for r in jury_queries.jury_completion(challenge_id) if r["scored"] < r["total"]
    ]


def challenges_due(kind: str, now: dt.datetime, hours: int) -> list[Challenge]:
    """Published challenges whose date of ``kind`` comes within ``hours``."""
    column = getattr(Challenge, REMINDER_DATES[kind])
    return list(
        model.Session.scalars(
            sa.select(Challenge)
            .where(
                Challenge.state == "active",
                column > now,
                column <= now + dt.timedelta(hours=hours),
            )
            .order_by(column, Challenge.id)
        )
    )


def already_reminded(kind: str, challenge_id: str) -> set[str]:
    r = Reminder.__table__
    return set(
        model.Session.scalars(
            sa.select(r.c.user_id).where(r.c.kind == kind, r.c.challenge_id == challenge_id)
        )
    )


def announcements_since(challenge_id: str, since: dt.datetime) -> int:
    a = Announcement.__table__
    return int(
        model.Session.scalar(
            sa.select(sa.func.count()).where(a.c.challenge_id == challenge_id, a.c.created > since)
        )
        or 0
    )
