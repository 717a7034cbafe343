"""The demo server's logs (scripts/wsgi.py, scripts/serve.sh): the files are
private (0600) and CKAN's logging setup no longer silences gunicorn's access
log.  That a served portal's 500 leaves its traceback in ``ckan.log`` is tested
on a real server: tests/e2e/test_server_log.py."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from ckanext.datathon.demo import server_logs

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def log_dir(tmp_path: Path):
    yield tmp_path
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    for logger in loggers:
        for handler in list(logger.handlers):
            if isinstance(handler, logging.FileHandler) and str(tmp_path) in handler.baseFilename:
                logger.removeHandler(handler)
                handler.close()


def test_loggers_that_do_not_propagate_reach_the_file_too(log_dir):
    # CKAN's ini: [logger_ckan] propagate = 0, with its own console handler
    ckan_logger = logging.getLogger("ckan.datathon_log_test")
    parent = logging.getLogger("ckan")
    propagate = parent.propagate
    parent.propagate = False
    try:
        path = server_logs.configure(log_dir)
        ckan_logger.error("probe from a ckan logger")
        for handler in parent.handlers:
            handler.flush()
        assert "probe from a ckan logger" in path.read_text(encoding="utf-8")
    finally:
        parent.propagate = propagate


def test_files_are_private_and_gunicorn_loggers_on(log_dir):
    (log_dir / "ckan.log").write_text("old\n")
    (log_dir / "ckan.log").chmod(0o644)
    access = logging.getLogger("gunicorn.access")
    access.disabled = True  # what CKAN's fileConfig does to it
    path = server_logs.configure(log_dir)
    assert path == log_dir / "ckan.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not access.disabled
    assert not logging.getLogger("gunicorn.error").disabled
    server_logs.configure(log_dir)  # again: one handler, not two
    handlers = [
        h for h in logging.getLogger().handlers if str(log_dir) in getattr(h, "baseFilename", "")
    ]
    assert len(handlers) == 1


def test_serve_sh_writes_every_log_under_services_ckan():
    script = (REPO / "scripts" / "serve.sh").read_text()
    assert '--access-logfile "$STATE/access.log"' in script
    assert "DATATHON_LOG_DIR=$STATE" in script
    assert "--umask 0077" in script
    assert "--capture-output" in script
    wsgi = (REPO / "scripts" / "wsgi.py").read_text()
    # after load_config, whose fileConfig disables the loggers that exist
    assert wsgi.index("load_config(_ini)") < wsgi.index("server_logs.configure")
