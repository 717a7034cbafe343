"""WSGI entry point of the benchmark's gunicorn servers: the CKAN app of
$CKAN_INI, with each response carrying the number of SQL statements
(SQLAlchemy ``before_cursor_execute`` events) and Solr requests (pysolr, the
client CKAN's search uses) it took, as ``X-Bench-SQL`` and ``X-Bench-Solr``.

Sync workers serve one request at a time, so the difference of the process's
counters before and after a request is that request's.  Used by both
virtualenvs (ours and ckanext-showcase's): it imports nothing of ours.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

import pysolr
import sqlalchemy as sa

import ckan.model as model
from ckan.cli import load_config
from ckan.config.middleware import make_app

_ini = os.environ["CKAN_INI"]
logging.basicConfig(level=logging.WARNING)
_app = make_app(load_config(_ini))
_counts = {"sql": 0, "solr": 0}


def _on_sql(*_args: Any, **_kwargs: Any) -> None:
    _counts["sql"] += 1


sa.event.listen(model.meta.engine, "before_cursor_execute", _on_sql)
_send_request = pysolr.Solr._send_request


def _counted_send_request(self: Any, *args: Any, **kwargs: Any) -> Any:
    _counts["solr"] += 1
    return _send_request(self, *args, **kwargs)


pysolr.Solr._send_request = _counted_send_request


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    sql, solr = _counts["sql"], _counts["solr"]

    def counted_start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        headers = [
            *headers,
            ("X-Bench-SQL", str(_counts["sql"] - sql)),
            ("X-Bench-Solr", str(_counts["solr"] - solr)),
        ]
        return start_response(status, headers, *exc)

    return _app(environ, counted_start_response)
