"""Authorization of teams: who adds, invites, answers, leaves and leads.

* Team members invite until the submission deadline; organizers (admins and
  editors of the challenge's organization) and sysadmins add directly.
* An invitation is answered by its invitee only (the actions answer 404 for
  anyone else's); it is withdrawn by its sender, the team leader or an
  organizer.
* Anyone on the team may leave until the deadline; the leader and organizers
  remove others and hand the leader role over.
* The team is read by the team and the organizers, and by everyone once the
  project is submitted (the action checks it: a hidden project is 404).
"""

from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic import project_rules

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


def _ok() -> AuthResult:
    return {"success": True}


def _no(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _edit(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_edit_project", context, {"id": data_dict.get("id")}
    )


def _logged_in(context: Context) -> AuthResult:
    if project_rules.user_obj(context) is None:
        return _no(_("You must be logged in"))
    return _ok()


def project_member_add(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, data_dict)


def _leader_or_organizer(context: Context, data_dict: DataDict) -> bool:
    pkg = project_rules.package(data_dict.get("id"))
    if pkg is None:
        raise tk.ObjectNotFound(_("Project not found"))
    if project_rules.is_organizer(context.get("user"), pkg.owner_org):
        return True
    user = project_rules.user_obj(context)
    project = project_rules.project_row(pkg.id)
    return user is not None and project is not None and project.leader_user_id == user.id


def project_member_remove(context: Context, data_dict: DataDict) -> AuthResult:
    """Team members may leave; the leader and organizers remove anyone."""
    result = _edit(context, data_dict)
    if not result["success"]:
        return result
    if _leader_or_organizer(context, data_dict):
        return _ok()
    user = project_rules.user_obj(context)
    target = data_dict.get("user")
    target_user = model.User.get(target) if isinstance(target, str) and target else None
    if user is not None and target_user is not None and target_user.id == user.id:
        return _ok()
    return _no(_("Only the team leader removes other members"))


def project_leader_set(context: Context, data_dict: DataDict) -> AuthResult:
    """The leader hands the role over; organizers may appoint any member."""
    result = _edit(context, data_dict)
    if not result["success"]:
        return result
    if _leader_or_organizer(context, data_dict):
        return _ok()
    return _no(_("Only the team leader hands the leader role over"))


def project_invitation_accept(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def project_invitation_decline(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def project_invitation_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def project_invitation_revoke(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users; the action checks the sender, leader or organizer."""
    return _logged_in(context)


@tk.auth_allow_anonymous_access
def project_member_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()
