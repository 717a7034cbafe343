"""Frozen results: the publication lock, the guards and the snapshots.

Once a challenge's results are published, readers get the snapshot stored at
publication (``datathon_results_snapshot``), and the things that could
change what that snapshot says are refused: scores, awards, prizes, teams,
project status changes and dates already past (see ``docs/security.md``).

**The lock.**  Publishing, retracting, scoring, awarding and every guard of
this module take the same PostgreSQL advisory lock, keyed on the challenge
(:func:`lock`): publishing and retracting in exclusive mode, the others in
shared mode, held until their transaction ends.  So a score (or an award, a
withdrawal, a team change) either commits before the snapshot is computed,
and is in it, or waits for the publication to commit and is then refused by
the re-check that follows the lock.  Shared holders do not wait for each
other.

The teams code calls :func:`ensure_not_published` (or
:func:`results_published` for a read-only answer, as in auth functions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon.model import Project, Results, ResultsSnapshot

__all__ = [
    "current_snapshot",
    "ensure_challenge_of_project_not_published",
    "ensure_not_published",
    "lock",
    "results_published",
    "snapshot_awards_of",
    "snapshots",
    "team_entries",
]

_ = tk._

LOCK_NAMESPACE = "ckanext-datathon:results:"

# what each kind of refused change is told (field-level messages)
JURY, TEAM, PROJECT_STATUS = "jury", "team", "project_status"


def _messages() -> dict[str, str]:
    return {
        JURY: _("The results are published: the jury's work can no longer change"),
        TEAM: _("The results of this challenge are published: its teams can no longer change"),
        PROJECT_STATUS: _(
            "The results of this challenge are published: its projects can no longer be "
            "withdrawn, deleted or submitted again"
        ),
    }


def lock(challenge_id: str, *, exclusive: bool = False) -> None:
    """Take the challenge's results lock until the end of the transaction
    (shared unless ``exclusive``)."""
    take = sa.func.pg_advisory_xact_lock if exclusive else sa.func.pg_advisory_xact_lock_shared
    model.Session.execute(
        sa.select(take(sa.func.hashtextextended(LOCK_NAMESPACE + challenge_id, 0)))
    )


def results_published(challenge_id: str | None) -> dt.datetime | None:
    """When the challenge's current results were published (None: they are
    not).  No lock: for display and auth functions."""
    if not challenge_id:
        return None
    return model.Session.execute(
        sa.select(Results.published).where(Results.challenge_id == challenge_id)
    ).scalar()


def ensure_not_published(challenge_id: str, key: str = "id", kind: str = JURY) -> None:
    """Take the shared results lock, then refuse (ValidationError on ``key``)
    when the results of the challenge are published.  ``kind`` picks the
    message: ``"jury"``, ``"team"`` or ``"project_status"``."""
    lock(challenge_id)
    if results_published(challenge_id) is not None:
        raise tk.ValidationError({key: [_messages()[kind]]})


def ensure_challenge_of_project_not_published(
    package_id: str, key: str = "id", kind: str = TEAM
) -> None:
    """:func:`ensure_not_published` for the challenge of project ``package_id``
    (nothing for a dataset that is not a project)."""
    challenge_id = model.Session.execute(
        sa.select(Project.challenge_id).where(Project.package_id == package_id)
    ).scalar()
    if challenge_id is not None:
        ensure_not_published(challenge_id, key, kind)


# -- snapshots ----------------------------------------------------------------------------


def current_snapshot(challenge_id: str) -> ResultsSnapshot | None:
    """The snapshot readers get: the newest one not retracted, while the
    results are published (None before the upgrade step made one)."""
    s = ResultsSnapshot
    return model.Session.scalars(
        sa.select(s)
        .where(
            s.challenge_id == challenge_id,
            s.retracted.is_(None),
            sa.exists().where(Results.challenge_id == challenge_id),
        )
        .order_by(s.version.desc())
        .limit(1)
    ).first()


def snapshots(challenge_id: str) -> list[ResultsSnapshot]:
    """Every snapshot of a challenge, newest first (the history)."""
    return list(
        model.Session.scalars(
            sa.select(ResultsSnapshot)
            .where(ResultsSnapshot.challenge_id == challenge_id)
            .order_by(ResultsSnapshot.version.desc())
        )
    )


def next_version(challenge_id: str) -> int:
    return model.Session.execute(
        sa.select(sa.func.coalesce(sa.func.max(ResultsSnapshot.version), 0) + 1).where(
            ResultsSnapshot.challenge_id == challenge_id
        )
    ).scalar_one()


_AWARDS_OF = sa.text(
    """
    SELECT pr.package_id AS project_id, award.value AS award
    FROM datathon_project pr
    JOIN datathon_results r ON r.challenge_id = pr.challenge_id
    JOIN datathon_challenge c ON c.id = pr.challenge_id AND c.state = 'active'
    JOIN datathon_results_snapshot s
      ON s.challenge_id = pr.challenge_id AND s.retracted IS NULL
    CROSS JOIN LATERAL jsonb_array_elements(s.payload -> 'awards') AS award(value)
    WHERE pr.package_id IN :ids AND award.value -> 'project' ->> 'id' = pr.package_id
    """
).bindparams(sa.bindparam("ids", expanding=True))


def snapshot_awards_of(project_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The award each project has in the current snapshot of its (active)
    challenge, in one query: ``{project_id: award entry of the payload}``."""
    ids = [i for i in project_ids if isinstance(i, str) and i]
    if not ids:
        return {}
    return {row.project_id: row.award for row in model.Session.execute(_AWARDS_OF, {"ids": ids})}


def team_entries(
    user_ids_per_row: Iterable[Sequence[str]], context: Any
) -> dict[str, dict[str, Any]]:
    """Current names of the team members a snapshot names by id (one query):
    ``{user_id: {user_id, name, display_name}}``; deleted users are left out,
    and names are shown to anonymous readers only where
    ``ckan.auth.public_user_details`` allows."""
    ids = {i for row in user_ids_per_row for i in row if isinstance(i, str)}
    if not ids:
        return {}
    if not context.get("user") and not authz.check_config_permission("public_user_details"):
        return {}
    u = model.User.__table__
    return {
        r.id: {"user_id": r.id, "name": r.name, "display_name": r.fullname or r.name}
        for r in model.Session.execute(
            sa.select(u.c.id, u.c.name, u.c.fullname).where(u.c.id.in_(ids), u.c.state != "deleted")
        )
    }
