"""Actions of teams: invitations by consent, members, the leader.

A team member who adds someone (``project_member_add``) invites them: the
invitee accepts or declines (``project_invitation_accept|decline``).  Pending
invitees are not on the team and do not count toward the team cap.  An
organizer of the challenge adds people directly (recorded in the activity
stream).  Accepting checks the team cap, the jury and organizer conflicts
and the per-person team limits under the project's row lock, the lock that
``package_collaborator_create`` takes too.

An invitation lapses when the submission deadline passes, the project is
withdrawn or deleted, the inviter left the team or the invitee became a juror
or organizer of the challenge: computed whenever it is read or accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon import config
from ckanext.datathon.lib import header_counts, timeline
from ckanext.datathon.logic import jobs, project_rules
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.logic.action.project import _project, _user
from ckanext.datathon.logic.dictize import jsonable
from ckanext.datathon.logic.schema import project as project_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.model import Challenge, Juror, Project, TeamInvitation

__all__ = [
    "project_invitation_accept",
    "project_invitation_decline",
    "project_invitation_list",
    "project_invitation_revoke",
    "project_leader_set",
    "project_member_add",
    "project_member_list",
    "project_member_remove",
]

_ = tk._

DAY = dt.timedelta(days=1)


# -- helpers ---------------------------------------------------------------------------


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _team(package_id: str) -> dict[str, Any]:
    """The team as the members and organizers see it (``project_member_add``
    and ``project_member_remove`` answer it)."""
    return {"count": project_rules.team_size(package_id), "members": _members(package_id)}


_NO_LEADER = object()


def _members(
    package_id: str, *, names: bool = True, leader_user_id: Any = _NO_LEADER
) -> list[dict[str, Any]]:
    """Active members, leader first, then by display name.  ``names``: with
    user ids and user names (not when user details are not public to the
    reader); never e-mails.  ``leader_user_id``: when the caller read it
    already (package_show's hook), no second query of the project row."""
    pm = model.PackageMember.__table__
    u = model.User.__table__
    if leader_user_id is _NO_LEADER:
        leader_user_id = model.Session.execute(
            sa.select(Project.__table__.c.leader_user_id).where(
                Project.__table__.c.package_id == package_id
            )
        ).scalar()
    rows = model.Session.execute(
        sa.select(u.c.id, u.c.name, u.c.fullname)
        .select_from(pm.join(u, u.c.id == pm.c.user_id))
        .where(pm.c.package_id == package_id, u.c.state == "active")
    ).all()
    members = []
    for r in rows:
        entry: dict[str, Any] = {
            "display_name": r.fullname or r.name,
            "leader": r.id == leader_user_id,
        }
        if names:
            entry = {"user_id": r.id, "name": r.name, **entry}
        members.append(entry)
    members.sort(key=lambda m: (not m["leader"], m["display_name"].lower(), m.get("name", "")))
    return members


def public_user_details() -> bool:
    return tk.asbool(tk.config.get("ckan.auth.public_user_details", True))


def member_names_visible(context: Context) -> bool:
    """User names and ids of team members are for logged-in readers, and for
    everyone when ``ckan.auth.public_user_details`` is true (core's rule for
    user_show)."""
    return public_user_details() or project_rules.user_obj(context) is not None


def computed_team_members(
    context: Context, package_id: str, leader_user_id: str | None
) -> list[dict[str, Any]]:
    """The deprecated ``team_members`` field of package_show, computed from
    the collaborators in the shape of the old free-text field
    (``name``, ``role``, ``profile_url``)."""
    names = member_names_visible(context)
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    return [
        {
            "name": m["display_name"],
            "role": _("Team leader") if m["leader"] else _("Member"),
            "profile_url": f"{site}/user/{m['name']}" if names else "",
        }
        for m in _members(package_id, names=names, leader_user_id=leader_user_id)
    ]


def _may_read(context: Context, pkg: model.Package, project: Project) -> bool:
    if project.submission_status == "submitted" and not pkg.private:
        return True
    user = project_rules.user_obj(context)
    return user is not None and (
        user.sysadmin
        or project_rules.is_organizer(user.name, pkg.owner_org)
        or project_rules.is_team_member(user.id, pkg.id)
    )


def lapse_reason(
    invitation: TeamInvitation,
    pkg: model.Package | None,
    project: Project | None,
    challenge: Challenge | None,
    *,
    explain: bool,
    you: bool = False,
    at: dt.datetime | None = None,
    facts: _LapseFacts | None = None,
) -> str | None:
    """Why a pending invitation no longer holds (None: it holds).  ``explain``:
    the reader may learn that the invitee is a juror or organizer of the
    challenge (the invitee and organizers); others read a generic reason.
    ``facts``: the memberships of a whole list of invitations, read at once
    (else a few queries for this one)."""
    if pkg is None or project is None or challenge is None:
        return _("The project was deleted")
    if pkg.state != "active" or challenge.state == "deleted":
        return _("The project was deleted")
    if project.submission_status == "withdrawn":
        return _("The project was withdrawn")
    if project_rules.deadline_passed(challenge, at):
        return _("The submission deadline has passed")
    inviter = invitation.inviter_user_id
    on_team = (
        (pkg.id, inviter) in facts.members
        if facts is not None
        else project_rules.is_team_member(inviter, pkg.id)
    )
    if not inviter or not on_team:
        return _("The person who sent the invitation is no longer on the team")
    if facts is not None:
        conflict = facts.conflict(challenge, invitation.invitee_user_id, you=you)
    else:
        conflict = project_rules.join_conflict(challenge, invitation.invitee_user_id, you=you)
    if conflict:
        return conflict if explain else project_rules.cannot_join_message()
    return None


class _LapseFacts:
    """What decides whether many pending invitations lapsed, in three
    queries whatever their number: which inviters are still on their team,
    which invitees are jurors of the challenge, which organize it (as
    ``project_rules.is_team_member`` and ``join_conflict`` answer for one)."""

    def __init__(
        self,
        invitations: Sequence[TeamInvitation],
        projects: dict[str, Project],
        challenges: dict[str, Challenge],
    ) -> None:
        pending = [i for i in invitations if i.state == "pending"]
        teams = {(i.project_id, i.inviter_user_id) for i in pending if i.inviter_user_id}
        juries: set[tuple[str, str]] = set()
        orgs: set[tuple[str, str]] = set()
        for i in pending:
            project = projects.get(i.project_id)
            challenge = challenges.get(project.challenge_id) if project is not None else None
            if challenge is not None:
                juries.add((challenge.id, i.invitee_user_id))
                if challenge.owner_org:
                    orgs.add((challenge.owner_org, i.invitee_user_id))
        pm = model.PackageMember.__table__
        self.members: set[tuple[str, str]] = _pairs(
            sa.select(pm.c.package_id, pm.c.user_id).where(
                sa.tuple_(pm.c.package_id, pm.c.user_id).in_(list(teams))
            ),
            teams,
        )
        j = Juror.__table__
        self.jurors = _pairs(
            sa.select(j.c.challenge_id, j.c.user_id).where(
                sa.tuple_(j.c.challenge_id, j.c.user_id).in_(list(juries))
            ),
            juries,
        )
        m = model.Member.__table__
        g = model.Group.__table__
        self.organizers = _pairs(
            sa.select(m.c.group_id, m.c.table_id)
            .join(g, g.c.id == m.c.group_id)
            .where(
                sa.tuple_(m.c.group_id, m.c.table_id).in_(list(orgs)),
                m.c.table_name == "user",
                m.c.state == "active",
                m.c.capacity.in_(("admin", "editor")),
                g.c.is_organization.is_(True),
                g.c.state == "active",
            ),
            orgs,
        )

    def conflict(self, challenge: Challenge, user_id: str, *, you: bool) -> str | None:
        """``project_rules.join_conflict`` from the facts read."""
        if (challenge.id, user_id) in self.jurors:
            return (
                _("You are a juror of this challenge: jurors never join its teams")
                if you
                else _("This person is a juror of this challenge: jurors never join its teams")
            )
        if (challenge.owner_org, user_id) in self.organizers:
            return (
                _("You organize this challenge: organizers never join its teams")
                if you
                else _("This person organizes this challenge: organizers never join its teams")
            )
        return None


def _pairs(query: sa.Select, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    if not wanted:
        return set()
    return {(a, b) for a, b in model.Session.execute(query).all()}


def _user_brief(user: model.User | None, *, names: bool = True) -> dict[str, Any] | None:
    if user is None:
        return None
    entry: dict[str, Any] = {"display_name": user.fullname or user.name}
    if names:
        entry = {"user_id": user.id, "name": user.name, **entry}
    return entry


class _Lookup:
    """What the invitation dicts of one answer refer to, loaded in a few
    queries (users and team names), instead of per invitation."""

    def __init__(self, invitations: Sequence[TeamInvitation]) -> None:
        user_ids = {i.invitee_user_id for i in invitations} | {
            i.inviter_user_id for i in invitations if i.inviter_user_id
        }
        self.users: dict[str, model.User] = (
            {
                u.id: u
                for u in model.Session.scalars(
                    sa.select(model.User).where(model.User.id.in_(user_ids))
                )
            }
            if user_ids
            else {}
        )
        self.extras = project_rules.extras_of({i.project_id for i in invitations}, ("team_name",))

    def user(self, user_id: str | None) -> model.User | None:
        return self.users.get(user_id) if user_id else None

    def team_name(self, package_id: str) -> str:
        return self.extras.get(package_id, {}).get("team_name") or ""


def _invitation_dict(
    invitation: TeamInvitation,
    pkg: model.Package | None,
    project: Project | None,
    challenge: Challenge | None,
    *,
    explain: bool,
    you: bool = False,
    lookup: _Lookup | None = None,
    facts: _LapseFacts | None = None,
) -> dict[str, Any]:
    lookup = lookup or _Lookup([invitation])
    status = invitation.state
    reason = None
    if status == "pending":
        reason = lapse_reason(
            invitation, pkg, project, challenge, explain=explain, you=you, facts=facts
        )
        if reason:
            status = "lapsed"
    return {
        "id": invitation.id,
        "status": status,
        "lapse_reason": reason,
        "created": jsonable(invitation.created),
        "decided": jsonable(invitation.decided),
        "project": {
            "id": pkg.id,
            "name": pkg.name,
            "title": pkg.title or pkg.name,
            "team_name": lookup.team_name(pkg.id),
        }
        if pkg is not None
        else None,
        "challenge": {"id": challenge.id, "name": challenge.name, "title": challenge.title}
        if challenge is not None
        else None,
        "invitee": _user_brief(lookup.user(invitation.invitee_user_id)),
        "inviter": _user_brief(lookup.user(invitation.inviter_user_id)),
    }


def _invitation(context: Context, ref: Any, *, lock: bool = False) -> TeamInvitation:
    """The caller's own invitation ``ref``, or ObjectNotFound (also for
    someone else's: invitations are private to their invitee)."""
    user = project_rules.user_obj(context)
    if user is None or not isinstance(ref, str) or not ref or "\x00" in ref:
        raise tk.ObjectNotFound(_("Invitation not found"))
    query = sa.select(TeamInvitation).where(
        TeamInvitation.id == ref, TeamInvitation.invitee_user_id == user.id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    invitation = model.Session.scalars(query).first()
    if invitation is None:
        raise tk.ObjectNotFound(_("Invitation not found"))
    return invitation


def _record_team_change(actor: model.User | None, pkg: model.Package, change: dict[str, str]):
    """A "changed package" activity of the project (CKAN's own type, with the
    project's permission labels), noting the team change."""
    if not plugins.plugin_loaded("activity"):
        return
    from ckanext.activity.model import Activity

    activity = Activity.activity_stream_item(pkg, "changed", actor.id if actor else "")
    if activity is None:
        return
    activity.data = {**(activity.data or {}), "datathon_team": change}
    model.Session.add(activity)


def _pending_count(package_id: str) -> int:
    """Open invitations of a team: pending, whose inviter is still on it."""
    inv = TeamInvitation.__table__
    pm = model.PackageMember.__table__
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(inv)
        .where(
            inv.c.project_id == package_id,
            inv.c.state == "pending",
            sa.exists().where(
                pm.c.package_id == inv.c.project_id, pm.c.user_id == inv.c.inviter_user_id
            ),
        )
    ).scalar_one()


def _sent_today(user_id: str) -> int:
    inv = TeamInvitation.__table__
    return model.Session.execute(
        sa.select(sa.func.count()).where(
            inv.c.inviter_user_id == user_id, inv.c.created > _utcnow() - DAY
        )
    ).scalar_one()


# -- adding and inviting ---------------------------------------------------------------------


@validate(project_schema.project_member, aliases={"username": "user"})
def project_member_add(context: Context, data: DataDict) -> dict[str, Any]:
    """Add someone to a project's team: a team member invites an existing
    user, an organizer of the challenge adds them directly.

    A team member's invitation is refused, with "this person cannot join this
    team", for jurors and organizers of the challenge; it is capped per team
    (``max_pending_invitations_per_project``) and per inviter and day
    (``max_invitations_per_day``).  The invitee is e-mailed.  An organizer's
    addition checks the team cap, the per-person limits and the conflicts
    under the project's row lock, and is recorded in the activity stream.

    :param id: project id or name
    :type id: string
    :param user: user name or id (``username``: deprecated)
    :type user: string
    :returns: ``{"status": "invited", "invitation": {...}, "count", "members"}``
        or ``{"status": "added", "count", "members"}``
    :rtype: dict
    """
    pkg, project = _project(data["id"])
    # frozen results: no team change once the challenge's results are published
    frozen.ensure_challenge_of_project_not_published(pkg.id, "user", frozen.TEAM)
    user = _user(data["user"])
    me = project_rules.user_obj(context)
    on_team = me is not None and project_rules.is_team_member(me.id, pkg.id)
    organizer = project_rules.is_organizer(context.get("user"), pkg.owner_org)
    if organizer or (context.get("ignore_auth") and not on_team):
        return _add_directly(context, me, pkg, user)
    if me is None:  # (auth lets only team members and organizers through)
        raise tk.NotAuthorized(_("You must be logged in"))
    return _invite(context, me, pkg, project, user)


def _add_directly(
    context: Context, me: model.User | None, pkg: model.Package, user: model.User
) -> dict[str, Any]:
    if not project_rules.is_team_member(user.id, pkg.id):
        project_rules.lock_and_check_team_room(context, pkg.id, user.id, field_name="user")
        now = _utcnow()
        model.Session.add(
            model.PackageMember(
                package_id=pkg.id,
                user_id=user.id,
                capacity=project_rules.TEAM_CAPACITY,
                modified=now.replace(tzinfo=None),
            )
        )
        model.Session.add(
            TeamInvitation(
                project_id=pkg.id,
                invitee_user_id=user.id,
                inviter_user_id=me.id if me is not None else None,
                created=now,
                state="accepted",
                decided=now,
            )
        )
        model.Session.flush()
        header_counts.forget_after_commit(model.Session, user.id)
        _record_team_change(me, pkg, {"added": user.name})
        commit(context, reindex=pkg.id)
    return {"status": "added", **_team(pkg.id)}


def _invite(
    context: Context, me: model.User, pkg: model.Package, project: Project, user: model.User
) -> dict[str, Any]:
    if project_rules.is_team_member(user.id, pkg.id):
        raise tk.ValidationError({"user": [_("This person is already on the team")]})
    project = project_rules.project_row(pkg.id, lock=True) or project
    challenge = project_rules.challenge_of(project)
    if project_rules.join_conflict(challenge, user.id):
        raise tk.ValidationError({"user": [project_rules.cannot_join_message()]})
    if project.submission_status == "withdrawn":
        raise tk.ValidationError({"id": [_("A withdrawn project takes no new members")]})
    existing = model.Session.scalars(
        sa.select(TeamInvitation).where(
            TeamInvitation.project_id == pkg.id,
            TeamInvitation.invitee_user_id == user.id,
            TeamInvitation.state == "pending",
        )
    ).first()
    lapsed = existing is not None and bool(
        lapse_reason(existing, pkg, project, challenge, explain=False)
    )
    if existing is None or lapsed:
        if project_rules.team_size(pkg.id) >= challenge.max_team_size:
            raise tk.ValidationError(
                {
                    "user": [
                        _("The team is full: a team has at most {n} members").format(
                            n=challenge.max_team_size
                        )
                    ]
                }
            )
        if _pending_count(pkg.id) >= config.max_pending_invitations():
            raise tk.ValidationError(
                {
                    "user": [
                        _("A team has at most {n} open invitations").format(
                            n=config.max_pending_invitations()
                        )
                    ]
                }
            )
        if _sent_today(me.id) >= config.max_invitations_per_day():
            raise tk.ValidationError(
                {
                    "user": [
                        _("You may send at most {n} invitations a day").format(
                            n=config.max_invitations_per_day()
                        )
                    ]
                }
            )
        if existing is None:
            existing = TeamInvitation(project_id=pkg.id, invitee_user_id=user.id, state="pending")
            model.Session.add(existing)
        # (a lapsed one -- its inviter left the team -- is sent again)
        existing.inviter_user_id = me.id
        existing.created = _utcnow()
        model.Session.flush()
        header_counts.forget_after_commit(model.Session, user.id)
        commit(context)
        jobs.team_invitation(existing.id)
    invitation = model.Session.get(TeamInvitation, existing.id)
    return {
        "status": "invited",
        "invitation": _invitation_dict(invitation, pkg, project, challenge, explain=False),
        **_team(pkg.id),
    }


# -- the invitee ---------------------------------------------------------------------------


@validate(project_schema.project_id)
def project_invitation_accept(context: Context, data: DataDict) -> dict[str, Any]:
    """Accept an invitation to a team (the invitee only).  Refused, with the
    reason, when it lapsed, when the team is full, when the invitee is a
    juror or organizer of the challenge or on too many teams of it.

    :param id: the invitation's id
    :type id: string
    :returns: the invitation, ``status`` ``accepted``
    :rtype: dict
    """
    invitation = _invitation(context, data["id"])
    pkg = model.Session.get(model.Package, invitation.project_id)
    # the project's row lock first (as package_collaborator_create), then the
    # invitation's: a concurrent accept or decline waits here
    project = project_rules.project_row(invitation.project_id, lock=True)
    invitation = _invitation(context, data["id"], lock=True)
    challenge = project_rules.challenge_of(project) if project is not None else None
    if invitation.state != "pending":
        raise tk.ValidationError({"id": [_("This invitation was already answered")]})
    reason = lapse_reason(invitation, pkg, project, challenge, explain=True, you=True)
    if reason:
        raise tk.ValidationError({"id": [reason]})
    if pkg is None or project is None or challenge is None:  # (lapse_reason said so)
        raise tk.ObjectNotFound(_("Invitation not found"))
    project_rules.lock_and_check_team_room(
        context, pkg.id, invitation.invitee_user_id, field_name="id", you=True
    )
    now = _utcnow()
    if not project_rules.is_team_member(invitation.invitee_user_id, pkg.id):
        model.Session.add(
            model.PackageMember(
                package_id=pkg.id,
                user_id=invitation.invitee_user_id,
                capacity=project_rules.TEAM_CAPACITY,
                modified=now.replace(tzinfo=None),
            )
        )
    invitation.state = "accepted"
    invitation.decided = now
    model.Session.flush()
    header_counts.forget_after_commit(model.Session, invitation.invitee_user_id)
    commit(context, reindex=pkg.id)
    return _invitation_dict(invitation, pkg, project, challenge, explain=True, you=True)


@validate(project_schema.project_id)
def project_invitation_decline(context: Context, data: DataDict) -> dict[str, Any]:
    """Decline an invitation to a team (the invitee only; also a lapsed one).

    :param id: the invitation's id
    :type id: string
    :returns: the invitation, ``status`` ``declined``
    :rtype: dict
    """
    invitation = _invitation(context, data["id"], lock=True)
    if invitation.state != "pending":
        raise tk.ValidationError({"id": [_("This invitation was already answered")]})
    invitation.state = "declined"
    invitation.decided = _utcnow()
    model.Session.flush()
    header_counts.forget_after_commit(model.Session, invitation.invitee_user_id)
    commit(context)
    pkg = model.Session.get(model.Package, invitation.project_id)
    project = model.Session.get(Project, invitation.project_id)
    challenge = project_rules.challenge_of(project) if project is not None else None
    return _invitation_dict(invitation, pkg, project, challenge, explain=True, you=True)


@validate(project_schema.project_id)
def project_invitation_revoke(context: Context, data: DataDict) -> dict[str, Any]:
    """Withdraw a pending invitation (also a lapsed one): the person who sent
    it, the team leader or an organizer of the challenge.  Its place among
    the team's open invitations (``max_pending_invitations_per_project``) is
    free again, and the invitee can no longer accept it.  A team member who
    may not withdraw it is refused; anyone who may not read the project gets
    404, as for an unknown invitation.

    :param id: the invitation's id
    :type id: string
    :returns: the invitation, ``status`` ``revoked``
    :rtype: dict
    """
    user = project_rules.user_obj(context)
    ref = data["id"]
    if user is None or not isinstance(ref, str) or not ref:
        raise tk.ObjectNotFound(_("Invitation not found"))
    invitation = model.Session.scalars(
        sa.select(TeamInvitation)
        .where(TeamInvitation.id == ref)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    pkg = model.Session.get(model.Package, invitation.project_id) if invitation else None
    project = model.Session.get(Project, invitation.project_id) if invitation else None
    if invitation is None or pkg is None or project is None or not _may_read(context, pkg, project):
        raise tk.ObjectNotFound(_("Invitation not found"))
    organizer = project_rules.is_organizer(context.get("user"), pkg.owner_org)
    if not organizer and user.id not in (invitation.inviter_user_id, project.leader_user_id):
        raise tk.NotAuthorized(
            _(
                "Only the person who sent the invitation, the team leader or the "
                "organizers withdraw it"
            )
        )
    if invitation.state != "pending":
        raise tk.ValidationError({"id": [_("This invitation was already answered")]})
    invitation.state = "revoked"
    invitation.decided = _utcnow()
    model.Session.flush()
    header_counts.forget_after_commit(model.Session, invitation.invitee_user_id)
    commit(context)
    challenge = project_rules.challenge_of(project)
    return _invitation_dict(invitation, pkg, project, challenge, explain=organizer)


def _by_id(entity: Any, column: Any, ids: set[str]) -> dict[str, Any]:
    """Rows of ``entity`` whose ``column`` is in ``ids``, by that value: one query."""
    if not ids:
        return {}
    key = column.key
    return {
        getattr(row, key): row
        for row in model.Session.scalars(sa.select(entity).where(column.in_(list(ids))))
    }


@validate(project_schema.invitation_list)
@tk.side_effect_free
def project_invitation_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Invitations to teams, newest first: the caller's own (as invitee), or,
    with ``id``, those of a project (for its team and the organizers of its
    challenge).  ``status`` is ``pending``, ``lapsed`` (with
    ``lapse_reason``), ``accepted``, ``declined`` or ``revoked`` (withdrawn
    by the team, ``project_invitation_revoke``).  A team member reads a
    generic reason where the invitee became a juror or organizer.

    :param id: project id or name (optional)
    :type id: string
    :param status: only these (``pending`` also leaves out lapsed ones)
    :type status: string
    :param limit: page size (default 20, at most 100)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :returns: ``{"count", "results": [...]}``
    :rtype: dict
    """
    user = project_rules.user_obj(context)
    if user is None:
        raise tk.NotAuthorized(_("You must be logged in"))
    inv = TeamInvitation.__table__
    conditions: list[Any] = []
    explain = True
    you = True
    if data.get("id"):
        pkg, project = _project(data["id"])
        if not _may_read(context, pkg, project):
            raise tk.ObjectNotFound(_("Project not found"))
        organizer = project_rules.is_organizer(context.get("user"), pkg.owner_org)
        if not organizer and not project_rules.is_team_member(user.id, pkg.id):
            raise tk.NotAuthorized(_("Only the team and the organizers see its invitations"))
        explain, you = organizer, False
        conditions.append(inv.c.project_id == pkg.id)
        # the accepted rows of the upgrade (no inviter) are members, not invitations
        conditions.append(sa.or_(inv.c.state != "accepted", inv.c.inviter_user_id.isnot(None)))
    else:
        conditions.append(inv.c.invitee_user_id == user.id)
    wanted = data.get("status")
    offset, limit = data["offset"], data["limit"]
    query = sa.select(TeamInvitation).where(*conditions)
    ordered = (inv.c.created.desc(), inv.c.id)
    if wanted in ("pending", "lapsed"):
        # lapse is computed: every open invitation is read, then paged
        rows = model.Session.scalars(query.where(inv.c.state == "pending").order_by(*ordered)).all()
        entries = [e for e in _invitation_dicts(rows, explain, you) if e["status"] == wanted]
        return {"count": len(entries), "results": entries[offset : offset + limit]}
    if wanted:
        query = query.where(inv.c.state == wanted)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(query.subquery())
    ).scalar_one()
    rows = model.Session.scalars(query.order_by(*ordered).offset(offset).limit(limit)).all()
    return {"count": count, "results": _invitation_dicts(rows, explain, you)}


def _invitation_dicts(
    rows: Sequence[TeamInvitation], explain: bool, you: bool
) -> list[dict[str, Any]]:
    """The dicts of many invitations: what they refer to is loaded once."""
    project_ids = {i.project_id for i in rows}
    pkgs = _by_id(model.Package, model.Package.id, project_ids)
    projects = _by_id(Project, Project.package_id, project_ids)
    challenges = _by_id(Challenge, Challenge.id, {p.challenge_id for p in projects.values()})
    lookup = _Lookup(rows)
    facts = _LapseFacts(rows, projects, challenges)
    results = []
    for invitation in rows:
        project = projects.get(invitation.project_id)
        results.append(
            _invitation_dict(
                invitation,
                pkgs.get(invitation.project_id),
                project,
                challenges.get(project.challenge_id) if project is not None else None,
                explain=explain,
                you=you,
                lookup=lookup,
                facts=facts,
            )
        )
    return results


# -- members ---------------------------------------------------------------------------------


@validate(project_schema.project_id)
@tk.side_effect_free
def project_member_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The team of a project, leader first: for the team and the organizers,
    and for everyone once the project is submitted.  Display names, never
    e-mails; user names and ids only where user details are public to the
    reader (``ckan.auth.public_user_details``).

    :param id: project id or name
    :type id: string
    :returns: ``{"count", "members": [{"user_id", "name", "display_name", "leader"}]}``
    :rtype: dict
    """
    pkg, project = _project(data["id"])
    if not _may_read(context, pkg, project):
        raise tk.ObjectNotFound(_("Project not found"))
    members = _members(pkg.id, names=member_names_visible(context))
    return {"count": len(members), "members": members}


@validate(project_schema.project_member, aliases={"username": "user"})
def project_member_remove(context: Context, data: DataDict) -> dict[str, Any]:
    """Remove a user from a project's team, or leave it.

    Anyone may leave until the submission deadline; the leader hands the
    role over first (``project_leader_set``), except the sole member of a
    draft: their leaving deletes the draft.  The leader and organizers remove
    other members.

    :param id: project id or name
    :type id: string
    :param user: user name or id (``username``: deprecated)
    :type user: string
    :returns: the team (``{"count", "members"}``; ``"deleted": true`` when the
        draft went with its last member)
    :rtype: dict
    """
    pkg, project = _project(data["id"])
    frozen.ensure_challenge_of_project_not_published(pkg.id, "user", frozen.TEAM)
    project = project_rules.project_row(pkg.id, lock=True) or project
    user = model.User.get(data["user"])
    if user is None or not project_rules.is_team_member(user.id, pkg.id):
        raise tk.ValidationError({"user": [_("Not a member of this team")]})
    me = project_rules.user_obj(context)
    if user.id == project.leader_user_id:
        sole = project_rules.team_size(pkg.id) == 1
        if sole and project.submission_status == "draft" and me is not None and me.id == user.id:
            tk.get_action("package_delete")(
                {"user": context.get("user"), "model": model, "ignore_auth": True},  # type: ignore[typeddict-item]
                {"id": pkg.id},
            )
            return {"count": 0, "members": [], "deleted": True}
        raise tk.ValidationError(
            {
                "user": [
                    _(
                        "The team leader cannot leave or be removed: hand the role "
                        "to another member first (project_leader_set)"
                    )
                ]
            }
        )
    model.Session.execute(
        sa.delete(model.PackageMember.__table__).where(
            model.PackageMember.__table__.c.package_id == pkg.id,
            model.PackageMember.__table__.c.user_id == user.id,
        )
    )
    if me is None or me.id != user.id:
        _record_team_change(me, pkg, {"removed": user.name})
    model.Session.flush()
    commit(context, reindex=pkg.id)
    return _team(pkg.id)


@validate(project_schema.project_member, aliases={"username": "user"})
def project_leader_set(context: Context, data: DataDict) -> dict[str, Any]:
    """Hand the leader role to another member of the team (the leader, until
    the submission deadline, or an organizer).  The new leader's teams led in
    the challenge count (``max_teams_led_per_challenge``).

    :param id: project id or name
    :type id: string
    :param user: the new leader, user name or id (``username``: deprecated)
    :type user: string
    :returns: the team
    :rtype: dict
    """
    pkg, project = _project(data["id"])
    frozen.ensure_challenge_of_project_not_published(pkg.id, "user", frozen.TEAM)
    project = project_rules.project_row(pkg.id, lock=True) or project
    user = model.User.get(data["user"])
    if user is None or user.state != "active" or not project_rules.is_team_member(user.id, pkg.id):
        raise tk.ValidationError({"user": [_("Not a member of this team")]})
    if project.leader_user_id != user.id:
        project_rules.check_team_caps(
            project.challenge_id, user.id, "user", leading=True, except_package_id=pkg.id
        )
        project.leader_user_id = user.id
        project.modified = timeline.now()
        model.Session.flush()
        commit(context, reindex=pkg.id)
    return _team(pkg.id)
