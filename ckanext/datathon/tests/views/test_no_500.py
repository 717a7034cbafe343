"""Every page and form of the plugin, fed junk: the answer is a page, a
redirect or a 4xx, never a server error.

The routes are read from Flask's URL map (every blueprint of the plugin), so a
new page is covered as soon as it exists."""

from __future__ import annotations

from typing import Any

import pytest
from flask import current_app

from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

BLUEPRINTS = (
    "challenge.",
    "datathon_team.",
    "datathon_jury.",
    "datathon_ideas.",
    "datathon_engagement.",
    "datathon_open.",
)
JUNK_QUERY = {
    "page": str(10**30),
    "sort": "title; DROP TABLE package",
    "q": "a\x00b",
    "limit": "-1",
    "offset": "x",
    "stage": "party",
    "state": "everything",
    "lang": "xx",
}
JUNK_FORM = {
    "title": "x" * 5000,
    "name": "../../etc/passwd",
    "starts": "not a date",
    "ends": "2024-02-30T25:61",
    "date": "yesterday",
    "kind": "party",
    "url": "javascript:alert(1)",
    "score": "NaN",
    "rank": "-1",
    "weight": "1e309",
    "max_score": "10**30",
    "username": "\x00",
    "project": "nope",
    "dataset_id": "nope",
    "role": "king",
    "adopted": "maybe",
    "page": str(10**30),
}


def _routes() -> list[Any]:
    return sorted(
        (rule for rule in current_app.url_map.iter_rules() if rule.endpoint.startswith(BLUEPRINTS)),
        key=lambda rule: rule.rule,
    )


def _values(rule: Any, names: dict[str, str]) -> dict[str, str]:
    return {arg: names.get(arg, "junk-\x00-id") for arg in rule.arguments}


@pytest.fixture
def portal(world, published_challenge_factory):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    project = call_as(
        world.user,
        "project_register",
        challenge=challenge["id"],
        title="Rutas",
        team_name="Owls",
        accept_rules=True,
    )
    add_team_member(project)
    return {"name": challenge["name"], "id": project["name"]}


@pytest.mark.parametrize("who", ["anonymous", "user", "admin"])
def test_every_page_with_junk_parameters(app, browse, world, portal, who):
    browser = browse(None if who == "anonymous" else getattr(world, who))
    with app.flask_app.test_request_context():
        rules = _routes()
    assert len(rules) > 30  # every blueprint is there
    failures = []
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        for names in (portal, {}):
            path = rule.build(_values(rule, names), append_unknown=False)[1]
            for query in ({}, JUNK_QUERY):
                answer = browser.get(path, query_string=query)
                if answer.status_code >= 500:
                    failures.append(f"GET {path} {query or ''}: {answer.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["user", "admin"])
def test_every_form_with_junk_fields(app, browse, world, portal, who):
    browser = browse(getattr(world, who))
    token_page = f"/challenge/{portal['name']}/register"
    with app.flask_app.test_request_context():
        rules = _routes()
    failures = []
    for rule in rules:
        if "POST" not in rule.methods:
            continue
        path = rule.build(_values(rule, portal), append_unknown=False)[1]
        answer = browser.post(path, JUNK_FORM, form_url=token_page)
        if answer.status_code >= 500:
            failures.append(f"POST {path}: {answer.status_code}")
    assert not failures, "\n".join(failures)
