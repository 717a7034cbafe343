"""``ckan db upgrade -p datathon`` and ``downgrade`` run clean, in a real shell."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.tests.helpers import run_ckan


def _datathon_version() -> str | None:
    inspector = sa.inspect(model.Session.get_bind())
    if not inspector.has_table("datathon_alembic_version"):
        return None
    row = model.Session.execute(sa.text("SELECT version_num FROM datathon_alembic_version")).first()
    model.Session.rollback()
    return row[0] if row else None


def _datathon_tables() -> set[str]:
    names = sa.inspect(model.Session.get_bind()).get_table_names()
    return {n for n in names if n.startswith("datathon_") and "alembic" not in n}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestMigrationCommands:
    def test_upgrade_downgrade_upgrade(self):
        model.Session.remove()
        for command in ("upgrade", "downgrade", "upgrade"):
            done = run_ckan("db", command, "-p", "datathon")
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr, done.stderr
            model.Session.remove()
            if command == "downgrade":
                assert _datathon_version() is None
                assert _datathon_tables() == set()
        heads = run_ckan("db", "version", "-p", "datathon")
        assert heads.returncode == 0, heads.stderr
