"""The portal's Atom feed of challenges (RFC 4287), built with feedgen.

Three kinds of event, of published challenges only, newest first:

- ``published``: a challenge was published (its ``published`` date);
- ``stage``: a stage window started (``datathon_stage.starts <= now``);
- ``results``: the results were published (``datathon_results``).

Each entry's id is a ``urn:uuid`` derived (UUID 5) from the challenge id and
the event, so it stays the same across requests, renames and reschedulings.
The three kinds come from one UNION query, ordered and bounded in SQL.

The feed holds the newest ``ckanext.datathon.feed_entries`` events; older
ones are on further pages (``?page=2``...), linked as an RFC 5005 paged feed:
``rel="next"`` to older entries while there are any, ``rel="previous"`` and
``rel="first"`` back.  Every page has the feed's id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from feedgen.feed import FeedGenerator

import ckan.lib.helpers as core_h
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.lib import timeline
from ckanext.datathon.model import Challenge, Results, Stage

# Entries of a page of the feed by default (ckanext.datathon.feed_entries).
FEED_LIMIT = 50
PUBLISHED, STAGE, RESULTS = "published", "stage", "results"

_ = tk._


def entry_id(challenge_id: str, kind: str, stage: str | None = None) -> str:
    """A stable ``urn:uuid`` for one event of one challenge."""
    name = f"ckanext-datathon:challenge:{challenge_id}:{kind}:{stage or ''}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def events(limit: int = FEED_LIMIT, at: dt.datetime | None = None, offset: int = 0) -> list[Any]:
    """The newest events of published challenges (after the first
    ``offset``), one query."""
    at = at or timeline.now()
    c = Challenge.__table__
    s = Stage.__table__
    r = Results.__table__
    g = model.Group.__table__

    def columns(kind: str, stage: Any, when: Any) -> list[Any]:
        return [
            sa.literal(kind).label("kind"),
            stage.label("stage"),
            when.label("at"),
            c.c.id,
            c.c.name,
            c.c.title,
            c.c.problem_statement,
            g.c.title.label("org_title"),
            g.c.name.label("org_name"),
        ]

    published = (
        sa.select(*columns(PUBLISHED, sa.null(), c.c.published))
        .join(g, g.c.id == c.c.owner_org)
        .where(c.c.state == "active", c.c.published.is_not(None), c.c.published <= at)
    )
    stages = (
        sa.select(*columns(STAGE, s.c.stage, s.c.starts))
        .select_from(s.join(c, c.c.id == s.c.challenge_id))
        .join(g, g.c.id == c.c.owner_org)
        .where(c.c.state == "active", s.c.starts <= at)
    )
    results = (
        sa.select(*columns(RESULTS, sa.null(), r.c.published))
        .select_from(r.join(c, c.c.id == r.c.challenge_id))
        .join(g, g.c.id == c.c.owner_org)
        .where(c.c.state == "active", r.c.published <= at)
    )
    union = sa.union_all(published, stages, results).subquery()
    return model.Session.execute(
        sa.select(union)
        .order_by(union.c.at.desc(), union.c.id, union.c.kind, union.c.stage)
        .limit(limit)
        .offset(offset)
    ).all()


def _title(row: Any) -> str:
    if row.kind == PUBLISHED:
        return _("New challenge: %(title)s") % {"title": row.title}
    if row.kind == STAGE:
        return _("%(title)s: the stage “%(stage)s” has started") % {
            "title": row.title,
            "stage": tk.h.datathon_stage_label(row.stage),
        }
    return _("%(title)s: the results are published") % {"title": row.title}


def _summary(row: Any) -> str:
    problem = core_h.markdown_extract(row.problem_statement or "", extract_length=300)
    if row.kind == PUBLISHED:
        return problem or _("%(organization)s published a new challenge.") % {
            "organization": row.org_title or row.org_name
        }
    if row.kind == STAGE:
        return _("The challenge “%(title)s” is now in the stage “%(stage)s”.") % {
            "title": row.title,
            "stage": tk.h.datathon_stage_label(row.stage),
        }
    return _("The winners of “%(title)s” are announced.") % {"title": row.title}


def page_url(number: int) -> str:
    """The address of page ``number`` of the feed (the first has no ``page``)."""
    if number > 1:
        return tk.url_for("datathon_open.feed", page=number, qualified=True)
    return tk.url_for("datathon_open.feed", qualified=True)


def atom_feed(page: int = 1) -> bytes:
    """Page ``page`` of the feed document (UTF-8 XML): the newest
    ``feed_entries`` events on the first."""
    size = config.feed_entries()
    # one more row than shown tells whether an older page exists
    rows = events(size + 1, offset=(page - 1) * size)
    older, rows = len(rows) > size, rows[:size]
    feed_url = page_url(1)
    self_url = page_url(page)
    index_url = tk.url_for("challenge.index", qualified=True)
    site_title = tk.config.get("ckan.site_title") or tk.config["ckan.site_url"]
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(_("Challenges of %(site)s") % {"site": site_title})
    feed.subtitle(_("New challenges, stages that start and published results."))
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=index_url, rel="alternate", type="text/html")
    # RFC 5005 section 3: a paged feed
    if page > 1:
        feed.link(href=feed_url, rel="first", type="application/atom+xml")
        feed.link(href=page_url(page - 1), rel="previous", type="application/atom+xml")
    if older:
        feed.link(href=page_url(page + 1), rel="next", type="application/atom+xml")
    feed.author({"name": site_title, "uri": tk.config["ckan.site_url"]})
    feed.generator("ckanext-datathon")
    feed.language(tk.h.lang() or "en")
    feed.updated(rows[0].at if rows else _epoch())
    for row in rows:
        if row.kind == RESULTS:
            url = tk.url_for("datathon_jury.results", name=row.name, qualified=True)
        else:
            url = tk.url_for("challenge.read", name=row.name, qualified=True)
        if row.kind == STAGE:
            url += "#timeline"
        entry = feed.add_entry(order="append")
        entry.id(entry_id(row.id, row.kind, row.stage))
        entry.title(_title(row))
        entry.updated(row.at)
        entry.published(row.at)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.summary(_summary(row))
        entry.author({"name": row.org_title or row.org_name})
        entry.category(term=row.kind)
    return feed.atom_str(pretty=True)


def _epoch() -> dt.datetime:
    # an empty feed has not changed since the beginning (a stable "updated")
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
