"""The plugin loads beside its companions and declares its configuration."""

from __future__ import annotations

import pytest

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import config_declaration

from ckanext.datathon import config as datathon_config


@pytest.mark.usefixtures("with_plugins")
class TestPlugin:
    def test_loaded_with_companions(self):
        assert p.plugin_loaded("datathon")
        assert p.plugin_loaded("scheming_datasets")
        assert p.plugin_loaded("activity")

    def test_config_options_are_declared_with_defaults(self):
        for key in (
            datathon_config.HEADER_LINK,
            datathon_config.CHALLENGE_LIST_LIMIT,
            datathon_config.CHALLENGE_LIST_LIMIT_MAX,
        ):
            assert key in config_declaration, key
        assert datathon_config.header_link() is True
        assert datathon_config.challenge_list_limit() == 20
        assert datathon_config.challenge_list_limit_max() == 100

    @pytest.mark.ckan_config(datathon_config.CHALLENGE_LIST_LIMIT, "7")
    def test_config_values_are_typed(self):
        assert datathon_config.challenge_list_limit() == 7

    def test_status_show_lists_the_extension(self):
        extensions = tk.get_action("status_show")({}, {})["extensions"]
        assert "datathon" in extensions
        assert "scheming_datasets" in extensions
