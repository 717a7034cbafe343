"""The path from registration to the jury with the keyboard only: a team member
logs in, registers, fills the project and submits it; a juror logs in and
scores it -- Tab to move, typing to fill, Space to tick, Enter to follow a link
or press a button; never a click.  Every element reached on the way must show
where the focus is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.model import Challenge
from ckanext.datathon.tests import factories as datathon_factories
from ckanext.datathon.tests.e2e.test_flows import (
    PASSWORD,
    invited_team,
    open_judging,
    organizer_with_data,
    unique,
)

pytestmark = pytest.mark.e2e

MAX_TABS = 150

# Is the focused element the one described, and does it show a focus indicator?
_FOCUSED = """([selector, text]) => {
    const el = document.activeElement;
    if (!el || el === document.body || !el.matches(selector)) return null;
    if (text && !el.textContent.includes(text)) return null;
    const style = getComputedStyle(el);
    const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== "none";
    return {visible, html: el.outerHTML.slice(0, 160)};
}"""


def tab_to(page: Any, selector: str, text: str | None = None) -> None:
    """Press Tab until the element matching ``selector`` (and ``text``) has the
    focus; fail when it is not reachable from the keyboard."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        found = page.evaluate(_FOCUSED, [selector, text])
        if found:
            assert found["visible"], f"no visible focus indicator on {found['html']}"
            return
    pytest.fail(f"{selector} {text or ''} is not reachable with Tab on {page.url}")


def activate(page: Any, selector: str, text: str | None = None) -> None:
    """Tab to a link or button and press Enter, waiting for the next page."""
    tab_to(page, selector, text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page: Any, selector: str, value: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(value)


def choose(page: Any, selector: str, value: str) -> None:
    """Pick an option of a native select with the arrow keys."""
    tab_to(page, selector)
    for _ in range(400):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"option {value} of {selector} not reachable with the arrow keys")


def keyboard_login(page: Any, name: str) -> None:
    page.goto("/user/login")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    type_into(page, "#field-login", name)
    type_into(page, "#field-password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/user/login" not in page.url, f"keyboard login of {name} failed"


def test_register_submit_and_score_with_the_keyboard_only(page, shots):
    organizer, org, datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"], title="Cuidados en la ciudad"
    )
    for dataset in datasets:
        ckan_helpers.call_action("challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
    leader = factories.User(name=unique("teclado"), password=PASSWORD)

    keyboard_login(page, leader["name"])
    page.goto(f"/challenge/{challenge['name']}")
    activate(page, "a.datathon-register-button")
    assert page.url.endswith("/register"), page.url
    type_into(page, "#field-title", "Mapa de cuidados")
    type_into(page, "#field-team_name", "Teclado")
    tab_to(page, "#field-accept_rules")
    page.keyboard.press("Space")
    assert page.is_checked("#field-accept_rules")
    activate(page, "button[type=submit]", "Register the team")
    assert "/project/edit/" in page.url, page.url
    shots("project form reached by keyboard")

    type_into(page, "[name=repository_url]", "https://github.com/teclado/mapa-de-cuidados")
    choose(page, "select[name=code_licence]", "MIT")
    activate(page, "button[type=submit]", "Update Project")
    assert "/project/edit/" not in page.url, page.locator(".error-explanation").all_inner_texts()

    activate(page, "a", "Submit")
    assert page.url.endswith("/submit"), page.url
    activate(page, "button[type=submit]", "Confirm submission")
    assert page.locator(".datathon-banner-submitted").is_visible()
    shots("submitted by keyboard")

    model.Session.remove()
    name = page.url.rstrip("/").rsplit("/", 1)[-1]
    project = ckan_helpers.call_action("package_show", id=name)
    assert project["submission_status"] == "submitted"
    assert project["code_licence"] == "MIT"

    # the deadline passes; the organizer appoints a juror and two criteria
    juror, criteria = open_judging(
        organizer, challenge, [("Uso de datos", 5), ("Impacto social", 5)]
    )

    page.context.clear_cookies()
    keyboard_login(page, juror["name"])
    page.goto(f"/challenge/{challenge['name']}/jury")
    type_into(page, f"#score-{name}-{criteria[0]['id']}", "4")
    type_into(page, f"#score-{name}-{criteria[0]['id']}-comment", "Buen uso de los datos")
    type_into(page, f"#score-{name}-{criteria[1]['id']}", "3")
    activate(page, "button[type=submit]", "Save my scores")
    shots("scored by keyboard")
    # the juror's desk: back on the same card
    assert page.url.endswith(f"#project-{name}"), page.url

    # a refused score (judging closed while the juror typed) comes back with
    # every typed value and a message naming the project
    row = model.Session.get(Challenge, challenge["id"])
    row.judging_closes = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    model.Session.commit()
    field = f"#score-{name}-{criteria[1]['id']}"
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    activate(page, "button[type=submit]", "Update my scores")
    alert = page.locator(f"#score-error-{name}")
    assert alert.is_visible()
    assert "Mapa de cuidados" in alert.inner_text()
    assert page.input_value(field) == "2"
    assert page.input_value(f"#score-{name}-{criteria[0]['id']}-comment") == "Buen uso de los datos"
    shots("refused score by keyboard")

    model.Session.remove()
    scores = ckan_helpers.call_action(
        "project_score_list", context={"user": juror["name"], "ignore_auth": False}, id=name
    )
    mine = {s["criterion_id"]: s for s in scores["results"]}
    assert mine[criteria[0]["id"]]["score"] == 4
    assert mine[criteria[0]["id"]]["comment"] == "Buen uso de los datos"
    assert mine[criteria[1]["id"]]["score"] == 3  # the refused 2 changed nothing
    assert not page.js_errors, page.js_errors


def test_accept_an_invitation_in_the_hub_with_the_keyboard_only(page, shots):
    """The personal hub with the keyboard: from the header's "My challenges"
    link to the invitation's Accept button."""
    _organizer, org, _datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"],
        title="Agua para todos",
        **datathon_factories.open_registration_dates(),
    )
    leader, guest, project = invited_team(challenge, "Pozos abiertos", "Las Gotas", guest="teclado")

    keyboard_login(page, guest["name"])
    page.goto("/dataset/")
    activate(page, "a.datathon-hub-link")
    assert page.url.endswith("/dashboard/challenges"), page.url
    activate(page, "#hub-invitations button[value=accept]")
    assert "/team" in page.url, page.url
    shots("invitation accepted by keyboard")

    model.Session.remove()
    members = ckan_helpers.call_action(
        "project_member_list", context={"user": leader["name"]}, id=project["id"]
    )["members"]
    assert guest["name"] in {m.get("name") for m in members}
    assert not page.js_errors, page.js_errors
