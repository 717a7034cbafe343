"""Core pages still render with the plugin on."""

from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestDatasetPage:
    def test_dataset_page_renders(self, app, package_factory, organization):
        package = package_factory(owner_org=organization["id"])
        response = app.get(tk.url_for("dataset.read", id=package["name"]))
        assert response.status_code == 200
        assert package["title"] in response.get_data(as_text=True)

    def test_dataset_search_page_lists_the_dataset(self, app, package_factory, organization):
        package = package_factory(owner_org=organization["id"])
        response = app.get(tk.url_for("dataset.search", q=package["name"]))
        assert response.status_code == 200
        assert package["title"] in response.get_data(as_text=True)
