"""Open pages: the follow button (plain POST forms), the dashboard, feed links."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def published(world, published_challenge_factory):
    def build():
        return published_challenge_factory(owner_org=world.org["id"], title="Cuidados")

    return built_over("world", "test_open_pages.published", build)


def _page(client, challenge):
    response = client.get(tk.url_for("challenge.read", name=challenge["name"]))
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _follow_box(soup):
    return soup.find(id="follow")


def _count(soup):
    return _follow_box(soup).find(class_="datathon-follower-count").get_text(strip=True)


class TestFollowButton:
    def test_anonymous_sees_the_count_and_a_login_link(self, app, published):
        box = _follow_box(_page(app, published))
        assert box.find("h2").get_text(strip=True) == "Follow this challenge"
        assert _count(_page(app, published)) == "0 followers"
        assert box.find("form") is None
        assert "/user/login" in box.find("a")["href"]

    def test_follow_then_unfollow_without_javascript(self, browse, world, published):
        browser = browse(world.user)
        form = _follow_box(_page(browser, published)).find("form")
        assert form["method"] == "post"
        assert form["action"] == tk.url_for("datathon_open.follow", name=published["name"])
        assert form.find("input", attrs={"name": "_csrf_token"}) is not None
        assert form.find("button", type="submit").get_text(strip=True) == "Follow"
        page_url = tk.url_for("challenge.read", name=published["name"])
        response = browser.post(form["action"], {}, form_url=page_url)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(page_url)
        assert call_as(world.user, "am_following_challenge", id=published["id"]) is True
        soup = _page(browser, published)
        assert _count(soup) == "1 follower"
        form = _follow_box(soup).find("form")
        assert form["action"] == tk.url_for("datathon_open.unfollow", name=published["name"])
        assert form.find("button").get_text(strip=True) == "Unfollow"
        assert browser.post(form["action"], {}, form_url=page_url).status_code == 302
        assert _count(_page(browser, published)) == "0 followers"

    def test_csrf_token_required(self, browse, world, published):
        browser = browse(world.user)
        url = tk.url_for("datathon_open.follow", name=published["name"])
        assert browser.post(url, {}, csrf=False).status_code == 400
        assert call_as(world.user, "am_following_challenge", id=published["id"]) is False

    def test_get_does_not_follow(self, browse, world, published):
        url = tk.url_for("datathon_open.follow", name=published["name"])
        # POST-only rule (CKAN answers the other methods with an error page)
        assert browse(world.user).get(url).status_code in (404, 405)
        assert call_as(world.user, "am_following_challenge", id=published["id"]) is False

    def test_anonymous_post_refused(self, browse, published):
        url = tk.url_for("datathon_open.follow", name=published["name"])
        assert browse(None).post(url, {}, form_url="/user/login").status_code == 403
        assert call_as(None, "challenge_follower_count", id=published["id"]) == 0

    def test_draft_is_not_found(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_open.follow", name=draft["name"])
        assert browse(world.user).post(url, {}, form_url="/dashboard/").status_code == 404
        # its organizers see its page, without a follow box (drafts have no news)
        assert _follow_box(_page(browse(world.admin), draft)) is None


@pytest.mark.parametrize("name", ["%00", "%20", "x" * 5000, "é", "..", "%27%22<>"])
def test_junk_names_are_not_found(app, browse, world, name):
    browser = browse(world.user)
    assert app.get(f"/challenge/{name}.jsonld").status_code == 404
    for action in ("follow", "unfollow"):
        response = browser.post(f"/challenge/{name}/{action}", {}, form_url="/dashboard/")
        assert response.status_code == 404


class TestDashboard:
    def test_followed_challenge_news_on_the_dashboard(
        self, browse, world, published, published_challenge_factory
    ):
        other = published_challenge_factory(owner_org=world.org["id"], title="Movilidad")
        call_as(world.user, "follow_challenge", id=published["id"])
        call_as(world.admin, "challenge_patch", id=published["id"], title="Cuidados renovado")
        call_as(world.admin, "challenge_patch", id=other["id"], title="Movilidad renovada")
        html = browse(world.user).get("/dashboard/").get_data(as_text=True)
        assert "Cuidados renovado" in html
        assert "Movilidad renovada" not in html


class TestDiscovery:
    def test_feed_link_on_the_list_and_json_ld_link_on_the_page(self, app, published):
        index = BeautifulSoup(
            app.get(tk.url_for("challenge.index")).get_data(as_text=True), "html.parser"
        )
        assert index.find("link", type="application/atom+xml")["href"] == tk.url_for(
            "datathon_open.feed", qualified=True
        )
        page = _page(app, published)
        assert page.find("link", type="application/ld+json")["href"] == tk.url_for(
            "datathon_open.jsonld", name=published["name"], qualified=True
        )
