"""What a release carries: the licence, the version scheme of CHANGELOG.md, the
generated configuration reference, and package metadata that leaves CKAN to
the portal.  These read the checkout (the wheel itself is built, installed and
served by scripts/wheel-check.sh, which `make test` runs)."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

import ckanext.datathon
from ckanext.datathon.version import __version__

PACKAGE = Path(ckanext.datathon.__file__).resolve().parent
ROOT = PACKAGE.parent.parent
DOCS = ROOT / "docs"

pytestmark = pytest.mark.skipif(
    not (ROOT / "setup.py").exists(), reason="reads the source checkout, not an installed wheel"
)


def _config_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "config_docs", ROOT / "scripts" / "config_docs.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared_keys() -> list[str]:
    declaration = yaml.safe_load((PACKAGE / "config_declaration.yaml").read_text(encoding="utf-8"))
    return [option["key"] for group in declaration["groups"] for option in group["options"]]


def _alembic_head() -> str:
    location = PACKAGE / "migration" / "datathon"
    config = AlembicConfig(str(location / "alembic.ini"))
    config.set_main_option("script_location", str(location))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the datathon migrations have {len(heads)} heads: {heads}"
    return heads[0]


def _changelog_sections() -> list[tuple[str, str]]:
    """(heading, body) of each ``## [...]`` entry, newest first."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    parts = re.split(r"^## \[([^\]]+)\][^\n]*\n", text, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def test_every_declared_option_is_documented():
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in _declared_keys() if f"## `{key}`" not in page]
    assert not missing, f"declared but not in docs/configuration.md: {missing}"


def test_configuration_page_is_generated_from_the_declaration():
    module = _config_docs()
    declaration = yaml.safe_load((PACKAGE / "config_declaration.yaml").read_text(encoding="utf-8"))
    assert (DOCS / "configuration.md").read_text(encoding="utf-8") == module.render(declaration), (
        "docs/configuration.md is out of date: run python scripts/config_docs.py"
    )


def test_the_readme_links_to_the_reference_in_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("configuration.md", "security.md", "api.md", "benchmarks.md"):
        assert (DOCS / page).is_file(), page
        assert f"docs/{page}" in readme, f"README does not link docs/{page}"


def test_licence_is_the_agpl_text():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007")
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert len(text) > 30_000


def test_version_follows_the_changelog():
    sections = _changelog_sections()
    released = [heading for heading, _ in sections if heading != "Unreleased"]
    assert released, "CHANGELOG.md has no released version"
    last = tuple(int(part) for part in released[0].split("."))
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:\.dev(\d+))?", __version__)
    assert match, f"{__version__} is not MAJOR.MINOR.PATCH[.devN]"
    version = tuple(int(part) for part in match.groups()[:3])
    unreleased = dict(sections).get("Unreleased", "").strip()
    if unreleased:
        # between releases: the next version, marked as a development build
        assert match.group(4) is not None, "Unreleased changes: the version needs .devN"
        assert version > last, f"{__version__} is not after the last release {released[0]}"
    else:
        assert __version__ == released[0]


def test_newest_changelog_entry_names_the_alembic_head():
    heading, body = _changelog_sections()[0]
    named = re.search(r"Alembic head: `([0-9a-f]+)`", body)
    assert named, f"the [{heading}] entry does not name its alembic head"
    assert named.group(1) == _alembic_head()


def test_metadata_leaves_ckan_to_the_portal():
    # the metadata setup.py declares, without building anything
    out = subprocess.run(
        [sys.executable, "setup.py", "-q", "--version", "--license"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[:2] == [__version__, "AGPL-3.0-or-later"]
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    requires = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "install_requires"
    )
    names = [re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower() for requirement in requires]
    assert "ckan" not in names
    assert any(re.fullmatch(r"ckanext-scheming>=[\d.]+,<\d+", r) for r in requires), requires
