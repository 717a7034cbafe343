"""Mail actions: organizers' announcements to the teams of a challenge, each
user's choice about reminders and announcements, and the unsubscribe link.

The mail itself is sent by background jobs (``logic.jobs``): these actions
record and queue, they never wait for a mail server.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon import config
from ckanext.datathon.lib import activity, mail, timeline
from ckanext.datathon.logic import dictize, harvested, jobs, lookup
from ckanext.datathon.logic.queries import mail as mail_queries
from ckanext.datathon.logic.schema import mail as mail_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import viewer
from ckanext.datathon.model import Announcement, Challenge

__all__ = [
    "challenge_announcement_create",
    "challenge_announcement_list",
    "datathon_mail_preferences_show",
    "datathon_mail_preferences_update",
    "datathon_mail_unsubscribe",
]

_ = tk._
DAY = dt.timedelta(days=1)


def _announcement_dict(a: Announcement) -> dict[str, Any]:
    return {
        "id": a.id,
        "challenge_id": a.challenge_id,
        "user_id": a.user_id,
        "subject": a.subject,
        "message": a.message,
        "recipients": a.recipients,
        "created": dictize.jsonable(a.created),
    }


@validate(mail_schema.announcement_create, aliases={"id": "challenge"})
def challenge_announcement_create(context: Context, data: DataDict) -> dict[str, Any]:
    """E-mail an announcement to every member of the registered teams of a
    published challenge (its organizers), and record it in the organization's
    activity stream.  At most ``ckanext.datathon.announcements_per_day`` per
    challenge in 24 hours.  Each mail is queued (``logic.jobs``), in the
    challenge's language, with an unsubscribe link; members who opted out get
    none.

    :param challenge: challenge id or name (``id``: deprecated)
    :type challenge: string
    :param subject: one line, at most 150 characters
    :type subject: string
    :param message: plain text, at most 5,000 characters
    :type message: string
    :returns: the announcement ``{id, challenge_id, user_id, subject, message,
        recipients, created}`` (``recipients``: team members at the time)
    :rtype: dict
    """
    challenge = lookup.challenge_or_404(context, data["challenge"])
    harvested.refuse_copy(context, challenge)
    if challenge.state != "active":
        raise tk.ValidationError(
            {"challenge": [_("Announcements can only be sent for published challenges")]}
        )
    # one announcement at a time per challenge: the count below stays true
    model.Session.execute(
        sa.select(Challenge.id).where(Challenge.id == challenge.id).with_for_update()
    )
    now = timeline.now()
    limit = config.announcements_per_day()
    if mail_queries.announcements_since(challenge.id, now - DAY) >= limit:
        model.Session.rollback()
        raise tk.ValidationError(
            {
                "message": [
                    _("A challenge may send at most {n} announcements in 24 hours").format(n=limit)
                ]
            }
        )
    recipients = mail_queries.team_members(challenge.id, submitted=None)
    user_id = viewer(context).user_id
    announcement = Announcement(
        challenge_id=challenge.id,
        user_id=user_id,
        subject=mail.header_text(data["subject"]),
        message=data["message"],
        recipients=len(recipients),
        created=now,
    )
    model.Session.add(announcement)
    model.Session.flush()
    activity.record(
        user_id,
        challenge,
        activity.ANNOUNCED,
        {"announcement": {"id": announcement.id, "subject": announcement.subject}},
    )
    result = _announcement_dict(announcement)
    commit(context)
    for recipient in recipients:
        jobs.enqueue(mail.ANNOUNCEMENT, recipient, challenge.id, announcement_id=result["id"])
    return result


@validate(mail_schema.announcement_list)
@tk.side_effect_free
def challenge_announcement_list(context: Context, data: DataDict) -> list[dict[str, Any]]:
    """The announcements of a challenge, newest first (its organizers).

    :param id: challenge id or name
    :type id: string
    :returns: a list of announcements (see ``challenge_announcement_create``)
    :rtype: list of dicts
    """
    challenge = lookup.challenge_or_404(context, data["id"])
    rows = model.Session.scalars(
        sa.select(Announcement)
        .where(Announcement.challenge_id == challenge.id)
        .order_by(Announcement.created.desc(), Announcement.id)
        .limit(100)
    )
    return [_announcement_dict(a) for a in rows]


# -- preferences ---------------------------------------------------------------------------


def _target_user(context: Context, id_or_name: Any) -> model.User:
    if id_or_name:
        user = model.User.get(str(id_or_name))
    else:
        name = context.get("user")
        user = model.User.get(name) if name else None
    if user is None or user.state == "deleted":
        raise tk.ObjectNotFound(_("User not found"))
    return user


def _preferences(user: model.User) -> dict[str, Any]:
    return {"user": user.name, "reminders": not jobs.opted_out(user)}


@validate(mail_schema.preferences_show)
@tk.side_effect_free
def datathon_mail_preferences_show(context: Context, data: DataDict) -> dict[str, Any]:
    """Whether a user receives the reminders and announcements of challenges
    (the user themself, or a sysadmin).

    :param id: user id or name (optional: the caller)
    :type id: string
    :returns: ``{"user": name, "reminders": bool}``
    :rtype: dict
    """
    return _preferences(_target_user(context, data.get("id")))


@validate(mail_schema.preferences_update)
def datathon_mail_preferences_update(context: Context, data: DataDict) -> dict[str, Any]:
    """Receive reminders and announcements of challenges, or not (stored in
    the user's ``plugin_extras``; everyone receives them until they opt out).
    Mail that answers the user's own doing (an invitation, an appointment to a
    jury, published results) is not affected.

    :param id: user id or name (optional: the caller)
    :type id: string
    :param reminders: true or false
    :type reminders: bool
    :returns: ``{"user": name, "reminders": bool}``
    :rtype: dict
    """
    user = _target_user(context, data.get("id"))
    jobs.set_opt_out(user, not data["reminders"])
    commit(context)
    return _preferences(user)


@validate(mail_schema.unsubscribe)
def datathon_mail_unsubscribe(context: Context, data: DataDict) -> dict[str, Any]:
    """Stop the reminders and announcements of challenges for the user a
    signed token names (the link at the foot of every mail; no login).

    :param token: the token of the link
    :type token: string
    :returns: ``{"user": name, "reminders": false}``
    :rtype: dict
    """
    user_id = mail.token_user(data["token"])
    if user_id is None:
        raise tk.NotAuthorized(_("This unsubscribe link is not valid"))
    user = model.Session.get(model.User, user_id)
    if user is None or user.state == "deleted":
        raise tk.ObjectNotFound(_("User not found"))
    jobs.set_opt_out(user, True)
    commit(context)
    return _preferences(user)
