"""Authorization of the mail actions: organizers announce and list
announcements; a user (or a sysadmin) reads and changes their own mail
preferences; anyone holding a valid unsubscribe link may use it (the action
checks its signature)."""

from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "challenge_announcement_create",
    "challenge_announcement_list",
    "datathon_mail_preferences_show",
    "datathon_mail_preferences_update",
    "datathon_mail_unsubscribe",
]

_ = tk._


def _manage(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_manage_challenge", context, {"id": data_dict.get("id")}
    )


def challenge_announcement_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, {"id": data_dict.get("challenge")})


def challenge_announcement_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict)


def _own(context: Context, data_dict: DataDict) -> AuthResult:
    name = context.get("user")
    me = model.User.get(name) if name else None
    if me is None:
        return {"success": False, "msg": _("You must be logged in")}
    wanted = data_dict.get("id") if isinstance(data_dict, dict) else None
    if not wanted or authz.is_sysadmin(me.name):
        return {"success": True}
    if not isinstance(wanted, str) or "\x00" in wanted:
        return {"success": False, "msg": _("You may only change your own mail preferences")}
    target = model.User.get(wanted)
    if target is not None and target.id == me.id:
        return {"success": True}
    return {"success": False, "msg": _("You may only change your own mail preferences")}


def datathon_mail_preferences_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _own(context, data_dict)


def datathon_mail_preferences_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _own(context, data_dict)


@tk.auth_allow_anonymous_access
def datathon_mail_unsubscribe(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}
