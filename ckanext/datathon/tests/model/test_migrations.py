"""Migrations: down/up/down/up with data, and the models match the migrations."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.datathon.model import Challenge
from ckanext.datathon.tests.factories import open_registration_dates

TABLES = {
    "datathon_challenge",
    "datathon_challenge_dataset",
    "datathon_ally",
    "datathon_prize",
    "datathon_stage",
    "datathon_juror",
    "datathon_criterion",
    "datathon_score",
    "datathon_recusal",
    "datathon_award",
    "datathon_results",
}


def _tables() -> set[str]:
    model.Session.remove()
    return set(sa.inspect(model.Session.get_bind()).get_table_names())


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestMigrations:
    def test_down_up_down_up_with_data(self, migrate_db_for):
        org = factories.Organization()
        dataset = factories.Dataset(owner_org=org["id"])
        challenge = helpers.call_action(
            "challenge_create",
            owner_org=org["id"],
            name="with-data",
            title="With data",
            state="active",
            prizes=[{"rank": 1, "title": "First", "amount": "10", "currency": "USD"}],
            timeline=[
                {
                    "stage": "launch",
                    "starts": "2024-01-01T00:00:00Z",
                    "ends": "2024-01-02T00:00:00Z",
                }
            ],
            **open_registration_dates(),
        )
        helpers.call_action("challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
        helpers.call_action(
            "challenge_ally_create", challenge=challenge["id"], name="Ally", kind="academia"
        )
        model.Session.remove()
        for _ in range(2):
            migrate_db_for("datathon", "base", False)
            assert not (TABLES & _tables())
            migrate_db_for("datathon")
            assert _tables() >= TABLES
        # data is gone with the tables, the portal's own data is untouched
        assert helpers.call_action("challenge_list")["count"] == 0
        assert helpers.call_action("package_show", id=dataset["id"])["id"] == dataset["id"]
        again = helpers.call_action(
            "challenge_create", owner_org=org["id"], name="with-data", title="Again"
        )
        assert again["name"] == "with-data"

    def test_models_match_the_migrations(self):
        model.Session.remove()
        with model.Session.get_bind().connect() as connection:
            context = MigrationContext.configure(connection)
            # the models' own metadata (CKAN's clean_db may swap model.meta.metadata
            # for a reflection of the database, which would always match)
            diff = [
                d
                for d in compare_metadata(context, Challenge.__table__.metadata)
                if "datathon_" in repr(d) and "alembic_version" not in repr(d)
            ]
        assert diff == []
