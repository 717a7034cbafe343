"""The portal's Atom feed of challenges (RFC 4287), built with feedgen.

Three kinds of event, of published challenges only, newest first:

- ``published``: a challenge was published (its ``published`` date);
- ``stage``: a stage window started (``datathon_stage.starts <= now``);
- ``results``: the results were published (``datathon_results``).

Each entry's id is a ``urn:uuid`` derived (UUID 5) from the challenge id and
the event, so it stays the same across requests, renames and reschedulings.
The three kinds come from ``challenge_event_list`` (one UNION query, ordered
and bounded in SQL).

The feed holds the newest ``ckanext.datathon.feed_entries`` events; older
ones are on further pages (``?page=2``...), linked as an RFC 5005 paged feed:
``rel="next"`` to older entries while there are any, ``rel="previous"`` and
``rel="first"`` back.  Every page has the feed's id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from feedgen.feed import FeedGenerator

import ckan.lib.helpers as core_h
import ckan.plugins.toolkit as tk

from ckanext.datathon import config

# Entries of a page of the feed by default (ckanext.datathon.feed_entries).
FEED_LIMIT = 50
PUBLISHED, STAGE, RESULTS = "published", "stage", "results"

_ = tk._


def entry_id(challenge_id: str, kind: str, stage: str | None = None) -> str:
    """A stable ``urn:uuid`` for one event of one challenge."""
    name = f"ckanext-datathon:challenge:{challenge_id}:{kind}:{stage or ''}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def events(limit: int = FEED_LIMIT, offset: int = 0) -> list[dict[str, Any]]:
    """The newest events of published challenges (after the first
    ``offset``): ``challenge_event_list``, one query."""
    return tk.get_action("challenge_event_list")({}, {"limit": limit, "offset": offset})["results"]


def _title(event: dict[str, Any]) -> str:
    title = event["challenge"]["title"]
    if event["kind"] == PUBLISHED:
        return _("New challenge: %(title)s") % {"title": title}
    if event["kind"] == STAGE:
        return _("%(title)s: the stage “%(stage)s” has started") % {
            "title": title,
            "stage": tk.h.datathon_stage_label(event["stage"]),
        }
    return _("%(title)s: the results are published") % {"title": title}


def _organization(event: dict[str, Any]) -> str:
    return event["organization"]["title"] or event["organization"]["name"]


def _summary(event: dict[str, Any]) -> str:
    challenge = event["challenge"]
    problem = core_h.markdown_extract(challenge["problem_statement"] or "", extract_length=300)
    if event["kind"] == PUBLISHED:
        return problem or _("%(organization)s published a new challenge.") % {
            "organization": _organization(event)
        }
    if event["kind"] == STAGE:
        return _("The challenge “%(title)s” is now in the stage “%(stage)s”.") % {
            "title": challenge["title"],
            "stage": tk.h.datathon_stage_label(event["stage"]),
        }
    return _("The winners of “%(title)s” are announced.") % {"title": challenge["title"]}


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
    feed.updated(_moment(rows[0]) if rows else _epoch())
    for event in rows:
        kind, name = event["kind"], event["challenge"]["name"]
        if kind == RESULTS:
            url = tk.url_for("datathon_jury.results", name=name, qualified=True)
        else:
            url = tk.url_for("challenge.read", name=name, qualified=True)
        if kind == STAGE:
            url += "#timeline"
        entry = feed.add_entry(order="append")
        entry.id(entry_id(event["challenge"]["id"], kind, event["stage"]))
        entry.title(_title(event))
        entry.updated(_moment(event))
        entry.published(_moment(event))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.summary(_summary(event))
        entry.author({"name": _organization(event)})
        entry.category(term=kind)
    return feed.atom_str(pretty=True)


def _moment(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(event["at"])


def _epoch() -> dt.datetime:
    # an empty feed has not changed since the beginning (a stable "updated")
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
