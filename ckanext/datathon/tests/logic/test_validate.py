"""One way to validate (``logic.validate``): every action of the plugin goes
through ``@validate(schema)``, answers the same error shapes, drops unknown
keys, says "Missing value" for a missing reference, and accepts the
deprecated spellings of its keys (logged once per process and key).

The actions are read from the plugin's registry: a new action is covered as
soon as it exists."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.datathon.logic import action as actions
from ckanext.datathon.logic import validate as validate_module
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

# the rows of the API's deprecated spellings (CHANGELOG, docs/api.md)
ALIASES = {
    "challenge_ally_create": {"challenge_id": "challenge"},
    "challenge_announcement_create": {"id": "challenge"},
    "challenge_award_create": {"challenge_id": "challenge"},
    "challenge_criterion_create": {"challenge_id": "challenge"},
    "challenge_data_gap_list": {"challenge": "id"},
    "challenge_dataset_add": {"dataset_id": "dataset"},
    "challenge_dataset_remove": {"dataset_id": "dataset"},
    "challenge_idea_list": {"challenge": "id"},
    "challenge_impact_create": {"challenge_id": "challenge"},
    "challenge_juror_add": {"username": "user"},
    "challenge_juror_remove": {"username": "user"},
    "challenge_mentorship_create": {"challenge_id": "challenge"},
    "project_leader_set": {"username": "user"},
    "project_member_add": {"username": "user"},
    "project_member_remove": {"username": "user"},
    "project_score_list": {"project": "id"},
}


def _ours() -> dict[str, Any]:
    """The plugin's own actions (chained core actions validate with core's schemas)."""
    return {
        name: fn
        for name, fn in actions.plugin_actions().items()
        if not getattr(fn, "chained_action", False)
    }


def _schema(name: str) -> dict[str, Any]:
    return _ours()[name].datathon_schema()


def _keys(name: str) -> list[str]:
    return [key for key in _schema(name) if not key.startswith("__")]


def _sysadmin_context(world: Any, **extra: Any) -> dict[str, Any]:
    return {"user": world.sysadmin["name"], "model": model, **extra}


def _assert_core_shape(error_dict: dict[str, Any]) -> None:
    assert error_dict
    assert isinstance(error_dict, dict)
    for key, messages in error_dict.items():
        assert isinstance(key, str)
        assert isinstance(messages, list), (key, messages)
        assert messages, key
        # text messages, or the per-item dicts of nested lists (prizes, scores, tags)
        assert all(isinstance(m, (str, dict)) for m in messages), (key, messages)


def test_every_action_of_ours_is_validated_by_the_decorator():
    found = _ours()
    assert len(found) > 60
    undecorated = [name for name, fn in found.items() if not hasattr(fn, "datathon_schema")]
    assert not undecorated
    chained = set(actions.plugin_actions()) - set(found)
    assert chained >= {"package_create", "package_update", "organization_delete"}


def test_no_private_copies_of_validate_or_commit_are_left():
    for module in (
        actions.catalogue,
        actions.challenge,
        actions.follow,
        actions.hub,
        actions.idea,
        actions.impact,
        actions.jury,
        actions.mail,
        actions.mentorship,
        actions.project,
        actions.project_reads,
        actions.team,
    ):
        source = inspect.getsource(module)
        for copy in ("def _validate(", "def validate(", "def _commit(", "def commit("):
            assert copy not in source, (module.__name__, copy)
        assert "model.repo.commit()" not in source, module.__name__


def test_the_aliases_table_is_what_the_actions_accept():
    accepted = {name: fn.datathon_aliases for name, fn in _ours().items() if fn.datathon_aliases}
    assert accepted == ALIASES
    for name, renames in ALIASES.items():
        keys = _keys(name)
        for old, new in renames.items():
            assert new in keys, (name, new)
            assert old not in keys, (name, old)


def test_anything_but_an_object_is_a_root_error_everywhere(world):
    for name in sorted(_ours()):
        for junk in (["id"], "id", 7):
            with pytest.raises(tk.ValidationError) as excinfo:
                tk.get_action(name)(_sysadmin_context(world), junk)
            assert excinfo.value.error_dict == {"__root__": ["Expected a JSON object"]}, name


@pytest.mark.parametrize("name", sorted(_ours()))
def test_a_bad_value_answers_the_same_error_shape_everywhere(world, name):
    """Every key of the action's schema gets a bad value (a required one
    left out, the others text with a NUL); validation runs (auth skipped)
    and answers ``{field: [message, ...]}`` naming only keys of the request
    and "Missing value" for each required one.  An action without
    parameters (``datathon_hub_counts``) has nothing to get wrong: it answers."""
    schema = _schema(name)
    if not _keys(name):
        tk.get_action(name)(_sysadmin_context(world, ignore_auth=True), {"zz_unknown": "a\x00b"})
        return
    required = validate_module.required_keys(schema)
    # required keys are left out; every other field gets text with a NUL
    payload: dict[str, Any] = {
        key: "a\x00b"
        for key in _keys(name)
        if key not in required and isinstance(schema[key], list)
    }
    # a nested list holds one empty object (its shape passes, its fields not)
    payload.update({key: [{}] for key in _keys(name) if isinstance(schema[key], dict)})
    with pytest.raises(tk.ValidationError) as excinfo:
        tk.get_action(name)(_sysadmin_context(world, ignore_auth=True), payload)
    _assert_core_shape(excinfo.value.error_dict)
    assert set(excinfo.value.error_dict) <= {*payload, *required}
    for key in required:
        assert excinfo.value.error_dict[key] == ["Missing value"], key


def test_unknown_keys_are_dropped_the_same_way_everywhere(world):
    """The decorator hands no action a key its schema does not name (navl,
    as core, drops them), and no error names one; ``challenge_patch`` alone
    passes them on, to ``challenge_update``, which drops them."""
    context = _sysadmin_context(world)
    passing = sorted(name for name, fn in _ours().items() if fn.datathon_passthrough)
    assert passing == ["challenge_patch"]
    for name in sorted(_ours()):
        errors: dict[str, Any] = {}
        data: dict[str, Any] = {}
        try:
            data = validate_module.validated({"zz_unknown": "x"}, _schema(name), context)
        except tk.ValidationError as error:
            errors = error.error_dict
        assert "zz_unknown" not in errors, name
        assert "zz_unknown" not in data, name


def test_challenge_patch_hands_nested_lists_on(world, challenge_factory):
    challenge = challenge_factory(owner_org=world.org["id"])
    prizes = [{"rank": 1, "title": "Primer premio", "amount": "1000", "currency": "USD"}]
    patched = call_as(world.admin, "challenge_patch", id=challenge["name"], prizes=prizes)
    assert [p["title"] for p in patched["prizes"]] == ["Primer premio"]
    assert patched["title"] == challenge["title"]


@pytest.mark.parametrize("who", ["sysadmin", "user", "anonymous"])
def test_a_missing_reference_is_missing_value_never_not_found(world, who):
    user = {"sysadmin": world.sysadmin, "user": world.user, "anonymous": None}[who]
    failures = []
    checked = 0
    for name in sorted(_ours()):
        required = [
            key
            for key in validate_module.required_keys(_schema(name))
            if key in validate_module.REFERENCES
        ]
        if not required:
            continue
        checked += 1
        try:
            call_as(user, name)
        except tk.ValidationError as error:
            for key in required:
                if error.error_dict.get(key) != ["Missing value"]:
                    failures.append(f"{name}: {error.error_dict!r:.120}")
        except Exception as error:
            failures.append(f"{name}: {error!r:.120}")
        else:
            failures.append(f"{name}: answered without {required}")
        finally:
            model.Session.rollback()
    assert checked > 50
    assert not failures, "\n".join(failures)


def test_a_missing_required_key_is_missing_value_for_every_action(world):
    """A sysadmin (who passes auth wherever nothing is missing) sending an
    empty object learns every required key is missing."""
    failures = []
    for name in sorted(_ours()):
        required = validate_module.required_keys(_schema(name))
        if not required:
            continue
        try:
            call_as(world.sysadmin, name)
        except tk.ValidationError as error:
            named = [key for key in required if error.error_dict.get(key) == ["Missing value"]]
            if not named:
                failures.append(f"{name}: {error.error_dict!r:.120}")
        except Exception as error:
            failures.append(f"{name}: {error!r:.120}")
        finally:
            model.Session.rollback()
    assert not failures, "\n".join(failures)


def test_a_wrong_value_may_still_be_not_found(world):
    with pytest.raises(tk.ObjectNotFound):
        call_as(world.sysadmin, "challenge_update", id="no-such-challenge")
    with pytest.raises(tk.ObjectNotFound):
        call_as(None, "challenge_show", id="no-such-challenge")


@pytest.mark.parametrize(
    ("name", "old", "new"),
    sorted((name, old, new) for name, renames in ALIASES.items() for old, new in renames.items()),
)
def test_every_alias_is_read_as_its_key_and_logged_once(world, monkeypatch, name, old, new):
    monkeypatch.setattr(validate_module, "_warned", set())
    # (pytest-ckan configures logging after our modules are imported)
    monkeypatch.setattr(validate_module.log, "disabled", False)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    validate_module.log.addHandler(handler)
    request_cleanup = validate_module.log.removeHandler
    for _ in range(2):
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)) as excinfo:
            call_as(world.sysadmin, name, **{old: "no-such-object"})
        model.Session.rollback()
        # the value arrived under the canonical key: it is not missing
        if isinstance(excinfo.value, tk.ValidationError):
            assert excinfo.value.error_dict.get(new) != ["Missing value"], excinfo.value.error_dict
            assert old not in excinfo.value.error_dict
    request_cleanup(handler)
    warnings = [r for r in records if "deprecated" in r.getMessage()]
    assert len(warnings) == 1
    assert repr(old) in warnings[0].getMessage()
    assert repr(new) in warnings[0].getMessage()
    assert warnings[0].getMessage().startswith(name)


def test_the_canonical_key_wins_over_its_alias():
    renamed = validate_module.rename_aliases(
        "x_action",
        {"challenge": "canonical", "challenge_id": "old", "title": "t"},
        {"challenge_id": "challenge"},
    )
    assert renamed == {"challenge": "canonical", "title": "t"}
    renamed = validate_module.rename_aliases(
        "x_action", {"challenge_id": "old"}, {"challenge_id": "challenge"}
    )
    assert renamed == {"challenge": "old"}


class TestOldSpellingsStillWork:
    def test_juror_add_with_username(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        juror = call_as(
            world.admin, "challenge_juror_add", id=challenge["id"], username=world.user["name"]
        )
        assert juror["name"] == world.user["name"]
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_juror_add", id=challenge["id"], username="nobody-here")
        assert excinfo.value.error_dict == {"user": ["User not found"]}

    def test_canonical_wins_in_a_real_call(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        call_as(
            world.admin,
            "challenge_juror_add",
            id=challenge["id"],
            user=world.user["name"],
            username="nobody-here",
        )
        listed = call_as(world.admin, "challenge_juror_list", id=challenge["id"])
        assert [j["name"] for j in listed["results"]] == [world.user["name"]]

    def test_idea_list_with_challenge(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        call_as(world.user, "challenge_idea_create", challenge=challenge["id"], title="Mapa")
        old = call_as(None, "challenge_idea_list", challenge=challenge["name"])
        new = call_as(None, "challenge_idea_list", id=challenge["name"])
        assert old == new
        assert old["count"] == 1

    def test_criterion_create_with_challenge_id(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        made = call_as(
            world.admin, "challenge_criterion_create", challenge_id=challenge["id"], name="Impacto"
        )
        assert made["challenge_id"] == challenge["id"]

    def test_missing_key_with_alias_named_in_the_error_by_its_canonical_name(self, world):
        with pytest.raises(tk.ValidationError) as excinfo:
            helpers.call_action(
                "challenge_criterion_create",
                context={"user": world.sysadmin["name"], "ignore_auth": False},
                challenge_id="",
                name="x",
            )
        assert excinfo.value.error_dict == {"challenge": ["Missing value"]}


class TestOneCommitPath:
    def test_defer_commit_leaves_the_commit_to_the_caller(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        context = {"user": world.user["name"], "ignore_auth": False, "defer_commit": True}
        helpers.call_action("follow_challenge", context=dict(context), id=challenge["id"])
        helpers.call_action(
            "challenge_idea_create", context=dict(context), challenge=challenge["id"], title="Mapa"
        )
        model.Session.rollback()
        assert call_as(world.user, "am_following_challenge", id=challenge["id"]) is False
        assert call_as(None, "challenge_idea_list", id=challenge["id"])["count"] == 0

    def test_without_it_the_action_commits(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        call_as(world.user, "follow_challenge", id=challenge["id"])
        call_as(world.user, "challenge_idea_create", challenge=challenge["id"], title="Mapa")
        model.Session.rollback()
        assert call_as(world.user, "am_following_challenge", id=challenge["id"]) is True
        assert call_as(None, "challenge_idea_list", id=challenge["id"])["count"] == 1
