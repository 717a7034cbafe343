"""pytest plugin of ``make core-compat`` (issue 17 §8): run CKAN core's own
``ckan/tests/logic/action`` and ``ckan/tests/logic/auth`` tests, shipped in
the installed ``ckan`` package, with the plugins of the ``--ckan-ini`` file
loaded for **every** test, and record each test's outcome.

CKAN's pytest set-up unloads every plugin before the tests run; a test gets
plugins only through ``with_plugins`` and the ``ckan.plugins`` it sets with
``ckan_config``.  This plugin adds the ini file's plugins (the companions, or
the companions and ``datathon``) in front of each test's own list and loads
them with ``with_plugins``.  Nothing is written into the installed CKAN.

Options:

``--compat-report PATH``
    write ``{"ckan": version, "plugins": [...], "outcomes": {test: outcome}}``
    (outcome: ``passed``, ``failed``, ``skipped``); a test is named by its path
    from ``ckan/tests/`` on, so that reports of two runs compare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

_PLUGINS: list[str] = []
_OUTCOMES: dict[str, str] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--compat-report", action="store", default=None)


_NAMES: dict[str, str] = {}


def pytest_itemcollected(item: pytest.Item) -> None:
    # ``logic/action/test_create.py::TestX::test_y``: the path from
    # ``ckan/tests/`` (node ids of files outside the rootdir lose their
    # directory, and action/ and auth/ both have test_create.py)
    path = Path(str(item.path)).as_posix()
    at = path.rfind("/ckan/tests/")
    tail = item.nodeid.split("::", 1)[1] if "::" in item.nodeid else item.name
    _NAMES[item.nodeid] = f"{path[at + len('/ckan/tests/') :] if at >= 0 else path}::{tail}"


def _name(nodeid: str) -> str:
    return _NAMES.get(nodeid, nodeid)


# plugins of the ini whose tables come from their own migrations
MIGRATED = ("activity", "datathon")


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # CKAN's own sessionstart (ckan_setup) has read the ini into the config
    from ckan.common import config

    value = config.get("ckan.plugins") or []
    _PLUGINS[:] = value.split() if isinstance(value, str) else list(value)
    _migrate_after_first_reset()
    _keep_plugins_loaded()


def _keep_plugins_loaded() -> None:
    """CKAN's ``with_plugins`` loads the plugins before each test and unloads
    them after it (each time rebuilding the configuration): here they stay
    loaded while the next test wants the same ones (as this repository's own
    test suite does).  Only the names CKAN's fixture calls are replaced, for
    this process."""
    import ckan.plugins as p
    import ckan.plugins.core as core
    from ckan.common import config

    loaded: dict[str, Any] = {"set": None}

    def load_all() -> None:
        wanted = config.get("ckan.plugins") or []
        wanted = tuple(wanted.split() if isinstance(wanted, str) else wanted)
        if loaded["set"] == wanted:
            return
        core.load_all()  # unloads what was loaded first
        loaded["set"] = wanted

    def unload_all() -> None:
        return None  # until a test wants another set

    p.load_all = load_all  # type: ignore[assignment]
    p.unload_all = unload_all  # type: ignore[assignment]
    # CKAN 2.11's with_plugins unloads through this name instead
    if hasattr(p, "unload_non_system_plugins"):
        p.unload_non_system_plugins = unload_all  # type: ignore[assignment]


def _migrate_after_first_reset() -> None:
    """CKAN's ``clean_db`` resets with ``model.repo.rebuild_db()``: the first
    time in a process it drops every table and creates core's, later it only
    empties them.  The plugins' migrations follow the first reset (CKAN's
    ``reset_db`` fixture reads ``ckan.tests.helpers.reset_db`` when it first
    runs: it is replaced for this process, nothing is written into CKAN)."""
    import ckan.model as model
    import ckan.tests.helpers as helpers

    original = helpers.reset_db

    def reset_db() -> None:
        first = not model.repo.tables_created_and_initialised
        original()
        if first:
            import ckan.plugins as p
            from ckan.cli.db import _run_migrations

            for plugin in MIGRATED:
                if plugin not in _PLUGINS:
                    continue
                loaded = p.plugin_loaded(plugin)
                if not loaded:
                    p.load(plugin)
                try:
                    _run_migrations(plugin)
                finally:
                    if not loaded:
                        p.unload(plugin)

    helpers.reset_db = reset_db


@pytest.fixture(autouse=True)
def _compat_plugins(ckan_config: Any, monkeypatch: pytest.MonkeyPatch, request: Any) -> None:
    """The ini's plugins first, then the test's own (without repeats), loaded
    by CKAN's ``with_plugins`` for the length of the test."""
    own = ckan_config.get("ckan.plugins") or []
    own = own.split() if isinstance(own, str) else list(own)
    plugins = list(dict.fromkeys([*_PLUGINS, *own]))
    monkeypatch.setitem(ckan_config, "ckan.plugins", " ".join(plugins))
    request.getfixturevalue("with_plugins")
    import ckan.plugins as p

    missing = [name for name in _PLUGINS if not p.plugin_loaded(name)]
    assert not missing, f"core-compat: plugins not loaded: {missing}"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    name = _name(report.nodeid)
    if report.failed:
        _OUTCOMES[name] = "failed"
    elif report.skipped and _OUTCOMES.get(name) != "failed":
        _OUTCOMES[name] = "skipped"
    elif report.when == "call" and report.passed:
        _OUTCOMES.setdefault(name, "passed")


_REPORT: dict[str, Any] = {"path": None, "done": 0}


def pytest_configure(config: pytest.Config) -> None:
    _REPORT["path"] = config.getoption("--compat-report")


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    # written every 25 tests too: an interrupted run leaves its outcomes so far
    _REPORT["done"] += 1
    if _REPORT["done"] % 25 == 0:
        _write(_REPORT["path"])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _write(session.config.getoption("--compat-report"))


def _write(path: str | None) -> None:
    if not path:
        return
    import ckan

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(
        json.dumps(
            {
                "ckan": ckan.__version__,
                "plugins": _PLUGINS,
                "outcomes": dict(sorted(_OUTCOMES.items())),
            },
            indent=1,
        )
        + "\n"
    )
