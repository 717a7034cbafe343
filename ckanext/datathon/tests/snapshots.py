"""Data made once per session and copied back for every test that asks for it
(``built_once``; ``tests/logic/conftest.py``'s ``world``).

A module of its own, not ``conftest.py``: pytest imports the conftest files
under another module name than ``ckanext.datathon.tests.conftest``, and the
snapshots must be one registry for the fixtures and ``clean_db``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories as ckan_factories

# how long the copy waits for a lock held by another connection (as clean_db)
LOCK_TIMEOUT = "20s"


T = TypeVar("T")

# key -> (the builder's answer, faker's unique values, {table: [columns]})
_SNAPSHOTS: dict[str, tuple[Any, dict[Any, Any], dict[str, list[str]]]] = {}


def _snapshot_schema(key: str) -> str:
    return f"datathon_snapshot_{key}"


def drop_all() -> None:
    """Forget every snapshot (the tables were dropped and created again)."""
    if not _SNAPSHOTS:
        return
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        for key in _SNAPSHOTS:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{_snapshot_schema(key)}" CASCADE'))
    _SNAPSHOTS.clear()


def _copy_seen(seen: dict[Any, set[Any]]) -> dict[Any, set[Any]]:
    """A copy of faker's unique values: new sets of the same objects (its
    sentinel object must stay itself)."""
    return {key: set(values) for key, values in seen.items()}


def _take_snapshot(key: str, value: Any) -> None:
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
            if table == "package":
                # datasets are in the search index too, which is not restored
                raise RuntimeError(f"snapshot {key!r}: datasets cannot be restored")
            connection.execute(
                sa.text(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM "{table}"')  # noqa: S608
            )
            columns[table] = list(
                connection.execute(
                    sa.text(
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_schema = :schema AND table_name = :table"
                        " ORDER BY ordinal_position"
                    ),
                    {"schema": schema, "table": table},
                ).scalars()
            )
    seen = _copy_seen(ckan_factories.fake.unique._seen)
    _SNAPSHOTS[key] = (copy.deepcopy(value), seen, columns)


def _restore_snapshot(key: str) -> Any:
    value, seen, columns = _SNAPSHOTS[key]
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
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        if clauses:
            # one statement: the foreign keys are checked once, at its end
            connection.execute(sa.text(f"WITH {', '.join(clauses)} SELECT 1"))
    model.Session.remove()
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
