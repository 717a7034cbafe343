"""One way to validate an action's input, and one way to commit its writes.

``@validate(schema)`` decorates every action of the plugin (chained core
actions excepted: core validates those with its own schemas).  Like core's
``ckan.logic.validate`` it runs the navl schema and hands the action the
validated dict, raising ``ValidationError({field: [message, ...]})``; unlike
it, authorization comes first (the design's rule, and what keeps validators
that read the database from answering callers who may not see an object):

1. anything but a JSON object: ``{"__root__": ["Expected a JSON object"]}``;
2. deprecated spellings of keys (``aliases``, old name -> canonical name)
   are renamed, each logged once per process and (action, key) as
   deprecated; the canonical key wins when both are sent;
3. ``check_access`` under the action's name, on the renamed input; a caller
   refused while a required reference (``id``, ``challenge``, ``project``,
   ``user``, ``dataset``) is missing gets ``{key: ["Missing value"]}`` (409)
   rather than the 403/404 that the missing key caused (a wrong value still
   answers 404); ``hide`` turns a refusal into ``ObjectNotFound`` (hidden
   objects answer 404);
4. ``shapes`` (checks of nested values navl cannot express), then the navl
   schema, then ``cross_field(data, errors)`` (rules involving several
   fields, on the fields that passed), all reported at once.

Keys the schema does not name are dropped, as navl (and core) drop them
(``passthrough`` actions hand them on to the action that validates them).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

log = logging.getLogger(__name__)

_ = tk._

Errors = dict[str, list[Any]]
CrossField = Callable[[dict[str, Any], dict[str, Any]], Mapping[str, list[str]]]
Shapes = Callable[[DataDict, Schema], Mapping[str, list[str]]]

# validators that make a key required, with core's "Missing value"
_PRESENCE = ("not_empty", "not_missing")
# keys naming the objects an action reads: what auth looks up first
REFERENCES = ("id", "challenge", "project", "user", "dataset")
# (action, deprecated key) pairs already logged in this process
_warned: set[tuple[str, str]] = set()


def commit(context: Context, *, reindex: str | None = None) -> None:
    """Commit the session, unless the caller batches the writes
    (``context["defer_commit"]``, as core's actions honour it); then index
    dataset ``reindex`` again (CKAN 2.12 indexes in its actions, not on
    commit: Solr keeps in step with the visibility our actions change)."""
    if context.get("defer_commit"):
        return
    model.repo.commit()
    if reindex is not None:
        search.rebuild(reindex)


def rename_aliases(action: str, data_dict: DataDict, aliases: Mapping[str, str]) -> DataDict:
    """``data_dict`` with deprecated keys under their canonical names (the
    canonical key wins when both are given; the deprecated one is dropped)."""
    used = [old for old in aliases if old in data_dict]
    if not used:
        return data_dict
    renamed = {k: v for k, v in data_dict.items() if k not in aliases}
    for old in used:
        new = aliases[old]
        if new not in data_dict:
            renamed[new] = data_dict[old]
        if (action, old) not in _warned:
            _warned.add((action, old))
            log.warning(
                "%s: the key %r is deprecated (accepted until 1.0): send %r instead",
                action,
                old,
                new,
            )
    return renamed


def required_keys(schema: Schema) -> list[str]:
    """Top-level keys whose first validator requires a value (``not_empty``,
    ``not_missing``; after ``ignore_missing`` a key is optional)."""
    return [
        key
        for key, validators in schema.items()
        if isinstance(validators, list)
        and validators
        and not key.startswith("__")
        and getattr(validators[0], "__name__", "") in _PRESENCE
    ]


def missing_errors(schema: Schema, data_dict: DataDict) -> Errors:
    """``{key: ["Missing value"]}`` for each required reference (``REFERENCES``)
    absent or empty: the object auth could not find was never named."""
    return {
        key: [_("Missing value")]
        for key in required_keys(schema)
        if key in REFERENCES and data_dict.get(key) in (None, "", [], {})
    }


def validate(
    schema_func: Callable[[], Schema],
    *,
    aliases: Mapping[str, str] | None = None,
    hide: Callable[[], str] | None = None,
    shapes: Shapes | None = None,
    cross_field: CrossField | None = None,
    passthrough: bool = False,
    find: Callable[[Context, DataDict], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate an action ``fn(context, data)``: it receives the validated
    input after ``check_access(<its name>)`` passed (see the module).

    :param schema_func: the navl schema of the action's input
    :param aliases: deprecated key -> canonical key (kept until 1.0)
    :param hide: message of the ObjectNotFound answered instead of NotAuthorized
    :param shapes: pre-navl checks returning field errors
    :param cross_field: ``(data, errors) -> errors`` after navl
    :param passthrough: also hand on the keys the schema does not name, as
        sent (``challenge_patch``: ``challenge_update`` validates them)
    :param find: after auth, before validation, when no required reference
        is missing: look the object up (``ObjectNotFound`` for an unknown one
        before its fields are judged; sysadmins skip the auth that says so)
    """
    renames = dict(aliases or {})

    def decorator(action: Callable[..., Any]) -> Callable[..., Any]:
        name = action.__name__

        @functools.wraps(action)
        def wrapper(context: Context, data_dict: DataDict) -> Any:
            if not isinstance(data_dict, dict):
                raise tk.ValidationError({"__root__": [_("Expected a JSON object")]})
            data_dict = rename_aliases(name, data_dict, renames)
            schema = schema_func()
            missing = missing_errors(schema, data_dict)
            try:
                tk.check_access(name, context, data_dict)
            except (tk.NotAuthorized, tk.ObjectNotFound):
                if missing:
                    raise tk.ValidationError(missing) from None
                if hide is not None:
                    raise tk.ObjectNotFound(hide()) from None
                raise
            if find is not None and not missing:
                find(context, data_dict)
            data = validated(data_dict, schema, context, shapes, cross_field)
            if passthrough:
                data = {**data_dict, **data}
            return action(context, data)

        wrapper.datathon_schema = schema_func  # type: ignore[attr-defined]
        wrapper.datathon_passthrough = passthrough  # type: ignore[attr-defined]
        wrapper.datathon_aliases = renames  # type: ignore[attr-defined]
        return wrapper

    return decorator


def validated(
    data_dict: DataDict,
    schema: Schema,
    context: Context,
    shapes: Shapes | None = None,
    cross_field: CrossField | None = None,
) -> dict[str, Any]:
    """navl validation with the pre- and post-checks (no auth, no aliases)."""
    if shapes is not None:
        shape_errors = dict(shapes(data_dict, schema))
        if shape_errors:
            raise tk.ValidationError(shape_errors)
    data, errors = tk.navl_validate(dict(data_dict), schema, context)
    if cross_field is not None:
        for key, messages in cross_field(data, errors).items():
            if not errors.get(key):
                errors[key] = list(messages)
    if errors:
        raise tk.ValidationError(_core_shapes(errors))
    return data


def _core_shapes(errors: dict[str, Any]) -> dict[str, Any]:
    # CKAN's ValidationError expects dataset-style tag errors ([{"name": [...]}]).
    if isinstance(errors.get("tags"), list):
        errors["tags"] = [
            {"name": [msg]} if isinstance(msg, str) else msg for msg in errors["tags"]
        ]
    return errors
