"""Browsing as a given user, with CKAN's CSRF protection on."""

from __future__ import annotations

import re

import pytest

import ckan.model as model

from ckanext.datathon.tests.logic.conftest import PASSWORD, world  # noqa: F401  (fixture)

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Browser:
    """A test client that logs in through CKAN's own login form (works the same
    on CKAN 2.11 and 2.12) and posts forms with their CSRF token."""

    def __init__(self, app, user):
        self.client = app.test_client()
        if user:
            account = model.User.get(user["name"])
            account.password = PASSWORD  # a known password for the login form
            model.Session.commit()
            response = self.post("/user/login", {"login": user["name"], "password": PASSWORD})
            assert response.status_code == 302, f"login of {user['name']} failed"

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def token(self, url):
        page = self.client.get(url)
        found = TOKEN.search(page.get_data(as_text=True))
        assert found, f"no CSRF token in the form of {url} ({page.status_code})"
        return found.group(1)

    def post(self, url, data, form_url=None, csrf=True):
        data = dict(data)
        if csrf:
            data["_csrf_token"] = self.token(form_url or url)
        return self.client.post(url, data=data, follow_redirects=False)


@pytest.fixture
def browse(app):
    return lambda user: Browser(app, user)
