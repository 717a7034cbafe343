"""The team's path with the keyboard only: log in, register, fill the project,
submit -- Tab to move, typing to fill, Space to tick, Enter to follow a link
or press a button; never a click.  Every element reached on the way must show
where the focus is."""

from __future__ import annotations

from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.tests import factories as datathon_factories
from ckanext.datathon.tests.e2e.test_flows import PASSWORD, organizer_with_data, unique

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


def test_register_and_submit_with_the_keyboard_only(page, shots):
    _organizer, org, datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"], title="Cuidados en la ciudad"
    )
    for dataset in datasets:
        ckan_helpers.call_action(
            "challenge_dataset_add", id=challenge["id"], dataset_id=dataset["id"]
        )
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
    assert not page.js_errors, page.js_errors
