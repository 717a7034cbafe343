"""Log files of the demo server (scripts/serve.sh, scripts/wsgi.py).

CKAN's ``load_config`` applies the ini's logging sections with
``logging.config.fileConfig``, which disables every logger that existed
before: gunicorn's ``gunicorn.access`` and ``gunicorn.error`` among them, so
``access.log`` stayed empty; and the ini's only handler writes to stderr,
which a daemonised gunicorn sends to /dev/null, so a 500 left no trace.

``configure(directory)`` runs after ``load_config``: it turns gunicorn's
loggers back on and sends every record of the application (INFO and above:
each request error with its traceback) to ``<directory>/ckan.log``.  The
files are created with mode 0600: access logs carry password-reset keys and
API paths, tracebacks carry request data.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

APPLICATION_LOG = "ckan.log"
FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


def private_file(path: Path) -> Path:
    """Create ``path`` (mode 0600) if missing, and make it 0600 if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def configure(directory: Path) -> Path:
    """Application log in ``directory``; gunicorn's loggers enabled again.
    Returns the application log's path.  Safe to call more than once."""
    directory.mkdir(parents=True, exist_ok=True)
    path = private_file(directory / APPLICATION_LOG)
    for name in ("gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).disabled = False
    root = logging.getLogger()
    if any(_writes_to(h, path) for h in root.handlers):
        return path
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    for logger in logging.Logger.manager.loggerDict.values():
        if not isinstance(logger, logging.Logger):
            continue
        # The ini may have disabled loggers of modules imported before it was
        # read: errors must reach the handler.
        logger.disabled = False
        # CKAN's ini gives "ckan", "ckanext" and "werkzeug" their own handler
        # and propagate = 0: their records never reach the root's handlers.
        if not logger.propagate and not any(_writes_to(h, path) for h in logger.handlers):
            logger.addHandler(handler)
    return path


def _writes_to(handler: logging.Handler, path: Path) -> bool:
    return isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path
