"""Loading datathon objects by id or name, memoised for the current action call."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
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


def forget(context: Context) -> None:
    """Drop memoised objects (after a write changed them)."""
    context.pop(_CACHE, None)  # type: ignore[misc]


def ally(id_: Any) -> Ally | None:
    if not isinstance(id_, str) or not id_ or "\x00" in id_:
        return None
    return model.Session.get(Ally, id_)
