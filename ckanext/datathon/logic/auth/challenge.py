"""Authorization of the datathon actions.

Every action has an auth function of the same name.  Reusable checks are the
``datathon_permission_*`` functions; per-action functions delegate to them.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic import lookup

__all__ = [
    "challenge_ally_create",
    "challenge_ally_delete",
    "challenge_ally_update",
    "challenge_create",
    "challenge_dataset_add",
    "challenge_dataset_list",
    "challenge_dataset_remove",
    "challenge_delete",
    "challenge_list",
    "challenge_patch",
    "challenge_show",
    "challenge_update",
    "dataset_challenge_counts",
    "dataset_challenge_list",
    "datathon_permission_challenge_owner",
    "datathon_permission_manage_challenge",
    "datathon_permission_read_challenge",
]

_ = tk._


def _ok() -> AuthResult:
    return {"success": True}


def _no(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def is_organizer(user: str | None, org_id: str | None) -> bool:
    """Admins and editors of the organization (and sysadmins) organize."""
    if not user or not org_id:
        return False
    return authz.is_sysadmin(user) or authz.has_user_permission_for_group_or_org(
        org_id, user, "update_dataset"
    )


def datathon_permission_manage_challenge(context: Context, data_dict: DataDict) -> AuthResult:
    """May the user change challenge ``id`` and everything under it?

    Raises ObjectNotFound for challenges the user may not even see (unknown,
    drafts of others, deleted), so that writes do not reveal that they exist.
    """
    challenge = lookup.challenge(context, data_dict.get("id"))
    user = context.get("user")
    if challenge is None or (challenge.state == "deleted" and not authz.is_sysadmin(user)):
        raise tk.ObjectNotFound(_("Challenge not found"))
    if is_organizer(user, challenge.owner_org):
        return _ok()
    if challenge.state != "active":
        raise tk.ObjectNotFound(_("Challenge not found"))
    return _no(
        _("User {user} is not an organizer of this challenge").format(user=user or _("(anonymous)"))
    )


@tk.auth_allow_anonymous_access
def datathon_permission_read_challenge(context: Context, data_dict: DataDict) -> AuthResult:
    """Published challenges are public; drafts are for organizers; deleted for sysadmins."""
    challenge = lookup.challenge(context, data_dict.get("id"))
    if challenge is None:
        return _no(_("Challenge not found"))
    user = context.get("user")
    if challenge.state == "active":
        return _ok()
    if challenge.state == "draft" and is_organizer(user, challenge.owner_org):
        return _ok()
    if user and authz.is_sysadmin(user):
        return _ok()
    return _no(_("Challenge not found"))


def _manage(context: Context, data_dict: DataDict, key: str = "id") -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_manage_challenge", context, {"id": data_dict.get(key)}
    )


@tk.auth_disallow_anonymous_access
def datathon_permission_challenge_owner(context: Context, data_dict: DataDict) -> AuthResult:
    """May the user put a challenge in organization ``owner_org``?

    ``id``, when given, is the challenge being changed: keeping its current
    organization needs nothing more.  The reference is resolved by
    ``lookup.organization``, the resolver the ``owner_org`` validator uses,
    and the check runs twice (core's ``owner_org_validator`` pattern): in the
    auth function of the action on the raw input, and in the action on the
    validated (resolved) id before anything is written.
    """
    user = context.get("user")
    current = lookup.challenge(context, data_dict.get("id")) if data_dict.get("id") else None
    group = lookup.organization(data_dict.get("owner_org"))
    if group is None:
        # Nothing to resolve: the validators answer with a field error.  A
        # new challenge may be attempted by those who organize somewhere.
        if current is not None or _organizes_anywhere(user):
            return _ok()
        return _no(_("Only organizers of an organization can create challenges"))
    if current is not None and group.id == current.owner_org:
        return _ok()
    if is_organizer(user, group.id):
        return _ok()
    if current is not None:
        return _no(_("User {user} cannot move challenges to that organization").format(user=user))
    return _no(_("User {user} cannot create challenges for this organization").format(user=user))


def challenge_create(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_challenge_owner",
        context,
        {"owner_org": data_dict.get("owner_org")},
    )


def _organizes_anywhere(user: str | None) -> bool:
    return bool(user) and bool(authz.has_user_permission_for_some_org(user, "update_dataset"))


def challenge_update(context: Context, data_dict: DataDict) -> AuthResult:
    result = _manage(context, data_dict)
    if not result["success"] or data_dict.get("owner_org") in (None, ""):
        return result
    # Moving a challenge to another organization needs rights there too.
    return authz.is_authorized(
        "datathon_permission_challenge_owner",
        context,
        {"id": data_dict.get("id"), "owner_org": data_dict.get("owner_org")},
    )


def challenge_patch(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_update(context, data_dict)


def challenge_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("datathon_permission_read_challenge", context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Everyone may list; the action shows each viewer only what they may read.
    return _ok()


def challenge_dataset_add(context: Context, data_dict: DataDict) -> AuthResult:
    result = _manage(context, data_dict)
    if not result["success"]:
        return result
    # Linking needs read access to the dataset: nobody links what they cannot see.
    dataset_id = data_dict.get("dataset")
    if not isinstance(dataset_id, str) or not dataset_id:
        return _ok()  # the action reports the missing dataset as a validation error
    try:
        tk.check_access("package_show", _sub(context), {"id": dataset_id})
    except tk.NotAuthorized:
        return _no(_("User {user} cannot read that dataset").format(user=context.get("user")))
    except tk.ObjectNotFound:
        pass  # the action reports the missing dataset as a validation error
    return _ok()


def challenge_dataset_remove(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_dataset_list(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_show(context, data_dict)


@tk.auth_allow_anonymous_access
def dataset_challenge_counts(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the action counts only datasets and challenges the caller may read."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def dataset_challenge_list(context: Context, data_dict: DataDict) -> AuthResult:
    if not lookup.is_ref(data_dict.get("id")):
        return _no(_("Dataset not found"))
    try:
        tk.check_access("package_show", _sub(context), {"id": data_dict.get("id")})
    except tk.ObjectNotFound:
        return _no(_("Dataset not found"))
    except tk.NotAuthorized:
        return _no(_("Dataset not found"))
    return _ok()


def challenge_ally_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict, "challenge")


def challenge_ally_update(context: Context, data_dict: DataDict) -> AuthResult:
    ally = lookup.ally(data_dict.get("id"))
    if ally is None:
        raise tk.ObjectNotFound(_("Ally not found"))
    return _manage(context, {"id": ally.challenge_id})


def challenge_ally_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_ally_update(context, data_dict)


def _sub(context: Context) -> Context:
    """A fresh context for a nested check (keeps the user, drops cached objects)."""
    sub: dict[str, Any] = {"user": context.get("user"), "model": model}
    if context.get("auth_user_obj") is not None:
        sub["auth_user_obj"] = context["auth_user_obj"]
    return sub  # type: ignore[return-value]
