"""The folders-are-layers move (issue 20) kept what others import: each old
module path kept until 1.0 is the same module object as its new path (so
private names and ``monkeypatch.setattr`` on either reach the code), and the
plugin registers the same blueprints, under the same names, as before."""

from __future__ import annotations

import importlib

import pytest

from ckanext.datathon import views

# old path -> new path (CHANGELOG.md, "Folders are layers")
KEPT = {
    "csv_export": "formats.csv_export",
    "dcat": "formats.dcat",
    "export": "formats.export",
    "feeds": "formats.feeds",
    "host_guard": "views.host_guard",
    "idea_views": "views.idea",
    "jury_queries": "logic.queries.jury",
    "jury_views": "views.jury",
    "licences": "lib.licences",
    "linked_data": "formats.linked_data",
    "notifications": "lib.notifications",
    "page_cache": "lib.page_cache",
    "team_views": "views.team",
    "timeline": "lib.timeline",
    "view_utils": "views.base",
    "logic.engagement_schema": "logic.schema.engagement",
    "logic.follow_schema": "logic.schema.follow",
    "logic.idea_schema": "logic.schema.idea",
    "logic.jury_schema": "logic.schema.jury",
    "logic.project_schema": "logic.schema.project",
}


@pytest.mark.parametrize(("old", "new"), sorted(KEPT.items()))
def test_an_old_path_is_the_moved_module(old, new):
    moved = importlib.import_module(f"ckanext.datathon.{new}")
    assert importlib.import_module(f"ckanext.datathon.{old}") is moved
    parent, _, name = f"ckanext.datathon.{old}".rpartition(".")
    assert getattr(importlib.import_module(parent), name) is moved


def test_the_dcat_entry_point_still_loads():
    from ckanext.datathon.dcat import ChallengeReferencesProfile
    from ckanext.datathon.formats import dcat

    assert ChallengeReferencesProfile is dcat.ChallengeReferencesProfile


def test_the_plugin_registers_the_same_blueprints():
    names = [blueprint.name for blueprint in views.blueprints()]
    assert names == [
        "challenge",
        "datathon_engagement",
        "datathon_hub",  # new in issue 21 (the personal hub)
        "datathon_open",
        "datathon_ideas",
        "datathon_jury",
        "datathon_team",
        "datathon_mail",  # new in issue 21 (mail preferences, unsubscribe)
    ]
