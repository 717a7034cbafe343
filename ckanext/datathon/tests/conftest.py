"""Fixtures shared by the datathon tests.

CKAN's pytest plugin (``ckan.tests.pytest_ckan``) provides ``with_plugins``,
``clean_db``, ``clean_index``, ``app`` and the core factories; this module
registers our factories as fixtures and makes ``clean_db`` apply our migrations.
Use the fixtures in this order: ``@pytest.mark.usefixtures("with_plugins",
"clean_db")`` -- plugins are loaded before the database is reset, so that the
datathon migrations can be found.
"""

from __future__ import annotations

import pytest
from pytest_factoryboy import register

import ckan.plugins as p

from ckanext.datathon.tests import factories

register(factories.OrganizerOrganizationFactory, "organizer_org")
register(factories.ChallengeFactory, "challenge")
register(factories.PublishedChallengeFactory, "published_challenge")
register(factories.AllyFactory, "ally")
register(factories.ProjectFactory, "project")
register(factories.JurorFactory, "juror")
register(factories.CriterionFactory, "criterion")


@pytest.fixture
def clean_db(reset_db, migrate_db_for, with_plugins):
    """Reset the database and apply the migrations of the plugins we run with
    (``reset_db`` only builds core's tables)."""
    reset_db()
    for plugin in ("activity", "datathon"):
        if p.plugin_loaded(plugin):
            migrate_db_for(plugin)
