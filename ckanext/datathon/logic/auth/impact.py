"""Authorization of the impact record (stage 11).

Organizers of the challenge (and sysadmins) record, change and delete impact
entries; whoever may read the challenge reads them (the action then hides
the projects and datasets of an entry that the viewer may not read).
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic.auth.mentorship import get, manage, read
from ckanext.datathon.model import Impact

__all__ = [
    "challenge_impact_create",
    "challenge_impact_delete",
    "challenge_impact_list",
    "challenge_impact_update",
]

_ = tk._


def challenge_impact_create(context: Context, data_dict: DataDict) -> AuthResult:
    return manage(context, data_dict.get("challenge"))


def challenge_impact_update(context: Context, data_dict: DataDict) -> AuthResult:
    entry = get(Impact, data_dict.get("id"))
    if entry is None:
        raise tk.ObjectNotFound(_("Impact entry not found"))
    return manage(context, entry.challenge_id)


def challenge_impact_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_impact_update(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_impact_list(context: Context, data_dict: DataDict) -> AuthResult:
    return read(context, data_dict.get("id"))
