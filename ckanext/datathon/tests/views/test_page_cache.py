"""Anonymous challenge pages kept in Redis: served again only while right."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.datathon import page_cache
from ckanext.datathon.model import Challenge
from ckanext.datathon.tests.helpers import Statements, call_as, iso, now

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_redis")
KEEP_A_MINUTE = pytest.mark.ckan_config("ckanext.datathon.page_cache_seconds", "60")


TOKEN_META = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


@pytest.fixture
def page(world, published_challenge_factory):
    challenge = published_challenge_factory(
        owner_org=world.org["id"], title="Transporte público, seguridad y mujeres"
    )
    dataset = factories.Dataset(owner_org=world.org["id"], title="Viajes en Metrobús")
    call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
    url = tk.url_for("challenge.read", name=challenge["name"])
    return challenge, dataset, url


def _without_token(html):
    """The page with the visitor's CSRF token (meta tag, forms) taken out."""
    return html.replace(TOKEN_META.search(html).group(1), "")


def _kept_pages():
    return [k for k in connect_to_redis().keys("*:datathon:page:*") if b"generation" not in k]


def _get(app, url, **kw):
    response = app.get(url, **kw)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@KEEP_A_MINUTE
class TestServing:
    def test_the_next_visitor_gets_the_kept_page_without_a_query(self, app, page):
        _challenge, _dataset, url = page
        first = _get(app, url)
        with Statements() as second:
            again = _get(app, url)
        # the same page but for the visitor's own CSRF token (CKAN 2.11's test
        # app makes each request a new visitor; 2.12's keeps the cookie)
        assert _without_token(again) == _without_token(first)
        assert "Viajes en Metrobús" in again
        assert second.ours == []

    def test_each_visitor_gets_their_own_csrf_token(self, app, page):
        _challenge, _dataset, url = page
        pages = [app.test_client().get(url).get_data(as_text=True) for _ in range(3)]
        tokens = [TOKEN_META.search(html).group(1) for html in pages]
        assert len(set(tokens)) == 3
        assert pages[1].replace(tokens[1], tokens[0]) == pages[0]
        assert "datathon-page-cache-csrf-token" not in pages[2]

    def test_a_dataset_made_private_leaves_at_once(self, app, world, page):
        _challenge, dataset, url = page
        assert "Viajes en Metrobús" in _get(app, url)
        call_as(world.admin, "package_patch", id=dataset["id"], private=True)
        assert "Viajes en Metrobús" not in _get(app, url)

    def test_a_deleted_challenge_is_gone_at_once(self, app, world, page):
        challenge, _dataset, url = page
        _get(app, url)
        call_as(world.admin, "challenge_delete", id=challenge["id"])
        assert app.get(url).status_code == 404

    def test_an_edit_shows_at_once(self, app, world, page):
        challenge, _dataset, url = page
        _get(app, url)
        call_as(world.admin, "challenge_patch", id=challenge["id"], title="Cuidados")
        assert "Cuidados" in _get(app, url)

    def test_signed_in_visitors_get_their_own_page(self, app, world, page, browse):
        _challenge, _dataset, url = page
        _get(app, url)  # kept for anonymous visitors
        with Statements() as signed_in:
            html = browse(world.admin).get(url).get_data(as_text=True)
        assert signed_in.ours
        assert tk.url_for("challenge.edit", name=page[0]["name"]) in html
        # and what they see is not kept for others
        anonymous = _get(app, url)
        assert tk.url_for("challenge.edit", name=page[0]["name"]) not in anonymous

    def test_query_strings_are_neither_served_nor_kept(self, app, page):
        _challenge, _dataset, url = page
        _get(app, url + "?utm_source=x")
        with Statements() as again:
            _get(app, url + "?utm_source=x")
        assert again.ours
        assert _kept_pages() == []

    def test_each_language_its_own_page(self, app, page):
        _challenge, _dataset, url = page
        assert "The problem" in _get(app, url)
        spanish = _get(app, "/es" + url)
        assert "El problema" in spanish
        assert "The problem" in _get(app, url)

    def test_a_forged_host_keeps_its_page_to_itself(self, app, page):
        _challenge, _dataset, url = page
        _get(app, url, headers={"Host": "evil.example"})
        assert "evil.example" not in _get(app, url)

    def test_the_key_is_the_site_url_never_the_host_header(self, app, page):
        _challenge, _dataset, url = page
        site = tk.config["ckan.site_url"].rstrip("/")
        hosts = ("evil.example", "evil.example:8443", "127.0.0.2", "e" * 63 + ".example")
        for host in hosts:
            assert "evil.example" not in _get(app, url, headers={"Host": host})
        # one kept page for all those hosts, whose links name ckan.site_url
        (key,) = _kept_pages()
        kept = zlib.decompress(connect_to_redis().get(key).partition(b"\n")[2]).decode()
        assert not [host for host in hosts if host in kept]
        assert f'href="{site}{url}.jsonld"' in kept or f"{site}{url}" in kept
        # and the portal's own name is served that page without rendering it
        with Statements() as again:
            html = _get(app, url)
        assert again.ours == []
        assert "evil.example" not in html

    def test_flash_messages_are_shown_not_skipped(self, app, page, browse):
        _challenge, _dataset, url = page
        _get(app, url)  # kept
        visitor = browse(None)
        # CKAN's password reset flashes its answer and redirects: the message
        # waits in the anonymous visitor's session for their next page
        response = visitor.post("/user/reset", {"user": "nobody-at-all"})
        assert response.status_code == 302
        html = visitor.get(url).get_data(as_text=True)
        assert "A reset link has been emailed to you" in html
        assert "Viajes en Metrobús" in html


@pytest.mark.ckan_config("ckanext.datathon.page_cache_seconds", "0")
class TestOff:
    def test_zero_turns_it_off(self, app, page):
        _challenge, _dataset, url = page
        _get(app, url)
        with Statements() as again:
            _get(app, url)
        assert again.ours
        assert _kept_pages() == []


@KEEP_A_MINUTE
class TestDates:
    def test_a_crossed_date_renders_the_page_again(self, app, world, published_challenge_factory):
        t = now()
        challenge = published_challenge_factory(
            owner_org=world.org["id"],
            timeline=[
                {
                    "stage": "ideathon",
                    "starts": iso(t - dt.timedelta(days=1)),
                    "ends": iso(t + dt.timedelta(minutes=5)),
                }
            ],
        )
        url = tk.url_for("challenge.read", name=challenge["name"])
        _get(app, url)
        with Statements() as before:
            _get(app, url)
        assert before.ours == []
        with freeze_time(t + dt.timedelta(minutes=6)), Statements() as after:
            _get(app, url)
        assert after.ours  # rendered again: the ideathon has ended

    def test_next_boundary(self):
        t = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
        dates = [None, "", "junk", "2026-02-01T00:00:00+00:00", "2026-03-02T00:00:00+00:00"]
        dates.append("2026-03-01T13:00:00-03:00")
        assert page_cache.next_boundary(dates, t) == dt.datetime(
            2026, 3, 1, 16, tzinfo=dt.timezone.utc
        )
        assert page_cache.next_boundary(["2020-01-01T00:00:00+00:00"], t) is None


@KEEP_A_MINUTE
class TestWrites:
    def _generation(self):
        value = connect_to_redis().get(page_cache._generation_key())
        return int(value or 0)

    @pytest.mark.usefixtures("app", "with_request_context")
    def test_a_committed_write_starts_a_generation(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        start = self._generation()
        model.Session.execute(sa.select(Challenge.id)).all()
        model.Session.commit()
        assert self._generation() == start  # reading is not writing
        model.Session.execute(
            sa.update(Challenge).where(Challenge.id == challenge["id"]).values(title="x")
        )
        model.Session.rollback()
        assert self._generation() == start  # nothing changed
        model.Session.execute(
            sa.update(Challenge).where(Challenge.id == challenge["id"]).values(title="y")
        )
        model.Session.commit()
        assert self._generation() == start + 1

    @pytest.mark.parametrize(
        ("statement", "writes"),
        [
            ("SELECT 1", False),
            ("  select * from package FOR UPDATE", False),
            ("INSERT INTO x VALUES (1)", True),
            ("\n update package set title = 'x'", True),
            ("DELETE FROM x", True),
            ("WITH t AS (SELECT 1) SELECT * FROM t", False),
            ("WITH t AS (DELETE FROM x RETURNING id) SELECT * FROM t", True),
            ("TRUNCATE x", True),
        ],
    )
    def test_is_write(self, statement, writes):
        assert page_cache.is_write(statement) is writes
