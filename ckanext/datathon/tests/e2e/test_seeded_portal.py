"""The demo portal (``ckan datathon seed-demo``) in a real browser.

The module seeds the demo content once into the e2e database, then visits
every page of the plugin on it, as anonymous visitors and as the demo
organizer, juror and team member, asserting that each page answers 200, has
no serious or critical axe violation in our markup and starts its scripts.
"""

from __future__ import annotations

from typing import Any

import pytest

import ckan.model as model
import ckan.plugins as plugins

from ckanext.datathon.demo import DEMO_PASSWORD, Seeder
from ckanext.datathon.tests.e2e.conftest import login
from ckanext.datathon.tests.e2e.test_flows import check_page

pytestmark = pytest.mark.e2e

TRANSPORT = "transporte-seguridad-mujeres-2023"
CARE = "economia-del-cuidado-2024"
PATIO = "patio-digital-ciclo-inovacao-aberta"


@pytest.fixture(scope="module")
def demo(e2e_db: None, ckan_server: Any) -> dict[str, Any]:
    """The demo portal, seeded once for the module, and names to visit."""
    plugins.load_all()
    try:
        Seeder(ckan_server.url, echo=lambda *_: None).run()
        projects = (
            model.Session.query(model.Package.name, model.Package.private)
            .filter(model.Package.type == "project", model.Package.state == "active")
            .order_by(model.Package.name)
            .all()
        )
        dataset = (
            model.Session.query(model.Package.name)
            .filter(model.Package.type == "dataset", model.Package.state == "active")
            .filter(model.Package.name == "afluencia-metro-por-sexo")
            .first()
        )
    finally:
        model.Session.remove()
        plugins.unload_all()
    public = [name for name, private in projects if not private]
    assert public, "the demo has submitted (public) projects"
    assert dataset, "the demo has the Metro ridership dataset"
    return {"project": public[0], "dataset": dataset[0]}


def visit(page: Any, path: str, where: str, **checks: Any) -> None:
    answer = page.goto(path)
    assert answer is not None, path
    assert answer.status == 200, f"{path}: {answer.status}"
    check_page(page, where, **checks)


# Pages of a published challenge anyone may read (path, countdown on the page).
PUBLIC_PAGES = [
    ("/challenge", False),
    ("/challenge?q=cuidado", False),
    ("/challenge?stage=impact", False),
    (f"/challenge/{TRANSPORT}", True),
    (f"/challenge/{CARE}", True),
    (f"/challenge/{PATIO}", True),
    (f"/challenge/{CARE}/projects", False),
    (f"/challenge/{CARE}/results", False),
    (f"/challenge/{TRANSPORT}/results", False),
    (f"/challenge/{TRANSPORT}/ideas", False),
    (f"/challenge/{PATIO}/ideas", False),
    (f"/challenge/{TRANSPORT}/impact", False),
    (f"/challenge/{PATIO}/impact", False),
    (f"/challenge/{CARE}/mentorship", False),
]


@pytest.mark.parametrize(("path", "countdown"), PUBLIC_PAGES)
def test_anonymous_pages_of_the_demo(page, demo, path, countdown):
    visit(page, path, f"{path} (anonymous)", scripts=not countdown)
    assert not page.js_errors, page.js_errors


def test_project_and_dataset_pages_of_the_demo(page, demo):
    visit(page, f"/project/{demo['project']}", "a demo project (anonymous)", scripts=False)
    visit(
        page,
        f"/dataset/{demo['dataset']}",
        "a demo dataset page (anonymous)",
        ours_only="#datathon-used-by",
    )
    assert page.locator(f"#datathon-used-by a[href$='/challenge/{TRANSPORT}']").count() >= 1
    visit(page, f"/dataset/{demo['dataset']}/challenges", "the dataset's challenges tab")
    assert not page.js_errors, page.js_errors


# (user, path) of the pages behind a login: organizers' forms, the jury, the team
SIGNED_IN_PAGES = [
    ("demo-organizadora", "/challenge/new"),
    ("demo-organizadora", f"/challenge/{CARE}/edit"),
    ("demo-organizadora", f"/challenge/{CARE}/datasets"),
    ("demo-organizadora", f"/challenge/{CARE}/delete"),
    ("demo-organizadora", f"/challenge/{CARE}/jury"),
    ("demo-organizadora", f"/challenge/{CARE}/results"),
    ("demo-organizadora", f"/challenge/{CARE}/mentorship"),
    ("demo-organizadora", f"/challenge/{TRANSPORT}/impact"),
    ("demo-organizadora", f"/challenge/{TRANSPORT}/ideas"),
    ("demo-organizadora-sp", f"/challenge/{PATIO}/ideas"),
    ("demo-organizadora-sp", f"/challenge/{PATIO}/impact"),
    ("demo-jurado", f"/challenge/{CARE}/jury"),
    ("demo-jurado", f"/challenge/{TRANSPORT}/jury"),
    ("demo-equipo", "/project/cuidados-mapa/team"),
    ("demo-equipo", "/dashboard"),
]


@pytest.mark.parametrize("user", sorted({user for user, _path in SIGNED_IN_PAGES}))
def test_signed_in_pages_of_the_demo(page, demo, user):
    login(page, {"name": user}, DEMO_PASSWORD)
    for path in [path for who, path in SIGNED_IN_PAGES if who == user]:
        if path == "/dashboard":  # core's page: only the blocks of ours
            visit(page, path, f"{path} ({user})", ours_only=".datathon-activity, .activity")
        else:
            visit(page, path, f"{path} ({user})")
    assert not page.js_errors, page.js_errors
