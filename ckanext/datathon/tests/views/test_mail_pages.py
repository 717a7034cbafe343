"""The mail pages: the unsubscribe link (no login; GET confirms, POST with
its CSRF token applies; bad or forged tokens 400/403, never 500), the mail
preferences page, and the organizers' announcement form."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.lib import mail
from ckanext.datathon.logic import jobs
from ckanext.datathon.model import Announcement

pytestmark = pytest.mark.usefixtures("with_plugins")


def _opted_out(user) -> bool:
    model.Session.expire_all()
    return jobs.opted_out(model.User.get(user["id"]))


class TestUnsubscribe:
    def test_get_confirms_post_applies(self, browse, world):
        url = f"/datathon/unsubscribe/{mail.unsubscribe_token(world.user['id'])}"
        b = browse(None)
        page = b.get(url)
        assert page.status_code == 200
        assert "Stop these mails" in page.get_data(as_text=True)
        assert not _opted_out(world.user)  # opening the link changes nothing
        done = b.post(url, {})
        assert done.status_code == 200
        assert "datathon-unsubscribed" in done.get_data(as_text=True)
        assert _opted_out(world.user)

    def test_post_without_csrf_token_changes_nothing(self, browse, world):
        url = f"/datathon/unsubscribe/{mail.unsubscribe_token(world.user['id'])}"
        response = browse(None).post(url, {}, csrf=False)
        assert response.status_code == 400
        assert not _opted_out(world.user)

    def test_forged_tokens_are_403(self, browse, world):
        b = browse(None)
        other = mail.unsubscribe_token(world.admin["id"]).split(".")[1]
        for token in (f"{world.user['id']}.{other}", f"{world.user['id']}.{'A' * 43}"):
            assert b.get(f"/datathon/unsubscribe/{token}").status_code == 403
            assert b.client.post(f"/datathon/unsubscribe/{token}").status_code in (400, 403)
        assert not _opted_out(world.user)

    @pytest.mark.parametrize(
        "token",
        ["x", "..", "a.b", "%00", "%C0%AF", "x" * 5000, "<script>", "%E2%80%AE.abc", "a.b.c"],
    )
    def test_malformed_tokens_are_400(self, browse, token):
        response = browse(None).get(f"/datathon/unsubscribe/{token}")
        assert response.status_code in (400, 404)

    def test_a_deleted_user(self, browse):
        user = factories.User()
        url = f"/datathon/unsubscribe/{mail.unsubscribe_token(user['id'])}"
        b = browse(None)
        token = b.token(url)
        model.User.get(user["id"]).delete()
        model.Session.commit()
        response = b.client.post(url, data={"_csrf_token": token})
        assert response.status_code == 404


class TestPreferencesPage:
    def test_anonymous_is_sent_to_login(self, browse):
        response = browse(None).get("/dashboard/mail", follow_redirects=False)
        assert response.status_code == 302
        assert "/user/login" in response.headers["Location"]

    def test_toggle(self, browse, world):
        b = browse(world.user)
        page = b.get("/dashboard/mail")
        assert page.status_code == 200
        assert 'name="reminders"' in page.get_data(as_text=True)
        assert b.post("/dashboard/mail", {}).status_code == 302  # box unticked
        assert _opted_out(world.user)
        assert b.post("/dashboard/mail", {"reminders": "on"}).status_code == 302
        assert not _opted_out(world.user)

    def test_the_profile_has_a_tab(self, browse, world):
        b = browse(world.user)
        mine = b.get(tk.url_for("user.read", id=world.user["name"])).get_data(as_text=True)
        assert "/dashboard/mail" in mine
        theirs = b.get(tk.url_for("user.read", id=world.admin["name"])).get_data(as_text=True)
        assert "/dashboard/mail" not in theirs


class TestAnnouncePage:
    @pytest.fixture
    def challenge(self, world, published_challenge_factory):
        return published_challenge_factory(owner_org=world.org["id"])

    def test_organizers_send(self, browse, world, challenge):
        b = browse(world.admin)
        read = b.get(tk.url_for("challenge.read", name=challenge["name"]))
        url = tk.url_for("datathon_mail.announce", name=challenge["name"])
        assert url in read.get_data(as_text=True)
        response = b.post(url, {"subject": "Kick-off", "message": "Monday, 9:00."})
        assert response.status_code == 302
        assert model.Session.query(Announcement).count() == 1
        assert "Kick-off" in b.get(url).get_data(as_text=True)

    def test_field_errors_keep_the_text(self, browse, world, challenge):
        b = browse(world.admin)
        url = tk.url_for("datathon_mail.announce", name=challenge["name"])
        response = b.post(url, {"subject": "Two\r\nlines", "message": "Kept text"})
        assert response.status_code == 200
        assert "Kept text" in response.get_data(as_text=True)
        assert model.Session.query(Announcement).count() == 0

    def test_others_cannot(self, browse, world, challenge):
        url = tk.url_for("datathon_mail.announce", name=challenge["name"])
        assert browse(world.user).get(url).status_code == 403
        assert browse(None).get(url).status_code in (302, 401, 403)
        response = browse(world.user).post(
            url, {"subject": "x", "message": "y"}, form_url=tk.url_for("challenge.index")
        )
        assert response.status_code == 403
        assert model.Session.query(Announcement).count() == 0

    def test_without_csrf_token(self, browse, world, challenge):
        url = tk.url_for("datathon_mail.announce", name=challenge["name"])
        response = browse(world.admin).post(url, {"subject": "x", "message": "y"}, csrf=False)
        assert response.status_code == 400
        assert model.Session.query(Announcement).count() == 0

    def test_unknown_challenge(self, browse, world):
        assert browse(world.admin).get("/challenge/nope/announce").status_code == 404
