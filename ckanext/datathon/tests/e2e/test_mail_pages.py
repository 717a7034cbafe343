"""The mail pages in a browser (issue 21 §3): an organizer writes to the
teams, a team member turns reminders off, and someone who is not signed in
follows the unsubscribe link of a mail, each in English, Spanish and Brazilian
Portuguese; the translated strings show, no English message of the plugin is
left in the page's container, and axe finds no serious or critical issue in
its markup."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

import ckan.model as model
from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.lib import mail
from ckanext.datathon.tests import factories as datathon_factories
from ckanext.datathon.tests.e2e.conftest import login
from ckanext.datathon.tests.e2e.test_flows import (
    PASSWORD,
    check_page,
    invited_team,
    organizer_with_data,
)
from ckanext.datathon.tests.e2e.test_hub import english_messages

pytestmark = pytest.mark.e2e

I18N = Path(__file__).resolve().parents[2] / "i18n"
PREFIXES = {"en": "", "es": "/es", "pt_BR": "/pt_BR"}


@cache
def _catalog(locale: str) -> dict[str, str]:
    with (I18N / locale / "LC_MESSAGES" / "ckanext-datathon.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if isinstance(m.id, str) and m.string}


def translated(locale: str, msgid: str) -> str:
    """``msgid`` as ``locale`` shows it (English: itself)."""
    return msgid if locale == "en" else _catalog(locale)[msgid]


def walk(page: Any, path: str, container: str, texts: list[str], where: str) -> None:
    """``path`` in each language: ``texts`` (English msgids) show translated
    in ``container``, no English message is left there, axe passes on it."""
    for locale, prefix in PREFIXES.items():
        page.goto(f"{prefix}{path}")
        text = page.locator(container).inner_text()
        for msgid in texts:
            assert translated(locale, msgid) in text, (where, locale, msgid)
        if locale != "en":
            left = sorted(m for m in english_messages(locale) if m in text)
            assert not left, f"English left in {where} ({locale}): {left}"
        check_page(page, f"{where} ({locale})", ours_only=container)


def test_announce_opt_out_and_unsubscribe(page, shots):
    organizer, org, _datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"],
        title="Agua para todos",
        **datathon_factories.open_registration_dates(),
    )
    leader, _guest, _project = invited_team(challenge, "Pozos abiertos", "Las Gotas")

    # the organizer writes to the teams
    login(page, organizer, PASSWORD)
    announce = f"/challenge/{challenge['name']}/announce"
    walk(
        page,
        announce,
        "#datathon-announce",
        ["Sent announcements", "No announcement was sent yet."],
        "the announcement page",
    )
    page.goto(announce)
    page.fill("#field-subject", "Mentoría el jueves")
    page.fill("#field-message", "Nos vemos a las 18:00 en la biblioteca.")
    with page.expect_navigation():
        page.click("#datathon-announce button[type=submit]")
    sent = page.locator("#datathon-announce").inner_text()
    assert "Mentoría el jueves" in sent
    assert "1 recipient" in sent  # the leader; the guest has not accepted yet
    shots("an announcement sent")

    # the team leader turns reminders and announcements off
    page.context.clear_cookies()
    login(page, leader, PASSWORD)
    walk(
        page,
        "/dashboard/mail",
        "#datathon-mail-preferences",
        ["Mail from challenges", "Save"],
        "the mail preferences",
    )
    page.goto("/dashboard/mail")
    assert page.locator("#field-reminders").is_checked()
    page.locator("#field-reminders").uncheck()
    with page.expect_navigation():
        page.click("#datathon-mail-preferences button[type=submit]")
    assert not page.locator("#field-reminders").is_checked()
    model.Session.remove()
    shown = ckan_helpers.call_action(
        "datathon_mail_preferences_show", context={"user": leader["name"]}
    )
    assert shown["reminders"] is False

    # someone not signed in follows the link of a mail to the organizer
    page.context.clear_cookies()
    link = f"/datathon/unsubscribe/{mail.unsubscribe_token(organizer['id'])}"
    walk(page, link, "#datathon-unsubscribe", ["Stop these mails"], "the unsubscribe page")
    page.goto(f"/es{link}")
    with page.expect_navigation():
        page.click("#datathon-unsubscribe button[type=submit]")
    done = page.locator("#datathon-unsubscribe").inner_text()
    assert translated("es", "Stop mail from challenges") in page.content()
    assert "Invitations" not in done
    model.Session.remove()
    shown = ckan_helpers.call_action(
        "datathon_mail_preferences_show", context={"user": organizer["name"]}
    )
    assert shown["reminders"] is False
    shots("unsubscribed")
    assert not page.js_errors, page.js_errors
