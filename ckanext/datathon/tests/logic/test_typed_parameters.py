"""Every number and yes/no parameter of every action is type-checked: a list,
a dict, a boolean where a number is expected, a float, a huge integer or a NUL
is a field-level validation error (409 over the API), never a server error.
The strings CKAN's GET API sends (``"20"``, ``"true"``) stay valid.

The schemas are read from the plugin's schema modules, so a new action's
schema is covered as soon as it exists."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import ckan.model as model
from ckan.lib.navl.dictization_functions import validate
from ckan.tests import factories

from ckanext.datathon.logic import (
    engagement_schema,
    follow_schema,
    idea_schema,
    jury_schema,
    project_schema,
    schema,
)
from ckanext.datathon.logic import validators as v
from ckanext.datathon.logic.schema import catalogue as catalogue_schema
from ckanext.datathon.logic.schema import project_reads as project_reads_schema
from ckanext.datathon.tests.helpers import call_as

MODULES: tuple[ModuleType, ...] = (
    schema,
    project_schema,
    jury_schema,
    idea_schema,
    engagement_schema,
    follow_schema,
    catalogue_schema,
    project_reads_schema,
)
# Core validators that crash on a list or a dict, or run after one that failed
# on the raw value (navl does not stop at an Invalid): not in our schemas.
UNSAFE = {
    "natural_number_validator",
    "int_validator",
    "is_positive_integer",
    "boolean_validator",
    "limit_to_configured_maximum",
}
JUNK: tuple[Any, ...] = (
    [1, 2],
    [],
    {"a": 1},
    {},
    True,
    False,
    10**30,
    -(10**30),
    1.5,
    float("nan"),
    float("inf"),
    None,
    "\x00",
    "1\x00",
    "x" * 100_000,
    "9" * 5000,
)
NOT_A_NUMBER: tuple[Any, ...] = (
    [1, 2],
    {"a": 1},
    True,
    False,
    10**30,
    1.5,
    float("nan"),
    "1\x00",
    "1.5",
    "1e3",
    "1_0",
    "abc",
    "9" * 5000,
)
NOT_A_FLAG: tuple[Any, ...] = ([1, 2], {"a": 1}, 2, -1, 0.5, "maybe", "\x00", "true\x00")


def _schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, schema) of every schema function of the plugin."""
    for module in MODULES:
        for name, function in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue
            try:
                built = function()
            except TypeError:  # a validator, not a schema
                continue
            if isinstance(built, dict) and all(
                isinstance(rule, (list, dict)) for rule in built.values()
            ):
                yield f"{module.__name__.rsplit('.', 1)[1]}.{name}", built


def _kind(rules: list[Callable[..., Any]]) -> str | None:
    """``number``, ``flag`` or None, from the validators of a key."""
    for rule in rules:
        qualname = getattr(rule, "__qualname__", "")
        if rule is v.datathon_bool:
            return "flag"
        if rule is v.datathon_offset or qualname.startswith(
            ("datathon_int_range.", "datathon_limit.")
        ):
            return "number"
    return None


def _keys(kind: str) -> list[tuple[str, str]]:
    return [
        (name, key)
        for name, built in _schemas()
        for key, rules in built.items()
        if isinstance(rules, list) and _kind(rules) == kind
    ]


@pytest.fixture
def context(with_plugins: Any, clean_db: Any) -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    return {"model": model, "session": model.Session, "user": sysadmin["name"]}


def test_the_schemas_are_found(with_plugins):
    names = [name for name, _built in _schemas()]
    assert len(names) > 30
    assert "schema.challenge_list" in names
    assert "project.project_list" in names
    numbers, flags = _keys("number"), _keys("flag")
    assert ("schema.challenge_list", "limit") in numbers
    assert ("schema.challenge_dataset_list", "limit") in numbers
    assert ("project.project_list", "limit") in numbers
    assert ("project.project_register", "accept_rules") in flags
    assert ("schema.challenge_list", "facets") in flags


def test_no_schema_uses_core_validators_that_crash_on_junk(with_plugins):
    found = [
        f"{name}.{key}: {rule.__name__}"
        for name, built in _schemas()
        for key, rules in built.items()
        if isinstance(rules, list)
        for rule in rules
        if getattr(rule, "__name__", "") in UNSAFE
    ]
    assert not found, "\n".join(found)


def test_junk_in_any_key_of_any_schema_is_never_an_exception(context):
    failures = []
    for name, built in _schemas():
        for key, rules in built.items():
            if isinstance(rules, dict):
                continue  # lists of objects: checked by the actions before navl
            for junk in JUNK:
                try:
                    validate({key: junk}, built, dict(context))
                except Exception as error:
                    failures.append(f"{name} {key}={junk!r:.40}: {error!r:.120}")
                finally:
                    model.Session.rollback()
    assert not failures, "\n".join(failures)


def test_junk_numbers_are_field_errors(context):
    failures = []
    for name, key in _keys("number"):
        built = dict(_schemas())[name]
        for junk in NOT_A_NUMBER:
            _data, errors = validate({key: junk}, built, dict(context))
            if key not in errors:
                failures.append(f"{name} {key}={junk!r:.40} accepted")
        for text in ("2", " 3 "):
            _data, errors = validate({key: text}, built, dict(context))
            if key in errors:
                failures.append(f"{name} {key}={text!r} refused: {errors[key]}")
    assert not failures, "\n".join(failures)


def test_junk_flags_are_field_errors(context):
    failures = []
    for name, key in _keys("flag"):
        built = dict(_schemas())[name]
        for junk in NOT_A_FLAG:
            _data, errors = validate({key: junk}, built, dict(context))
            if key not in errors:
                failures.append(f"{name} {key}={junk!r:.40} accepted")
        for text, expected in (("true", True), ("false", False), ("1", True), ("0", False)):
            data, errors = validate({key: text}, built, dict(context))
            if key in errors or data[key] is not expected:
                failures.append(f"{name} {key}={text!r} gave {data.get(key)!r} {errors}")
    assert not failures, "\n".join(failures)


# -- over HTTP ----------------------------------------------------------------------------


@pytest.fixture
def contest(world, published_challenge_factory):
    return published_challenge_factory(owner_org=world.org["id"])


LISTINGS = {
    "challenge_list": {},
    "challenge_dataset_list": {"id": None},
    "project_list": {"challenge": None},
}


def _api(app: Any, action: str, token: str | None = None, **data: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    return app.post(f"/api/3/action/{action}", json=data, headers=headers, status=None)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("action", sorted(LISTINGS))
def test_listing_numbers_over_the_api(app, contest, action):
    data = dict.fromkeys(LISTINGS[action], contest["id"])
    for key in ("limit", "offset"):
        for junk in ([1, 2], {"a": 1}, True, 10**30, 1.5):
            answer = _api(app, action, **data, **{key: junk})
            assert answer.status_code == 409, (key, junk, answer.get_data(as_text=True))
            assert key in answer.json["error"], (key, junk)
        # a NUL is refused for the whole request, before any action runs
        answer = _api(app, action, **data, **{key: "1\x00"})
        assert answer.status_code == 400, (key, answer.get_data(as_text=True))
        assert "NUL" in answer.json["error"]["message"]


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("action", sorted(LISTINGS))
def test_listing_strings_of_the_get_api_stay_valid(app, contest, action):
    params = dict.fromkeys(LISTINGS[action], contest["id"])
    params.update(limit="20", offset="0")
    if action == "challenge_list":
        params["facets"] = "true"
    answer = app.get(f"/api/3/action/{action}", query_string=params, status=None)
    assert answer.status_code == 200, answer.get_data(as_text=True)


@pytest.mark.usefixtures("with_plugins")
def test_facets_junk_over_the_api(app, contest):
    answer = _api(app, "challenge_list", facets=[1])
    assert answer.status_code == 409
    assert "facets" in answer.json["error"]


def _register(app: Any, token: str, contest: dict[str, Any], accept_rules: Any) -> Any:
    return _api(
        app,
        "project_register",
        token,
        challenge=contest["id"],
        title="Rutas",
        team_name="Owls",
        accept_rules=accept_rules,
    )


@pytest.mark.usefixtures("with_plugins")
def test_accept_rules_junk_is_a_field_error(app, world, contest):
    token = factories.APIToken(user=world.user["name"])["token"]
    # 0 and "0" are a valid "no": the rules must be accepted, a field error too
    for junk in ([1], [], {"a": 1}, 2, "maybe", 0.0, 0, "0", None):
        answer = _register(app, token, contest, junk)
        assert answer.status_code == 409, (junk, answer.get_data(as_text=True))
        assert "accept_rules" in answer.json["error"], junk
    assert call_as(world.admin, "project_list", challenge=contest["id"])["count"] == 0
    assert _register(app, token, contest, 1).status_code == 200
    assert call_as(world.admin, "project_list", challenge=contest["id"])["count"] == 1
