"""Shared pieces of the benchmark scripts: a CKAN app on the bench database,
SQL query counting through SQLAlchemy events, Solr call counting by wrapping
CKAN's search connection, and timing helpers."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BENCH_DB_URL = os.environ.setdefault(
    "CKAN_SQLALCHEMY_URL",
    "postgresql://ckan_datathon:ckan_datathon@127.0.0.1:5433/ckan_datathon_bench",
)
os.environ.setdefault("CKAN_SOLR_URL", "http://127.0.0.1:8983/solr/ckan_bench")
os.environ.setdefault("CKAN_REDIS_URL", "redis://127.0.0.1:6380/7")


def load_app(ini: Path | None = None) -> Any:
    """Load CKAN with the test configuration pointed at the bench services."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(str(ini or REPO / "test.ini"))
    return make_app(config)


@dataclass
class Counter:
    sql: int = 0
    solr: int = 0


_counter = Counter()
_installed = False


def install_counters() -> None:
    """Count every SQL statement and every Solr request CKAN makes."""
    global _installed
    if _installed:
        return
    import pysolr
    import sqlalchemy as sa

    import ckan.model as model

    def on_sql(*_args: Any, **_kw: Any) -> None:
        _counter.sql += 1

    sa.event.listen(model.meta.engine, "before_cursor_execute", on_sql)

    original = pysolr.Solr._send_request

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        _counter.solr += 1
        return original(self, *args, **kwargs)

    pysolr.Solr._send_request = counted
    _installed = True


@contextlib.contextmanager
def counting() -> Iterator[Counter]:
    install_counters()
    start = Counter(_counter.sql, _counter.solr)
    result = Counter()
    try:
        yield result
    finally:
        result.sql = _counter.sql - start.sql
        result.solr = _counter.solr - start.solr


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    sql: int
    solr: int


def measure(call: Callable[[], Any], repeat: int = 30, warmup: int = 3) -> Timing:
    """Median and 95th percentile wall time of ``call``; queries of one call."""
    import ckan.model as model

    for _ in range(warmup):
        call()
        model.Session.remove()
    with counting() as counts:
        call()
    model.Session.remove()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
        model.Session.remove()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, counts.sql, counts.solr)


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
