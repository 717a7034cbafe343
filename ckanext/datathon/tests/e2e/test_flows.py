"""The three journeys of the web pages, in a real browser against a real server.

Data is created through the actions (factories) in this process and read by
the server; the browser does what a person does.  Each step leaves a
screenshot under ``.artifacts/screenshots/<test>/``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.tests import factories as datathon_factories
from ckanext.datathon.tests.e2e import axe
from ckanext.datathon.tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

PASSWORD = "Datathon-e2e-2024"
ZONE = "America/Mexico_City"
ZONE_OFFSET = dt.timezone(dt.timedelta(hours=-6))  # Mexico City, no DST since 2022


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def local(days: float) -> str:
    """A datetime-local value ``days`` from now, in Mexico City time."""
    moment = dt.datetime.now(ZONE_OFFSET) + dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M")


def open_judging(
    organizer: dict[str, Any], challenge: dict[str, Any], criteria: list[tuple[str, int]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The submission deadline passed a minute ago and judging is open for a
    day; a new juror (password ``PASSWORD``) and ``criteria`` (name, top
    score), made by ``organizer``. Returns the juror and the criteria."""
    now = dt.datetime.now(dt.timezone.utc)
    as_organizer = {"user": organizer["name"], "ignore_auth": False}
    ckan_helpers.call_action(
        "challenge_patch",
        context=dict(as_organizer),
        id=challenge["id"],
        registration_opens=(now - dt.timedelta(days=3)).isoformat(),
        registration_closes=(now - dt.timedelta(days=2)).isoformat(),
        submission_deadline=(now - dt.timedelta(minutes=1)).isoformat(),
        judging_closes=(now + dt.timedelta(days=1)).isoformat(),
        results_date=(now + dt.timedelta(days=2)).isoformat(),
    )
    juror = factories.User(name=unique("jurado"), password=PASSWORD)
    ckan_helpers.call_action(
        "challenge_juror_add",
        context=dict(as_organizer),
        id=challenge["id"],
        user=juror["name"],
    )
    made = [
        ckan_helpers.call_action(
            "challenge_criterion_create",
            context=dict(as_organizer),
            challenge=challenge["id"],
            name=label,
            max_score=top,
        )
        for label, top in criteria
    ]
    return juror, made


def invited_team(
    challenge: dict[str, Any], title: str, team_name: str, guest: str = "invitada"
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A new leader (password ``PASSWORD``) registers ``title`` for
    ``challenge`` and invites a new user named after ``guest``, who has not
    answered yet. Returns the leader, the guest and the project."""
    leader = factories.User(name=unique("lider"), password=PASSWORD)
    invited = factories.User(name=unique(guest), password=PASSWORD)
    as_leader = {"user": leader["name"], "ignore_auth": False}
    project = ckan_helpers.call_action(
        "project_register",
        context=dict(as_leader),
        challenge=challenge["id"],
        title=title,
        team_name=team_name,
        accept_rules=True,
    )
    ckan_helpers.call_action(
        "project_member_add", context=dict(as_leader), id=project["id"], user=invited["name"]
    )
    return leader, invited, project


def organizer_with_data() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """An organizer (admin of a new organization) and two public datasets of it."""
    user = factories.User(name=unique("organizer"), password=PASSWORD)
    org = factories.Organization(
        name=unique("org"),
        title="Instituto de Transparencia CDMX",
        users=[{"name": user["name"], "capacity": "admin"}],
    )
    datasets = [
        factories.Dataset(
            name=unique("dataset"),
            title=title,
            owner_org=org["id"],
            resources=[
                {"name": f"{title} 2023", "url": "https://example.org/data.csv", "format": "CSV"}
            ],
        )
        for title in ("Reportes de acoso en el transporte", "Rutas de autobús RTP")
    ]
    return user, org, datasets


def modules_not_started(page: Any) -> list[str]:
    """CKAN JavaScript modules on the page that did not start.  CKAN starts them
    all in one loop once its translations are loaded: one that throws in
    ``initialize`` stops every later one on the page."""
    page.wait_for_function("() => window.ckan && ckan.i18n && ckan.module", timeout=10_000)
    page.wait_for_load_state("networkidle")
    return page.evaluate(
        """() => {
            const started = new Set(Object.keys(ckan.module.instances));
            const names = [...document.querySelectorAll("[data-module]")]
                .flatMap(el => el.getAttribute("data-module").trim().split(/\\s+/));
            return [...new Set(names)].filter(n => n in ckan.module.registry && !started.has(n));
        }"""
    )


def check_page(page: Any, where: str, ours_only: str | None = None, scripts: bool = True) -> None:
    """No serious or critical axe violation in our markup; every JavaScript
    module started (``scripts=False`` on pages with a countdown, see
    ``test_countdown_starts_and_lets_the_other_modules_start``)."""
    violations = axe.serious_violations(page, where, ours_only)
    assert not violations, f"axe on {where}:\n{axe.describe(violations)}"
    if scripts:
        assert not modules_not_started(page), f"modules not started on {where}"


def link_dataset(page: Any, dataset: dict[str, Any], role: str) -> None:
    """Pick a dataset in the autocomplete field (select2) and link it.

    CKAN 2.12 ships select2 4 (``.select2-selection``), 2.11 select2 3
    (``.select2-choice``); both are driven as a user would."""
    word = dataset["title"].split()[0]
    if page.locator("#field-dataset + .select2 .select2-selection").count():
        page.click("#field-dataset + .select2 .select2-selection")
        page.fill(".select2-dropdown .select2-search__field", word)
        results = page.locator(".select2-results")
    else:
        page.click("#s2id_field-dataset .select2-choice")
        page.fill(".select2-drop-active .select2-input", word)
        results = page.locator(".select2-drop-active .select2-results")
    results.get_by_text(dataset["title"], exact=True).first.click()
    page.select_option("#field-role", role)
    page.fill("#field-note", f"Why {dataset['title']} matters")
    with page.expect_navigation():
        page.click("button:has-text('Link dataset')")


def test_organizer_creates_publishes_and_links_datasets(page, shots):
    user, org, datasets = organizer_with_data()
    name = unique("transporte-y-mujeres")

    login(page, user, PASSWORD)
    shots("logged in")

    page.goto("/challenge")
    shots("challenge list")
    check_page(page, "/challenge")

    page.goto("/challenge/new")
    assert page.locator("h1", has_text="New challenge").is_visible()
    shots("new challenge form")
    check_page(page, "/challenge/new")

    page.fill("#field-title", "Transporte público, seguridad y mujeres")
    page.fill("#field-name", name)
    page.select_option("#field-owner-org", org["id"])
    page.fill("#field-problem", "Las mujeres viven acoso en el **transporte público**.")
    page.select_option("#field-timezone", ZONE)
    for field, days in (
        ("registration_opens", -1),
        ("registration_closes", 10),
        ("submission_deadline", 20),
        ("judging_closes", 30),
        ("results_date", 35),
    ):
        page.fill(f"#field-{field}", local(days))
    # the 6th stage of the method: development and registration, happening now
    page.fill("input[name=timeline__5__starts]", local(-1))
    page.fill("input[name=timeline__5__ends]", local(20))
    page.fill("input[name=timeline__5__notes]", "Equipos de hasta 6 personas")
    page.fill("input[name=prizes__0__rank]", "1")
    page.fill("input[name=prizes__0__title]", "Primer lugar")
    page.fill("input[name=prizes__0__amount]", "2500")
    page.fill("input[name=prizes__0__currency]", "USD")
    shots("new challenge form filled")
    with page.expect_navigation():
        page.click("#challenge-form button[name=save]")

    assert page.url.endswith(f"/challenge/{name}"), page.url
    assert page.locator(".alert", has_text="Challenge created.").is_visible()
    assert page.locator(".datathon-state-badge", has_text="Draft").is_visible()
    shots("draft challenge page")
    saved = ckan_helpers.call_action("challenge_show", id=name)
    assert saved["state"] == "draft"
    assert saved["prizes"][0]["title"] == "Primer lugar"
    assert saved["current_stage"] == "development"

    page.goto(f"/challenge/{name}/edit")
    shots("edit form")
    check_page(page, f"/challenge/{name}/edit")
    with page.expect_navigation():
        page.click("#challenge-form button[name=publish]")
    assert page.locator(".alert", has_text="Challenge saved.").is_visible()
    assert not page.locator(".datathon-state-badge").is_visible()
    shots("published challenge page")
    assert ckan_helpers.call_action("challenge_show", id=name)["state"] == "active"

    page.goto(f"/challenge/{name}/datasets")
    shots("datasets form")
    link_dataset(page, datasets[0], "primary")
    assert page.locator(".alert", has_text="Dataset linked").is_visible()
    link_dataset(page, datasets[1], "supporting")
    shots("two datasets linked")
    check_page(page, f"/challenge/{name}/datasets")

    page.goto(f"/challenge/{name}")
    links = page.locator("#datasets a")
    assert sorted(links.all_inner_texts()) == sorted(d["title"] for d in datasets)
    assert page.locator("#timeline li[aria-current=step]", has_text="Development").is_visible()
    shots("challenge page with data")
    check_page(page, f"/challenge/{name}", scripts=False)
    assert not page.js_errors, page.js_errors


def test_anonymous_finds_the_challenge_from_the_dataset_page(page, shots):
    _user, org, datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"],
        title="Economía del cuidado",
        timeline=[
            {
                "stage": "launch",
                "starts": datathon_factories._at(-10),
                "ends": datathon_factories._at(-5),
            },
            {
                "stage": "development",
                "starts": datathon_factories._at(-2),
                "ends": datathon_factories._at(15),
                "notes": "Registro abierto",
            },
        ],
    )
    ckan_helpers.call_action(
        "challenge_dataset_add", id=challenge["id"], dataset=datasets[0]["id"], role="primary"
    )

    page.goto(f"/dataset/{datasets[0]['name']}")
    block = page.locator("#datathon-used-by")
    assert block.locator("h2", has_text="Challenges and projects using this data").is_visible()
    # where it is seen: right after the resources, above the additional info table
    order = page.eval_on_selector_all(
        "#dataset-resources, #datathon-used-by, .additional-info",
        "nodes => nodes.map(n => n.id || n.className)",
    )
    assert order.index("datathon-used-by") == order.index("dataset-resources") + 1, order
    shots("dataset page")
    # the page is core's, the block is ours
    check_page(page, "the dataset page", ours_only="#datathon-used-by")

    with page.expect_navigation():
        block.locator("a", has_text="Economía del cuidado").click()
    assert page.url.endswith(f"/challenge/{challenge['name']}")
    current = page.locator("#timeline li[aria-current=step]")
    assert current.count() == 1
    assert "Development" in current.inner_text()
    assert page.locator("#timeline li.past", has_text="Launch").count() == 1
    shots("challenge page")
    check_page(page, "the challenge page (anonymous)", scripts=False)

    page.goto("/challenge")
    assert page.locator("a", has_text="Economía del cuidado").first.is_visible()
    shots("challenge list")
    check_page(page, "/challenge (anonymous)")
    assert not page.js_errors, page.js_errors


def test_on_a_phone_the_page_comes_before_its_sidebar(page, shots):
    """Core's markup puts the sidebar first; on a narrow screen the columns
    stack, so a reader would scroll past it to find the challenge's title."""
    _user, org, _datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"], title="Movilidad y cuidado"
    )
    page.goto(f"/challenge/{challenge['name']}")
    title, sidebar = (
        page.locator("h1", has_text="Movilidad y cuidado"),
        page.locator("aside.secondary"),
    )
    # wide: side by side, the sidebar on the left
    assert sidebar.bounding_box()["x"] < title.bounding_box()["x"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shots("challenge page on a phone")
    assert title.bounding_box()["y"] < sidebar.bounding_box()["y"]
    assert title.bounding_box()["width"] > 300  # one column


def test_cross_site_post_without_token_changes_nothing(page, shots, ckan_server):
    user, org, _datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(owner_org=org["id"])
    login(page, user, PASSWORD)

    # the session cookie goes with the request, the CSRF token does not
    answer = page.request.post(f"/challenge/{challenge['name']}/delete", form={"confirm": "1"})
    assert answer.status in (400, 403)
    answer = page.request.post(
        f"/challenge/{challenge['name']}/edit",
        form={"title": "Hijacked", "owner_org": org["id"], "publish": "1"},
    )
    assert answer.status in (400, 403)

    # a plain form on another origin, submitted by the logged-in browser
    target = ckan_server(f"/challenge/{challenge['name']}/delete")
    page.goto("about:blank")
    page.set_content(f'<form method="post" action="{target}"><button>Go</button></form>')
    page.click("button")
    page.wait_for_load_state()
    shots("cross-site form answer")

    model.Session.remove()
    after = ckan_helpers.call_action("challenge_show", id=challenge["id"])
    assert after["state"] == "active"
    assert after["title"] == challenge["title"]


def test_team_registers_fills_the_project_and_submits(page, shots):
    pytest.importorskip("ckanext.datathon.team_views", reason="the team pages are not there yet")
    _organizer, org, datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(
        owner_org=org["id"], title="Movilidad segura"
    )
    for dataset in datasets:
        ckan_helpers.call_action("challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
    leader = factories.User(name=unique("leader"), password=PASSWORD)
    login(page, leader, PASSWORD)

    page.goto(f"/challenge/{challenge['name']}")
    with page.expect_navigation():
        page.get_by_role("link", name="Register a team").first.click()
    assert page.url.endswith(f"/challenge/{challenge['name']}/register"), page.url
    shots("register form")
    check_page(page, "the registration page", scripts=False)
    page.fill("#field-title", "Rutas seguras a la escuela")
    page.fill("#field-team_name", "Las Rutas")
    page.check("#field-accept_rules")
    with page.expect_navigation():
        page.click("button:has-text('Register the team')")
    assert "/project/edit/" in page.url, page.url
    assert page.locator(".alert", has_text="Your team is registered").is_visible()
    assert page.locator(".datathon-banner-draft").is_visible()
    shots("project form")
    check_page(page, "the project form", scripts=False)

    page.fill("[name=repository_url]", "https://github.com/las-rutas/rutas-seguras")
    page.select_option("select[name=code_licence]", "MIT")
    page.locator("#section-data").get_by_text("Add", exact=True).click()
    page.select_option("select[name=datasets_used-0-dataset]", datasets[0]["id"])
    # only the chosen dataset's resources are offered
    resources = "select[name=datasets_used-0-resource_ids]"
    offered = page.eval_on_selector_all(
        f"{resources} optgroup:not([hidden])", "groups => groups.map(g => g.dataset.dataset)"
    )
    assert offered == [datasets[0]["id"]]
    page.select_option(resources, datasets[0]["resources"][0]["id"])
    shots("project form filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Update Project").click()
    assert "/project/edit/" not in page.url, page.locator(".error-explanation").all_inner_texts()
    shots("project page draft")

    with page.expect_navigation():
        page.get_by_role("link", name="Submit").first.click()
    assert page.url.endswith("/submit"), page.url
    shots("submit confirmation")
    check_page(page, "the submit page", scripts=False)
    with page.expect_navigation():
        page.click("button:has-text('Confirm submission')")
    assert page.locator(".datathon-banner-submitted").is_visible()
    assert page.locator(".alert", has_text="Your project is submitted").is_visible()
    shots("project submitted")

    project_name = page.url.rstrip("/").rsplit("/", 1)[-1]
    project = ckan_helpers.call_action("package_show", id=project_name)
    assert project["submission_status"] == "submitted"
    assert project["repository_url"] == "https://github.com/las-rutas/rutas-seguras"
    assert project["code_licence"] == "MIT"
    assert [d["dataset"] for d in project["datasets_used"]] == [datasets[0]["id"]]
    assert project["datasets_used"][0]["resource_ids"] == [datasets[0]["resources"][0]["id"]]
    assert not page.js_errors, page.js_errors


def test_countdown_starts_and_lets_the_other_modules_start(page, shots):
    _user, org, _datasets = organizer_with_data()
    challenge = datathon_factories.PublishedChallengeFactory(owner_org=org["id"])
    page.goto(f"/challenge/{challenge['name']}")
    not_started = modules_not_started(page)
    shots("challenge page")
    assert not not_started, f"modules not started: {not_started}"
    countdown = page.locator("[data-module=datathon-countdown]").first
    assert "left" in countdown.inner_text()
