"""The juror's desk (issue 21 §4) in a real browser, in English, Spanish and
Brazilian Portuguese: each card shows what the juror needs (summary,
repository, demo, licence, the datasets they may read), saving returns to the
same card, a refused score keeps every typed value and names the project and
the criterion, progress per criterion; translated strings visible, no English
msgid left in the desk, axe clean in the plugin's markup."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

import ckan.model as model
from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.model import ProjectDataset
from ckanext.datathon.tests import factories as datathon_factories
from ckanext.datathon.tests.e2e.conftest import login
from ckanext.datathon.tests.e2e.test_flows import PASSWORD, check_page, open_judging, unique

pytestmark = pytest.mark.e2e

I18N = Path(__file__).resolve().parents[2] / "i18n"
DESK = "#queue"
# placeholders of both kinds: %(name)s and {name}
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr of the plugin's catalogue (singular forms)."""
    if lang == "en":
        return {}
    path = I18N / lang / "LC_MESSAGES" / "ckanext-datathon.po"
    with path.open("rb") as po:
        messages = read_po(po)
    table = {}
    for message in messages:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        value = message.string[0] if isinstance(message.string, tuple) else message.string
        table[key] = value
    return table


def t(lang: str, msgid: str) -> str:
    return catalogue(lang).get(msgid) or msgid


def english_left(lang: str, text: str) -> list[str]:
    """msgids of the catalogue whose English wording shows in ``text``: the
    longest literal fragment of each (at least 16 characters, so that a word
    shared by both languages does not count), when the translation differs."""
    found = []
    for msgid, msgstr in catalogue(lang).items():
        fragment = max(_PLACEHOLDER.split(msgid), key=len).strip()
        if len(fragment) < 16 or fragment in msgstr:
            continue
        if fragment in text:
            found.append(msgid)
    return found


def _desk() -> dict[str, Any]:
    """A challenge in judging with one submitted project that uses a public
    and a private dataset, a juror and two criteria."""
    organizer = factories.User(name=unique("organizadora"), password=PASSWORD)
    org = factories.Organization(
        name=unique("org"), users=[{"name": organizer["name"], "capacity": "admin"}]
    )
    public = factories.Dataset(
        name=unique("dataset"), title="Rutas de autobús", owner_org=org["id"]
    )
    secret = factories.Dataset(
        name=unique("dataset"), title="Tarifas confidenciales", owner_org=org["id"], private=True
    )
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"], title="Movilidad segura"
    )
    ckan_helpers.call_action("challenge_dataset_add", id=challenge["id"], dataset=public["id"])
    leader = factories.User(name=unique("lider"), password=PASSWORD)
    as_leader = {"user": leader["name"], "ignore_auth": False}
    project = ckan_helpers.call_action(
        "project_register",
        context=dict(as_leader),
        challenge=challenge["id"],
        title="Caminos escolares",
        team_name="Equipo Norte",
        accept_rules=True,
    )
    ckan_helpers.call_action(
        "package_patch",
        context=dict(as_leader),
        id=project["id"],
        notes="Rutas **seguras** para ir a la escuela a pie.",
        repository_url="https://example.org/caminos",
        demo_url="https://example.org/caminos/demo",
        code_licence="MIT",
        datasets_used=[{"dataset": public["id"]}],
    )
    ckan_helpers.call_action("project_submit", context=dict(as_leader), id=project["id"])
    model.Session.add(ProjectDataset(project_id=project["id"], package_id=secret["id"]))
    model.Session.commit()
    juror, criteria = open_judging(
        organizer, challenge, [("Uso de datos", 5), ("Impacto social", 10)]
    )
    return {
        "organizer": organizer,
        "challenge": challenge,
        "project": ckan_helpers.call_action("package_show", id=project["id"]),
        "public": public,
        "secret": secret,
        "juror": juror,
        "criteria": criteria,
    }


@pytest.mark.parametrize("lang", ["en", "es", "pt_BR"])
def test_a_juror_walks_the_desk(page, shots, lang):
    desk = _desk()
    prefix = "" if lang == "en" else f"/{lang}"
    name = desk["project"]["name"]
    first, second = desk["criteria"]
    url = f"{prefix}/challenge/{desk['challenge']['name']}/jury"

    login(page, desk["juror"], PASSWORD)
    page.goto(url)
    card = page.locator(f"#project-{name}")
    for text in (
        "Rutas seguras para ir a la escuela a pie.",
        "https://example.org/caminos",
        "https://example.org/caminos/demo",
        "MIT",
        "Rutas de autobús",
        t(lang, "Source code"),
        t(lang, "Demo"),
        t(lang, "Code licence"),
        t(lang, "Datasets used"),
        t(lang, "Save my scores"),
    ):
        assert card.get_by_text(text, exact=False).first.is_visible(), (lang, text)
    assert "Tarifas confidenciales" not in card.inner_text()  # not the juror's to read
    assert page.locator(DESK).get_by_text(t(lang, "Projects to score")).is_visible()
    assert english_left(lang, page.locator(DESK).inner_text()) == []
    check_page(page, f"jury desk ({lang})", ours_only=DESK)
    shots(f"desk {lang}")

    # saving returns to the same card
    page.fill(f"#score-{name}-{first['id']}", "4")
    page.fill(f"#score-{name}-{first['id']}-comment", "Buen uso")
    with page.expect_navigation():
        card.locator("button[type=submit]").first.click()
    assert page.url.endswith(f"#project-{name}"), page.url
    assert page.get_by_text(t(lang, "Your scores are saved.")).is_visible()
    progress = page.locator(".datathon-criterion-progress").inner_text()
    assert "Uso de datos: 1" in progress
    assert "Impacto social: 0" in progress

    # the organizers lower a maximum while the juror types: refused, nothing lost
    ckan_helpers.call_action(
        "challenge_criterion_update",
        context={"user": desk["organizer"]["name"], "ignore_auth": False},
        id=second["id"],
        max_score=3,
    )
    page.fill(f"#score-{name}-{second['id']}", "7")
    page.fill(f"#score-{name}-{second['id']}-comment", "Mucho impacto")
    with page.expect_navigation():
        card.locator("button[type=submit]").first.click()
    alert = page.locator(f"#score-error-{name}")
    assert alert.is_visible()
    message = alert.inner_text()
    refused = t(lang, "The scores of “%(project)s” were not saved.")
    assert refused.replace("%(project)s", "Caminos escolares") in message
    assert "Impacto social" in message
    assert page.input_value(f"#score-{name}-{second['id']}") == "7"
    assert page.input_value(f"#score-{name}-{second['id']}-comment") == "Mucho impacto"
    assert page.input_value(f"#score-{name}-{first['id']}") == "4"
    assert page.get_attribute(f"#score-{name}-{second['id']}", "aria-invalid") == "true"
    assert english_left(lang, page.locator(DESK).inner_text()) == []
    check_page(page, f"refused score ({lang})", ours_only=DESK)
    shots(f"refused {lang}")
    assert not page.js_errors, page.js_errors
