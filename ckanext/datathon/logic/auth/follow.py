"""Authorization of following challenges (CKAN's follow conventions).

As core's ``follow_dataset``: only logged-in users who can read the challenge
follow it; anyone may count followers; only organizers (and sysadmins, where
core allows only sysadmins) list them; a user's followees are visible to that
user and to sysadmins.  A challenge the user may not see (a draft of another
organization, a deleted one, an unknown id) raises ObjectNotFound, so that no
answer reveals that it exists.
"""

from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic.visibility import viewer

__all__ = [
    "am_following_challenge",
    "challenge_followee_list",
    "challenge_follower_count",
    "challenge_follower_list",
    "follow_challenge",
    "unfollow_challenge",
]

_ = tk._


def _logged_in(context: Context) -> bool:
    return viewer(context).user_id is not None


def _readable(context: Context, data_dict: DataDict) -> AuthResult:
    """Success, or ObjectNotFound when the user may not see the challenge."""
    result = authz.is_authorized(
        "datathon_permission_read_challenge", context, {"id": data_dict.get("id")}
    )
    if not result["success"]:
        raise tk.ObjectNotFound(_("Challenge not found"))
    return {"success": True}


def follow_challenge(context: Context, data_dict: DataDict) -> AuthResult:
    if not _logged_in(context):
        return {"success": False, "msg": _("You must be logged in to follow challenges")}
    return _readable(context, data_dict)


def unfollow_challenge(context: Context, data_dict: DataDict) -> AuthResult:
    if not _logged_in(context):
        return {"success": False, "msg": _("You must be logged in to unfollow challenges")}
    return _readable(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_follower_count(context: Context, data_dict: DataDict) -> AuthResult:
    return _readable(context, data_dict)


def challenge_follower_list(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_manage_challenge", context, {"id": data_dict.get("id")}
    )


def am_following_challenge(context: Context, data_dict: DataDict) -> AuthResult:
    if not _logged_in(context):
        return {"success": False, "msg": _("You must be logged in to follow challenges")}
    return _readable(context, data_dict)


def challenge_followee_list(context: Context, data_dict: DataDict) -> AuthResult:
    # as core's *_followee_list: users see what they follow, sysadmins anyone's
    me = model.User.get(context.get("user") or "") if context.get("user") else None
    if me is None:
        return {"success": False, "msg": _("Not authorized")}
    wanted = data_dict.get("id")
    if isinstance(wanted, str) and wanted in (me.id, me.name):
        return {"success": True}
    return {"success": False, "msg": _("Not authorized")}
