"""Authorization of the personal hub: your own, or anyone's for sysadmins
(CKAN lets sysadmins past every auth function)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic import project_rules

__all__ = ["datathon_hub_counts", "datathon_hub_show"]

_ = tk._


def datathon_hub_show(context: Context, data_dict: DataDict) -> AuthResult:
    me = project_rules.user_obj(context)
    if me is None:
        return {"success": False, "msg": _("You must be logged in to see your hub")}
    wanted = data_dict.get("user") if isinstance(data_dict, dict) else None
    if wanted in (None, "", me.id, me.name):
        return {"success": True}
    return {"success": False, "msg": _("You may only see your own hub")}


def datathon_hub_counts(context: Context, data_dict: DataDict) -> AuthResult:
    """Signed-in users, their own figures."""
    if project_rules.user_obj(context) is None:
        return {"success": False, "msg": _("You must be logged in to see your hub")}
    return {"success": True}
