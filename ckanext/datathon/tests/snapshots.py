"""Data made once per session and copied back for every test that asks for it
(``built_once``; ``tests/logic/conftest.py``'s ``world``).

A module of its own, not ``conftest.py``: pytest imports the conftest files
under another module name than ``ckanext.datathon.tests.conftest``, and the
snapshots must be one registry for the fixtures and ``clean_db``."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories as ckan_factories

from ckanext.datathon.lib import header_counts

# how long the copy waits for a lock held by another connection (as clean_db)
LOCK_TIMEOUT = "20s"


T = TypeVar("T")

# key -> (the builder's answer, faker's unique values, {table: [columns]},
# the search index's documents of its datasets)
_SNAPSHOTS: dict[str, tuple[Any, dict[Any, Any], dict[str, list[str]], list[str]]] = {}
# key -> the rows of every table just after the snapshot was taken or restored
_COUNTS: dict[str, dict[str, int]] = {}


def _snapshot_schema(key: str) -> str:
    # PostgreSQL cuts names at 63 bytes: a digest of the key, never cut
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:20]
    return f"datathon_snapshot_{digest}"


def _tables(connection: sa.Connection) -> list[str]:
    return list(
        connection.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename NOT LIKE '%alembic_version' ORDER BY tablename"
            )
        ).scalars()
    )


def _row_counts() -> dict[str, int]:
    """The rows of every table, in one statement."""
    with model.meta.engine.connect() as connection:
        tables = _tables(connection)
        columns = [
            sa.select(sa.func.count()).select_from(sa.table(name)).scalar_subquery().label(name)
            for name in tables
        ]
        return dict(connection.execute(sa.select(*columns)).one()._mapping)


def drop_all() -> None:
    """Forget every snapshot (the tables were dropped and created again)."""
    if not _SNAPSHOTS:
        return
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        for key in _SNAPSHOTS:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{_snapshot_schema(key)}" CASCADE'))
    _SNAPSHOTS.clear()
    _COUNTS.clear()


def empty_tables(connection: sa.Connection) -> None:
    """Delete every row of every table but the ``*alembic_version`` ones, in
    one statement: each table is a ``DELETE`` of one data-modifying ``WITH``
    clause, so the foreign keys (no action, cascade, set null; none is
    ``RESTRICT``) are checked once, at its end, whatever the order.  On the
    small tables of a test this takes a tenth of the time of ``TRUNCATE``, which
    creates new files for every table."""
    tables = [
        row[0]
        for row in connection.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename NOT LIKE '%alembic_version' ORDER BY tablename"
            )
        )
    ]
    clauses = ", ".join(
        f'd{number} AS (DELETE FROM "{name}")'  # noqa: S608  (catalogue names)
        for number, name in enumerate(tables)
    )
    connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    connection.execute(sa.text(f"WITH {clauses} SELECT 1"))


def _copy_seen(seen: dict[Any, set[Any]]) -> dict[Any, set[Any]]:
    """A copy of faker's unique values: new sets of the same objects (its
    sentinel object must stay itself)."""
    return {key: set(values) for key, values in seen.items()}


def _indexed_ids() -> list[str]:
    """The datasets of the database that the search index holds (a test
    without ``clean_index`` may find others there, left by earlier tests)."""
    from ckan.lib.search import query_for

    indexed = set(query_for(model.Package).get_all_entity_ids(max_results=100_000))
    with model.meta.engine.connect() as connection:
        ids = connection.execute(sa.text("SELECT id FROM package")).scalars()
        return sorted(indexed.intersection(ids))


def _take_snapshot(key: str, value: Any, *, datasets: bool = False) -> None:
    schema = _snapshot_schema(key)
    model.Session.remove()
    columns: dict[str, list[str]] = {}
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        tables = connection.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename NOT LIKE '%alembic_version' ORDER BY tablename"
            )
        ).scalars()
        for table in list(tables):
            if not connection.execute(sa.text(f'SELECT EXISTS (SELECT FROM "{table}")')).scalar():  # noqa: S608
                continue
            if table == "package" and not datasets:
                # datasets are in the search index too: built_over restores it
                raise RuntimeError(f"snapshot {key!r}: datasets need built_over")
            connection.execute(
                sa.text(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM "{table}"')  # noqa: S608
            )
            columns[table] = list(
                connection.execute(
                    sa.text(
                        # the table's own columns but the generated ones
                        # (PostgreSQL computes them again on insert)
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND table_name = :table"
                        " AND is_generated = 'NEVER' ORDER BY ordinal_position"
                    ),
                    {"table": table},
                ).scalars()
            )
    seen = _copy_seen(ckan_factories.fake.unique._seen)
    indexed = _index_documents(_indexed_ids()) if datasets else []
    _SNAPSHOTS[key] = (copy.deepcopy(value), seen, columns, indexed)
    _COUNTS[key] = _row_counts()


class _Documents:
    """Stands for the Solr connection while core's indexer writes the
    documents of a snapshot's datasets: it keeps them, and Solr gets them
    when the snapshot is restored."""

    def __init__(self) -> None:
        self.kept: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], **_options: Any) -> None:
        self.kept.extend(copy.deepcopy(docs))

    def delete(self, **_options: Any) -> None:
        """A dataset the indexer drops is not in the index: nothing to keep."""

    def commit(self, **_options: Any) -> None:
        pass


def _index_documents(ids: list[str]) -> list[dict[str, Any]]:
    """The documents core's indexer (``search.rebuild``) makes for the
    datasets ``ids`` from the rows as they are now, the ones the snapshot
    keeps.  Restoring then sends Solr exactly those documents in one request
    instead of indexing every dataset again (two ``package_show`` and a Solr
    request each: most of a restore's time)."""
    from ckan.lib import search
    from ckan.lib.search import index as search_index

    documents = _Documents()
    connect = search_index.make_connection
    search_index.make_connection = lambda *_args, **_kwargs: documents  # type: ignore[assignment]
    try:
        search.rebuild(package_ids=ids)
    finally:
        search_index.make_connection = connect
        model.Session.remove()
    return documents.kept


def _restore_snapshot(key: str, *, replace: bool = False) -> Any:
    value, seen, columns, indexed = _SNAPSHOTS[key]
    schema = _snapshot_schema(key)
    model.Session.remove()
    clauses = []
    for number, (table, names) in enumerate(sorted(columns.items())):
        listed = ", ".join(f'"{name}"' for name in names)
        clauses.append(
            f'i{number} AS (INSERT INTO "{table}" ({listed})'  # noqa: S608  (catalogue names)
            f' SELECT {listed} FROM "{schema}"."{table}")'
        )
    with model.meta.engine.begin() as connection:
        if replace:
            empty_tables(connection)  # sets the lock timeout
        else:
            connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        if clauses:
            # one statement: the foreign keys are checked once, at its end
            connection.execute(sa.text(f"WITH {', '.join(clauses)} SELECT 1"))
    model.Session.remove()
    # rows written behind the actions' back: the users' kept header figures
    # (the same user ids as before) are out of date
    header_counts.forget_all()
    if indexed:
        from ckan.lib.search.common import make_connection

        # the search index as the builder left it: the documents core's
        # indexer made from these very rows, sent to Solr in one request
        make_connection().add(docs=copy.deepcopy(indexed), commit=True)
    ckan_factories.fake.unique._seen = _copy_seen(seen)
    return copy.deepcopy(value)


def built_once(key: str, build: Callable[[], T]) -> T:
    """The rows ``build()`` creates in the empty database of ``clean_db``, made
    through the actions once per session (per worker) and then copied back
    from a snapshot for every later test, with one ``INSERT`` statement: the
    same rows (ids, names, password hashes), the same answer (a deep copy)
    and the same unique values taken from CKAN's faker, so later factories do
    not repeat a name.  For data that lives in the database only (users,
    organizations, memberships, their activities): a builder that creates a
    dataset, which the search index holds too, is refused.  Use after
    ``clean_db``; the snapshots are dropped when ``clean_db`` recreates the
    tables (a migration test moved a schema: ``drop_all``)."""
    if key in _SNAPSHOTS:
        return _restore_snapshot(key)
    value = build()
    _take_snapshot(key, value)
    return value


def _config_digest() -> str:
    from ckan.common import config

    # "testing" flips as applications are built (core's pytest plugin sets it,
    # loading test.ini clears it): it changes nothing a builder makes
    text = repr(sorted((str(k), repr(v)) for k, v in config.items() if k != "testing"))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


def built_over(base: str, key: str, build: Callable[[], T]) -> T:
    """As :func:`built_once`, for data built on top of the snapshot ``base``
    (e.g. ``world``; ``""``: the empty database of ``clean_db``), datasets
    included.  The first call runs ``build()`` and
    keeps every row of the database (the base's with them) and the Solr
    documents core's indexer makes for the datasets in the search index; a
    later call empties the tables, copies all those rows back and sends Solr
    those documents again (the index was cleared by ``clean_index`` before
    the base was made).

    Only when the database holds exactly the base (the same rows in every
    table as just after ``base`` was restored): anything a test or fixture
    wrote before would be lost or kept for the next test, so ``build()`` then
    simply runs.  ``key`` names the builder and its arguments; a builder whose
    result depends on the clock may only be kept when a few minutes do not
    matter to the tests (``jury_scenario``: dates days away from now)."""
    counts = _row_counts()
    expected = _COUNTS.get(base) if base else dict.fromkeys(counts, 0)
    if counts != expected:
        return build()
    # a ckan_config mark may change what the builder makes
    key = f"{base}+{key}+{_config_digest()}"
    if key in _SNAPSHOTS:
        return _restore_snapshot(key, replace=True)
    value = build()
    _take_snapshot(key, value, datasets=True)
    return value
