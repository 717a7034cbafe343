"""The personal hub in a browser (issue 21 §2): a team member and an organizer
walk "My challenges" in English, Spanish and Brazilian Portuguese; the
translated strings show, no English message of the plugin is left in the hub,
and axe finds no serious or critical issue in its markup."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.tests import factories as datathon_factories
from ckanext.datathon.tests.e2e.conftest import login
from ckanext.datathon.tests.e2e.test_flows import (
    PASSWORD,
    check_page,
    invited_team,
    organizer_with_data,
)

pytestmark = pytest.mark.e2e

I18N = Path(__file__).resolve().parents[2] / "i18n"
HUB = "#datathon-hub"
# what each language shows: (url prefix, the hub's title, the invitations title, the teams title)
LANGUAGES = {
    "en": ("", "My challenges", "My invitations", "My teams"),
    "es": ("/es", "Mis retos", "Mis invitaciones", "Mis equipos"),
    "pt_BR": ("/pt_BR", "Meus desafios", "Meus convites", "Minhas equipes"),
}


@cache
def english_messages(locale: str) -> frozenset[str]:
    """The plugin's English messages that ``locale`` translates differently
    (sentences and phrases: at least two words and ten characters, without
    placeholders, so that a name or a number cannot match by chance)."""
    with (I18N / locale / "LC_MESSAGES" / "ckanext-datathon.po").open("rb") as po:
        catalog = read_po(po)
    found = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if (
                msgid
                and " " in msgid
                and len(msgid) >= 10
                and not any(c in msgid for c in "%{<")
                and msgid not in strings
            ):
                found.add(msgid)
    return frozenset(found)


def walk(page: Any, who: str, expected: list[str]) -> None:
    """The hub in each language: its title and ``expected`` (English texts
    looked up in each catalogue) show, no English message is left in the
    hub, and axe passes on it."""
    for locale, (prefix, title, invitations, teams) in LANGUAGES.items():
        page.goto(f"{prefix}/dashboard/challenges")
        hub = page.locator(HUB)
        text = hub.inner_text()
        for wanted in (title, invitations, teams):
            assert wanted in page.content(), (locale, wanted)
        for wanted in expected:
            assert wanted in text, (locale, who, wanted)
        if locale != "en":
            left = sorted(m for m in english_messages(locale) if m in text)
            assert not left, f"English left in the {locale} hub of the {who}: {left}"
        check_page(page, f"hub of the {who} ({locale})", ours_only=f"{HUB}, .datathon-hub-link")


def test_a_team_member_and_an_organizer_walk_the_hub(page, shots):
    organizer, org, _datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"],
        title="Movilidad segura",
        **datathon_factories.open_registration_dates(),
    )
    _leader, guest, _project = invited_team(
        challenge, "Rutas seguras", "Las Ciclistas", guest="invitada"
    )
    ckan_helpers.call_action(
        "challenge_idea_create",
        context={"user": guest["name"], "ignore_auth": False},
        challenge=challenge["id"],
        title="Mapa de rutas nocturnas",
    )

    # the invited team member: the invitation, then the team once accepted
    login(page, guest, PASSWORD)
    page.goto("/dataset/")
    link = page.locator("a.datathon-hub-link")
    assert link.is_visible()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/dashboard/challenges"), page.url
    walk(page, "invitee", ["Rutas seguras", "Movilidad segura"])
    shots("the invitee's hub")
    page.goto("/dashboard/challenges")
    with page.expect_navigation():
        page.locator("#hub-invitations button[value=accept]").click()
    assert "/team" in page.url, page.url
    page.goto("/dashboard/challenges")
    assert "Las Ciclistas" in page.locator("#hub-teams").inner_text()
    walk(page, "team member", ["Rutas seguras", "Las Ciclistas"])
    shots("the team member's hub")

    # the organizer: the challenge and the idea waiting for review
    page.context.clear_cookies()
    login(page, organizer, PASSWORD)
    page.goto("/dashboard/challenges")
    organizing = page.locator("#hub-organizing").inner_text()
    assert "Movilidad segura" in organizing
    assert "1 idea to review" in organizing
    walk(page, "organizer", ["Movilidad segura"])
    page.goto("/es/dashboard/challenges")
    assert "1 idea por revisar" in page.locator("#hub-organizing").inner_text()
    page.goto("/pt_BR/dashboard/challenges")
    assert "1 ideia para revisar" in page.locator("#hub-organizing").inner_text()
    shots("the organizer's hub")
    assert not page.js_errors, page.js_errors
