"""OpenAPI 3.1 description of the datathon actions, generated from their navl
schemas (issue 20, item 5).

One mapping, :data:`VALIDATORS`, turns each validator of a navl schema into a
JSON Schema fragment; the request body of every action is built from the
schema that action validates with, read at run time (:func:`action_schemas`),
so the document follows the code.  The same mapping gives the property test of
"No 500, ever" its typed values (:func:`request_schema`).  Responses are CKAN's
envelope (``{"help", "success", "result"}``, and ``{"help", "success",
"error"}`` for 400, 403, 404 and 409) with deep shapes for the documented
objects (:data:`RESULTS`).

``ckan datathon openapi`` (or ``scripts/openapi.py``) writes
``docs/openapi.json``; ``/api/datathon/openapi.json`` serves the same document.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins as p
from ckan.types import Schema

from ckanext.datathon.model import ALLY_KINDS, DATASET_ROLES, IMPACT_KINDS, STAGES

__all__ = [
    "VALIDATORS",
    "action_schemas",
    "document",
    "document_json",
    "request_schema",
    "unknown_validators",
]

OPENAPI_VERSION = "3.1.0"
JSON_SCHEMA_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"

Fragment = dict[str, Any]

# -- the validator -> JSON Schema mapping ---------------------------------------------
#
# Each entry: the validator's name (a factory's closure is named by its
# factory: ``datathon_int_range(1, 50)`` is ``datathon_int_range``) -> a
# function of the validator giving (fragment, presence).  ``presence`` is
# "required", "optional" or None (no say); the first validator that has a say
# decides.  A fragment's keys override those of the validators before it, so
# the most specific validator (last in the list) wins.

REQUIRED = "required"
OPTIONAL = "optional"


def _closure(validator: Any) -> dict[str, Any]:
    try:
        return dict(inspect.getclosurevars(validator).nonlocals)
    except (TypeError, ValueError):
        return {}


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return None
    return value


def _fixed(fragment: Fragment | None = None, presence: str | None = None) -> Callable:
    def entry(validator: Any) -> tuple[Fragment, str | None]:
        return dict(fragment or {}), presence

    return entry


def _default(validator: Any) -> tuple[Fragment, str | None]:
    value = _jsonable(_closure(validator).get("default_value"))
    return ({"default": value} if value not in (None, "", []) else {}), OPTIONAL


def _configured_default(validator: Any) -> tuple[Fragment, str | None]:
    value = _jsonable(_closure(validator).get("default_value"))
    return ({"default": value} if value is not None else {}), OPTIONAL


def _one_of(validator: Any) -> tuple[Fragment, str | None]:
    values = next(
        (v for v in _closure(validator).values() if isinstance(v, (list, tuple, set))), []
    )
    return {"enum": sorted(values, key=str)}, None


def _max_length(validator: Any) -> tuple[Fragment, str | None]:
    return {"type": "string", "maxLength": int(_closure(validator)["length"])}, None


def _int_range(validator: Any) -> tuple[Fragment, str | None]:
    bounds = _closure(validator)
    return {
        "type": "integer",
        "minimum": int(bounds["low"]),
        "maximum": int(bounds["high"]),
    }, None


def _limit(validator: Any) -> tuple[Fragment, str | None]:
    maximum = _closure(validator).get("maximum_default")
    fragment: Fragment = {"type": "integer", "minimum": 0, "maximum": 10**9}
    if maximum is not None:
        fragment["description"] = f"page size; larger values are clamped to {maximum}"
    return fragment, None


STRING: Fragment = {"type": "string"}
TEXT: Fragment = {"type": "string"}
STRINGS: Fragment = {"type": "array", "items": {"type": "string"}}
DATE_TIME: Fragment = {"type": ["string", "null"], "format": "date-time"}
HTTP_URL: Fragment = {"type": "string", "maxLength": 2000, "pattern": "^(https?://.+)?$"}

VALIDATORS: dict[str, Callable[[Any], tuple[Fragment, str | None]]] = {
    # presence (core)
    "not_empty": _fixed(presence=REQUIRED),
    "not_missing": _fixed(presence=REQUIRED),
    "ignore_missing": _fixed(presence=OPTIONAL),
    "ignore_empty": _fixed(presence=OPTIONAL),
    "ignore": _fixed(presence=OPTIONAL),
    "default": _default,
    "configured_default": _configured_default,
    # types and values (core)
    "unicode_safe": _fixed(STRING),
    "strip_value": _fixed(),
    "one_of": _one_of,
    "boolean_validator": _fixed({"type": "boolean"}),
    "natural_number_validator": _fixed({"type": "integer", "minimum": 0}),
    "int_validator": _fixed({"type": "integer"}),
    "isodate": _fixed({"type": "string", "format": "date-time"}),
    "email_validator": _fixed({"type": "string", "format": "email"}),
    # ours (ckanext/datathon/logic/validators.py)
    "datathon_no_nul": _fixed(),
    "datathon_string": _fixed(STRING),
    "datathon_text": _fixed(TEXT),
    "datathon_one_line": _fixed(STRING),
    "datathon_max_length": _max_length,
    "datathon_int_range": _int_range,
    "datathon_bool": _fixed({"type": "boolean"}),
    "datathon_limit": _limit,
    "datathon_offset": _fixed({"type": "integer", "minimum": 0, "maximum": 10**9}),
    "datathon_challenge_name": _fixed(
        {"type": "string", "minLength": 2, "maxLength": 100, "pattern": "^[a-z0-9][a-z0-9_-]*$"}
    ),
    "datathon_organization_id": _fixed(
        {"type": "string", "minLength": 1, "description": "id or name of an organization"}
    ),
    "datathon_http_url": _fixed(HTTP_URL),
    "datathon_aware_datetime": _fixed(DATE_TIME),
    "datathon_timezone": _fixed({"type": "string", "maxLength": 64, "default": "UTC"}),
    "datathon_challenge_state": _fixed({"enum": ["draft", "active"]}),
    "datathon_stage": _fixed({"enum": list(STAGES)}),
    "datathon_dataset_role": _fixed({"enum": list(DATASET_ROLES)}),
    "datathon_ally_kind": _fixed({"enum": list(ALLY_KINDS)}),
    "datathon_licence_list": _fixed({**STRINGS, "minItems": 1, "description": "SPDX licence ids"}),
    "datathon_tag_list": _fixed(
        {"type": "array", "items": {"type": "string", "minLength": 2, "maxLength": 100}}
    ),
    "datathon_currency": _fixed(
        {"type": ["string", "null"], "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217"}
    ),
    "datathon_money": _fixed(
        {"type": ["number", "string", "null"], "description": "a non-negative amount"}
    ),
    "datathon_dataset_ids": _fixed({**STRINGS, "maxItems": 1000}),
    "datathon_resource_ids": _fixed(STRINGS),
    "datathon_score_value": _fixed({"type": "integer", "minimum": 0}),
    "datathon_weight": _fixed(
        {"type": "number", "exclusiveMinimum": 0, "maximum": 1000, "default": 1}
    ),
    # private validators of the schema modules (logic/schema/*.py)
    "is_text": _fixed(STRING),
    "_is_text": _fixed(STRING),
    "mentor_names": _fixed({**STRINGS, "maxItems": 50}),
    "dataset_refs": _fixed({**STRINGS, "maxItems": 50}),
    "impact_kind": _fixed({"enum": list(IMPACT_KINDS)}),
    "calendar_date": _fixed({"type": "string", "format": "date"}),
    "_cursor": _fixed({"type": "string", "maxLength": 400, "description": "an export cursor"}),
    "_ref": _fixed({"type": "string", "maxLength": 100, "description": "an id or a name"}),
    "_iso_date": _fixed({"type": "string", "format": "date"}),
}


def validator_name(validator: Any) -> str:
    """A validator's name; a factory's closure is named by its factory."""
    if isinstance(validator, functools.partial):
        validator = validator.func
    qualname = getattr(validator, "__qualname__", "") or getattr(validator, "__name__", "")
    return qualname.split(".<locals>")[0].rsplit(".", 1)[-1]


def _property(validators: Any) -> tuple[Fragment, bool]:
    """The JSON Schema of one key, and whether the key is required."""
    if isinstance(validators, dict):  # a nested schema: a list of objects
        return {"type": "array", "items": _object(validators)}, False
    fragment: Fragment = {}
    presence: str | None = None
    for validator in validators:
        entry = VALIDATORS.get(validator_name(validator))
        if entry is None:
            continue  # unknown_validators() reports it; the tests fail on it
        part, say = entry(validator)
        if "enum" in part:
            fragment.pop("type", None)
        fragment.update(part)
        presence = presence or say
    return fragment, presence == REQUIRED


def _object(schema: Schema) -> Fragment:
    properties: dict[str, Fragment] = {}
    required: list[str] = []
    for key in sorted(schema):
        if key.startswith("__"):
            continue
        properties[key], needed = _property(schema[key])
        if needed:
            required.append(key)
    result: Fragment = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    return result


def request_schema(schema: Schema) -> Fragment:
    """The JSON Schema of a navl schema (an object; unknown keys allowed, as
    CKAN ignores them)."""
    return _object(schema)


def _validators(schema: Schema) -> Iterator[Any]:
    for key, validators in schema.items():
        if key.startswith("__"):
            continue
        if isinstance(validators, dict):
            yield from _validators(validators)
        else:
            yield from validators


def unknown_validators(schemas: dict[str, Schema]) -> dict[str, list[str]]:
    """Validators the mapping has no entry for, per action (a new custom
    validator needs a hand-written entry in :data:`VALIDATORS`)."""
    unknown: dict[str, list[str]] = {}
    for action, schema in schemas.items():
        names = sorted(
            {validator_name(v) for v in _validators(schema)} - set(VALIDATORS),
        )
        if names:
            unknown[action] = names
    return unknown


# -- which schema each action validates with -----------------------------------------


def registered_actions() -> dict[str, Any]:
    """The actions the plugin registers, less the chained core ones (their
    input is core's)."""
    found = p.get_plugin("datathon").get_actions()
    return {
        name: action
        for name, action in sorted(found.items())
        if not getattr(action, "chained_action", False)
    }


def _optional(schema: Schema) -> Schema:
    """Every key optional but ``id``: what a ``*_patch`` action (which hands
    the keys it does not validate on to its ``*_update``) accepts besides its
    own keys -- omitted fields keep their value."""
    import ckan.plugins.toolkit as tk

    return {
        key: [tk.get_validator("ignore_missing"), *validators]
        if key != "id" and isinstance(validators, list)
        else validators
        for key, validators in schema.items()
    }


def action_schemas() -> dict[str, Schema]:
    """``{action: navl schema}`` for every action of ours (not the chained
    core ones), read at run time from its ``@validate(schema)`` decorator
    (``fn.datathon_schema``); ``{}`` for an action without one (the tests
    require one everywhere)."""
    schemas: dict[str, Schema] = {}
    for name, action in registered_actions().items():
        schema_function = getattr(action, "datathon_schema", None)
        schemas[name] = schema_function() if callable(schema_function) else {}
    return schemas


def documented_schema(name: str, action: Any, schemas: dict[str, Schema]) -> Schema:
    """The request schema the document shows: the action's own, and for a
    ``passthrough`` action (``challenge_patch``) also the keys of the
    ``*_update`` it hands them on to, optional."""
    schema = schemas[name]
    target = name.replace("_patch", "_update")
    if getattr(action, "datathon_passthrough", False) and target in schemas:
        return {**_optional(schemas[target]), **schema}
    return schema


# -- responses -----------------------------------------------------------------------

NULLABLE_STRING: Fragment = {"type": ["string", "null"]}
NULLABLE_DATE_TIME: Fragment = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> Fragment:
    return {"$ref": f"#/components/schemas/{name}"}


def _closed(properties: dict[str, Fragment], *, optional: tuple[str, ...] = ()) -> Fragment:
    """An object with these keys (all present but ``optional``); other keys
    may come (a plugin may add some, as CKAN's own dicts allow)."""
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(k for k in properties if k not in optional),
    }


COMPONENTS: dict[str, Fragment] = {
    "Organization": _closed(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "title": {"type": "string"},
            "image_url": NULLABLE_STRING,
        }
    ),
    "Prize": _closed(
        {
            "rank": {"type": "integer", "minimum": 1},
            "title": {"type": "string"},
            "amount": {
                "type": ["string", "null"],
                "description": 'a decimal amount as text, e.g. "1500.00"',
            },
            "currency": {"type": ["string", "null"], "description": "ISO 4217"},
            "description": {"type": ["string", "null"]},
        }
    ),
    "PrizeTotal": _closed({"currency": {"type": "string"}, "amount": {"type": "string"}}),
    "TimelineEntry": _closed(
        {
            "stage": {"enum": list(STAGES)},
            "position": {"type": "integer"},
            "starts": NULLABLE_DATE_TIME,
            "ends": NULLABLE_DATE_TIME,
            "notes": {"type": "string"},
            "status": {"enum": ["past", "current", "upcoming", "unscheduled"]},
        }
    ),
    "Ally": _closed(
        {
            "id": {"type": "string"},
            "challenge_id": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"enum": list(ALLY_KINDS)},
            "url": NULLABLE_STRING,
            "logo_url": NULLABLE_STRING,
            "description": NULLABLE_STRING,
            "created": NULLABLE_DATE_TIME,
        }
    ),
    "LinkedDataset": _closed(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "title": {"type": "string"},
            "notes": {"type": "string"},
            "private": {"type": "boolean"},
            "owner_org": NULLABLE_STRING,
            "organization_title": NULLABLE_STRING,
            "role": {"enum": list(DATASET_ROLES)},
            "note": NULLABLE_STRING,
            "num_resources": {"type": "integer", "minimum": 0},
        }
    ),
    "Challenge": _closed(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "title": {"type": "string"},
            "owner_org": {"type": "string"},
            "organization": {"oneOf": [_ref("Organization"), {"type": "null"}]},
            "problem_statement": NULLABLE_STRING,
            "description": NULLABLE_STRING,
            "image_url": NULLABLE_STRING,
            "tags": {"type": "array", "items": {"type": "string"}},
            "state": {"enum": ["draft", "active", "deleted"]},
            "created": NULLABLE_DATE_TIME,
            "modified": NULLABLE_DATE_TIME,
            "published": NULLABLE_DATE_TIME,
            "creator_user_id": NULLABLE_STRING,
            "registration_opens": NULLABLE_DATE_TIME,
            "registration_closes": NULLABLE_DATE_TIME,
            "submission_deadline": NULLABLE_DATE_TIME,
            "judging_closes": NULLABLE_DATE_TIME,
            "results_date": NULLABLE_DATE_TIME,
            "max_team_size": {"type": "integer", "minimum": 1, "maximum": 50},
            "min_team_size": {"type": "integer", "minimum": 1, "maximum": 50},
            "allowed_licences": {"type": "array", "items": {"type": "string"}},
            "require_open_data": {"type": "boolean"},
            "require_rules_acceptance": {"type": "boolean"},
            "eligibility": NULLABLE_STRING,
            "rules_text": NULLABLE_STRING,
            "timezone": {"type": "string"},
            "prizes": {"type": "array", "items": _ref("Prize")},
            "prize_total": {"type": "array", "items": _ref("PrizeTotal")},
            "timeline": {"type": "array", "items": _ref("TimelineEntry")},
            "current_stage": {"oneOf": [{"enum": list(STAGES)}, {"type": "null"}]},
            "next_stage": {"oneOf": [{"enum": list(STAGES)}, {"type": "null"}]},
            "allies": {"type": "array", "items": _ref("Ally")},
            "datasets": {
                "type": "array",
                "items": _ref("LinkedDataset"),
                "description": "the linked datasets the caller may read",
            },
            "dataset_count": {"type": "integer", "minimum": 0},
            "registration_open": {"type": "boolean"},
        },
        optional=("datasets", "dataset_count", "published"),
    ),
    "DatasetsUsed": {
        "type": "array",
        "description": (
            "the portal datasets a project uses: each entry a dataset id and, "
            "optionally, some of its resources; a reader sees only the entries "
            "whose dataset they may read"
        ),
        "items": _closed(
            {
                "dataset": {"type": "string", "description": "id of a portal dataset"},
                "resource_ids": {"type": "array", "items": {"type": "string"}},
            },
            optional=("resource_ids",),
        ),
    },
    "Project": {
        "type": "object",
        "description": (
            "a project record: a CKAN dataset of type project (package_show's "
            "dict) with the fields the plugin adds"
        ),
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "title": {"type": "string"},
            "type": {"const": "project"},
            "challenge": {"type": "string", "description": "id of the challenge"},
            "team_name": NULLABLE_STRING,
            "submission_status": {"enum": ["draft", "submitted", "withdrawn"]},
            "datasets_used": _ref("DatasetsUsed"),
        },
        "required": ["id", "name", "type"],
    },
    "ProjectMember": _closed(
        {
            "user_id": {"type": "string"},
            "name": {"type": "string"},
            "display_name": {"type": "string"},
            "leader": {"type": "boolean"},
        },
        optional=("user_id", "name"),
    ),
    "ProjectTeam": {
        **_closed(
            {
                "count": {"type": "integer", "minimum": 0},
                "members": {
                    "type": "array",
                    "items": _ref("ProjectMember"),
                    "description": (
                        "leader first, then by display name; user_id and name only "
                        "where user details are public to the reader"
                    ),
                },
                "deleted": {"const": True},
            },
            optional=("deleted",),
        ),
    },
    "Page": _closed({"count": {"type": "integer", "minimum": 0}, "results": {"type": "array"}}),
}

# The result of these actions, as a JSON Schema (others: any JSON value).
RESULTS: dict[str, Fragment] = {
    "challenge_show": _ref("Challenge"),
    "challenge_create": _ref("Challenge"),
    "challenge_update": _ref("Challenge"),
    "challenge_patch": _ref("Challenge"),
    "challenge_list": {
        **_ref("Page"),
    },
    "project_register": _ref("Project"),
    "project_member_list": _ref("ProjectTeam"),
    "project_member_remove": _ref("ProjectTeam"),
}

ENVELOPE_DESCRIPTION = "CKAN's envelope: ``result`` holds what the action returns"


def _success(result: Fragment) -> Fragment:
    return {
        "type": "object",
        "properties": {
            "help": {"type": "string"},
            "success": {"const": True},
            "result": result,
        },
        "required": ["help", "success", "result"],
    }


def _error(kind: str, extra: dict[str, Fragment] | None = None) -> Fragment:
    error: Fragment = {
        "type": "object",
        "properties": {"__type": {"const": kind}, **(extra or {})},
        "required": ["__type"],
    }
    return {
        "type": "object",
        "properties": {
            "help": {"type": "string"},
            "success": {"const": False},
            "error": error,
        },
        "required": ["help", "success", "error"],
    }


def _validation_error() -> Fragment:
    """``{"__type": "Validation Error", field: [message, ...], ...}``: every
    other key is a field of the request (a nested field holds its own
    errors)."""
    envelope = _error("Validation Error")
    envelope["properties"]["error"]["additionalProperties"] = {
        "type": ["array", "object", "string"]
    }
    return envelope


def _error_responses() -> dict[str, Any]:
    def json_body(name: str, description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": _ref(name)}},
        }

    return {
        "400": {
            "description": "a body that is not a JSON object, or text no field can hold "
            "(a lone surrogate, a NUL)",
        },
        "403": json_body("AuthorizationError", "not authorized"),
        "404": json_body(
            "NotFoundError", "no such object, or one the caller may not see (drafts: 404)"
        ),
        "409": json_body(
            "ValidationError",
            'field errors: ``{field: [message, ...]}`` (a missing key: "Missing value")',
        ),
    }


def _docstring(action: Any) -> str:
    return inspect.cleandoc(getattr(action, "__doc__", None) or "")


def _operation(name: str, action: Any, schema: Schema) -> dict[str, Any]:
    doc = _docstring(action)
    summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    operation: dict[str, Any] = {
        "operationId": name,
        "summary": summary[:200],
        "description": doc,
        "tags": [_tag(name)],
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": request_schema(schema)}},
        },
        "responses": {
            "200": {
                "description": ENVELOPE_DESCRIPTION,
                "content": {"application/json": {"schema": _success(RESULTS.get(name, {}))}},
            },
            **_error_responses(),
        },
        "security": [{}, {"apiToken": []}],
    }
    if getattr(action, "side_effect_free", False):
        operation["x-ckan-side-effect-free"] = True
    return operation


TAGS = (
    ("project_", "projects"),
    ("challenge_juror", "jury"),
    ("challenge_jury", "jury"),
    ("challenge_criterion", "jury"),
    ("challenge_award", "jury"),
    ("challenge_ranking", "jury"),
    ("challenge_results", "jury"),
    ("challenge_scores", "jury"),
    ("challenge_projects", "jury"),
    ("challenge_idea", "ideathon"),
    ("challenge_data_gap", "ideathon"),
    ("challenge_impact", "engagement"),
    ("challenge_mentorship", "engagement"),
    ("challenge_announcement", "mail"),
    ("datathon_mail", "mail"),
    ("datathon_hub", "hub"),
    ("follow", "following"),
    ("unfollow", "following"),
    ("am_following", "following"),
    ("challenge_follow", "following"),
)


def _tag(name: str) -> str:
    return next((tag for prefix, tag in TAGS if name.startswith(prefix)), "challenges")


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every action of ours."""
    from ckanext.datathon.version import __version__

    actions = registered_actions()
    schemas = action_schemas()
    paths = {
        f"/api/3/action/{name}": {
            "post": _operation(name, actions[name], documented_schema(name, actions[name], schemas))
        }
        for name in sorted(actions)
    }
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
        "info": {
            "title": "ckanext-datathon actions",
            "version": __version__,
            "description": (
                "The actions of the datathon plugin on CKAN's action API. Every action "
                "answers POST with a JSON object (side-effect-free ones also GET with "
                "the same keys as query parameters). Request schemas are generated from "
                "the actions' navl schemas; CKAN ignores keys it does not know. "
                "Responses are CKAN's envelope."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/"}],
        "tags": sorted(
            ({"name": tag} for tag in {t for _p, t in TAGS} | {"challenges"}),
            key=lambda t: t["name"],
        ),
        "paths": paths,
        "components": {
            "schemas": {
                **COMPONENTS,
                "AuthorizationError": _error(
                    "Authorization Error", {"message": {"type": "string"}}
                ),
                "NotFoundError": _error("Not Found Error", {"message": {"type": "string"}}),
                "ValidationError": _validation_error(),
            },
            "securitySchemes": {
                "apiToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "a CKAN API token",
                }
            },
        },
    }


def document_json() -> str:
    """The document as committed: sorted keys, two-space indent, final newline."""
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
