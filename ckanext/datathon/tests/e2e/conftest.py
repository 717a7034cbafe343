"""Browser end-to-end tests: a real CKAN server driven by Debian's Chromium.

* ``ckan_server`` (session): gunicorn serving ``scripts/wsgi.py`` with
  ``test.ini`` on a free port of 127.0.0.1, in its own process group, with the
  environment of the test process (so the same PostgreSQL database, Solr core
  and Redis database); stopped at the end of the session.
* ``e2e_db`` (module): the database is reset and migrated once per module, not
  per test -- the server reads what the tests create through the actions
  (each action commits), so names are unique instead of the tables clean.
* ``browser`` (session): one Chromium (``/usr/bin/chromium``, never a
  downloaded one) with a fresh user-data-dir; each test gets its own context
  and page (``page``), so cookies never leak between tests.
* ``shots``: saves a screenshot of each step under
  ``.artifacts/screenshots/<test>/<nn>-<step>.png`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ckan.common import config

from ckanext.datathon.tests.e2e import axe
from ckanext.datathon.tests.helpers import module_database

REPO = Path(__file__).resolve().parents[4]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("DATATHON_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = REPO / ".artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 120  # seconds; the first request builds the webassets


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/3/action/status_show", timeout=5) as answer:  # noqa: S310
            return answer.status == 200
    except OSError:
        return False


class Server:
    def __init__(self, url: str, log: Path, log_dir: Path):
        self.url = url
        self.log = log
        # scripts/wsgi.py's application log (DATATHON_LOG_DIR), as on the demo
        self.log_dir = log_dir

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def ckan_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A CKAN server for the whole session (the same config, DB, Solr, Redis)."""
    port = int(os.environ.get("DATATHON_E2E_PORT") or _free_port())
    url = f"http://127.0.0.1:{port}"
    state = tmp_path_factory.mktemp("ckan-server")
    log = state / "gunicorn.log"
    env = dict(os.environ)
    env.update(
        CKAN_INI=str(REPO / "test.ini"),
        CKAN_SITE_URL=url,
        # its own webassets and uploads, not those of other test runs
        CKAN_STORAGE_PATH=str(state / "storage"),
        # the same services as this process, whatever test.ini says
        CKAN_SQLALCHEMY_URL=str(config["sqlalchemy.url"]),
        CKAN_SOLR_URL=str(config["solr_url"]),
        CKAN_REDIS_URL=str(config["ckan.redis.url"]),
        # the demo server's application log (ckan.log), as scripts/serve.sh sets it
        DATATHON_LOG_DIR=str(state / "logs"),
    )
    command = [
        str(VENV_BIN / "gunicorn"),
        "--chdir",
        str(REPO / "scripts"),
        "wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--timeout",
        "120",
        "--error-logfile",
        str(log),
    ]
    process = subprocess.Popen(  # noqa: S603
        command, env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                pytest.fail(f"CKAN did not start on {url}:\n{tail}")
            time.sleep(0.3)
        # build the webassets once, before the first timed page
        urllib.request.urlopen(url + "/", timeout=60).close()  # noqa: S310
        yield Server(url, log, state / "logs")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def e2e_db(reset_db: Any, migrate_db_for: Any) -> None:
    """Reset the database and the search index once for the module (``clean_db``
    would reset them under the running server's feet at every test)."""
    with module_database(reset_db, migrate_db_for):
        pass


@pytest.fixture(autouse=True)
def _e2e_setup(e2e_db: None, with_plugins: None) -> None:
    """Every test: the module's database, and the plugins loaded in this process
    so that factories and actions work."""


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Debian's Chromium, headless.  Playwright refuses ``--user-data-dir`` in
    ``launch()``: it creates a fresh profile itself (``playwright_chromiumdev_
    profile-*`` under the driver's TMPDIR, removed on close), so the driver is
    started with TMPDIR pointing at a temporary folder of this session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run WITH_BROWSER=1 bash scripts/bootstrap.sh")
    profiles = tmp_path_factory.mktemp("chromium")
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(profiles)
    try:
        playwright = sync_api.sync_playwright().start()
    finally:
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        shutil.rmtree(profiles, ignore_errors=True)


@pytest.fixture
def page(browser: Any, ckan_server: Server) -> Any:
    context = browser.new_context(
        base_url=ckan_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    server_errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            server_errors.append(f"{r.status} {r.request.method} {r.url}")
            if r.status >= 500
            else None
        ),
    )
    yield page
    context.close()
    assert not server_errors, f"the server answered with errors: {server_errors}"


class Shots:
    """Numbered screenshots of the steps of one test."""

    def __init__(self, page: Any, folder: Path):
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)

    def __call__(self, step: str) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(page: Any, request: pytest.FixtureRequest) -> Shots:
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return Shots(page, SCREENSHOTS / test)


def login(page: Any, user: dict[str, Any], password: str) -> None:
    """Log in through CKAN's real login form."""
    page.goto("/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]:has-text('Login')")
    assert "/user/login" not in page.url, f"login of {user['name']} failed: {page.url}"


@pytest.fixture(scope="session", autouse=True)
def _axe_report() -> None:
    """A fresh report of core's own axe violations for each session."""
    axe.REPORT.unlink(missing_ok=True)
