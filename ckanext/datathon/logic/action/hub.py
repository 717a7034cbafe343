"""The personal hub: what waits for a user across the portal's challenges.

One side-effect-free action, ``datathon_hub_show``, behind the dashboard tab
``/dashboard/challenges`` (``views/hub.py``).  Each section is read in a fixed
number of statements whatever its number of rows (``logic/queries/hub.py``);
the invitations are ``project_invitation_list``'s (pending ones).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.lib import header_counts, request_memo, timeline
from ckanext.datathon.logic import project_rules
from ckanext.datathon.logic.queries import hub as queries
from ckanext.datathon.logic.schema import hub as hub_schema
from ckanext.datathon.logic.validate import validate
from ckanext.datathon.logic.visibility import viewer

__all__ = ["datathon_hub_counts", "datathon_hub_show"]

_ = tk._

_READERS = {
    "teams": queries.teams,
    "jury": queries.jury,
    "organizing": queries.organizing,
    "following": queries.following,
}


def _invitations(context: Context, user: model.User, limit: int, offset: int) -> dict[str, Any]:
    """The user's invitations still waiting for an answer."""
    mine = context.get("user") == user.name
    if not mine:
        # a sysadmin reading another hub: that user's invitations, as they read them
        context = {"user": user.name, "auth_user_obj": user, "ignore_auth": True}
    result = tk.get_action("project_invitation_list")(
        {**context, "datathon_viewer": None},  # type: ignore[typeddict-unknown-key]
        {"status": "pending", "limit": limit, "offset": offset},
    )
    return {"count": result["count"], "results": result["results"]}


@validate(hub_schema.hub_show)
@tk.side_effect_free
def datathon_hub_show(context: Context, data: DataDict) -> dict[str, Any]:
    """The personal hub of the caller (sysadmins: of any ``user``).

    Every section lists only what the caller may read (a draft challenge or
    a hidden project of someone else is never named).

    :param user: id or name of the user (default: yourself; only sysadmins
        may name someone else)
    :type user: string
    :param section: only this section, one of ``teams``, ``invitations``,
        ``jury``, ``organizing``, ``following`` (default: all of them)
    :type section: string
    :param limit: rows per section (default 10, at most
        ``ckanext.datathon.challenge_list_limit_max``, 100)
    :type limit: int
    :param offset: rows to skip in each section (default 0)
    :type offset: int
    :returns: ``{"user": {id, name, display_name}, "<section>": {"count",
        "results"}, ...}`` where the results are

        * ``teams``: ``{project: {id, name, title, team_name,
          submission_status}, role: "leader"|"member", challenge}``;
        * ``invitations``: pending invitations as ``project_invitation_list``
          returns them (``{id, status, lapse_reason, project, challenge,
          inviter, ...}``);
        * ``jury``: ``{challenge, total, scored, to_score}`` (projects the
          user may score, scored on every criterion, still to score);
        * ``organizing``: ``{challenge, waiting: {unscored_projects,
          results_unpublished, ideas_to_review}}``;
        * ``following``: ``{challenge, since}``;

        and ``challenge`` is ``{id, name, title, state, timezone, phase,
        current_stage, next_deadline: {kind, at} | None}`` (``kind``: the
        contest date field, ``at``: ISO 8601 UTC).
    :rtype: dictionary
    """
    me = project_rules.user_obj(context)
    if me is None:
        raise tk.NotAuthorized(_("You must be logged in to see your hub"))
    user = me
    wanted = data.get("user")
    if wanted and wanted not in (me.id, me.name):
        found = model.User.get(wanted)
        if found is None or found.state != "active":
            raise tk.ObjectNotFound(_("User not found"))
        user = found
    sections = [data["section"]] if data.get("section") else list(hub_schema.SECTIONS)
    limit, offset = data["limit"], data["offset"]
    who = viewer(context)
    at = timeline.now()
    result: dict[str, Any] = {
        "user": {"id": user.id, "name": user.name, "display_name": user.display_name}
    }
    for section in sections:
        if section == "invitations":
            result[section] = _invitations(context, user, limit, offset)
        else:
            result[section] = _READERS[section](user.id, who, limit, offset, at)
    return result


@validate(hub_schema.hub_counts)
@tk.side_effect_free
def datathon_hub_counts(context: Context, data: DataDict) -> dict[str, Any]:
    """What the header's "My challenges" link shows the caller: how many team
    invitations wait for their answer, and whether they follow a challenge
    (which the dashboard's count of new activities asks next).

    Kept in Redis for a minute at most and forgotten whenever an invitation
    of the caller or one of their follows changes (``lib/header_counts.py``):
    most pages cost no SQL statement for it, the others one.  The count holds
    pending invitations, lapsed ones included (``project_invitation_list``
    tells them apart).

    :returns: ``{"pending_invitations": int, "follows_challenges": bool}``
    :rtype: dictionary
    """
    me = project_rules.user_obj(context)
    if me is None:
        raise tk.NotAuthorized(_("You must be logged in to see your hub"))
    kept = header_counts.recall(me.id)
    if kept is None:
        kept = queries.header_counts(me.id)
        header_counts.keep(me.id, *kept)
    pending, follows = kept
    # the dashboard count of the same page need not ask (dashboard_activity_list)
    request_memo.remember(f"follows_any:{me.id}", follows)
    return {"pending_invitations": pending, "follows_challenges": follows}
