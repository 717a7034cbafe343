"""A real mail catcher (scripts/mail_catcher.py, aiosmtpd) and a real worker
(``ckan jobs worker --burst``, a subprocess on the same database and Redis)
for the mail tests."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs

from ckanext.datathon import config

REPO = Path(__file__).resolve().parents[3]
CKAN = Path(sys.executable).with_name("ckan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Catcher(SimpleNamespace):
    directory: Path
    port: int

    def messages(self) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            found.append(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
        return found  # type: ignore[return-value]

    def recipients(self) -> list[str]:
        return sorted(m["X-Catcher-Rcpt-To"] for m in self.messages())


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[Catcher]:
    """The demo's mail catcher on a free port, keeping mail in a temporary folder."""
    port = free_port()
    directory = tmp_path / "mail"
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [
            sys.executable,
            str(REPO / "scripts" / "mail_catcher.py"),
            "--port",
            str(port),
            "--dir",
            str(directory),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the mail catcher did not start") from None
            time.sleep(0.1)
    try:
        yield Catcher(directory=directory, port=port)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def mail_queue() -> Iterator[None]:
    """The plugin's queue, empty before and after the test."""
    queue = ckan_jobs.get_queue(config.mail_queue())
    queue.empty()
    yield
    queue.empty()


def _logging_sections() -> str:
    text = (REPO / "test.ini").read_text(encoding="utf-8")
    return text[text.index("[loggers]") :]


def run_worker(tmp_path: Path, smtp_server: str) -> str:
    """Run ``ckan jobs worker --burst <queue>`` until the queue is empty, with
    this test's database, Solr and Redis and ``smtp_server``; its log."""
    ini = tmp_path / "worker.ini"
    ini.write_text(
        "[DEFAULT]\ndebug = false\n\n[app:main]\n"
        f"use = config:{REPO / 'test.ini'}\n"
        f"smtp.server = {smtp_server}\n"
        "smtp.mail_from = portal@datathon.example\n"
        f"ckanext.datathon.mail_attempts = {tk.config.get('ckanext.datathon.mail_attempts', 3)}\n"
        f"ckan.locale_default = {tk.config.get('ckan.locale_default') or 'en'}\n\n"
        # CKAN 2.11 reads the logging sections of the file it is given (2.12
        # those of the first file of the chain that has them): test.ini's
        + _logging_sections(),
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["CKAN_SQLALCHEMY_URL"] = tk.config["sqlalchemy.url"]
    env["CKAN_SOLR_URL"] = tk.config["solr_url"]
    env["CKAN_REDIS_URL"] = tk.config["ckan.redis.url"]
    env.pop("CKAN_INI", None)
    done = subprocess.run(  # noqa: S603 (the ckan command of this virtualenv)
        [str(CKAN), "-c", str(ini), "jobs", "worker", "--burst", config.mail_queue()],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    return log
