"""Upgrade step ``teams`` (issue 18): teams by consent.

1. Every project has a leader (migration d5e8a1b3c7f2 backfills it; run
   again here, it changes only projects still without one).
2. The existing collaborators of projects become accepted members: one
   ``accepted`` invitation row each, with no inviter (they joined before
   invitations existed).
3. The free-text ``team_members`` field of projects is exported to
   ``team_members.csv`` (all organizations) and ``team_members/<org>.csv``
   (one file per organization, to hand to its organizers), then removed from
   the records, which are reindexed (package_show computes the field from the
   team from now on).
4. ``jurors_on_teams.csv`` reports the jurors who are on a team of their own
   challenge: the organizers decide (remove the juror, or the member).

Idempotent: a second run finds nothing to do (the export files of the first
run are kept; a run with nothing to export writes none).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.model import PROJECT_TYPE, Challenge, Juror, Project, TeamInvitation
from ckanext.datathon.upgrade import Step, UpgradeContext

FIELD = "team_members"
EXPORT = "team_members.csv"
EXPORT_DIR = "team_members"
REPORT = "jurors_on_teams.csv"
EXPORT_COLUMNS = (
    "organization",
    "challenge",
    "project_id",
    "project_name",
    "project_title",
    "member_name",
    "member_role",
    "member_profile_url",
)
REPORT_COLUMNS = (
    "organization",
    "challenge",
    "juror_name",
    "juror_display_name",
    "project_id",
    "project_name",
    "project_title",
    "submission_status",
)
# A cell starting with one of these is a formula in spreadsheets.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    path.chmod(0o640)


def _decoded(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [{"name": value}] if value.strip() else []
    if not isinstance(value, list):
        return []
    return [m for m in value if isinstance(m, dict)]


def _stored_team_members() -> dict[str, Any]:
    """Project id -> stored ``team_members`` value (CKAN 2.12: the ``extras``
    JSONB column of ``package``; 2.11: ``package_extra`` rows)."""
    p = model.Package.__table__
    if "extras" in p.c:
        rows = model.Session.execute(
            sa.select(p.c.id, p.c.extras[FIELD].label("value")).where(
                p.c.type == PROJECT_TYPE, p.c.extras.has_key(FIELD)
            )
        ).all()
        return {r.id: r.value for r in rows}
    e = model.package_extra_table  # type: ignore[attr-defined]
    rows = model.Session.execute(
        sa.select(e.c.package_id, e.c.value)
        .join(p, p.c.id == e.c.package_id)
        .where(p.c.type == PROJECT_TYPE, e.c.key == FIELD, e.c.state == "active")
    ).all()
    return {r.package_id: r.value for r in rows}


def _drop_stored_team_members(ids: list[str]) -> None:
    p = model.Package.__table__
    if "extras" in p.c:
        model.Session.execute(
            sa.update(p).where(p.c.id.in_(ids)).values(extras=p.c.extras.op("-")(sa.literal(FIELD)))
        )
        return
    e = model.package_extra_table  # type: ignore[attr-defined]
    model.Session.execute(sa.delete(e).where(e.c.package_id.in_(ids), e.c.key == FIELD))


def _projects(ids: list[str]) -> dict[str, Any]:
    p = model.Package.__table__
    pr = Project.__table__
    c = Challenge.__table__
    g = model.Group.__table__
    rows = model.Session.execute(
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            c.c.name.label("challenge"),
            g.c.name.label("organization"),
        )
        .select_from(
            p.outerjoin(pr, pr.c.package_id == p.c.id)
            .outerjoin(c, c.c.id == pr.c.challenge_id)
            .outerjoin(g, g.c.id == p.c.owner_org)
        )
        .where(p.c.id.in_(ids))
    ).all()
    return {r.id: r for r in rows}


# The statement of migration d5e8a1b3c7f2 (a migration is frozen: a copy).
BACKFILL_LEADERS = """
UPDATE datathon_project AS pr
SET leader_user_id = COALESCE(
    (SELECT p.creator_user_id
       FROM package AS p
       JOIN package_member AS pm ON pm.package_id = p.id AND pm.user_id = p.creator_user_id
       JOIN "user" AS u ON u.id = pm.user_id AND u.state = 'active'
      WHERE p.id = pr.package_id),
    (SELECT pm.user_id
       FROM package_member AS pm
       JOIN "user" AS u ON u.id = pm.user_id AND u.state = 'active'
      WHERE pm.package_id = pr.package_id
      ORDER BY pm.modified, pm.user_id
      LIMIT 1))
WHERE pr.leader_user_id IS NULL
  AND EXISTS (SELECT 1 FROM package_member AS pm
               JOIN "user" AS u ON u.id = pm.user_id AND u.state = 'active'
              WHERE pm.package_id = pr.package_id)
"""


def backfill_leaders() -> int:
    return model.Session.execute(sa.text(BACKFILL_LEADERS)).rowcount


def accepted_members(now: dt.datetime) -> list[dict[str, Any]]:
    """Collaborators of projects without an accepted row: the rows to add."""
    pm = model.PackageMember.__table__
    pr = Project.__table__
    inv = TeamInvitation.__table__
    rows = model.Session.execute(
        sa.select(pm.c.package_id, pm.c.user_id)
        .join(pr, pr.c.package_id == pm.c.package_id)
        .where(
            ~sa.exists().where(
                inv.c.project_id == pm.c.package_id,
                inv.c.invitee_user_id == pm.c.user_id,
                inv.c.state == "accepted",
            )
        )
        .order_by(pm.c.package_id, pm.c.user_id)
    ).all()
    return [
        {
            "project_id": r.package_id,
            "invitee_user_id": r.user_id,
            "inviter_user_id": None,
            "created": now,
            "state": "accepted",
            "decided": now,
        }
        for r in rows
    ]


def jurors_on_teams() -> list[dict[str, Any]]:
    pm = model.PackageMember.__table__
    pr = Project.__table__
    p = model.Package.__table__
    j = Juror.__table__
    c = Challenge.__table__
    u = model.User.__table__
    g = model.Group.__table__
    rows = model.Session.execute(
        sa.select(
            g.c.name.label("organization"),
            c.c.name.label("challenge"),
            u.c.name.label("juror_name"),
            sa.func.coalesce(sa.func.nullif(u.c.fullname, ""), u.c.name).label(
                "juror_display_name"
            ),
            p.c.id.label("project_id"),
            p.c.name.label("project_name"),
            p.c.title.label("project_title"),
            pr.c.submission_status,
        )
        .select_from(
            pm.join(pr, pr.c.package_id == pm.c.package_id)
            .join(p, p.c.id == pr.c.package_id)
            .join(j, sa.and_(j.c.challenge_id == pr.c.challenge_id, j.c.user_id == pm.c.user_id))
            .join(c, c.c.id == pr.c.challenge_id)
            .join(u, u.c.id == pm.c.user_id)
            .outerjoin(g, g.c.id == c.c.owner_org)
        )
        .where(p.c.state != "deleted", c.c.state != "deleted")
        .order_by(g.c.name, c.c.name, u.c.name, p.c.name)
    ).all()
    return [dict(r._mapping) for r in rows]


def _org_file(name: str | None) -> str:
    return (re.sub(r"[^a-z0-9_-]+", "-", (name or "no-organization").lower()) or "org") + ".csv"


def run(context: UpgradeContext) -> list[str]:
    lines: list[str] = []
    now = dt.datetime.now(dt.timezone.utc)

    leaders = backfill_leaders()
    lines.append(f"leaders backfilled: {leaders}")

    members = accepted_members(now)
    if members and not context.dry_run:
        model.Session.execute(sa.insert(TeamInvitation), members)
    lines.append(f"collaborators recorded as accepted members: {len(members)}")

    stored = _stored_team_members()
    export: list[dict[str, Any]] = []
    projects = _projects(list(stored))
    for project_id in sorted(stored, key=lambda i: (projects[i].organization or "", i)):
        info = projects[project_id]
        for member in _decoded(stored[project_id]):
            export.append(
                {
                    "organization": info.organization,
                    "challenge": info.challenge,
                    "project_id": project_id,
                    "project_name": info.name,
                    "project_title": info.title,
                    "member_name": member.get("name"),
                    "member_role": member.get("role"),
                    "member_profile_url": member.get("profile_url"),
                }
            )
    if stored:
        if not context.dry_run:
            _write(context.output_dir / EXPORT, EXPORT_COLUMNS, export)
            by_org: dict[str | None, list[dict[str, Any]]] = {}
            for row in export:
                by_org.setdefault(row["organization"], []).append(row)
            for org, rows in by_org.items():
                _write(context.output_dir / EXPORT_DIR / _org_file(org), EXPORT_COLUMNS, rows)
            _drop_stored_team_members(list(stored))
        lines.append(
            f"free-text team_members of {len(stored)} projects ({len(export)} entries) "
            f"exported to {context.output_dir / EXPORT} and removed from the records"
        )
    else:
        lines.append("free-text team_members: none stored")

    jurors = jurors_on_teams()
    if jurors and not context.dry_run:
        _write(context.output_dir / REPORT, REPORT_COLUMNS, jurors)
    lines.append(
        f"jurors on a team of their own challenge: {len(jurors)}"
        + (f" (listed in {context.output_dir / REPORT})" if jurors else "")
    )
    for row in jurors:
        lines.append(f"  {row['challenge']}: juror {row['juror_name']} on {row['project_name']}")

    if context.dry_run:
        model.Session.rollback()
    else:
        model.Session.commit()
        if stored:
            import ckan.lib.search as search

            for project_id in stored:
                search.rebuild(project_id)
    return lines


STEP = Step(
    name="teams",
    order=20,
    summary=(
        "teams by consent: leaders backfilled, collaborators recorded as accepted members, "
        "free-text team_members exported and removed, jurors on their own challenge's "
        "teams reported"
    ),
    run=run,
)
