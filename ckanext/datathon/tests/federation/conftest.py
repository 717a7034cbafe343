"""A second, real CKAN portal for the federation tests: the *source*.

``source_portal`` (module scope) creates the database ``<test database>_source``
on the test PostgreSQL, migrates it (core, activity, datathon), creates a
sysadmin and an API token with ``ckan`` commands, and serves it with gunicorn
(``scripts/wsgi.py``) on a free port of 127.0.0.1 with its own site id (so its
Solr documents and Redis keys are its own).  The tests' own process is the
harvesting portal; the source is only ever reached over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ckan.common import config

REPO = Path(__file__).resolve().parents[4]
VENV_BIN = Path(sys.executable).parent
SOURCE_PLUGINS = "datathon scheming_datasets activity"
START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Portal:
    """The source portal's action API, as its sysadmin (``call``) or anonymously."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    def call(self, action: str, anonymous: bool = False, **data: Any) -> Any:
        request = urllib.request.Request(  # noqa: S310 (our own server)
            f"{self.url}/api/3/action/{action}",
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json"},
        )
        if not anonymous:
            request.add_header("Authorization", self.token)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                return json.loads(answer.read())["result"]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{action}: {error.code} {error.read()[:2000]!r}") from None

    def clear_challenges(self) -> None:
        """Every challenge of the source deleted (each test starts from none)."""
        for state in ("active", "draft"):
            while True:
                page = self.call("challenge_list", state=state, limit=100)
                if not page["results"]:
                    break
                for entry in page["results"]:
                    self.call("challenge_delete", id=entry["id"])


def _ckan(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [str(VENV_BIN / "ckan"), "-c", str(REPO / "test.ini"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"ckan {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/3/action/status_show", timeout=5) as answer:  # noqa: S310
            return answer.status == 200
    except OSError:
        return False


HARVEST_PLUGINS = "datathon scheming_datasets activity harvest datathon_harvester"


@pytest.fixture(scope="session")
def harvest_ini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """test.ini with ckanext-harvest and our harvester enabled, for the
    ``ckan harvester`` commands (the CLI reads its plugins from the file).
    CKAN 2.11 reads the logging sections of the file it is given: test.ini's."""
    text = (REPO / "test.ini").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("harvest-ini") / "harvest.ini"
    path.write_text(
        "[app:main]\n"
        f"use = config:{REPO / 'test.ini'}\n"
        f"ckan.plugins = {HARVEST_PLUGINS}\n\n" + text[text.index("[loggers]") :],
        encoding="utf-8",
    )
    return path


@pytest.fixture
def harvest_cli(harvest_ini: Path) -> Any:
    from ckan.tests.helpers import CKANCliRunner

    return CKANCliRunner(env={"CKAN_INI": str(harvest_ini)})


@pytest.fixture(scope="module")
def source_portal(tmp_path_factory: pytest.TempPathFactory) -> Any:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    state = tmp_path_factory.mktemp("source-portal")
    local_db = str(config["sqlalchemy.url"])
    # the test database's name + "_source" (each xdist worker has its own)
    source_name = local_db.rsplit("/", 1)[1].split("?")[0] + "_source"
    source_db = local_db.rsplit("/", 1)[0] + "/" + source_name
    subprocess.run(  # noqa: S603
        ["bash", str(REPO / "scripts/services/postgres.sh"), "recreate-db", source_name],  # noqa: S607
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    redis_url = str(config["ckan.redis.url"]).rsplit("/", 1)[0] + "/15"
    env = dict(os.environ)
    env.update(
        CKAN_INI=str(REPO / "test.ini"),
        CKAN_SITE_URL=url,
        CKAN_SITE_ID="datathon.source",
        CKAN__PLUGINS=SOURCE_PLUGINS,
        CKAN_SQLALCHEMY_URL=source_db,
        CKAN_SOLR_URL=str(config["solr_url"]),
        CKAN_REDIS_URL=redis_url,
        CKAN_STORAGE_PATH=str(state / "storage"),
    )
    _ckan(env, "db", "init")
    for plugin in ("activity", "datathon"):
        _ckan(env, "db", "upgrade", "-p", plugin)
    _ckan(
        env, "user", "add", "source-admin", "email=admin@source.test", "password=source-pass-1234"
    )
    _ckan(env, "sysadmin", "add", "source-admin")
    token = _ckan(env, "user", "token", "add", "source-admin", "tests").strip().splitlines()[-1]
    log = state / "gunicorn.log"
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
                pytest.fail(f"the source portal did not start on {url}:\n{tail}")
            time.sleep(0.3)
        portal = Portal(url, token.strip())
        portal.org = portal.call("organization_create", name="city-hall", title="City Hall")
        yield portal
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _search_index_left_empty() -> Iterator[None]:
    """Harvest sources are datasets of type ``harvest`` in the search index:
    a later module's search page, without the harvest plugin loaded, could not
    link them (``harvest.read``).  The index is emptied after the module."""
    yield
    from ckan.lib.search import clear_all

    clear_all()
