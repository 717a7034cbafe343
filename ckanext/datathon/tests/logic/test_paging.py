"""Paging parameters of every list action: junk is a field error, never a 500
(PostgreSQL's OFFSET is a bigint: 10^30 used to reach the database)."""

from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

# action -> the parameter naming the challenge (None: portal-wide)
LISTS = {
    "challenge_list": None,
    "challenge_dataset_list": "id",
    "project_list": "challenge",
    "challenge_ranking": "id",
    "challenge_idea_list": "challenge",
    "challenge_data_gap_list": "challenge",
}


@pytest.mark.parametrize("action", sorted(LISTS))
@pytest.mark.parametrize("offset", [10**30, -1, "1e3", [], {"a": 1}, True])
def test_junk_offset_is_a_field_error(world, published_challenge_factory, action, offset):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    data = {LISTS[action]: challenge["id"]} if LISTS[action] else {}
    with pytest.raises(tk.ValidationError) as excinfo:
        call_as(world.admin, action, offset=offset, **data)
    assert "offset" in excinfo.value.error_dict


@pytest.mark.parametrize("action", sorted(LISTS))
def test_the_largest_offset_is_an_empty_page(world, published_challenge_factory, action):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    data = {LISTS[action]: challenge["id"]} if LISTS[action] else {}
    page = call_as(world.admin, action, offset=10**9, **data)
    assert page["results"] == []
