"""Who sees what: per-viewer filters as SQL expressions.

Datasets follow the permission labels (``logic/labels.py``): an active
public dataset is readable by everyone; a private one by sysadmins, its
collaborators and members of its organization (any capacity; for a project,
only its organizers: admins and editors).  Drafts and deleted
datasets are never listed.  Challenges: published ones are public, drafts are
for organizers (admins/editors of the owner organization), deleted ones for
sysadmins.  All filters are subqueries, so a listing costs no extra query.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

import ckan.model as model
from ckan.types import Context

from ckanext.datathon.model import PROJECT_TYPE, Challenge


@dataclass(frozen=True)
class Viewer:
    user_id: str | None
    sysadmin: bool

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


def viewer(context: Context) -> Viewer:
    """The user the action runs for (memoised in the context)."""
    cached = context.get("datathon_viewer")  # type: ignore[misc]
    if cached is not None:
        return cached
    user_obj = context.get("auth_user_obj")
    name = context.get("user")
    if not isinstance(user_obj, model.User) or (name and user_obj.name != name):
        user_obj = model.User.get(name) if name else None
    result = Viewer(
        user_id=user_obj.id if user_obj is not None and user_obj.state == "active" else None,
        sysadmin=bool(user_obj is not None and user_obj.sysadmin and user_obj.state == "active"),
    )
    context["datathon_viewer"] = result  # type: ignore[typeddict-unknown-key]
    return result


def _member_org_ids(user_id: str, capacities: tuple[str, ...] | None = None):
    m = model.Member.__table__
    g = model.Group.__table__
    query = (
        sa.select(m.c.group_id)
        .join(g, g.c.id == m.c.group_id)
        .where(
            m.c.table_name == "user",
            m.c.table_id == user_id,
            m.c.state == "active",
            g.c.is_organization.is_(True),
            g.c.state == "active",
        )
    )
    if capacities:
        query = query.where(m.c.capacity.in_(capacities))
    return query


def readable_dataset(v: Viewer, package_table=None) -> sa.ColumnElement[bool]:
    """SQL condition: the viewer may read this dataset (of ``package`` table)."""
    p = package_table if package_table is not None else model.Package.__table__
    active = p.c.state == "active"
    if v.sysadmin:
        return active
    public = sa.and_(active, p.c.private.is_(False))
    if v.anonymous:
        return public
    pm = model.PackageMember.__table__
    collaborator = p.c.id.in_(sa.select(pm.c.package_id).where(pm.c.user_id == v.user_id))
    # a hidden project is for its organizers, not every member (logic/labels.py)
    member = sa.and_(
        p.c.type.is_distinct_from(PROJECT_TYPE), p.c.owner_org.in_(_member_org_ids(v.user_id))
    )
    organizer = p.c.owner_org.in_(_member_org_ids(v.user_id, ("admin", "editor")))
    return sa.or_(public, sa.and_(active, sa.or_(member, organizer, collaborator)))


def visible_challenge(v: Viewer) -> sa.ColumnElement[bool]:
    """SQL condition: the viewer may read this challenge."""
    c = Challenge.__table__
    published = c.c.state == "active"
    if v.sysadmin:
        return sa.true()
    if v.anonymous:
        return published
    organizer = sa.and_(
        c.c.state == "draft",
        c.c.owner_org.in_(_member_org_ids(v.user_id, ("admin", "editor"))),
    )
    return sa.or_(published, organizer)
