"""The import contracts of ``make lint`` bite (issue 20): a module of
``views/`` that imports SQLAlchemy or CKAN's model, a helper or a format that
imports an action module, ``lib/`` or ``logic/`` importing a layer above it
each fail ``lint-imports`` with the repository's own contracts
(``pyproject.toml``, ``[tool.importlinter]``).

Pure Python, no services: the package's source is copied to a temporary
directory under another top-level name (so that the import system finds the
copy, not the installed package), one offending module is added, and
``lint-imports`` runs on the copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "ckanext" / "datathon"
COPY = "lintprobe_datathon"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    """The package's modules (no tests, templates or migrations) under COPY,
    with ``ckanext.datathon`` renamed in the code and in the contracts."""
    target = tmp_path / COPY
    for source in PACKAGE.rglob("*.py"):
        relative = source.relative_to(PACKAGE)
        if relative.parts[0] in {"tests", "migration"}:
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(source.read_text().replace("ckanext.datathon", COPY))
    config = (ROOT / "pyproject.toml").read_text().replace("ckanext.datathon", COPY)
    (tmp_path / "pyproject.toml").write_text(config)
    return target


def _lint(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(  # noqa: S603 (our own virtualenv's command)
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: requirements.txt pins import-linter")
    return _copy(tmp_path)


def test_the_package_keeps_its_contracts(tree, tmp_path):
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout or "broken" not in result.stdout
    assert "KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "code", "contract"),
    [
        ("views/_probe.py", "import sqlalchemy\n", "reach data through"),
        ("views/_probe.py", "from ckan import model\n", "reach data through"),
        ("views/_probe.py", "import ckan.model as model\n", "reach data through"),
        ("helpers.py", "from {pkg}.logic.action import jury\n", "reach data through"),
        ("formats/_probe.py", "from {pkg}.logic.auth import jury\n", "reach data through"),
        ("formats/_probe.py", "from {pkg}.logic.queries import jury\n", "reach data through"),
        ("views/_probe.py", "from {pkg} import jury_queries\n", "reach data through"),
        ("formats/_probe.py", "from {pkg}.views import base\n", "nothing runs back up"),
        ("lib/_probe.py", "from {pkg}.logic import visibility\n", "nothing runs back up"),
        ("logic/_probe.py", "from {pkg}.views import base\n", "nothing runs back up"),
        ("logic/_probe.py", "from {pkg} import helpers\n", "nothing runs back up"),
        ("model/_probe.py", "from {pkg}.lib import timeline\n", "nothing runs back up"),
    ],
)
def test_a_new_violation_fails(tree, tmp_path, module, code, contract):
    path = tree / module
    path.write_text(
        path.read_text() + code.format(pkg=COPY) if path.exists() else code.format(pkg=COPY)
    )
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
    assert "_probe" in broken or module.removesuffix(".py") in broken
