"""Authorization of the mentorship sessions (stage 7).

Organizers of the challenge (and sysadmins) create, change and delete
sessions; whoever may read the challenge reads its sessions.  Writes on what
the user may not see (unknown sessions, drafts of others) are "not found".
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.model import Mentorship

__all__ = [
    "challenge_mentorship_create",
    "challenge_mentorship_delete",
    "challenge_mentorship_list",
    "challenge_mentorship_update",
]

_ = tk._


def manage(context: Context, challenge_ref: Any) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_manage_challenge", context, {"id": challenge_ref}
    )


def read(context: Context, challenge_ref: Any) -> AuthResult:
    return authz.is_authorized("datathon_permission_read_challenge", context, {"id": challenge_ref})


def get(model_class: Any, ref: Any) -> Any:
    """The row of ``model_class`` whose id is ``ref`` (None for junk ids)."""
    if not isinstance(ref, str) or not ref or "\x00" in ref or len(ref) > 100:
        return None
    return model.Session.get(model_class, ref)


def challenge_mentorship_create(context: Context, data_dict: DataDict) -> AuthResult:
    return manage(context, data_dict.get("challenge"))


def challenge_mentorship_update(context: Context, data_dict: DataDict) -> AuthResult:
    session = get(Mentorship, data_dict.get("id"))
    if session is None:
        raise tk.ObjectNotFound(_("Mentorship session not found"))
    return manage(context, session.challenge_id)


def challenge_mentorship_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_mentorship_update(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_mentorship_list(context: Context, data_dict: DataDict) -> AuthResult:
    return read(context, data_dict.get("id"))
