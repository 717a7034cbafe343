"""A server error on a served portal leaves its traceback in the log.

The server is the browser tests' gunicorn (``scripts/wsgi.py`` with
``test.ini``), with ``DATATHON_LOG_DIR`` set as ``scripts/serve.sh`` sets it for
the demo; ``test.ini`` enables the tests-only plugin ``datathon_test_probe``,
whose route always fails.
"""

from __future__ import annotations

import stat
import time
import urllib.error
import urllib.request

import pytest

from ckanext.datathon.tests.probe_plugin import FAIL_MESSAGE, FAIL_PATH

pytestmark = pytest.mark.e2e


def _read_when_written(path, needle: str, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if needle in text:
            break
        time.sleep(0.1)
    return text


def test_a_server_error_is_logged_with_its_traceback(ckan_server):
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(ckan_server(FAIL_PATH), timeout=30)  # noqa: S310
    assert answer.value.code == 500
    log = ckan_server.log_dir / "ckan.log"
    text = _read_when_written(log, FAIL_MESSAGE)
    assert "Traceback (most recent call last)" in text
    assert f"ZeroDivisionError: {FAIL_MESSAGE}" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
