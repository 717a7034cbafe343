"""Actions of the mentorship sessions (stage 7 of the method).

A session has a title, a start and an end (aware date-times, stored in UTC;
the pages enter and show them in the challenge's time zone), a place, a
meeting URL or both, the names of its mentors and a description.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import harvested, lookup
from ckanext.datathon.logic.dictize import jsonable
from ckanext.datathon.logic.schema import engagement as engagement_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.model import Challenge, Mentorship

__all__ = [
    "challenge_mentorship_create",
    "challenge_mentorship_delete",
    "challenge_mentorship_list",
    "challenge_mentorship_update",
]

_ = tk._

FIELDS = ("title", "starts", "ends", "location", "url", "mentors", "description")
# Keys whose value may be a list: a list of anything but text is refused
# before navl (which would flatten a list of objects into nothing).
TEXT_LISTS = ("mentors", "datasets")


def text_lists(data_dict: DataDict, schema: dict[str, Any]) -> dict[str, list[str]]:
    """Before navl: a list given for ``TEXT_LISTS`` holds text values only."""
    for key in TEXT_LISTS:
        value = data_dict.get(key)
        if key in schema and isinstance(value, list) and not all(isinstance(v, str) for v in value):
            return {key: [_("Must be a list of text values")]}
    return {}


def challenge(context: Context, ref: Any, *, write: bool = True) -> Challenge:
    """The challenge (auth already checked the user may see it); deleted
    challenges take no new entries."""
    found = lookup.challenge(context, ref)
    if found is None or (write and found.state == "deleted"):
        raise tk.ObjectNotFound(_("Challenge not found"))
    if write:
        harvested.refuse_copy(context, found)
    return found


def mentorship_dict(m: Mentorship) -> dict[str, Any]:
    return {
        "id": m.id,
        "challenge_id": m.challenge_id,
        "title": m.title,
        "starts": jsonable(m.starts),
        "ends": jsonable(m.ends),
        "location": m.location,
        "url": m.url,
        "mentors": list(m.mentors or []),
        "description": m.description,
        "created": jsonable(m.created),
        "modified": jsonable(m.modified),
    }


def _rules(values: dict[str, Any], invalid: Any = None) -> dict[str, list[str]]:
    """A session ends after it starts and happens somewhere (a place, a URL)."""
    errors: dict[str, list[str]] = {}
    starts, ends = values.get("starts"), values.get("ends")
    if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends < starts:
        errors["ends"] = [_("Must not be earlier than the start")]
    if not values.get("location") and not values.get("url"):
        errors["location"] = [_("Give a place, a meeting URL or both")]
    return errors


@validate(
    engagement_schema.mentorship_create,
    aliases={"challenge_id": "challenge"},
    shapes=text_lists,
    cross_field=_rules,
)
def challenge_mentorship_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Add a mentorship session to a challenge (organizers).

    :param challenge: challenge id or name (``challenge_id``: deprecated)
    :type challenge: string
    :param title: the session's title (one line)
    :type title: string
    :param starts: ISO 8601 with a time zone
    :type starts: string
    :param ends: ISO 8601 with a time zone (not before ``starts``)
    :type ends: string
    :param location: a place (a ``location`` or a ``url`` is needed)
    :type location: string
    :param url: an http(s) URL of the meeting (a ``location`` or a ``url`` is needed)
    :type url: string
    :param mentors: names (a list, or text with one name per line)
    :type mentors: list of strings
    :param description: what it is about
    :type description: string
    :returns: the session, as in ``challenge_mentorship_list``
    :rtype: dict
    """
    found = challenge(context, data["challenge"])
    count = model.Session.execute(
        sa.select(sa.func.count()).where(Mentorship.challenge_id == found.id)
    ).scalar_one()
    if count >= engagement_schema.MAX_SESSIONS:
        raise tk.ValidationError(
            {
                "challenge": [
                    _("A challenge has at most %(n)s mentorship sessions")
                    % {"n": engagement_schema.MAX_SESSIONS}
                ]
            }
        )
    now = timeline.now()
    session = Mentorship(
        challenge_id=found.id, created=now, modified=now, **{k: data[k] for k in FIELDS}
    )
    model.Session.add(session)
    model.Session.flush()
    commit(context)
    return mentorship_dict(session)


def _session(ref: Any) -> Mentorship:
    if not isinstance(ref, str) or not ref or "\x00" in ref:
        raise tk.ObjectNotFound(_("Mentorship session not found"))
    found = model.Session.get(Mentorship, ref)
    if found is None:
        raise tk.ObjectNotFound(_("Mentorship session not found"))
    return found


def _merged(session: Mentorship, data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k, getattr(session, k)) for k in FIELDS}


def _update_rules(data: dict[str, Any], invalid: dict[str, Any]) -> dict[str, list[str]]:
    """The session's rules on the fields given merged with the stored ones."""
    if invalid.get("id"):
        return {}
    return _rules(_merged(_session(data.get("id")), data))


@validate(engagement_schema.mentorship_update, shapes=text_lists, cross_field=_update_rules)
def challenge_mentorship_update(context: Context, data: DataDict) -> dict[str, Any]:
    """Change a session; fields not given keep their value.

    :param id: session id
    :type id: string
    :param title: the session's title (one line)
    :type title: string
    :param starts: ISO 8601 with a time zone
    :type starts: string
    :param ends: ISO 8601 with a time zone (not before ``starts``)
    :type ends: string
    :param location: where it takes place
    :type location: string
    :param url: an http(s) URL of the meeting
    :type url: string
    :param mentors: names of the mentors (a list, or text with one per line or comma)
    :type mentors: list of strings
    :param description: what it is about
    :type description: string
    :returns: the session, as in ``challenge_mentorship_list``
    :rtype: dict
    """
    session = _session(data["id"])
    harvested.refuse_copy(context, session.challenge_id)
    for key, value in _merged(session, data).items():
        setattr(session, key, value)
    session.modified = timeline.now()
    model.Session.flush()
    commit(context)
    return mentorship_dict(session)


@validate(engagement_schema.entry_id)
def challenge_mentorship_delete(context: Context, data: DataDict) -> None:
    """Delete a session.

    :param id: session id
    :type id: string
    """
    session = _session(data["id"])
    harvested.refuse_copy(context, session.challenge_id)
    model.Session.execute(sa.delete(Mentorship).where(Mentorship.id == session.id))
    commit(context)


@validate(engagement_schema.challenge_ref, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def challenge_mentorship_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The mentorship sessions of a challenge, by start (readers of the
    challenge; drafts are "not found" for others).

    :param id: challenge id or name
    :type id: string
    :returns: ``{"count", "timezone", "results": [...]}``
    :rtype: dict
    """
    found = challenge(context, data["id"], write=False)
    sessions = model.Session.scalars(
        sa.select(Mentorship)
        .where(Mentorship.challenge_id == found.id)
        .order_by(Mentorship.starts, Mentorship.title, Mentorship.id)
    ).all()
    results = [mentorship_dict(s) for s in sessions]
    return {"count": len(results), "timezone": found.timezone, "results": results}
