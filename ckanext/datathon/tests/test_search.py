"""Search runs on the real Solr 9 with CKAN's schema, never a stand-in."""

from __future__ import annotations

import pytest

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan.tests import helpers


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestRealSolr:
    def test_dataset_found_by_a_word_of_its_notes(self, organization, sysadmin):
        dataset = helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            name="bike-lanes",
            title="Cycle network",
            owner_org=organization["id"],
            notes="Kilometres of segregated lanes painted in cobalt across the city.",
        )
        result = helpers.call_action("package_search", q="cobalt")
        assert result["count"] == 1
        assert result["results"][0]["id"] == dataset["id"]
        assert helpers.call_action("package_search", q="vermilion")["count"] == 0

    def test_english_stemming_of_ckans_schema(self, organization, sysadmin):
        # The Snowball stemmer of CKAN's schema.xml makes "stations" match
        # "station"; a database LIKE fallback or a mock would not.
        helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            name="metro",
            owner_org=organization["id"],
            notes="Ridership of every metro station by hour.",
        )
        assert helpers.call_action("package_search", q="stations")["count"] == 1

    def test_index_is_solr_with_ckans_schema(self):
        connection = search.make_connection()
        assert connection.url == tk.config["solr_url"]
        assert connection.url.startswith("http://127.0.0.1:")
        assert "/solr/" in connection.url
        # Raises SearchError unless the schema is CKAN's own, of a
        # version this CKAN supports.
        assert search.check_solr_schema_version() is True
