"""Fixtures shared by the datathon tests.

CKAN's pytest plugin (``ckan.tests.pytest_ckan``) provides the fixtures; this
module registers our factories and replaces four of core's fixtures with
versions that keep the same contract but do not redo, for every test, work
whose result has not changed (profile and figures: docs/development.md,
"How the tests stay fast"):

* ``with_plugins`` loads the plugins only when the loaded set is not the one the
  test asks for.  Core's unloads them after every test and loads them again
  before the next: two ``update_config`` runs, each one re-registering every
  plugin's templates and assets (``toolkit.add_resource`` walks the stack),
  re-reading scheming's YAML and rebuilding the engine.  The plugins are
  loaded again when the test's ``ckan_config`` marks differ from those they
  were loaded under (a class of tests with the same marks loads them once); a
  test that provides plugin objects (``provide_plugin``, classes in a
  ``with_plugins`` mark) gets a load of its own, unloaded afterwards, as core
  does.
* ``app`` keeps the Flask application for as long as the same plugin objects are
  loaded under the same ``ckan_config`` marks (``make_app`` loads every plugin
  again); each test gets its own test client, so no cookie crosses tests.
* ``clean_db`` applies the migrations once (and again whenever a test moved a
  plugin's schema away from its head, as the migration tests do) and empties the
  tables with one statement instead of a ``DELETE`` (and a catalogue
  lookup) per table.  Nothing is
  rolled back: actions commit, and the threaded tests need real commits.
* CSRF exemptions that CKAN 2.12 adds to its process-wide ``CSRFProtect`` while
  a test runs (any anonymous request exempts its view) are undone after it.

Use the fixtures in this order: ``@pytest.mark.usefixtures("with_plugins",
"clean_db")`` -- plugins are loaded before the database is reset, so that the
datathon migrations can be found.
"""

from __future__ import annotations

import configparser
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from passlib.hash import pbkdf2_sha512
from pytest_factoryboy import register
from sqlalchemy.orm import close_all_sessions

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.core as plugins_core
from ckan.common import config
from ckan.tests import factories as ckan_factories
from ckan.tests import helpers as ckan_helpers

from ckanext.datathon.tests import factories, snapshots

register(factories.OrganizerOrganizationFactory, "organizer_org")
register(factories.ChallengeFactory, "challenge")
register(factories.PublishedChallengeFactory, "published_challenge")
register(factories.AllyFactory, "ally")
register(factories.ProjectFactory, "project")
register(factories.JurorFactory, "juror")
register(factories.CriterionFactory, "criterion")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets services of its own: database
    ``<name>_gw<n>``, Solr core ``<core>_gw<n>`` and Redis database ``2 + n``
    (scripts/test.sh creates them).  CKAN reads ``CKAN_SQLALCHEMY_URL``,
    ``CKAN_SOLR_URL`` and ``CKAN_REDIS_URL`` when its pytest plugin builds the
    app at the start of the session, after this hook."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not re.fullmatch(r"gw\d+", worker):
        return
    number = int(worker[2:])
    ini = configparser.RawConfigParser(strict=False)
    ini.read(config.getoption("ckan_ini") or "test.ini")
    app = ini["app:main"] if ini.has_section("app:main") else {}
    database = os.environ.get("CKAN_SQLALCHEMY_URL") or app["sqlalchemy.url"]
    solr = os.environ.get("CKAN_SOLR_URL") or app["solr_url"]
    redis = os.environ.get("CKAN_REDIS_URL") or app["ckan.redis.url"]
    os.environ["CKAN_SQLALCHEMY_URL"] = re.sub(r"/([^/?]+)(\?|$)", rf"/\1_{worker}\2", database)
    os.environ["CKAN_SOLR_URL"] = solr.rstrip("/") + f"_{worker}"
    os.environ["CKAN_REDIS_URL"] = re.sub(r"/\d*$", f"/{2 + number}", redis)


# Passwords: core's algorithm (PBKDF2-SHA512 through passlib) at 1,000 rounds
# instead of 25,000.  Every test user is hashed at least once, and logging in
# through the form verifies it again: 37-49 ms a hash here, 7 a test.
pbkdf2_sha512.default_rounds = 1000

# plugins whose migrations the tests need, in the order they are applied
MIGRATED = ("activity", "datathon", "harvest")

# plugins given as objects: loaded for the test alone
_FRESH_MARKS = ("provide_plugin",)


def _configuration(request: pytest.FixtureRequest) -> str:
    """What the test's ``ckan_config`` marks set, as a key: plugins loaded and
    an application built under one set of marks serve every test with the
    same set (the ``ckan_config`` fixture gives each the same values)."""
    return repr([mark.args for mark in request.node.iter_markers("ckan_config")])


def _marked(request: pytest.FixtureRequest, names: tuple[str, ...] = _FRESH_MARKS) -> bool:
    return any(True for name in names for _ in request.node.iter_markers(name))


def _loaded() -> tuple[Any, ...]:
    """The plugin objects loaded now, in load order (identity matters: a
    reload creates new objects)."""
    return tuple(plugins_core._PLUGINS_SERVICE[name] for name in plugins_core._PLUGINS)


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _system_plugins() -> set[str]:
    # CKAN 2.11 keeps its system plugins (synchronous_search) loaded
    find = getattr(plugins_core, "find_system_plugins", None)
    return set(find()) if find else set()


def _unload() -> None:
    """What core's ``with_plugins`` does after a test (2.11 keeps the system
    plugins; 2.12 has none)."""
    unload = getattr(p, "unload_non_system_plugins", None) or p.unload_all
    unload()
    _STATE.clear()


def _pooled_engine() -> None:
    """Give the model back a pooled engine.  Core's migration environment binds
    the model to its own ``NullPool`` engine (``init_model`` in
    ``ckan/migration/env.py``), after which every statement of the session would
    open a new PostgreSQL connection (25 ms each with SCRAM); core's fixtures
    hid this by loading the plugins, which rebuilds the engine, before every
    test."""
    if model.meta.engine is None or isinstance(model.meta.engine.pool, sa.pool.NullPool):
        model.init_model(sa.engine_from_config(dict(config)))


# what with_plugins last loaded: the ckan.plugins list it asked for and the
# plugin objects that came of it (anything else that loads or unloads plugins,
# make_app or a module's own fixture, leaves other objects behind)
_STATE: dict[str, Any] = {}


def _load(wanted: list[str], configuration: str) -> None:
    p.load_all()
    _STATE.update(wanted=list(wanted), plugins=_loaded(), configuration=configuration)


def _is_loaded(wanted: list[str], configuration: str) -> bool:
    return (
        _STATE.get("wanted") == wanted
        and _STATE.get("configuration") == configuration
        and _same(_STATE["plugins"], _loaded())
    )


@pytest.fixture(autouse=True)
def _plugins_only_when_asked(request: pytest.FixtureRequest) -> None:
    """A test that uses neither ``with_plugins`` nor ``app`` runs without
    plugins, as it would after core's ``with_plugins`` unloaded them."""
    if {"with_plugins", "app"} & set(request.fixturenames):
        return
    if set(plugins_core._PLUGINS) - _system_plugins():
        _unload()


@pytest.fixture
def with_plugins(
    ckan_config: Any,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[None]:
    """Core's ``with_plugins`` (the ``ckan.plugins`` option plus the plugins
    named by ``with_plugins`` marks), loading only when needed."""
    names: list[str] = []
    fresh = _marked(request)
    for mark in request.node.iter_markers("with_plugins"):
        for plugin in mark.args:
            if isinstance(plugin, str):
                names.append(plugin)
            elif isinstance(plugin, dict):  # CKAN 2.12: plugins given as classes
                fresh = True
                provide_plugin = request.getfixturevalue("provide_plugin")
                for name, impl in plugin.items():
                    provide_plugin(name, impl)
                    names.append(name)
            else:
                raise TypeError(f"unexpected argument {plugin!r} for the with_plugins mark")
    current = ckan_config["ckan.plugins"]
    if isinstance(current, str):
        current = current.split()
    wanted = list(current) + names
    monkeypatch.setitem(ckan_config, "ckan.plugins", wanted)
    configuration = _configuration(request)
    if fresh or not _is_loaded(wanted, configuration):
        _load(wanted, configuration)
    _pooled_engine()
    yield
    if fresh:
        # loaded under this test's configuration: not for the next test
        _unload()


_APP: dict[str, Any] = {}


@pytest.fixture
def app(make_app: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Core's ``app``, built once for as long as the same plugins stay loaded;
    a new test client (no cookies) for every test."""
    fresh = _marked(request)
    configuration = _configuration(request)
    if "with_plugins" in request.fixturenames:
        request.getfixturevalue("with_plugins")  # load first, so the app sees it
    cached = _APP.get("app")
    if (
        fresh
        or cached is None
        or _APP["configuration"] != configuration
        or not _same(_APP["plugins"], _loaded())
    ):
        _APP.clear()
        cached = make_app()  # loads every plugin of the configuration
        if not fresh:
            _APP.update(app=cached, plugins=_loaded(), configuration=configuration)
            if "with_plugins" in request.fixturenames:
                # the same list, loaded again
                _STATE.update(plugins=_loaded(), configuration=configuration)
    _pooled_engine()
    yield ckan_helpers.CKANTestApp(cached.app)
    if fresh:
        _unload()


@pytest.fixture
def cli(
    ckan_config: Any, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Core's ``cli`` runner.  In a test that loads the plugins, a ``ckan``
    command runs in the application of the ``app`` fixture (this test's
    configuration, the plugin objects already loaded) with a request context
    of its own, as ``ckan`` gives it; core's builds a new application at every
    ``invoke`` (``CtxObject`` calls ``make_app``: every plugin loaded again,
    1-2 s, up to 10 s on a busy machine), whose new plugin objects then made
    the next test load the plugins once more."""
    runner = ckan_helpers.CKANCliRunner(env={"CKAN_INI": ckan_config["__file__"]})
    if "with_plugins" not in request.fixturenames:
        yield runner  # the command loads the plugins of the file, as in production
        return
    from ckan.cli import cli as ckan_cli

    application = request.getfixturevalue("app").app
    pushed: list[Any] = []

    class InTheTestApplication:
        def __init__(self, conf: str | None = None) -> None:
            self.app = application
            self.config = config
            context = application._wsgi_app.test_request_context()
            context.push()
            pushed.append(context)

    monkeypatch.setattr(ckan_cli, "CtxObject", InTheTestApplication)
    yield runner
    for context in reversed(pushed):
        context.pop()


@pytest.fixture(scope="session")
def _csrf_exempt_at_start() -> tuple[set[str], set[str]]:
    from ckan.config.middleware.flask_app import csrf

    return set(csrf._exempt_views), set(csrf._exempt_blueprints)


@pytest.fixture(autouse=True)
def _restore_csrf_exemptions(_csrf_exempt_at_start: tuple[set[str], set[str]]) -> Iterator[None]:
    yield
    from ckan.config.middleware.flask_app import csrf

    views, blueprints = _csrf_exempt_at_start
    csrf._exempt_views.clear()
    csrf._exempt_views.update(views)
    csrf._exempt_blueprints.clear()
    csrf._exempt_blueprints.update(blueprints)


# ---------------------------------------------------------------- database

_HEADS: dict[str, str] = {}
_SCHEMA: dict[str, bool] = {}


@contextlib.contextmanager
def _loaded_for_a_moment(plugin: str) -> Iterator[None]:
    """CKAN finds a plugin's migrations through the loaded plugin."""
    if p.plugin_loaded(plugin):
        yield
        return
    p.load(plugin)
    try:
        yield
    finally:
        p.unload(plugin)


def _head(plugin: str) -> str:
    """The head revision of a plugin's migrations (read once)."""
    if plugin not in _HEADS:
        from ckan.cli.db import _resolve_alembic_config

        with _loaded_for_a_moment(plugin):
            ini = _resolve_alembic_config(plugin)
        config = AlembicConfig(ini)
        config.set_main_option("script_location", os.path.dirname(ini))
        _HEADS[plugin] = ScriptDirectory.from_config(config).get_current_head() or ""
    return _HEADS[plugin]


def _schema_at_head(connection: sa.Connection, plugins: tuple[str, ...]) -> bool:
    tables = {
        row[0]
        for row in connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        )
    }
    if "alembic_version" not in tables or "package" not in tables:
        return False
    for plugin in plugins:
        table = f"{plugin}_alembic_version"
        if table not in tables:
            return False
        query = sa.text(f'SELECT version_num FROM "{table}"')  # noqa: S608  (our names)
        versions = {row[0] for row in connection.execute(query)}
        if versions != {_head(plugin)}:
            return False
    return True


def _durability_off_for_tests() -> None:
    """The test database does not wait for its WAL to reach the disk at each
    commit (``synchronous_commit = off``: a crash may lose the last commits, it
    never corrupts).  A test commits some 30 times, 6 ms each with fsync."""
    engine = model.meta.engine
    with engine.begin() as connection:
        name = connection.execute(sa.text("SELECT current_database()")).scalar_one()
        quoted = connection.dialect.identifier_preparer.quote(name)
        connection.execute(sa.text(f"ALTER DATABASE {quoted} SET synchronous_commit = off"))
    engine.dispose()  # the setting applies to new connections


def _migrated_plugins() -> tuple[str, ...]:
    """The plugins whose tables the database needs: those loaded, and
    ckanext-harvest once its model is imported (by the federation tests): its
    mapped classes join every dataset purge to ``harvest_object``, loaded or
    not, so a later test that purges a dataset needs its tables."""
    plugins = [name for name in MIGRATED if p.plugin_loaded(name)]
    if (
        "harvest" in MIGRATED
        and "harvest" not in plugins
        and "ckanext.harvest.model" in sys.modules
    ):
        plugins.append("harvest")
    return tuple(plugins)


@pytest.fixture
def clean_db(reset_db: Any, migrate_db_for: Any, with_plugins: None) -> None:
    """An empty database at the head of core's, activity's and our migrations."""
    plugins = _migrated_plugins()
    model.Session.remove()
    close_all_sessions()
    engine = model.meta.engine
    with engine.connect() as connection:
        ready = _SCHEMA.get("ready") and _schema_at_head(connection, plugins)
    if not ready:
        # first test of the session, or a test moved a schema: core's reset
        # (tables dropped and created), then the plugins' migrations
        reset_db()
        for plugin in plugins:
            with _loaded_for_a_moment(plugin):
                migrate_db_for(plugin)
        _pooled_engine()
        _durability_off_for_tests()
        snapshots.drop_all()
        _SCHEMA["ready"] = True
    with engine.begin() as connection:
        snapshots.empty_tables(connection)
    model.Session.remove()
    # as core's reset_db fixture does: unique fake values may repeat again
    ckan_factories.fake.unique.clear()
