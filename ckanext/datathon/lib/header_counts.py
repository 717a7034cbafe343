"""The header's per-user figures (pending invitations, whether the user
follows a challenge), kept in Redis so that most signed-in pages ask the
database nothing for them (issue 21: dataset search at most one extra SQL
statement per page).

A user's figures are kept for ``SECONDS`` at most, and forgotten once a
transaction that changes them commits: every write of an invitation's state
(invite, accept, decline, withdraw, an organizer's direct addition) forgets
its invitee's, following and unfollowing forget the follower's (the actions
call :func:`forget_after_commit`).  What bounds staleness for writes made
around the actions (``psql``, a purged dataset whose invitations cascade
away) is the lifetime.  A lapsed invitation is no write: the count holds
``pending`` rows, as it did when it was one query per page.  Redis errors
fall back to the query.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

log = logging.getLogger(__name__)

# how long a user's figures are kept at most
SECONDS = 60
_PENDING = "datathon_header_counts_forget"


def _key(user_id: str) -> str:
    return f"{tk.config['ckan.site_id']}:datathon:header:{user_id}"


def recall(user_id: str) -> tuple[int, bool] | None:
    """The kept ``(pending invitations, follows a challenge)`` of the user,
    or None (not kept, or Redis unavailable)."""
    try:
        kept = connect_to_redis().get(_key(user_id))
    except Exception:
        log.exception("datathon's header counts: Redis is unavailable")
        return None
    if not kept:
        return None
    try:
        pending, follows = kept.split(b" ")
        return int(pending), follows == b"1"
    except ValueError:
        return None


def keep(user_id: str, pending: int, follows: bool) -> None:
    try:
        connect_to_redis().set(_key(user_id), b"%d %d" % (pending, 1 if follows else 0), ex=SECONDS)
    except Exception:
        log.exception("datathon's header counts: could not keep them")


def forget(*user_ids: str | None) -> None:
    keys = [_key(u) for u in user_ids if u]
    if not keys:
        return
    try:
        connect_to_redis().delete(*keys)
    except Exception:
        log.exception("datathon's header counts: could not forget them")


def forget_all() -> None:
    """Forget every user's figures (a restored database, in the tests)."""
    try:
        redis = connect_to_redis()
        keys = list(redis.scan_iter(_key("*")))
        if keys:
            redis.delete(*keys)
    except Exception:
        log.exception("datathon's header counts: could not forget them")


def forget_after_commit(session: Any, *user_ids: str | None) -> None:
    """Forget the users' figures once ``session``'s transaction commits
    (forgotten earlier, a page rendered before the commit could keep the old
    figures again).  After a rollback they are forgotten at the next
    commit of the session, if any: one needless query, never a stale figure."""
    _listen()
    session = session() if isinstance(session, orm.scoped_session) else session
    session.info.setdefault(_PENDING, set()).update(u for u in user_ids if u)


def _committed(session: orm.Session) -> None:
    users = session.info.pop(_PENDING, None)
    if users:
        forget(*users)


def _listen() -> None:
    if not sa.event.contains(orm.Session, "after_commit", _committed):
        sa.event.listen(orm.Session, "after_commit", _committed)
