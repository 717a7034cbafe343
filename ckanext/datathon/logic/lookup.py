"""Loading datathon objects by id or name, memoised for the current action call."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.datathon.model import Ally, Challenge

_CACHE = "datathon_cache"


def _cache(context: Context) -> dict[Any, Any]:
    return context.setdefault(_CACHE, {})  # type: ignore[typeddict-item]


def challenge(context: Context, id_or_name: Any) -> Challenge | None:
    """The challenge whose id or name is ``id_or_name`` (one query per call)."""
    if not isinstance(id_or_name, str) or not id_or_name or "\x00" in id_or_name:
        return None
    cache = _cache(context)
    key = ("challenge", id_or_name)
    if key not in cache:
        cache[key] = model.Session.scalars(
            sa.select(Challenge).where(
                sa.or_(Challenge.id == id_or_name, Challenge.name == id_or_name)
            )
        ).first()
    return cache[key]


def challenge_or_404(context: Context, id_or_name: Any) -> Challenge:
    """:func:`challenge`, or ``ObjectNotFound`` ("Challenge not found")."""
    found = challenge(context, id_or_name)
    if found is None:
        raise tk.ObjectNotFound(tk._("Challenge not found"))
    return found


def forget(context: Context) -> None:
    """Drop memoised objects (after a write changed them)."""
    context.pop(_CACHE, None)  # type: ignore[misc]


def ally(id_: Any) -> Ally | None:
    if not isinstance(id_, str) or not id_ or "\x00" in id_:
        return None
    return model.Session.get(Ally, id_)


def organization(ref: Any) -> model.Group | None:
    """The active organization ``ref`` names, read exactly as the validators
    read it: surrounding whitespace stripped, then its id or its name.

    The one resolver of organization references: the auth functions and the
    ``datathon_organization_id`` validator both call it, so that what is
    authorized is what gets written (a ``" other-org"`` must not pass the
    check as "no organization" and then be stored as other-org's id).
    """
    if not is_ref(ref) or not ref.strip():
        return None
    group = model.Group.get(ref.strip())
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def is_ref(value: Any) -> bool:
    """Whether ``value`` can be an id or a name at all (text, no NUL)."""
    return isinstance(value, str) and "\x00" not in value and len(value) <= 1000


def require_refs(data_dict: Any, *keys: str) -> None:
    """Before a core action we chain: refuse ids/names that are not text (a
    list, a number, a NUL...) with a field error, where core would reach the
    database with them and answer a server error."""
    if not isinstance(data_dict, dict):
        return
    errors = {
        key: [tk._("Must be a text value")]
        for key in keys
        if data_dict.get(key) not in (None, "") and not is_ref(data_dict[key])
    }
    if errors:
        raise tk.ValidationError(errors)


def require_ref_list(data_dict: Any, key: str) -> None:
    """Before a core action we chain that reads ``key`` as a list of ids or
    names (``bulk_update_*``'s ``datasets``): absent is left to the action;
    anything but a list of text values is a field error (core would pass it to
    the database and answer a server error)."""
    if not isinstance(data_dict, dict) or key not in data_dict:
        return
    value = data_dict[key]
    if not isinstance(value, list):
        raise tk.ValidationError({key: [tk._("Must be a list")]})
    if not all(is_ref(item) for item in value):
        raise tk.ValidationError({key: [tk._("Must be a text value")]})
