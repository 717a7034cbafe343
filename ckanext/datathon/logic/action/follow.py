"""Following a challenge, the way CKAN follows datasets.

The actions mirror core's ``follow_dataset`` family (``ckan/logic/action``):
same arguments (``id``), same return shapes (a follower dict
``{follower_id, object_id, datetime}``, an int, a list of user dicts, a bool,
a list of followed objects) and the same behaviour on repetition: following
twice returns the existing follower, unfollowing what one does not follow
does nothing (CKAN 2.11 and 2.12 do both).

Receiving the activity.  Challenge events are activities of the owner
organization (``ckanext.datathon.activity``), and core builds a dashboard
from followed users, datasets and groups only, so a challenge follower would
not see them.  ``dashboard_activity_list`` is therefore chained (only when
the ``activity`` plugin is enabled, see ``logic.action.plugin_actions``): it merges
the activities of followed challenges into core's page, by time, honouring
``limit``, ``offset``, ``before`` and ``after``.  Those activities are public
already (organization streams are), so merging them reveals nothing.
Recording a second activity per challenge instead would duplicate the stream
and still need a follower query core does not have.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.dictization import model_dictize
from ckan.types import Context, DataDict

from ckanext.datathon.lib import header_counts, request_memo, timeline
from ckanext.datathon.logic import dictize, lookup
from ckanext.datathon.logic.schema import follow as follow_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import viewer, visible_challenge
from ckanext.datathon.model import Challenge, ChallengeDataset, ChallengeFollower

__all__ = [
    "am_following_challenge",
    "challenge_followee_list",
    "challenge_follower_count",
    "challenge_follower_list",
    "follow_challenge",
    "unfollow_challenge",
]

_ = tk._


def _follower_dict(challenge_id: str, user_id: str, created: dt.datetime) -> dict[str, Any]:
    # core's user_following_dataset_dictize: the follower table's columns
    return {
        "follower_id": user_id,
        "object_id": challenge_id,
        "datetime": dictize.jsonable(created),
    }


@validate(follow_schema.follow_challenge)
def follow_challenge(context: Context, data: DataDict) -> dict[str, Any]:
    """Start following a challenge (logged-in users who can see it).

    :param id: the id or name of the challenge
    :type id: string
    :returns: the follower relationship ``{follower_id, object_id, datetime}``;
        the existing one when already following (as core's follow_dataset)
    :rtype: dict
    """
    challenge = lookup.challenge_or_404(context, data["id"])
    user_id = viewer(context).user_id
    if user_id is None:
        raise tk.ObjectNotFound(_("User not found"))
    model.Session.execute(
        pg_insert(ChallengeFollower)
        .values(challenge_id=challenge.id, user_id=user_id, created=timeline.now())
        .on_conflict_do_nothing()
    )
    header_counts.forget_after_commit(model.Session, user_id)
    created = model.Session.execute(
        sa.select(ChallengeFollower.created).where(
            ChallengeFollower.challenge_id == challenge.id,
            ChallengeFollower.user_id == user_id,
        )
    ).scalar_one()
    commit(context)
    return _follower_dict(challenge.id, user_id, created)


@validate(follow_schema.follow_challenge)
def unfollow_challenge(context: Context, data: DataDict) -> None:
    """Stop following a challenge (nothing happens if one did not follow it).

    :param id: the id or name of the challenge
    :type id: string
    """
    challenge = lookup.challenge_or_404(context, data["id"])
    user_id = viewer(context).user_id
    model.Session.execute(
        sa.delete(ChallengeFollower).where(
            ChallengeFollower.challenge_id == challenge.id,
            ChallengeFollower.user_id == user_id,
        )
    )
    header_counts.forget_after_commit(model.Session, user_id)
    commit(context)


@validate(follow_schema.follow_challenge)
@tk.side_effect_free
def challenge_follower_count(context: Context, data: DataDict) -> int:
    """The number of followers of a challenge.

    :param id: the id or name of the challenge
    :type id: string
    :returns: how many users follow the challenge
    :rtype: int
    """
    challenge = lookup.challenge_or_404(context, data["id"])
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(ChallengeFollower.__table__)
        .where(ChallengeFollower.challenge_id == challenge.id)
    ).scalar_one()


@validate(follow_schema.follow_challenge)
@tk.side_effect_free
def challenge_follower_list(context: Context, data: DataDict) -> list[dict[str, Any]]:
    """The users following a challenge (organizers and sysadmins only).

    :param id: the id or name of the challenge
    :type id: string
    :returns: the followers, as core's ``user_list`` dicts
    :rtype: list of user dicts, as core's dataset_follower_list
    """
    challenge = lookup.challenge_or_404(context, data["id"])
    users = model.Session.scalars(
        sa.select(model.User)
        .join(ChallengeFollower, ChallengeFollower.user_id == model.User.id)
        .where(ChallengeFollower.challenge_id == challenge.id, model.User.state != "deleted")
    ).all()
    return model_dictize.user_list_dictize(list(users), context)


@validate(follow_schema.follow_challenge)
@tk.side_effect_free
def am_following_challenge(context: Context, data: DataDict) -> bool:
    """``True`` if you follow the given challenge, ``False`` if not.

    :param id: the id or name of the challenge
    :type id: string
    :returns: whether the caller follows the challenge
    :rtype: bool
    """
    challenge = lookup.challenge_or_404(context, data["id"])
    user_id = viewer(context).user_id
    if user_id is None:
        raise tk.NotAuthorized(_("You must be logged in to follow challenges"))
    return (
        model.Session.execute(
            sa.select(ChallengeFollower.user_id).where(
                ChallengeFollower.challenge_id == challenge.id,
                ChallengeFollower.user_id == user_id,
            )
        ).first()
        is not None
    )


@validate(follow_schema.followee_list)
@tk.side_effect_free
def challenge_followee_list(context: Context, data: DataDict) -> list[dict[str, Any]]:
    """The challenges a user follows that the caller may see, most recently
    followed first, as ``challenge_list`` results (one query).

    :param id: the id or name of the user (yourself; sysadmins: anyone)
    :type id: string
    :returns: the challenges the caller follows, as ``challenge_list`` results
    :rtype: list of challenge dicts
    """
    user = model.User.get(data["id"])
    if user is None:
        raise tk.ObjectNotFound(_("User not found"))
    c = Challenge.__table__
    g = model.Group.__table__
    f = ChallengeFollower.__table__
    pkg = model.Package.__table__
    link = ChallengeDataset.__table__
    public_datasets = (
        sa.select(sa.func.count())
        .select_from(link.join(pkg, pkg.c.id == link.c.package_id))
        .where(link.c.challenge_id == c.c.id, pkg.c.state == "active", pkg.c.private.is_(False))
        .scalar_subquery()
    )
    at = timeline.now()
    rows = model.Session.execute(
        sa.select(
            Challenge,
            g.c.name.label("org_name"),
            g.c.title.label("org_title"),
            public_datasets.label("dataset_count"),
            _submitted_projects().label("project_count"),
            *dictize.page_columns(at),
        )
        .join(g, g.c.id == c.c.owner_org)
        .join(f, f.c.challenge_id == c.c.id)
        .where(f.c.user_id == user.id, visible_challenge(viewer(context)))
        .order_by(f.c.created.desc(), c.c.id)
    ).all()
    return dictize.summary_dicts(rows, at)


def _submitted_projects() -> Any:
    from ckanext.datathon.model import Project

    pr = Project.__table__
    pkg = model.Package.__table__
    c = Challenge.__table__
    return (
        sa.select(sa.func.count())
        .select_from(pr.join(pkg, pkg.c.id == pr.c.package_id))
        .where(
            pr.c.challenge_id == c.c.id,
            pr.c.submission_status == "submitted",
            pkg.c.state == "active",
        )
        .scalar_subquery()
    )


# -- the dashboard ----------------------------------------------------------------


@tk.chained_action
@tk.side_effect_free
def dashboard_activity_list(
    original: Any, context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """Core's dashboard plus the activities of the challenges the user follows."""
    user = model.User.get(context.get("user") or "")
    followed = sa.select(ChallengeFollower.challenge_id).where(
        ChallengeFollower.user_id == (user.id if user else None)
    )
    # the header's invitation count may have learnt it in this request already
    known = request_memo.recall(f"follows_any:{user.id}") if user is not None else None
    if (
        user is None
        or known is False
        or (known is None and model.Session.execute(followed.limit(1)).first() is None)
    ):
        return original(context, data_dict)  # the usual case costs one indexed query, or none
    from ckanext.activity.logic.schema import default_dashboard_activity_list_schema

    # core validates before it checks access too (its @validate decorator)
    paging, errors = tk.navl_validate(
        dict(data_dict), default_dashboard_activity_list_schema(), context
    )
    if errors:
        raise tk.ValidationError(errors)
    limit, offset = paging["limit"], paging.get("offset") or 0
    before, after = paging.get("before"), paging.get("after")
    if offset:
        # the merged page needs core's first offset + limit items
        activities = _core_head(original, context, data_dict, offset + limit)
    else:
        activities = original(context, data_dict)
    ours = _challenge_activities(user.id, followed, offset + limit, before, after, context)
    oldest_first = bool(after and not before)
    merged = {a["id"]: a for a in activities}
    for activity in ours:
        merged.setdefault(activity["id"], activity)
    ordered = sorted(merged.values(), key=_when, reverse=not oldest_first)
    page = ordered[offset : offset + limit]
    if oldest_first:
        page.reverse()  # core returns "after" pages newest first too
    _mark_new(page, user.id)
    return page


def _when(activity: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(activity["timestamp"])


def _core_head(original: Any, context: Context, data_dict: DataDict, wanted: int) -> list[Any]:
    """Core's first ``wanted`` dashboard items, fetched in pages that its
    ``limit`` maximum allows (walking back with ``before``)."""
    items: list[dict[str, Any]] = []
    query = {k: v for k, v in data_dict.items() if k not in ("offset", "limit")}
    while len(items) < wanted:
        page = original(dict(context), {**query, "limit": wanted - len(items)})
        items.extend(page)
        if not page or (query.get("after") and not query.get("before")):
            break  # the end, or an "after" page (the oldest items after a point)
        oldest = min(_when(a) for a in page)
        query["before"] = oldest.replace(tzinfo=dt.timezone.utc).timestamp()
    return items[:wanted]


def _hidden_users() -> list[str]:
    """Users whose activities dashboards hide (``ckan.hide_activity_from_users``,
    by default the site user), as core filters its own stream."""
    names = tk.aslist(tk.config.get("ckan.hide_activity_from_users"))
    if not names:
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        names = [site_user["name"]]
    return model.User.user_ids_for_name_or_id(names)


def _challenge_activities(
    user_id: str,
    followed: Any,
    limit: int,
    before: dt.datetime | None,
    after: dt.datetime | None,
    context: Context,
) -> list[dict[str, Any]]:
    from ckanext.activity.model.activity import Activity, activity_list_dictize

    a = Activity.__table__
    challenge_id = sa.cast(a.c.data, JSONB)["challenge"]["id"].astext
    conditions = [
        # the owner organizations' streams (indexed), then the followed ones
        a.c.object_id.in_(sa.select(Challenge.owner_org).where(Challenge.id.in_(followed))),
        challenge_id.in_(followed),
        a.c.user_id.not_in(_hidden_users()),
    ]
    if before:
        conditions.append(a.c.timestamp < before)
    if after:
        conditions.append(a.c.timestamp > after)
    order = a.c.timestamp.asc() if after and not before else a.c.timestamp.desc()
    rows = model.Session.scalars(
        sa.select(Activity).where(*conditions).order_by(order).limit(limit)
    ).all()
    return activity_list_dictize(rows, context)


def _mark_new(activities: list[dict[str, Any]], user_id: str) -> None:
    """``is_new`` as core sets it (own activities are never new)."""
    dashboard = model.Dashboard.get(user_id)
    last_viewed = dashboard.activity_stream_last_viewed if dashboard else None
    for activity in activities:
        if activity["user_id"] == user_id:
            activity["is_new"] = False
        elif last_viewed:
            activity["is_new"] = _when(activity) > last_viewed
        else:
            activity.setdefault("is_new", False)
