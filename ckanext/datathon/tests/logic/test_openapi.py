"""The OpenAPI 3.1 document (``logic/openapi.py``): generated from the navl
schemas the actions validate with, valid against the OpenAPI 3.1
meta-schema, the same as the committed ``docs/openapi.json`` and the one the
portal serves; the documented result shapes are those the actions return."""

from __future__ import annotations

import inspect
import io
import json
import re
from pathlib import Path
from typing import Any

import docutils.core
import jsonschema
import pytest
from docutils import nodes
from docutils.parsers.rst import roles
from openapi_spec_validator import validate as validate_spec

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.logic import openapi
from ckanext.datathon.tests import factories as ours

pytestmark = pytest.mark.usefixtures("with_plugins")

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "openapi.json"
REGENERATE = "ckan -c test.ini datathon openapi -o docs/openapi.json"


class _Seen(Exception):
    pass


def _recorded_keys(monkeypatch: pytest.MonkeyPatch, action: str, user: str, attempts) -> Any:
    """The keys of the first navl schema ``action`` validates with, seen by
    calling it (nothing runs past validation); None when it never validated."""
    seen: list[dict[str, Any]] = []

    def recording(data: Any, schema: dict[str, Any], *args: Any, **kw: Any) -> Any:
        seen.append(schema)
        raise _Seen

    monkeypatch.setattr(tk, "navl_validate", recording)
    try:
        for data in attempts:
            try:
                helpers.call_action(action, context={"user": user, "ignore_auth": False}, **data)
            except Exception:  # noqa: S110  (only the schema is wanted here)
                pass
            finally:
                model.Session.rollback()
            if seen:
                break
    finally:
        monkeypatch.undo()
    return None if not seen else sorted(k for k in seen[0] if not k.startswith("__"))


def test_every_action_of_ours_has_its_schema(world, monkeypatch):
    """The schema the document is built from is the one the action validates
    with (read from its ``@validate`` decorator: ``fn.datathon_schema``)."""
    challenge = ours.PublishedChallengeFactory(owner_org=world.org["id"])
    project = helpers.call_action(
        "project_register",
        context={"user": world.user["name"], "ignore_auth": False},
        challenge=challenge["id"],
        title="Rutas",
        team_name="Owls",
        accept_rules=True,
    )
    attempts = (
        {},
        {"id": challenge["id"], "challenge": challenge["id"], "challenge_id": challenge["id"]},
        {"id": project["id"], "project": project["id"], "challenge": challenge["id"]},
    )
    schemas = openapi.action_schemas()
    actions = openapi.registered_actions()
    assert set(schemas) == set(actions)
    assert "challenge_create" in schemas
    assert "package_update" not in schemas  # chained core actions: core's input
    mismatches = []
    for action, schema in schemas.items():
        # every action declares one (datathon_hub_counts: an empty one, no parameter)
        assert hasattr(actions[action], "datathon_schema"), f"{action}: no schema found"
        documented = sorted(k for k in schema if not k.startswith("__"))
        recorded = _recorded_keys(monkeypatch, action, world.sysadmin["name"], attempts)
        if recorded is not None and recorded != documented:
            mismatches.append(f"{action}: validates {recorded}, documented {documented}")
    assert not mismatches, "\n".join(mismatches)


def test_the_mapping_knows_every_validator():
    """A new custom validator needs its entry in ``openapi.VALIDATORS``."""
    assert openapi.unknown_validators(openapi.action_schemas()) == {}


def test_the_document_is_valid_openapi_3_1():
    document = openapi.document()
    validate_spec(document)  # the OpenAPI 3.1 meta-schema (openapi-spec-validator)
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert "/api/3/action/challenge_show" in paths
    assert "/api/3/action/package_update" not in paths
    body = paths["/api/3/action/challenge_create"]["post"]["requestBody"]
    create = body["content"]["application/json"]["schema"]
    assert {"name", "title", "owner_org"} <= set(create["required"])
    assert create["properties"]["max_team_size"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 50,
        "default": 6,
    }
    assert create["properties"]["prizes"]["items"]["required"] == ["rank", "title"]
    assert create["properties"]["state"]["enum"] == ["draft", "active"]
    listing = paths["/api/3/action/challenge_list"]["post"]
    assert listing["x-ckan-side-effect-free"] is True
    limit = listing["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert limit["limit"]["default"] == 20
    responses = paths["/api/3/action/challenge_show"]["post"]["responses"]
    assert set(responses) == {"200", "400", "403", "404", "409"}


def test_the_committed_document_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == openapi.document_json(), (
        f"docs/openapi.json is stale: regenerate it with `{REGENERATE}`"
    )


def test_the_portal_serves_the_document(app):
    answer = app.get("/api/datathon/openapi.json")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert "public" in answer.headers["Cache-Control"]
    assert json.loads(answer.get_data(as_text=True)) == openapi.document()
    again = app.get("/api/datathon/openapi.json", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def _validator(name: str) -> jsonschema.protocols.Validator:
    document = openapi.document()
    root = {"components": document["components"], **openapi.RESULTS[name]}
    return jsonschema.Draft202012Validator(root)


def test_documented_shapes_are_what_the_actions_return(app, world):
    """``challenge_show`` (with prizes, timeline, an ally and a linked
    dataset), a project record with ``datasets_used``, ``project_member_list``:
    each real answer validates against its documented shape."""
    challenge = ours.PublishedChallengeFactory(owner_org=world.org["id"])
    ours.AllyFactory(challenge=challenge["id"])
    dataset = factories.Dataset(owner_org=world.org["id"])
    helpers.call_action(
        "challenge_dataset_add",
        context={"user": world.admin["name"]},
        id=challenge["id"],
        dataset=dataset["id"],
    )
    project = helpers.call_action(
        "project_register",
        context={"user": world.user["name"], "ignore_auth": False},
        challenge=challenge["id"],
        title="Rutas",
        team_name="Owls",
        accept_rules=True,
    )
    ours.add_team_member(project)
    shown = helpers.call_action(
        "package_patch",
        context={"user": world.user["name"]},
        id=project["id"],
        datasets_used=[{"dataset": dataset["id"]}],
    )
    answers = {
        "challenge_show": helpers.call_action(
            "challenge_show", context={"user": world.user["name"]}, id=challenge["id"]
        ),
        "project_register": shown,
        "project_member_list": helpers.call_action(
            "project_member_list", context={"user": world.user["name"]}, id=project["id"]
        ),
    }
    assert answers["challenge_show"]["prizes"]
    assert answers["challenge_show"]["allies"]
    assert answers["challenge_show"]["datasets"]
    assert shown["datasets_used"]
    assert answers["project_member_list"]["count"] == 2
    for name, answer in answers.items():
        errors = sorted(_validator(name).iter_errors(answer), key=str)
        assert not errors, f"{name}: " + "; ".join(e.message for e in errors[:5])
    # the shapes bite: a missing key or a wrong type is an error
    broken = dict(answers["challenge_show"], prizes=[{"rank": "first"}])
    assert list(_validator("challenge_show").iter_errors(broken))


# -- docstrings: help_show documents the whole API ----------------------------------

SPHINX_ROLES = ("func", "class", "meth", "data", "attr", "mod", "obj", "exc", "ref", "py:func")


def _docstring_problems(doc: str, keys: list[str], returns_something: bool) -> list[str]:
    """What is wrong with an action's docstring as Sphinx reads it: docutils
    warnings, a schema key without its own ``:param:`` and ``:type:``, two
    fields on one line, no ``:returns:``/``:rtype:``."""
    for role in SPHINX_ROLES:
        roles.register_generic_role(role, nodes.literal)
    warnings = io.StringIO()
    tree = docutils.core.publish_doctree(
        inspect.cleandoc(doc or ""),
        settings_overrides={"warning_stream": warnings, "report_level": 2, "halt_level": 5},
    )
    problems = [f"docutils: {line}" for line in warnings.getvalue().splitlines() if line]
    fields: dict[str, list[str]] = {}
    for field in tree.findall(nodes.field):
        name, *arg = field[0].astext().split(None, 1)
        body = field[1].astext()
        fields.setdefault(name, []).append(" ".join(arg))
        if re.search(r":(param|type|returns|rtype)\b", body):
            problems.append(f"two fields on one line: :{name} {' '.join(arg)}:")
    for key in keys:
        for kind in ("param", "type"):
            count = fields.get(kind, []).count(key)
            if count != 1:
                problems.append(f":{kind} {key}: appears {count} times")
    if returns_something:
        problems += [f"no :{kind}:" for kind in ("returns", "rtype") if kind not in fields]
    return problems


def test_every_action_docstring_documents_every_key():
    """``help_show`` documents the whole API: each action of ours has a
    docstring docutils parses cleanly, with one ``:param:`` and one
    ``:type:`` per key of its navl schema, and ``:returns:``/``:rtype:``."""
    actions = openapi.registered_actions()
    failures = []
    for name, schema in openapi.action_schemas().items():
        action = inspect.unwrap(actions[name])
        keys = sorted(k for k in schema if not k.startswith("__"))
        returns = inspect.signature(action).return_annotation not in (None, "None")
        failures += [f"{name}: {p}" for p in _docstring_problems(action.__doc__, keys, returns)]
    assert not failures, "\n".join(failures)


def test_the_docstring_check_bites():
    doc = """Do it.

    :param id: the challenge; :param user: who
    :param limit: page size
    :returns: ``{count, results}``
    """
    problems = _docstring_problems(doc, ["id", "user", "limit", "offset"], True)
    assert "two fields on one line: :param id:" in problems
    assert ":type id: appears 0 times" in problems
    assert ":param offset: appears 0 times" in problems
    assert "no :rtype:" in problems
    broken = _docstring_problems("Do it.\n\n:param id: *unclosed\n:type id: string", ["id"], False)
    assert any(p.startswith("docutils:") for p in broken)
    assert _docstring_problems(doc.replace("; :param user: who", ""), ["id"], False) == [
        ":type id: appears 0 times"
    ]


def test_help_show_returns_the_docstring(app):
    answer = app.get("/api/3/action/help_show?name=challenge_list")
    text = answer.json["result"]
    assert ":param limit:" in text
    assert ":type limit: int" in text


def test_the_schema_is_read_from_the_validate_decorator():
    """The document reads each action's schema from its ``@validate(schema)``
    (``fn.datathon_schema``); ``challenge_patch`` (``passthrough``) also
    documents the keys it hands on to ``challenge_update``, optional."""
    from ckanext.datathon.logic.schema import jury

    actions = openapi.registered_actions()
    schemas = openapi.action_schemas()
    assert sorted(schemas["challenge_juror_queue"]) == sorted(jury.juror_queue())
    assert sorted(schemas["challenge_patch"]) == ["id"]
    patch = openapi.documented_schema("challenge_patch", actions["challenge_patch"], schemas)
    assert set(patch) == set(schemas["challenge_update"])
    body = openapi.request_schema(patch)
    assert body["required"] == ["id"]
    show = openapi.documented_schema("challenge_show", actions["challenge_show"], schemas)
    assert show is schemas["challenge_show"]


def test_the_command_prints_and_writes_the_document(cli, tmp_path):
    """``ckan datathon openapi`` is how docs/openapi.json is regenerated."""
    from ckan.cli.cli import ckan

    printed = cli.invoke(ckan, ["datathon", "openapi"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == openapi.document()
    target = tmp_path / "openapi.json"
    written = cli.invoke(ckan, ["datathon", "openapi", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == openapi.document_json()
