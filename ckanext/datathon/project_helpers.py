"""Template helpers of the project page (registered through helpers.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.logic.visibility import readable_dataset, viewer
from ckanext.datathon.views.base import user_context


def datathon_project_datasets(pkg: dict[str, Any]) -> list[dict[str, str]]:
    """The portal datasets a project uses, in the team's order, limited to the
    ones the current user may read (a private dataset stays unnamed).  One
    query."""
    refs = [
        str(item["dataset"])
        for item in pkg.get("datasets_used") or []
        if isinstance(item, dict) and item.get("dataset")
    ]
    if not refs:
        return []
    p = model.Package.__table__
    who = viewer(user_context())
    rows = model.Session.execute(
        sa.select(p.c.id, p.c.name, p.c.title).where(
            sa.or_(p.c.id.in_(refs), p.c.name.in_(refs)), readable_dataset(who, p)
        )
    ).all()
    found = {key: row for row in rows for key in (row.id, row.name)}
    seen: set[str] = set()
    result = []
    for ref in refs:
        row = found.get(ref)
        if row is not None and row.id not in seen:
            seen.add(row.id)
            result.append({"id": row.id, "name": row.name, "title": row.title or row.name})
    return result


def datathon_pending_invitations() -> int:
    """How many team invitations the current user has not answered (for the
    user menu; lapsed ones are counted until the invitations page shows them
    as lapsed).  One query, none for anonymous users."""
    from flask_login import current_user

    from ckanext.datathon.model import TeamInvitation

    if not current_user.is_authenticated:
        return 0
    inv = TeamInvitation.__table__
    return model.Session.execute(
        sa.select(sa.func.count()).where(
            inv.c.invitee_user_id == current_user.id, inv.c.state == "pending"
        )
    ).scalar_one()
