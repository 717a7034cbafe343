"""Security review, finding 1: a challenge's organization is authorized as it
will be written.

The ``owner_org`` validator strips the reference and accepts an id or a name;
the auth functions used to look the raw value up, find nothing for
``" other-org"`` and let the request through.  Both now go through one
resolver (``lookup.organization``), and the actions authorize the resolved
organization again after validation (core's ``owner_org_validator`` pattern).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.logic import lookup
from ckanext.datathon.model import Challenge
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def two_orgs(clean_db):
    """``eve`` edits ``acme`` only; ``ministry`` is someone else's."""

    def build():
        eve = factories.User()
        stranger = factories.User()
        acme = factories.Organization(
            name="acme", users=[{"name": eve["name"], "capacity": "editor"}]
        )
        ministry = factories.Organization(name="ministry")
        return SimpleNamespace(eve=eve, stranger=stranger, acme=acme, ministry=ministry)

    return built_over("", "test_owner_org.two_orgs", build)


def _refs(org: dict[str, Any]) -> list[str]:
    """Spellings of ``org`` a reader might accept: padded, upper case, ..."""
    return [
        f" {org['name']}",
        f"{org['name']} ",
        f"\t{org['name']}\n",
        f" {org['id']}",
        f"{org['id']} ",
        org["name"].upper(),
        f" {org['name'].upper()} ",
        org["id"].upper(),
        org["name"],
        org["id"],
    ]


def _stored_orgs() -> set[str]:
    from ckan import model

    return {row.owner_org for row in model.Session.query(Challenge)}


class TestResolver:
    def test_the_validator_and_the_auth_read_the_same_organization(self, two_orgs):
        assert lookup.organization(" ministry ").id == two_orgs.ministry["id"]
        assert lookup.organization(f"{two_orgs.ministry['id']}\n").id == two_orgs.ministry["id"]
        for junk in (None, "", "  ", "MINISTRY", "a\x00b", ["ministry"], 7):
            assert lookup.organization(junk) is None
        group = factories.Group(name="a-group")
        assert lookup.organization(group["name"]) is None  # groups are no organizations


class TestCreate:
    @pytest.mark.parametrize("index", range(10))
    def test_no_challenge_for_an_organization_one_does_not_organize(self, two_orgs, index):
        ref = _refs(two_orgs.ministry)[index]
        with pytest.raises((tk.NotAuthorized, tk.ValidationError)) as raised:
            call_as(
                two_orgs.eve,
                "challenge_create",
                owner_org=ref,
                name="ministry-open-data-prize",
                title="Ministry Open Data Prize",
            )
        if isinstance(raised.value, tk.ValidationError):
            # Only spellings that resolve to no organization at all
            assert lookup.organization(ref) is None, ref
            assert "owner_org" in raised.value.error_dict
        assert two_orgs.ministry["id"] not in _stored_orgs()

    def test_padded_reference_to_own_organization_still_works(self, two_orgs):
        created = call_as(
            two_orgs.eve, "challenge_create", owner_org=" acme ", name="acme-prize", title="Prize"
        )
        assert created["owner_org"] == two_orgs.acme["id"]

    def test_auth_function_resolves_like_the_validator(self, two_orgs):
        context = {"user": two_orgs.eve["name"]}
        for ref in (" ministry", "ministry ", f" {two_orgs.ministry['id']}"):
            with pytest.raises(tk.NotAuthorized):
                helpers.call_auth("challenge_create", context=dict(context), owner_org=ref)
        assert helpers.call_auth("challenge_create", context=dict(context), owner_org=" acme")

    def test_resolved_organization_is_checked_again_after_validation(self, two_orgs, monkeypatch):
        """If the raw check ever reads a reference differently from the
        validator, the second stage still refuses the write."""
        real = lookup.organization
        calls: list[Any] = []

        def raw_blind(ref: Any):
            calls.append(ref)
            # The first call (the auth function, on the raw input) finds
            # nothing, as main's auth did; the validator then resolves it.
            return None if len(calls) == 1 else real(ref)

        monkeypatch.setattr(lookup, "organization", raw_blind)
        with pytest.raises(tk.NotAuthorized):
            call_as(
                two_orgs.eve,
                "challenge_create",
                owner_org=" ministry",
                name="ministry-prize",
                title="Prize",
            )
        assert calls[0] == " ministry"
        assert two_orgs.ministry["id"] in calls[1:]  # the resolved id was authorized
        assert two_orgs.ministry["id"] not in _stored_orgs()


class TestMove:
    @pytest.fixture
    def own(self, two_orgs):
        return call_as(
            two_orgs.eve, "challenge_create", owner_org="acme", name="acme-prize", title="Prize"
        )

    @pytest.mark.parametrize("action", ["challenge_patch", "challenge_update"])
    @pytest.mark.parametrize("index", range(10))
    def test_no_move_to_an_organization_one_does_not_organize(self, two_orgs, own, action, index):
        ref = _refs(two_orgs.ministry)[index]
        data = {"id": own["id"], "owner_org": ref}
        if action == "challenge_update":
            data.update(name=own["name"], title=own["title"])
        with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
            call_as(two_orgs.eve, action, **data)
        assert _stored_orgs() == {two_orgs.acme["id"]}

    def test_keeping_the_organization_spelled_differently_is_fine(self, two_orgs, own):
        saved = call_as(two_orgs.eve, "challenge_patch", id=own["id"], owner_org=" acme ")
        assert saved["owner_org"] == two_orgs.acme["id"]

    def test_organizer_of_both_may_move(self, two_orgs, own):
        helpers.call_action(
            "organization_member_create",
            id=two_orgs.ministry["id"],
            username=two_orgs.eve["name"],
            role="editor",
        )
        saved = call_as(two_orgs.eve, "challenge_patch", id=own["id"], owner_org=" ministry")
        assert saved["owner_org"] == two_orgs.ministry["id"]
