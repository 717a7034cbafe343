"""The Atom feed of challenges (/challenge/feed.atom), checked against RFC 4287."""

from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

import ckan.plugins.toolkit as tk

from ckanext.datathon import feeds
from ckanext.datathon.tests.helpers import call_as, iso, now
from ckanext.datathon.tests.snapshots import built_over
from ckanext.datathon.tests.views.conftest import world

_FIXTURES = (world,)  # pytest finds it here

pytestmark = pytest.mark.usefixtures("with_plugins")

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
# RFC 3339 date-time (RFC 4287 section 3.3)
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IRI = re.compile(r"^(urn:uuid:[0-9a-f-]{36}|tag:[^\s]+|https?://[^\s]+)$")


def _one(parent, name):
    found = parent.findall(f"a:{name}", NS)
    assert len(found) == 1, f"{parent.tag} must have exactly one atom:{name}, has {len(found)}"
    return found[0]


def _date(element) -> dt.datetime:
    text = element.text.strip()
    assert DATE_TIME.match(text), f"not an RFC 3339 date-time: {text}"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _text_construct(element):
    # RFC 4287 3.1: type is text, html or xhtml
    assert element.get("type", "text") in ("text", "html", "xhtml")


def assert_atom(document: bytes) -> etree._Element:
    """Structural checks of RFC 4287 (sections 4.1.1 and 4.1.2)."""
    root = etree.fromstring(document)
    assert root.tag == f"{{{ATOM}}}feed"
    assert IRI.match(_one(root, "id").text.strip())
    _text_construct(_one(root, "title"))
    _date(_one(root, "updated"))
    self_links = [link for link in root.findall("a:link", NS) if link.get("rel") == "self"]
    assert len(self_links) == 1
    assert self_links[0].get("href", "").startswith("http")
    feed_has_author = bool(root.findall("a:author/a:name", NS))
    ids = []
    previous = None
    for entry in root.findall("a:entry", NS):
        entry_id = _one(entry, "id").text.strip()
        assert IRI.match(entry_id), entry_id
        ids.append(entry_id)
        _text_construct(_one(entry, "title"))
        updated = _date(_one(entry, "updated"))
        assert previous is None or updated <= previous, "entries must be newest first"
        previous = updated
        alternates = [
            link
            for link in entry.findall("a:link", NS)
            if link.get("rel", "alternate") == "alternate"
        ]
        assert alternates
        assert all(link.get("href", "").startswith("http") for link in alternates)
        # no atom:content here, so a summary is required (4.1.2)
        _text_construct(_one(entry, "summary"))
        assert feed_has_author or entry.findall("a:author/a:name", NS)
        for name in ("published", "rights", "source"):
            assert len(entry.findall(f"a:{name}", NS)) <= 1
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return root


def _past(days: float) -> str:
    return iso(now() - dt.timedelta(days=days))


def _future(days: float) -> str:
    return iso(now() + dt.timedelta(days=days))


def _finished_dates() -> dict[str, str]:
    return {
        "registration_opens": _past(40),
        "registration_closes": _past(30),
        "submission_deadline": _past(20),
        "judging_closes": _past(10),
        "results_date": _future(1),
    }


@pytest.fixture
def portal(world, published_challenge_factory, challenge_factory):
    def build():
        open_one = published_challenge_factory(
            owner_org=world.org["id"],
            title="Movilidad & <seguridad>",
            timeline=[
                {"stage": "identify", "starts": _past(5), "ends": _past(3)},
                {"stage": "launch", "starts": _past(1), "ends": _future(5)},
                {"stage": "awards", "starts": _future(20), "ends": _future(21)},
            ],
        )
        finished = published_challenge_factory(
            owner_org=world.org["id"], title="Economía del cuidado", dates=_finished_dates()
        )
        call_as(world.admin, "challenge_results_publish", id=finished["id"])
        challenge_factory(
            owner_org=world.org["id"],
            title="Secret draft",
            timeline=[{"stage": "identify", "starts": _past(5), "ends": _past(3)}],
        )
        unpublished = published_challenge_factory(owner_org=world.org["id"], title="Withdrawn one")
        call_as(world.admin, "challenge_patch", id=unpublished["id"], state="draft")
        deleted = published_challenge_factory(owner_org=world.org["id"], title="Deleted one")
        call_as(world.admin, "challenge_delete", id=deleted["id"])
        return open_one, finished

    return built_over("world", "test_feeds.portal", build)


def _feed(app):
    response = app.get(tk.url_for("datathon_open.feed"))
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return response.get_data()


class TestFeed:
    def test_valid_atom_recognised_by_feedparser(self, app, portal):
        document = _feed(app)
        assert_atom(document)
        parsed = feedparser.parse(document)
        assert parsed.version == "atom10"
        assert not parsed.bozo, parsed.get("bozo_exception")

    def test_events_of_published_challenges(self, app, portal):
        open_one, finished = portal
        root = assert_atom(_feed(app))
        titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
        assert f"New challenge: {open_one['title']}" in titles
        assert f"New challenge: {finished['title']}" in titles
        label = tk.h.datathon_stage_label("launch")
        assert f"{open_one['title']}: the stage “{label}” has started" in titles
        assert f"{finished['title']}: the results are published" in titles
        # a stage that has not started yet is no news
        future = tk.h.datathon_stage_label("awards")
        assert not [t for t in titles if future in t]
        # entries link to the challenge page
        links = {e.find("a:link", NS).get("href") for e in root.findall("a:entry", NS)}
        assert tk.url_for("challenge.read", name=finished["name"], qualified=True) in links
        # results entries link to the results page
        results = tk.url_for("datathon_jury.results", name=finished["name"], qualified=True)
        assert results in links

    def test_drafts_and_deleted_challenges_never_appear(self, app, portal):
        document = _feed(app).decode("utf-8")
        for title in ("Secret draft", "Withdrawn one", "Deleted one"):
            assert title not in document

    def test_text_is_escaped(self, app, portal):
        root = assert_atom(_feed(app))
        titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
        assert "New challenge: Movilidad & <seguridad>" in titles

    def test_entry_ids_are_stable(self, app, portal):
        first = assert_atom(_feed(app))
        second = assert_atom(_feed(app))
        ids = [e.findtext("a:id", namespaces=NS) for e in first.findall("a:entry", NS)]
        assert ids == [e.findtext("a:id", namespaces=NS) for e in second.findall("a:entry", NS)]
        open_one, _finished = portal
        assert feeds.entry_id(open_one["id"], "stage", "launch") in ids

    def test_newest_first_and_bounded(self, app, world, published_challenge_factory):
        stages = ["identify", "ideathon", "rules", "preparation", "launch", "development"]
        for n in range(9):  # 9 challenges x (1 publication + 6 stages) = 63 events
            published_challenge_factory(
                owner_org=world.org["id"],
                timeline=[
                    {"stage": s, "starts": _past(30 - i - n / 10), "ends": _past(1)}
                    for i, s in enumerate(stages)
                ],
            )
        root = assert_atom(_feed(app))
        assert len(root.findall("a:entry", NS)) == feeds.FEED_LIMIT

    def test_conditional_get(self, app, world, portal):
        url = tk.url_for("datathon_open.feed")
        etag = app.get(url).headers["ETag"]
        assert app.get(url, headers={"If-None-Match": etag}).status_code == 304
        # a renamed challenge changes the feed without a newer event
        open_one, _finished = portal
        call_as(world.admin, "challenge_patch", id=open_one["id"], title="Renamed")
        changed = app.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert "New challenge: Renamed" in changed.get_data(as_text=True)

    def test_empty_portal(self, app, world):
        root = assert_atom(_feed(app))
        assert root.findall("a:entry", NS) == []

    def test_discovery_link_on_the_challenge_list(self, app, world):
        html = app.get(tk.url_for("challenge.index")).get_data(as_text=True)
        link = BeautifulSoup(html, "html.parser").find(
            "link", rel="alternate", type="application/atom+xml"
        )
        assert link is not None
        assert link["href"] == tk.url_for("datathon_open.feed", qualified=True)


def _links(root) -> dict[str, str]:
    return {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}


@pytest.mark.ckan_config("ckanext.datathon.feed_entries", "4")
class TestPagedFeed:
    """The newest ``feed_entries`` entries, older ones on RFC 5005 pages."""

    @pytest.fixture
    def events(self, world, published_challenge_factory):
        stages = ["identify", "ideathon"]
        for n in range(3):  # 3 challenges x (1 publication + 2 stages) = 9 events
            published_challenge_factory(
                owner_org=world.org["id"],
                timeline=[
                    {"stage": s, "starts": _past(30 - i - n / 10), "ends": _past(1)}
                    for i, s in enumerate(stages)
                ],
            )
        return 9

    def _page(self, app, href):
        path = href.replace(tk.config["ckan.site_url"].rstrip("/"), "")
        response = app.get(path)
        assert response.status_code == 200
        return assert_atom(response.get_data())

    def test_next_links_walk_every_entry_once(self, app, events):
        first = assert_atom(_feed(app))
        links = _links(first)
        assert "previous" not in links
        assert "first" not in links
        root, ids, pages = first, [], 0
        while True:
            pages += 1
            entries = root.findall("a:entry", NS)
            assert len(entries) <= 4
            ids += [e.findtext("a:id", namespaces=NS) for e in entries]
            # every page is the same feed
            assert root.findtext("a:id", namespaces=NS) == first.findtext("a:id", namespaces=NS)
            links = _links(root)
            if "next" not in links:
                break
            assert links["next"].startswith("http")
            root = self._page(app, links["next"])
            assert _links(root)["first"] == tk.url_for("datathon_open.feed", qualified=True)
            assert "previous" in _links(root)
        assert pages == 3
        assert len(ids) == events
        assert len(set(ids)) == events

    def test_the_self_link_names_the_page(self, app, events):
        root = self._page(app, tk.url_for("datathon_open.feed", page=2))
        assert _links(root)["self"].endswith("/challenge/feed.atom?page=2")

    def test_a_page_past_the_last_is_an_empty_feed(self, app, events):
        root = self._page(app, tk.url_for("datathon_open.feed", page=9))
        assert root.findall("a:entry", NS) == []
        assert "next" not in _links(root)

    @pytest.mark.parametrize("page", ["0", "-1", "x", "2.5", "", str(10**30), "1e3"])
    def test_junk_page_is_400(self, app, world, page):
        response = app.get(tk.url_for("datathon_open.feed"), query_string={"page": page})
        assert response.status_code == (200 if page == "" else 400)


def test_the_default_is_declared(app):
    assert tk.config.get("ckanext.datathon.feed_entries") == 50
