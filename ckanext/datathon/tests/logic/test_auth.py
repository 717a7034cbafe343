"""Auth matrix: every datathon action x every role."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.logic import action as actions
from ckanext.datathon.logic import validate as validate_module
from ckanext.datathon.tests.helpers import auth_as, call_as

ORGANIZERS = {"sysadmin", "admin", "editor"}
EVERYONE = {"sysadmin", "admin", "editor", "member", "other_org_admin", "user", "anonymous"}
ORG_MEMBERS = ORGANIZERS | {"member"}


def _expect(world, allowed: set[str], auth: str, **data) -> None:
    results = {role: auth_as(user, auth, **data) for role, user in world.roles.items()}
    assert {role for role, ok in results.items() if ok} == allowed, results


@pytest.mark.usefixtures("with_plugins")
class TestAuthMatrix:
    def test_challenge_create(self, world):
        _expect(world, ORGANIZERS, "challenge_create", owner_org=world.org["id"])
        _expect(world, ORGANIZERS, "challenge_create", owner_org=world.org["name"])

    @pytest.mark.parametrize("auth", ["challenge_update", "challenge_patch", "challenge_delete"])
    @pytest.mark.parametrize("state", ["draft", "active"])
    def test_challenge_writes(self, world, challenge_factory, auth, state):
        extra = {} if state == "draft" else {"state": "active", **_dates()}
        challenge = challenge_factory(owner_org=world.org["id"], **extra)
        _expect(world, ORGANIZERS, auth, id=challenge["id"])
        _expect(world, ORGANIZERS, auth, id=challenge["name"])

    def test_moving_a_challenge_needs_rights_on_both_organizations(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        _expect(
            world,
            {"sysadmin"},
            "challenge_update",
            id=challenge["id"],
            owner_org=world.other_org["id"],
        )

    def test_show_and_dataset_list_of_a_draft(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        _expect(world, ORGANIZERS, "challenge_show", id=challenge["id"])
        _expect(world, ORGANIZERS, "challenge_dataset_list", id=challenge["id"])

    def test_show_and_dataset_list_of_a_published_challenge(
        self, world, published_challenge_factory
    ):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        _expect(world, EVERYONE, "challenge_show", id=challenge["id"])
        _expect(world, EVERYONE, "challenge_dataset_list", id=challenge["id"])

    def test_deleted_challenge_is_for_sysadmins(self, world, challenge_factory):
        from ckan.tests import helpers

        challenge = challenge_factory(owner_org=world.org["id"])
        helpers.call_action("challenge_delete", id=challenge["id"])
        _expect(world, {"sysadmin"}, "challenge_show", id=challenge["id"])
        _expect(world, {"sysadmin"}, "challenge_update", id=challenge["id"])

    def test_list_is_open_to_everyone(self, world):
        _expect(world, EVERYONE, "challenge_list")

    def test_dataset_links(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        public = factories.Dataset(owner_org=world.org["id"])
        _expect(
            world, ORGANIZERS, "challenge_dataset_add", id=challenge["id"], dataset=public["id"]
        )
        _expect(
            world,
            ORGANIZERS,
            "challenge_dataset_remove",
            id=challenge["id"],
            dataset=public["id"],
        )

    def test_linking_needs_read_access_to_the_dataset(self, world, challenge_factory):
        # an organizer of the challenge cannot link another organization's private data
        challenge = challenge_factory(owner_org=world.org["id"])
        private = factories.Dataset(owner_org=world.other_org["id"], private=True)
        _expect(
            world,
            {"sysadmin"},
            "challenge_dataset_add",
            id=challenge["id"],
            dataset=private["id"],
        )

    def test_dataset_challenge_list(self, world):
        public = factories.Dataset(owner_org=world.org["id"])
        private = factories.Dataset(owner_org=world.org["id"], private=True)
        _expect(world, EVERYONE, "dataset_challenge_list", id=public["id"])
        _expect(world, ORG_MEMBERS, "dataset_challenge_list", id=private["id"])

    def test_allies(self, world, challenge_factory, ally_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        ally = ally_factory(challenge=challenge["id"])
        _expect(world, ORGANIZERS, "challenge_ally_create", challenge=challenge["id"])
        _expect(world, ORGANIZERS, "challenge_ally_update", id=ally["id"])
        _expect(world, ORGANIZERS, "challenge_ally_delete", id=ally["id"])

    def test_unknown_objects_are_refused(self, world):
        # sysadmins pass every auth function; the action then answers 404
        for auth in ("challenge_update", "challenge_delete", "challenge_show"):
            _expect(world, {"sysadmin"}, auth, id="no-such-challenge")
        _expect(world, {"sysadmin"}, "challenge_ally_update", id="no-such-ally")


def _dates():
    from ckanext.datathon.tests.factories import open_registration_dates

    return open_registration_dates()


def _own_actions() -> dict[str, object]:
    return {
        name: getattr(actions, name)
        for name in actions.__all__
        if not getattr(getattr(actions, name), "chained_action", False)
    }


@pytest.mark.usefixtures("with_plugins")
class TestEveryActionChecksAccess:
    """Meta-test: fails when an action of the plugin skips its auth check."""

    def test_every_action_has_an_auth_function_of_its_name(self):
        missing = [name for name in _own_actions() if name not in authz.auth_functions_list()]
        assert not missing

    def test_every_action_calls_check_access_with_its_own_name_first(self):
        """``@validate`` (``logic/validate.py``) checks access under the
        action's name before it validates; the action's body does not check
        again (nor validate by hand)."""
        offenders = []
        for name, func in _own_actions().items():
            if not hasattr(func, "datathon_schema") or func.__name__ != name:
                offenders.append(name)
                continue
            tree = ast.parse(textwrap.dedent(inspect.getsource(func.__wrapped__)))
            for node in ast.walk(tree):
                if isinstance(node, ast.Expr) and _is_check_access(node, name):
                    offenders.append(name)
        assert not offenders, f"actions not checked by @validate: {offenders}"
        source = inspect.getsource(validate_module.validate)
        assert source.index("tk.check_access(name") < source.index("validated(")

    def test_auth_comes_before_validation(self, world):
        # an outsider learns nothing about the input: refused, not told what is wrong
        with pytest.raises(tk.NotAuthorized):
            call_as(world.user, "challenge_create", owner_org=world.org["id"], name="NOT A SLUG")
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_create", owner_org=world.org["id"], name="NOT A SLUG")
        assert "name" in excinfo.value.error_dict

    def test_the_meta_test_sees_every_action(self):
        assert {"challenge_create", "challenge_list", "dataset_challenge_list"} <= set(
            _own_actions()
        )
        # chained core actions are checked by core itself
        assert "organization_delete" not in _own_actions()


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def _is_check_access(node: ast.stmt, name: str) -> bool:
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    call = node.value
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (
        called == "check_access"
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and call.args[0].value == name
    )
