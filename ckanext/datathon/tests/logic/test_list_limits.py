"""Bounded input: the lists the actions accept (declared options, with
documented defaults) and the size of a request body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.common import config_declaration
from ckan.tests import factories

from ckanext.datathon import config
from ckanext.datathon.model import STAGES
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def _prizes(n: int) -> list[dict[str, Any]]:
    return [{"rank": i + 1, "title": f"Prize {i + 1}"} for i in range(n)]


def _stages(n: int) -> list[dict[str, Any]]:
    """``n`` timeline entries, the 11 stages in turn."""
    return [
        {
            "stage": STAGES[i % len(STAGES)],
            "starts": "2030-01-01T00:00:00Z",
            "ends": "2030-01-02T00:00:00Z",
        }
        for i in range(n)
    ]


def test_the_options_are_declared_and_documented(with_plugins):
    docs = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"
    page = docs.read_text(encoding="utf-8")
    for key in (*config.LIST_LIMITS, config.MAX_REQUEST_BODY):
        assert key in config_declaration, key
        assert f"## `{key}`" in page, key


def test_the_defaults_are_declared(with_plugins):
    assert config.list_limit(config.MAX_PRIZES) == 50
    assert config.list_limit(config.MAX_TIMELINE_ENTRIES) == 50
    assert config.list_limit(config.MAX_TAGS) == 50
    assert config.list_limit(config.MAX_DATASETS_USED) == 100
    assert config.list_limit(config.MAX_RESOURCE_IDS) == 100
    assert config.max_request_body() == 2_000_000


class TestChallengeLists:
    @pytest.fixture
    def create(self, world):
        def create(**data: Any) -> dict[str, Any]:
            data = {"name": "c-1", "title": "Agua", "owner_org": world.org["id"], **data}
            return call_as(world.admin, "challenge_create", **data)

        return create

    @pytest.mark.parametrize(("key", "build"), [("prizes", _prizes), ("timeline", _stages)])
    def test_default_limit(self, create, key, build):
        with pytest.raises(tk.ValidationError) as excinfo:
            create(**{key: build(51)})
        assert excinfo.value.error_dict[key] == ["At most 50 entries"]

    @pytest.mark.ckan_config("ckanext.datathon.max_prizes", "2")
    def test_configured_prizes(self, create, world):
        with pytest.raises(tk.ValidationError) as excinfo:
            create(prizes=_prizes(3))
        assert "prizes" in excinfo.value.error_dict
        made = create(prizes=_prizes(2))
        with pytest.raises(tk.ValidationError):
            call_as(world.admin, "challenge_patch", id=made["id"], prizes=_prizes(3))

    @pytest.mark.ckan_config("ckanext.datathon.max_timeline_entries", "1")
    def test_configured_timeline(self, create):
        with pytest.raises(tk.ValidationError) as excinfo:
            create(timeline=_stages(2))
        assert excinfo.value.error_dict["timeline"] == ["At most 1 entries"]
        assert len(create(timeline=_stages(1))["timeline"]) == 11  # all stages, one dated

    @pytest.mark.ckan_config("ckanext.datathon.max_tags", "2")
    def test_configured_tags(self, create):
        with pytest.raises(tk.ValidationError) as excinfo:
            create(tags=["uno", "dos", "tres"])
        assert "tags" in excinfo.value.error_dict
        with pytest.raises(tk.ValidationError):
            create(tags=["x" * 5] * 100_000)
        assert create(tags=["uno", "dos", "uno"])["tags"] == ["uno", "dos"]


class TestProjectLists:
    @pytest.fixture
    def project(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        made = call_as(
            world.user,
            "project_register",
            challenge=challenge["id"],
            title="Rutas",
            team_name="Owls",
            accept_rules=True,
        )
        datasets = [factories.Dataset(owner_org=world.org["id"]) for _ in range(3)]
        return made, datasets

    @pytest.mark.ckan_config("ckanext.datathon.max_datasets_used", "2")
    def test_datasets_used(self, world, project):
        made, datasets = project
        entries = [{"dataset": d["id"]} for d in datasets]
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "package_patch", id=made["id"], datasets_used=entries)
        assert "datasets_used" in excinfo.value.error_dict
        patched = call_as(world.user, "package_patch", id=made["id"], datasets_used=entries[:2])
        assert len(patched["datasets_used"]) == 2

    @pytest.mark.ckan_config("ckanext.datathon.max_resource_ids", "1")
    def test_resource_ids(self, world, project):
        made, datasets = project
        entry = {"dataset": datasets[0]["id"], "resource_ids": ["a", "b"]}
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "package_patch", id=made["id"], datasets_used=[entry])
        assert "datasets_used" in excinfo.value.error_dict


class TestRequestBody:
    @pytest.mark.ckan_config("ckanext.datathon.max_request_body", "1000")
    def test_a_larger_body_is_413(self, app, world):
        big = json.dumps({"q": "x" * 2000})
        answer = app.post(
            "/api/3/action/challenge_list", data=big, content_type="application/json", status=None
        )
        assert answer.status_code == 413
        assert answer.json["success"] is False
        assert "1000" in answer.json["error"]["message"]
        small = json.dumps({"q": "agua"})
        answer = app.post(
            "/api/3/action/challenge_list", data=small, content_type="application/json"
        )
        assert answer.status_code == 200

    @pytest.mark.ckan_config("ckanext.datathon.max_request_body", "1000")
    def test_a_larger_form_is_413_too(self, app, world):
        answer = app.post(
            "/challenge/new",
            data={"title": "x" * 2000},
            status=None,
        )
        assert answer.status_code == 413

    @pytest.mark.ckan_config("ckanext.datathon.max_request_body", "1000")
    def test_uploads_are_left_to_ckan(self, app, world):
        # a multipart body is not capped here (CKAN's upload limits apply)
        answer = app.post(
            "/api/3/action/challenge_list",
            data={"q": "x" * 2000},
            content_type="multipart/form-data",
            status=None,
        )
        assert answer.status_code != 413

    @pytest.mark.ckan_config("ckanext.datathon.max_request_body", "0")
    def test_zero_is_no_limit(self, app, world):
        big = json.dumps({"q": "x" * 3000})
        answer = app.post(
            "/api/3/action/challenge_list", data=big, content_type="application/json", status=None
        )
        assert answer.status_code != 413
