"""The portal's Atom feed of challenges (RFC 4287), built with feedgen.

Three kinds of event, of published challenges only, newest first:

- ``published``: a challenge was published (its ``published`` date);
- ``stage``: a stage window started (``datathon_stage.starts <= now``);
- ``results``: the results were published (``datathon_results``).

Each entry's id is a ``urn:uuid`` derived (UUID 5) from the challenge id and
the event, so it stays the same across requests, renames and reschedulings.
The three kinds come from one UNION query, ordered and bounded in SQL.
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

from ckanext.datathon import timeline
from ckanext.datathon.model import Challenge, Results, Stage

# Entries in the feed (readers poll it; older events stay on the pages).
FEED_LIMIT = 50
PUBLISHED, STAGE, RESULTS = "published", "stage", "results"

_ = tk._


def entry_id(challenge_id: str, kind: str, stage: str | None = None) -> str:
    """A stable ``urn:uuid`` for one event of one challenge."""
    name = f"ckanext-datathon:challenge:{challenge_id}:{kind}:{stage or ''}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def events(limit: int = FEED_LIMIT, at: dt.datetime | None = None) -> list[Any]:
    """The newest events of published challenges, one query."""
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
        sa.select(union).order_by(union.c.at.desc(), union.c.id, union.c.kind).limit(limit)
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


def atom_feed() -> bytes:
    """The feed document (UTF-8 XML)."""
    rows = events()
    self_url = tk.url_for("datathon_open.feed", qualified=True)
    index_url = tk.url_for("challenge.index", qualified=True)
    site_title = tk.config.get("ckan.site_title") or tk.config["ckan.site_url"]
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(_("Challenges of %(site)s") % {"site": site_title})
    feed.subtitle(_("New challenges, stages that start and published results."))
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=index_url, rel="alternate", type="text/html")
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
