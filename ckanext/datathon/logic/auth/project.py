"""Authorization of project records, and the core auth functions chained for them.

Roles: the team (the dataset's collaborators) edits until the submission
deadline; organizers (admins/editors of the challenge's organization) and
sysadmins at any time.  Drafts and withdrawn projects are hidden from
everyone else (ObjectNotFound, so writes do not reveal them).
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic import project_rules

__all__ = [
    "datathon_permission_edit_project",
    "package_collaborator_create",
    "package_collaborator_delete",
    "package_create",
    "package_show",
    "package_update",
    "project_list",
    "project_register",
    "project_submit",
    "project_withdraw",
]

_ = tk._


def _ok() -> AuthResult:
    return {"success": True}


def _no(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _may_read_hidden(user: model.User | None, pkg: model.Package, context: Context) -> bool:
    return user is not None and (
        project_rules.is_organizer(context.get("user"), pkg.owner_org)
        or project_rules.is_team_member(user.id, pkg.id)
    )


def datathon_permission_edit_project(context: Context, data_dict: DataDict) -> AuthResult:
    """May the user change project ``id`` (team changes, submit, withdraw)?"""
    pkg = project_rules.package(data_dict.get("id"))
    if pkg is None or not project_rules.is_project(pkg) or pkg.state != "active":
        raise tk.ObjectNotFound(_("Project not found"))
    user = project_rules.user_obj(context)
    if project_rules.is_organizer(context.get("user"), pkg.owner_org):
        return _ok()
    if user is not None and project_rules.is_team_member(user.id, pkg.id):
        message = project_rules.team_edit_error(context, pkg)
        return _no(message) if message else _ok()
    if pkg.private:
        raise tk.ObjectNotFound(_("Project not found"))
    return _no(
        _("User {user} is not a member of this team").format(
            user=context.get("user") or _("(anonymous)")
        )
    )


def _edit(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_edit_project", context, {"id": data_dict.get("id")}
    )


def project_register(context: Context, data_dict: DataDict) -> AuthResult:
    # Any logged-in user; the action checks the challenge and its window.
    if project_rules.user_obj(context) is None:
        return _no(_("You must be logged in to register a team"))
    return _ok()


def project_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, data_dict)


def project_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    """The team leader (until the deadline) or an organizer withdraws a
    project; other team members may not (403).  Sysadmins pass, as with
    every auth function."""
    result = _edit(context, data_dict)
    if not result["success"]:
        return result
    pkg = project_rules.package(data_dict.get("id"))
    if pkg is None:
        raise tk.ObjectNotFound(_("Project not found"))
    if project_rules.is_organizer(context.get("user"), pkg.owner_org):
        return _ok()
    user = project_rules.user_obj(context)
    project = project_rules.project_row(pkg.id)
    if user is not None and project is not None and project.leader_user_id == user.id:
        return _ok()
    return _no(_("Only the team leader or an organizer may withdraw the project"))


@tk.auth_allow_anonymous_access
def project_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Like challenge_show: the challenge must be readable; the action then
    # lists only the projects the viewer may see.
    return authz.is_authorized(
        "datathon_permission_read_challenge", context, {"id": data_dict.get("challenge")}
    )


# -- chained core auth functions ------------------------------------------------------------


@tk.chained_auth_function
@tk.auth_allow_anonymous_access  # as core's: anonymous users may, where core lets them
def package_create(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Projects are created only by project_register (which calls
    package_create with ``ignore_auth``): core's package_create of type
    ``project`` is refused to everyone, organizers included, with the same
    answer whatever the input (no challenge is looked up).  The chained
    action refuses sysadmins too."""
    if isinstance(data_dict, dict) and data_dict.get("type") == project_rules.PROJECT_TYPE:
        return _no(project_rules.register_only_message())
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """Hidden projects (drafts, withdrawn) are for the team and the organizers,
    not for every member of the organization."""
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    pkg = _package(context, data_dict)
    if pkg is None or not project_rules.is_project(pkg) or not pkg.private:
        return result
    if authz.is_sysadmin(context.get("user")) or _may_read_hidden(
        project_rules.user_obj(context), pkg, context
    ):
        return result
    return _no(_("Project not found"))


@tk.chained_auth_function
def package_update(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """Teams edit their project (and its resources: resource_* auth asks
    package_update) only until the submission deadline."""
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    pkg = _package(context, data_dict)
    if pkg is not None and project_rules.is_project(pkg):
        message = project_rules.team_edit_error(context, pkg)
        if message:
            return _no(message)
    return result


@tk.chained_auth_function
def package_collaborator_create(
    next_auth: Any, context: Context, data_dict: DataDict
) -> AuthResult:
    return _team_change("package_collaborator_create", next_auth, context, data_dict)


@tk.chained_auth_function
def package_collaborator_delete(
    next_auth: Any, context: Context, data_dict: DataDict
) -> AuthResult:
    return _team_change("package_collaborator_delete", next_auth, context, data_dict)


def _team_change(action: str, next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    # Core's collaborator auth asserts that the dataset and the user exist
    # (a server error otherwise, e.g. for anonymous API calls, whose context
    # carries flask-login's anonymous user): answer as core does when its
    # anonymous-access gate is reached, and as its action does for no dataset.
    if authz.auth_is_anon_user(context) or project_rules.user_obj(context) is None:
        return _no(f"Action {action} requires an authenticated user")
    pkg = project_rules.package(data_dict.get("id")) if isinstance(data_dict, dict) else None
    if pkg is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    if project_rules.is_project(pkg):
        message = project_rules.team_edit_error(context, pkg)
        if message:
            return _no(message)
    return result


def _package(context: Context, data_dict: DataDict) -> model.Package | None:
    """The dataset the core auth function judged (as core finds it: by
    ``id``; the action's ``context["package"]`` otherwise)."""
    ref = data_dict.get("id") if isinstance(data_dict, dict) else None
    pkg = context.get("package")
    if isinstance(pkg, model.Package) and (not ref or ref in (pkg.id, pkg.name)):
        return pkg  # no query: the action loaded it
    return project_rules.package(ref)
