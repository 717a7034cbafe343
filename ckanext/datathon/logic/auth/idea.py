"""Authorization of the ideathon (stage 2 of the method).

* Everyone who may read a challenge reads its ideas (anonymous users too):
  published challenges are public, drafts are for their organizers.
* Registered users propose ideas and vote for them on the challenges they may
  read.  Anonymous users do neither.
* An idea is deleted by the organizers (moderation, at any time) or by its
  author while it is still only theirs: not adopted and without votes of
  other users.  Once others voted for it, the idea is part of the collective
  work and only the organizers may remove it.
* Organizers mark ideas as adopted and see the data gaps of the challenge.

Writes on what the user may not see answer ObjectNotFound (404).  The helpers
at the top are shared with ``logic.action.idea``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import lookup, project_rules
from ckanext.datathon.logic.visibility import viewer
from ckanext.datathon.model import Challenge, Idea, IdeaVote, Stage

__all__ = [
    "challenge_data_gap_list",
    "challenge_idea_adopt",
    "challenge_idea_create",
    "challenge_idea_delete",
    "challenge_idea_list",
    "challenge_idea_show",
    "challenge_idea_unvote",
    "challenge_idea_vote",
]

_ = tk._


def _ok() -> AuthResult:
    return {"success": True}


def _no(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


# -- shared rules -------------------------------------------------------------------


def readable_challenge(context: Context, ref: Any) -> Challenge:
    """The challenge, or ObjectNotFound when it is unknown or hidden from the user."""
    challenge = lookup.challenge(context, ref)
    if (
        challenge is None
        or not authz.is_authorized(
            "datathon_permission_read_challenge", context, {"id": challenge.id}
        )["success"]
    ):
        raise tk.ObjectNotFound(_("Challenge not found"))
    return challenge


def idea_of(ref: Any, *, lock: bool = False) -> Idea:
    """The idea (optionally locked FOR UPDATE), or ObjectNotFound."""
    if not isinstance(ref, str) or not ref or "\x00" in ref:
        raise tk.ObjectNotFound(_("Idea not found"))
    query = sa.select(Idea).where(Idea.id == ref)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    idea = model.Session.scalars(query).first()
    if idea is None:
        raise tk.ObjectNotFound(_("Idea not found"))
    return idea


def readable_idea(context: Context, ref: Any) -> tuple[Idea, Challenge]:
    """The idea and its challenge, or ObjectNotFound when the user may not see them."""
    idea = idea_of(ref)
    try:
        challenge = readable_challenge(context, idea.challenge_id)
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound(_("Idea not found")) from None
    return idea, challenge


def is_organizer(context: Context, challenge: Challenge) -> bool:
    return project_rules.is_organizer(context.get("user"), challenge.owner_org)


def ideathon_closed(challenge_id: str, at: dt.datetime | None = None) -> dt.datetime | None:
    """When the challenge's ideathon stage ended, if it has one and it is over.

    Ideas and votes are accepted from the moment the challenge is published
    until the end of its ``ideathon`` stage (for ever when the timeline has
    no such stage).  Organizers are not bound by it.
    """
    ends = model.Session.execute(
        sa.select(Stage.ends).where(Stage.challenge_id == challenge_id, Stage.stage == "ideathon")
    ).scalar()
    if ends is not None and ends < (at or timeline.now()):
        return ends
    return None


def votes_from_others(idea_id: str, user_id: str | None) -> int:
    v = IdeaVote.__table__
    return model.Session.execute(
        sa.select(sa.func.count()).where(v.c.idea_id == idea_id, v.c.user_id != (user_id or ""))
    ).scalar_one()


def author_may_not_delete(idea: Idea, user_id: str | None) -> str | None:
    """Why the author cannot delete their idea any more (None: they can)."""
    if not user_id or idea.user_id != user_id:
        return _("Only the author and the organizers delete an idea")
    if idea.adopted is not None:
        return _("The organizers adopted this idea: only they can remove it")
    if votes_from_others(idea.id, user_id):
        return _("Other people voted for this idea: only the organizers can remove it now")
    return None


def _manage(context: Context, challenge_ref: Any) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_manage_challenge", context, {"id": challenge_ref}
    )


def _registered(context: Context, message: str) -> AuthResult:
    if viewer(context).anonymous:
        return _no(message)
    return _ok()


# -- ideas ------------------------------------------------------------------------------


@tk.auth_allow_anonymous_access
def challenge_idea_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Ideas are published with the challenge.
    return authz.is_authorized(
        "datathon_permission_read_challenge", context, {"id": data_dict.get("id")}
    )


@tk.auth_allow_anonymous_access
def challenge_idea_show(context: Context, data_dict: DataDict) -> AuthResult:
    try:
        readable_idea(context, data_dict.get("id"))
    except tk.ObjectNotFound:
        return _no(_("Idea not found"))
    return _ok()


def challenge_idea_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Registered users, on challenges they may read."""
    readable_challenge(context, data_dict.get("challenge"))
    return _registered(context, _("Log in to propose ideas"))


def challenge_idea_vote(context: Context, data_dict: DataDict) -> AuthResult:
    """Registered users, on ideas of challenges they may read."""
    readable_idea(context, data_dict.get("id"))
    return _registered(context, _("Log in to vote for ideas"))


def challenge_idea_unvote(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_idea_vote(context, data_dict)


def challenge_idea_delete(context: Context, data_dict: DataDict) -> AuthResult:
    """Organizers; the author while the idea is only theirs (see the module)."""
    idea, challenge = readable_idea(context, data_dict.get("id"))
    if is_organizer(context, challenge):
        return _ok()
    message = author_may_not_delete(idea, viewer(context).user_id)
    return _no(message) if message else _ok()


def challenge_idea_adopt(context: Context, data_dict: DataDict) -> AuthResult:
    """Organizers mark (and unmark) ideas as adopted."""
    idea = idea_of(data_dict.get("id"))
    return _manage(context, idea.challenge_id)


def challenge_data_gap_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Organizers see the data gaps of their challenge in one list."""
    return _manage(context, data_dict.get("id"))
