"""Small helpers shared by the datathon tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.lib import search
from ckan.tests import helpers

UTC = dt.timezone.utc


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(UTC).replace(microsecond=0)


def call_as(user: dict[str, Any] | None, action: str, /, **data: Any) -> Any:
    """Call ``action`` as ``user`` (None: anonymous), with a fresh context."""
    context = {"user": user["name"] if user else "", "model": model, "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)


def auth_as(user: dict[str, Any] | None, auth: str, /, **data: Any) -> bool:
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(auth, context=context, **data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        # ObjectNotFound: the user may not even know the object exists
        return False
    return True


@contextlib.contextmanager
def module_database(reset_db: Any, migrate_db_for: Any) -> Iterator[None]:
    """For a module-scoped fixture that builds its data once: the plugins
    loaded, the database reset and migrated and the search index emptied, then
    the block (which creates the module's data), then the plugins unloaded."""
    plugins.load_all()
    try:
        reset_db()
        search.clear_all()
        for plugin in ("activity", "datathon"):
            if plugins.plugin_loaded(plugin):
                migrate_db_for(plugin)
        if "ckanext.harvest.model" in sys.modules and not plugins.plugin_loaded("harvest"):
            # its mapped classes join every dataset purge to harvest_object,
            # loaded or not (the federation tests imported them)
            plugins.load("harvest")
            try:
                migrate_db_for("harvest")
            finally:
                plugins.unload("harvest")
        yield
        model.Session.remove()
    finally:
        plugins.unload_all()


class Statements:
    """The SQL statements run while in the block (CKAN's engine)."""

    def __enter__(self) -> Statements:
        self.run: list[str] = []
        sa.event.listen(model.meta.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.run.append(statement)

    def __exit__(self, *exc: Any) -> None:
        sa.event.remove(model.meta.engine, "before_cursor_execute", self._count)

    def containing(self, text: str) -> list[str]:
        return [s for s in self.run if text in s]

    @property
    def ours(self) -> list[str]:
        return self.containing("datathon_")


def store_legacy_team_members(project_id: str, members: list[dict]) -> None:
    """Store ``team_members`` as the code before teams by consent did: a
    free-text package extra (the upgrade tests start from it)."""
    p = model.Package.__table__
    value = json.dumps(members)
    if "extras" in p.c:  # CKAN 2.12
        pkg = model.Session.get(model.Package, project_id)
        pkg.extras = {**(pkg.extras or {}), "team_members": value}
    else:  # CKAN 2.11
        model.Session.execute(
            sa.insert(model.package_extra_table),  # type: ignore[attr-defined]
            {
                "id": f"{project_id}-tm",
                "package_id": project_id,
                "key": "team_members",
                "value": value,
                "state": "active",
            },
        )


CKAN = str(Path(sys.executable).with_name("ckan"))


def run_ckan(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``ckan`` command of this virtualenv on the test configuration
    (the worker's database and Solr core: they are in the environment)."""
    return subprocess.run(  # noqa: S603
        [CKAN, "-c", tk.config["__file__"], *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def ckan_ok(*args: str) -> str:
    """``run_ckan`` after committing this process's session; it must succeed
    without a traceback.  Its standard output."""
    model.Session.commit()
    model.Session.remove()
    done = run_ckan(*args)
    model.Session.remove()
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def previous_release_labels(monkeypatch: Any) -> None:
    """Write as the release before the permission labels did: core's labels
    for every dataset, nothing relabelled, every activity type recorded."""
    from ckan.lib.plugins import DefaultPermissionLabels

    from ckanext.datathon.logic import labels

    monkeypatch.setattr(
        labels.ProjectPermissionLabels,
        "get_dataset_labels",
        DefaultPermissionLabels.get_dataset_labels,
    )
    monkeypatch.setattr(labels, "changed_projects", lambda session: set())
    monkeypatch.setattr(labels, "keeps_activity", lambda data_dict: True)
