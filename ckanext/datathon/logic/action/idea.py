"""Actions of the ideathon (stage 2): ideas, votes, data gaps, adoption.

Rules (who may do what is in ``logic.auth.idea``):

* one vote per user per idea: the vote's primary key is (idea, user) and a
  vote is ``INSERT ... ON CONFLICT DO NOTHING``, so repeated or concurrent
  clicks count once; voting and unvoting are idempotent and return the new
  count;
* ideas and votes are accepted until the challenge's ``ideathon`` stage ends
  (always, when its timeline has no such stage); after that, new ideas, votes
  and unvotes are refused with a field error, except for organizers;
* an idea names at most ``MAX_DATA_GAPS`` data gaps (data it needs that the
  portal does not publish); organizers list them for the whole challenge and
  export them, so a problem without data becomes a documented data request;
* the author deletes their idea while no one else voted for it and it is not
  adopted; organizers delete any idea (votes and gaps go with it);
* ``challenge_idea_list`` costs a fixed number of queries whatever the page
  size: one for the page (the votes of every idea and the viewer's own are
  counted in one grouped pass joined to it, with the authors and a window
  total; no correlated subquery per row) and one for the data gaps of the
  page.  Measured with 2,000 ideas and 40,000 votes: about 30 ms a page,
  first or last, by votes or by date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon import config
from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import harvested, lookup
from ckanext.datathon.logic.auth import idea as rules
from ckanext.datathon.logic.dictize import jsonable
from ckanext.datathon.logic.schema import idea as idea_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import viewer
from ckanext.datathon.model import Challenge, DataGap, Idea, IdeaVote

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


# -- helpers ---------------------------------------------------------------------------


def _data_gaps(data_dict: DataDict, schema_: dict[str, Any]) -> dict[str, list[str]]:
    """Before navl: ``data_gaps`` is a list of at most MAX_DATA_GAPS objects."""
    gaps = data_dict.get("data_gaps")
    if "data_gaps" not in schema_ or gaps is None:
        return {}
    if not isinstance(gaps, list) or not all(isinstance(g, dict) for g in gaps):
        return {"data_gaps": [_("Must be a list of objects")]}
    if len(gaps) > idea_schema.MAX_DATA_GAPS:
        return {
            "data_gaps": [
                _("An idea names at most %(max)s data gaps", max=idea_schema.MAX_DATA_GAPS)
            ]
        }
    return {}


def _voter(context: Context) -> str:
    user_id = viewer(context).user_id
    if user_id is None:
        raise tk.NotAuthorized(_("Log in to vote for ideas"))
    return user_id


def _ensure_open(context: Context, challenge: Challenge, key: str) -> None:
    """Refuse ideas and votes after the ideathon (organizers are exempt)."""
    ended = rules.ideathon_closed(challenge.id)
    if ended is not None and not rules.is_organizer(context, challenge):
        raise tk.ValidationError(
            {
                key: [
                    _(
                        "The ideathon of this challenge ended on %(date)s: "
                        "it no longer accepts ideas or votes",
                        date=timeline.local_text(ended, challenge.timezone),
                    )
                ]
            }
        )


def _ensure_room_for_an_idea(context: Context, challenge: Challenge, user_id: str) -> None:
    """At most ``max_ideas_per_user`` ideas per person and challenge
    (organizers and sysadmins are exempt). Concurrent proposals of one person
    are serialised by a transaction lock, so two cannot both take the last place."""
    cap = config.max_ideas_per_user()
    if cap <= 0 or rules.is_organizer(context, challenge):
        return
    model.Session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"idea:{challenge.id}:{user_id}")))
    )
    i = Idea.__table__
    count = model.Session.execute(
        sa.select(sa.func.count())
        .select_from(i)
        .where(i.c.challenge_id == challenge.id, i.c.user_id == user_id)
    ).scalar_one()
    if count >= cap:
        raise tk.ValidationError(
            {
                "challenge": [
                    _(
                        "You have proposed %(count)s ideas to this challenge, the most "
                        "one person may propose",
                        count=count,
                    )
                ]
            }
        )


def _vote_count(idea_id: str) -> int:
    return model.Session.execute(
        sa.select(sa.func.count()).where(IdeaVote.idea_id == idea_id)
    ).scalar_one()


def _author(user_id: str | None, name: str | None, fullname: str | None) -> dict[str, Any] | None:
    if user_id is None or name is None:
        return None
    return {"user_id": user_id, "name": name, "display_name": fullname or name}


def _gap_dict(gap: Any) -> dict[str, Any]:
    return {
        "id": gap.id,
        "title": gap.title,
        "description": gap.description,
        "holder": gap.holder,
        "position": gap.position,
    }


def _ideas(
    context: Context,
    challenge: Challenge,
    *conditions: Any,
    sort: str,
    limit: int,
    offset: int = 0,
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Rows and dicts of the ideas of ``challenge`` matching ``conditions``
    (on the idea table), a page sorted by ``votes`` or ``recent``.

    Two queries whatever the page size: the page (the ideas' votes and the
    viewer's are counted in one grouped pass over the votes, joined with the
    authors; the total is a window count), then the data gaps of the page."""
    me = viewer(context).user_id
    organizer = rules.is_organizer(context, challenge)
    i = Idea.__table__
    v = IdeaVote.__table__
    u = model.User.__table__
    mine = sa.func.count().filter(v.c.user_id == me) if me else sa.literal(0)
    counts = (
        sa.select(v.c.idea_id, sa.func.count().label("votes"), mine.label("mine"))
        .join(i, i.c.id == v.c.idea_id)
        .where(i.c.challenge_id == challenge.id, *conditions)
        .group_by(v.c.idea_id)
        .subquery("counts")
    )
    votes = sa.func.coalesce(counts.c.votes, 0)
    if sort == "votes":
        order = [votes.desc(), i.c.created.desc(), i.c.id]
    else:
        order = [i.c.created.desc(), i.c.id]
    rows = model.Session.execute(
        sa.select(
            i,
            u.c.name.label("author_name"),
            u.c.fullname.label("author_fullname"),
            votes.label("votes"),
            sa.func.coalesce(counts.c.mine, 0).label("mine"),
            sa.func.count().over().label("total"),
        )
        .select_from(
            i.outerjoin(u, u.c.id == i.c.user_id).outerjoin(counts, counts.c.idea_id == i.c.id)
        )
        .where(i.c.challenge_id == challenge.id, *conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()
    gaps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for gap in model.Session.execute(
            sa.select(DataGap.__table__)
            .where(DataGap.idea_id.in_([r.id for r in rows]))
            .order_by(DataGap.idea_id, DataGap.position)
        ).all():
            gaps[gap.idea_id].append(_gap_dict(gap))
    results = [
        {
            "id": r.id,
            "challenge_id": r.challenge_id,
            "title": r.title,
            "description": r.description,
            "created": jsonable(r.created),
            "adopted": jsonable(r.adopted),
            "author": _author(r.user_id, r.author_name, r.author_fullname),
            "vote_count": r.votes,
            "voted_by_me": r.mine > 0,
            "can_delete": organizer
            or (me is not None and r.user_id == me and r.adopted is None and r.votes == r.mine),
            "data_gaps": gaps.get(r.id, []),
        }
        for r in rows
    ]
    return rows, results


# -- ideas -----------------------------------------------------------------------------


@validate(idea_schema.idea_create, shapes=_data_gaps)
def challenge_idea_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Propose an idea to delimit the challenge's problem (registered users,
    until the ideathon stage ends).

    :param challenge: challenge id or name
    :type challenge: string
    :param title: the idea's title (one line, at most 200 characters)
    :type title: string
    :param description: what the idea is about (plain text)
    :type description: string
    :param data_gaps: up to 10 ``{title, description, holder}``: data the idea needs that
        the portal does not publish, and who is believed to hold it
    :type data_gaps: list of dicts
    :returns: the idea, as in ``challenge_idea_list``
    :rtype: dict
    """
    challenge = rules.readable_challenge(context, data["challenge"])
    harvested.refuse_copy(context, challenge)
    user_id = viewer(context).user_id
    if user_id is None:
        raise tk.NotAuthorized(_("Log in to propose ideas"))
    _ensure_open(context, challenge, "challenge")
    _ensure_room_for_an_idea(context, challenge, user_id)
    idea = Idea(
        id=str(uuid.uuid4()),
        challenge_id=challenge.id,
        title=data["title"],
        description=data["description"],
        user_id=user_id,
        created=timeline.now(),
    )
    model.Session.add(idea)
    # no ORM relationship orders the inserts: the idea goes first
    model.Session.flush()
    gaps = [
        DataGap(
            id=str(uuid.uuid4()),
            idea_id=idea.id,
            challenge_id=challenge.id,
            title=gap["title"],
            description=gap["description"],
            holder=gap["holder"],
            position=position,
        )
        for position, gap in enumerate(data.get("data_gaps") or [])
    ]
    model.Session.add_all(gaps)
    model.Session.flush()
    user = model.Session.get(model.User, user_id)
    result = {
        "id": idea.id,
        "challenge_id": challenge.id,
        "title": idea.title,
        "description": idea.description,
        "created": jsonable(idea.created),
        "adopted": None,
        "author": _author(user_id, user.name, user.fullname) if user else None,
        "vote_count": 0,
        "voted_by_me": False,
        "can_delete": True,
        "data_gaps": [_gap_dict(g) for g in gaps],
    }
    commit(context)
    return result


@validate(idea_schema.idea_ref)
def challenge_idea_delete(context: Context, data: DataDict) -> None:
    """Delete an idea with its votes and data gaps (organizers; the author
    while no one else voted for it and it is not adopted).

    :param id: idea id
    :type id: string
    """
    # The lock makes concurrent votes wait (their foreign key check shares
    # the row), so the author's right is checked against every vote.
    idea = rules.idea_of(data["id"], lock=True)
    challenge = rules.readable_challenge(context, idea.challenge_id)
    if not rules.is_organizer(context, challenge):
        message = rules.author_may_not_delete(idea, viewer(context).user_id)
        if message:
            raise tk.NotAuthorized(message)
    model.Session.execute(sa.delete(Idea).where(Idea.id == idea.id))
    commit(context)


@validate(idea_schema.idea_list, aliases={"challenge": "id"}, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def challenge_idea_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The ideas of a challenge, a page at a time (public with the challenge).

    :param id: challenge id or name (``challenge``: deprecated)
    :type id: string
    :param sort: ``votes`` (most voted first; then newest) or ``recent`` (newest first);
        default ``votes``
    :type sort: string
    :param limit: page size, 1-100 (default 20)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :returns: ``{"count", "results": [{id, challenge_id, title, description,
        created, adopted, author: {user_id, name, display_name} or null,
        vote_count, voted_by_me, can_delete, data_gaps: [{id, title,
        description, holder, position}]}]}``
    :rtype: dict
    """
    # check_access found it readable (sysadmins and ignore_auth read everything)
    challenge = lookup.challenge(context, data["id"])
    if challenge is None:
        raise tk.ObjectNotFound(_("Challenge not found"))
    rows, results = _ideas(
        context, challenge, sort=data["sort"], limit=data["limit"], offset=data["offset"]
    )
    if rows:
        count = rows[0].total
    elif data["offset"]:
        count = model.Session.execute(
            sa.select(sa.func.count()).where(Idea.challenge_id == challenge.id)
        ).scalar_one()
    else:
        count = 0
    return {"count": count, "results": results}


@validate(idea_schema.idea_ref, hide=lambda: _("Idea not found"))
@tk.side_effect_free
def challenge_idea_show(context: Context, data: DataDict) -> dict[str, Any]:
    """One idea, as in ``challenge_idea_list`` (public with its challenge).

    :param id: idea id
    :type id: string
    :returns: the idea, as in ``challenge_idea_list``
    :rtype: dict
    """
    idea = rules.idea_of(data["id"])
    challenge = lookup.challenge(context, idea.challenge_id)
    if challenge is None:  # pragma: no cover - the foreign key keeps it
        raise tk.ObjectNotFound(_("Idea not found"))
    _rows, results = _ideas(context, challenge, Idea.id == idea.id, sort="recent", limit=1)
    return results[0]


@validate(idea_schema.idea_ref)
def challenge_idea_vote(context: Context, data: DataDict) -> dict[str, Any]:
    """Vote for an idea (once: voting again changes nothing).

    :param id: idea id
    :type id: string
    :returns: ``{"id", "vote_count", "voted_by_me": true}``
    :rtype: dict
    """
    idea, challenge = rules.readable_idea(context, data["id"])
    user_id = _voter(context)
    _ensure_open(context, challenge, "id")
    try:
        with model.Session.begin_nested():
            model.Session.execute(
                pg_insert(IdeaVote)
                .values(idea_id=idea.id, user_id=user_id, created=timeline.now())
                .on_conflict_do_nothing(index_elements=["idea_id", "user_id"])
            )
    except IntegrityError:
        # the idea was deleted meanwhile
        raise tk.ObjectNotFound(_("Idea not found")) from None
    commit(context)
    return {"id": idea.id, "vote_count": _vote_count(idea.id), "voted_by_me": True}


@validate(idea_schema.idea_ref)
def challenge_idea_unvote(context: Context, data: DataDict) -> dict[str, Any]:
    """Take one's vote back (without a vote: nothing changes).

    :param id: idea id
    :type id: string
    :returns: ``{"id", "vote_count", "voted_by_me": false}``
    :rtype: dict
    """
    idea, challenge = rules.readable_idea(context, data["id"])
    user_id = _voter(context)
    _ensure_open(context, challenge, "id")
    model.Session.execute(
        sa.delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user_id)
    )
    commit(context)
    return {"id": idea.id, "vote_count": _vote_count(idea.id), "voted_by_me": False}


@validate(idea_schema.idea_adopt)
def challenge_idea_adopt(context: Context, data: DataDict) -> dict[str, Any]:
    """Mark an idea as adopted by the organizers (``adopted=false`` unmarks it;
    adopting again keeps the first date).

    :param id: idea id
    :type id: string
    :param adopted: adopted (default true)
    :type adopted: bool
    :returns: ``{"id", "adopted": date or null}``
    :rtype: dict
    """
    idea = rules.idea_of(data["id"], lock=True)
    if not data["adopted"]:
        idea.adopted = None
    elif idea.adopted is None:
        idea.adopted = timeline.now()
    adopted: dt.datetime | None = idea.adopted
    commit(context)
    return {"id": idea.id, "adopted": jsonable(adopted)}


# -- data gaps -------------------------------------------------------------------------


@validate(idea_schema.data_gap_list, aliases={"challenge": "id"})
@tk.side_effect_free
def challenge_data_gap_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Every data gap named by the ideas of a challenge (organizers), most
    voted ideas first, then the gaps in the order their idea lists them.

    :param id: challenge id or name (``challenge``: deprecated)
    :type id: string
    :param limit: 1-5000 (default 1000)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :returns: ``{"count", "results": [{id, title, description, holder,
        position, idea: {id, title, vote_count, adopted}}]}``
    :rtype: dict
    """
    challenge = rules.readable_challenge(context, data["id"])
    g = DataGap.__table__
    i = Idea.__table__
    v = IdeaVote.__table__
    votes = (
        sa.select(v.c.idea_id, sa.func.count().label("votes"))
        .where(v.c.idea_id.in_(sa.select(i.c.id).where(i.c.challenge_id == challenge.id)))
        .group_by(v.c.idea_id)
        .subquery()
    )
    vote_count = sa.func.coalesce(votes.c.votes, 0)
    rows = model.Session.execute(
        sa.select(
            g,
            i.c.title.label("idea_title"),
            i.c.adopted.label("idea_adopted"),
            vote_count.label("idea_votes"),
            sa.func.count().over().label("total"),
        )
        .select_from(g.join(i, i.c.id == g.c.idea_id).outerjoin(votes, votes.c.idea_id == i.c.id))
        .where(g.c.challenge_id == challenge.id)
        .order_by(vote_count.desc(), i.c.created.desc(), i.c.id, g.c.position)
        .limit(data["limit"])
        .offset(data["offset"])
    ).all()
    if rows:
        count = rows[0].total
    elif data["offset"]:
        count = model.Session.execute(
            sa.select(sa.func.count()).where(g.c.challenge_id == challenge.id)
        ).scalar_one()
    else:
        count = 0
    return {
        "count": count,
        "results": [
            {
                **_gap_dict(r),
                "idea": {
                    "id": r.idea_id,
                    "title": r.idea_title,
                    "vote_count": r.idea_votes,
                    "adopted": jsonable(r.idea_adopted),
                },
            }
            for r in rows
        ],
    }
