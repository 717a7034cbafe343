"""Challenge pages as anonymous visitors see them, kept in Redis for a while.

A challenge page is the portal's heaviest page (its datasets, projects,
results, sessions and ideas) and the one a launch sends crowds to, mostly
anonymous.  Their copy of the page is the same for all of them, so the first
visitor's rendering is kept and served to the next ones.

When a kept page is still right:

- **Nothing was written since.** Every transaction that writes to CKAN's
  database (through any action, core's or ours, a CLI command or a job of
  this portal) increments a generation number in Redis once it commits; a page
  is served only under the generation read before it was rendered.  A dataset
  made private, a challenge unpublished or a vote cast is on the next view.
  Writes that bypass CKAN (``psql``) are seen within the lifetime below.
- **No date of the challenge was crossed.** A page lives until the next stage
  or contest date of its challenge, and at most
  ``ckanext.datathon.page_cache_seconds`` (0 turns the cache off).

Only anonymous GETs without a query string, without flash messages waiting
in their session, are served or kept; the key holds the portal's
``ckan.site_url``, the path and the language, never the request's ``Host``
header (a forged host would otherwise fill Redis with one copy per name, and
the pages' absolute links come from ``ckan.site_url`` anyway).  Each visitor
gets their own CSRF token in the page.  Redis errors fall back to rendering.

``Kept`` is the same mechanism for any text: ``challenge_list`` keeps its
anonymous results with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import zlib
from collections.abc import Callable, Iterable
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, session

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.datathon import config
from ckanext.datathon.lib import timeline

log = logging.getLogger(__name__)

_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP)\b", re.I)
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.I)
_FLAG = "datathon_page_cache_wrote"
_SEPARATOR = b"\n"
# where the visitor's CSRF token goes in a kept page
_TOKEN = "datathon-page-cache-csrf-token"  # noqa: S105  (a placeholder)


def _key(name: str) -> str:
    return f"{tk.config['ckan.site_id']}:datathon:page:{name}"


def _generation_key() -> str:
    return _key("generation")


# -- noticing writes ------------------------------------------------------------------


def is_write(statement: str) -> bool:
    if _WRITE.match(statement):
        return True
    return statement.lstrip()[:4].upper() == "WITH" and bool(_WRITE_IN_WITH.search(statement))


def _note_write(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    if _FLAG not in conn.info and is_write(statement):
        conn.info[_FLAG] = True


def _committed(conn: Any) -> None:
    if conn.info.pop(_FLAG, None):
        bump()


def _rolled_back(conn: Any) -> None:
    conn.info.pop(_FLAG, None)


_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_cursor_execute", _note_write),
    ("commit", _committed),
    ("rollback", _rolled_back),
)


def watch_writes() -> None:
    """Listen to every engine of the process, those made later included (once
    per process; a write to another database, e.g. the DataStore's, only
    renders pages again that were still right)."""
    for event, listener in _LISTENERS:
        if not sa.event.contains(sa.engine.Engine, event, listener):
            sa.event.listen(sa.engine.Engine, event, listener)


def bump() -> None:
    """A new generation: every kept page is out of date."""
    try:
        connect_to_redis().incr(_generation_key())
    except Exception:  # Redis down: kept pages expire on their own
        log.exception("could not invalidate the kept challenge pages")


# -- serving ---------------------------------------------------------------------------


def seconds() -> int:
    return config.page_cache_seconds()


def applies() -> bool:
    """This request may be served from, and kept in, the cache."""
    if seconds() <= 0 or tk.request.method != "GET" or tk.request.query_string:
        return False
    if tk.current_user.is_authenticated:
        return False
    return not session.get("_flashes")  # they show once, on the next page


class Kept:
    """A text kept in Redis under a key, for the current generation and until
    a moment; ``text`` is the kept one if still right, else None."""

    def __init__(self, name: str) -> None:
        self.key = _key(hashlib.sha256(name.encode()).hexdigest())
        self.generation = b"0"
        self.text: str | None = None
        try:
            generation, kept = connect_to_redis().mget([_generation_key(), self.key])
        except Exception:
            log.exception("datathon's Redis cache is unavailable")
            self.key = ""
            return
        self.generation = generation or b"0"
        if kept:
            self.text = _current(kept, self.generation)

    def keep(self, text: str, until: dt.datetime | None = None) -> None:
        """Keep ``text`` until ``until`` and at most ``page_cache_seconds``."""
        if not self.key:
            return
        now = timeline.now()
        end = now + dt.timedelta(seconds=seconds())
        if until is not None and until < end:
            end = until
        ttl = int((end - now).total_seconds())
        if ttl < 1:
            return
        # valid from now (clocks may be set back: tests) until the end
        header = b"%s %d %d" % (self.generation, int(now.timestamp()), int(end.timestamp()))
        try:
            connect_to_redis().set(
                self.key, header + _SEPARATOR + zlib.compress(text.encode(), 1), ex=ttl
            )
        except Exception:
            log.exception("could not keep %s", self.key)


def page_key() -> str:
    """What names this request's page: ``ckan.site_url`` (not the ``Host``
    header), the path under it and the language."""
    site = str(tk.config.get("ckan.site_url") or "").rstrip("/")
    return f"page {tk.h.lang()} {site}{tk.request.script_root}{tk.request.path}"


class Lookup(Kept):
    """The kept page of this request's path and language on this portal:
    ``page``, with the visitor's own CSRF token, or None."""

    def __init__(self) -> None:
        super().__init__(page_key())
        self.page = _with_token(self.text) if self.text is not None else None

    def keep_page(self, page: str, dates: Iterable[Any]) -> None:
        self.keep(_without_token(page), next_boundary(dates, timeline.now()))


def _csrf_token() -> str | None:
    """This visitor's CSRF token, as pages carry it (CKAN puts it in a meta
    tag for scripts, and forms have it)."""
    if "csrf" not in current_app.extensions:
        return None
    from flask_wtf.csrf import generate_csrf

    return cast("str | None", generate_csrf())


def _without_token(page: str) -> str:
    token = _csrf_token()
    return page.replace(token, _TOKEN) if token else page


def _with_token(page: str) -> str:
    if _TOKEN not in page:
        return page
    return page.replace(_TOKEN, _csrf_token() or "")


def _current(kept: bytes, generation: bytes) -> str | None:
    header, _sep, body = kept.partition(_SEPARATOR)
    try:
        kept_generation, since, until = header.split(b" ")
        fresh = int(since) <= timeline.now().timestamp() < int(until)
    except ValueError:
        return None
    if kept_generation != generation or not fresh:
        return None
    try:
        return zlib.decompress(body).decode()
    except (zlib.error, UnicodeDecodeError):
        return None


def next_boundary(values: Iterable[Any], now: dt.datetime) -> dt.datetime | None:
    """The first of the ISO dates in ``values`` after ``now``."""
    upcoming = []
    for value in values:
        if not isinstance(value, str) or not value:
            continue
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        if moment > now:
            upcoming.append(moment)
    return min(upcoming, default=None)


def challenge_dates(challenge: dict[str, Any]) -> list[Any]:
    """Every date a challenge page's text may change at."""
    dates = [
        challenge.get(name)
        for name in (
            "registration_opens",
            "registration_closes",
            "submission_deadline",
            "judging_closes",
            "results_date",
        )
    ]
    for entry in challenge.get("timeline") or []:
        dates += [entry.get("starts"), entry.get("ends")]
    return dates
