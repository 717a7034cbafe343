"""The test data kept between tests (``tests/snapshots.py``): a scenario
copied back is the scenario that was built, search index included, and it is
only copied back where the database holds exactly its base."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.datathon.tests import snapshots
from ckanext.datathon.tests.logic.conftest import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("with_plugins")

BUILDS: list[str] = []


def _build(world, tag: str):  # noqa: F811
    def build():
        BUILDS.append(tag)
        dataset = factories.Dataset(owner_org=world.org["id"], title=f"Trips {tag}")
        user = factories.User(fullname=f"Ana {tag}")
        return SimpleNamespace(dataset=dataset, user=user)

    return build


def _rows() -> dict[str, list[tuple]]:
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        return {
            table: sorted(
                tuple(str(value) for value in row)
                for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))  # noqa: S608
            )
            for table in ("user", "package", "group", "member", "activity")
        }


def _found(title: str) -> list[str]:
    answer = helpers.call_action("package_search", q=f'title:"{title}"')
    return [dataset["name"] for dataset in answer["results"]]


def _next_test() -> None:
    """What the fixtures do before the next test: empty tables and index, then
    ``world`` copied back."""
    from ckan.lib import search

    model.Session.remove()
    with model.meta.engine.begin() as connection:
        snapshots.empty_tables(connection)
    search.clear_all()
    snapshots.built_once("world", lambda: pytest.fail("world is kept from the session's start"))


class TestBuiltOver:
    @pytest.fixture(autouse=True)
    def _fresh(self):
        BUILDS.clear()

    def test_a_scenario_copied_back_is_the_one_built(self, world):  # noqa: F811
        made = snapshots.built_over("world", "test_snapshots.same", _build(world, "same"))
        assert BUILDS == ["same"] or BUILDS == []  # built here, or earlier in the session
        rows = _rows()
        assert _found("Trips same") == [made.dataset["name"]]
        _next_test()
        again = snapshots.built_over("world", "test_snapshots.same", _build(world, "again"))
        assert "again" not in BUILDS  # copied back, not built
        assert again.dataset == made.dataset
        assert again.user == made.user
        assert _rows() == rows
        # the search index was cleared before world was copied: the dataset is
        # found because it was indexed again
        assert _found("Trips same") == [made.dataset["name"]]

    def test_a_database_that_is_not_the_base_is_built_on(self, world):  # noqa: F811
        snapshots.built_over("world", "test_snapshots.base", _build(world, "first"))
        extra = factories.User(fullname="Someone written before the scenario")
        made = snapshots.built_over("world", "test_snapshots.base", _build(world, "second"))
        assert BUILDS[-1] == "second"  # built: a copy would have dropped ``extra``
        names = {row[0] for row in model.Session.execute(sa.select(model.User.name))}
        assert extra["name"] in names
        assert made.user["name"] in names

    @pytest.mark.ckan_config("ckan.site_title", "Another portal")
    def test_another_configuration_has_its_own_copy(self, world):  # noqa: F811
        snapshots.built_over("world", "test_snapshots.same", _build(world, "configured"))
        assert BUILDS == ["configured"]
