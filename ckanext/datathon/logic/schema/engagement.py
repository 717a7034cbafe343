"""navl schemas of the mentorship and impact actions, one function per input.

Cross-field rules (``ends >= starts``; a place or a meeting URL; the project
belongs to the challenge; each cited dataset readable by the writer) need the
stored row or the database, so the actions check them after these schemas.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.datathon.model import IMPACT_KINDS

TITLE_MAX = 200
PLACE_MAX = 500
TEXT_MAX = 5000
NAME_MAX = 200
# A session has at most this many mentors; an impact entry cites at most
# this many datasets; a challenge has at most this many of each entry (the
# list actions and the calendar return them all, so they are bounded here).
MAX_MENTORS = 50
MAX_DATASETS = 50
MAX_SESSIONS = 300
MAX_IMPACT = 500

_ = tk._


def is_text(value: Any) -> Any:
    """Text only: a list or an object is not turned into its repr."""
    if value is not None and not isinstance(value, (str, int, float)):
        raise tk.Invalid(_("Must be a text value"))
    return value


def _text(
    max_length: int, *, required: bool = False, update: bool = False, line: bool = False
) -> list[Validator]:
    v = tk.get_validator
    if update:
        presence = [v("ignore_missing"), v("not_empty")] if required else [v("ignore_missing")]
    else:
        presence = [v("not_empty")] if required else [v("default")("")]
    return [
        *presence,
        is_text,
        v("unicode_safe"),
        v("datathon_text"),
        v("strip_value"),
        # titles, names: one line, no bidi controls
        *([v("datathon_one_line")] if line else []),
        v("datathon_max_length")(max_length),
    ]


def _ref() -> list[Validator]:
    v = tk.get_validator
    return [v("not_empty"), is_text, v("unicode_safe"), v("datathon_no_nul")]


def _string_list(value: Any, *, limit: int, item_max: int, split: str) -> list[str]:
    """A list of distinct non-empty strings, from a list or a text value."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items: list[Any] = re.split(split, value)
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise tk.Invalid(_("Must be a list"))
    result: list[str] = []
    for item in items:
        if not isinstance(item, str) or "\x00" in item:
            raise tk.Invalid(_("Each entry must be a text value"))
        item = item.strip()
        if len(item) > item_max:
            raise tk.Invalid(
                _("Each entry must be at most %(n)s characters long") % {"n": item_max}
            )
        if item and item not in result:
            result.append(item)
    if len(result) > limit:
        raise tk.Invalid(_("At most %(n)s entries") % {"n": limit})
    return result


def mentor_names(value: Any) -> Any:
    """Names of the mentors: a list, or text with one name per line or comma."""
    return _string_list(value, limit=MAX_MENTORS, item_max=NAME_MAX, split=r"[\n,;]")


def dataset_refs(value: Any) -> Any:
    """Ids or names of portal datasets: a list, or text separated by commas,
    spaces or new lines (existence and access are checked by the action)."""
    return _string_list(value, limit=MAX_DATASETS, item_max=100, split=r"[\s,]+")


def impact_kind(value: Any) -> Any:
    if value not in IMPACT_KINDS:
        raise tk.Invalid(_("Must be one of: %(values)s") % {"values": ", ".join(IMPACT_KINDS)})
    return value


def calendar_date(value: Any) -> Any:
    """A calendar date, YYYY-MM-DD (a date-time is cut to its date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    message = _("Must be a date, e.g. 2024-08-25")
    if not isinstance(value, str):
        raise tk.Invalid(message)
    try:
        parsed = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise tk.Invalid(message) from None
    if not 1900 <= parsed.year <= 2200:
        raise tk.Invalid(_("Must be a date between the years 1900 and 2200"))
    return parsed


# -- mentorship -----------------------------------------------------------------------


@validator_args
def mentorship_create(
    not_empty: Validator, default: ValidatorFactory, datathon_aware_datetime: Validator
) -> Schema:
    return {
        "challenge": _ref(),
        "title": _text(TITLE_MAX, required=True, line=True),
        "starts": [not_empty, datathon_aware_datetime],
        "ends": [not_empty, datathon_aware_datetime],
        "location": _text(PLACE_MAX),
        "url": [default(""), tk.get_validator("datathon_http_url")],
        "mentors": [default([]), mentor_names],
        "description": _text(TEXT_MAX),
    }


@validator_args
def mentorship_update(
    ignore_missing: Validator, not_empty: Validator, datathon_aware_datetime: Validator
) -> Schema:
    """Fields not given keep their value."""
    return {
        "id": _ref(),
        "title": _text(TITLE_MAX, required=True, update=True, line=True),
        "starts": [ignore_missing, not_empty, datathon_aware_datetime],
        "ends": [ignore_missing, not_empty, datathon_aware_datetime],
        "location": _text(PLACE_MAX, update=True),
        "url": [ignore_missing, tk.get_validator("datathon_http_url")],
        "mentors": [ignore_missing, mentor_names],
        "description": _text(TEXT_MAX, update=True),
    }


@validator_args
def entry_id() -> Schema:
    return {"id": _ref()}


@validator_args
def challenge_ref() -> Schema:
    return {"id": _ref()}


# -- impact ---------------------------------------------------------------------------


@validator_args
def impact_create(
    not_empty: Validator, default: ValidatorFactory, ignore_missing: Validator
) -> Schema:
    return {
        "challenge": _ref(),
        "date": [not_empty, calendar_date],
        "kind": [not_empty, impact_kind],
        "title": _text(TITLE_MAX, required=True, line=True),
        "description": _text(TEXT_MAX),
        "url": [default(""), tk.get_validator("datathon_http_url")],
        "project": [default(""), is_text, tk.get_validator("datathon_no_nul")],
        "datasets": [default([]), dataset_refs],
    }


@validator_args
def impact_update(ignore_missing: Validator, not_empty: Validator) -> Schema:
    """Fields not given keep their value (``project: ""`` unlinks the project,
    ``datasets: []`` the datasets)."""
    return {
        "id": _ref(),
        "date": [ignore_missing, not_empty, calendar_date],
        "kind": [ignore_missing, not_empty, impact_kind],
        "title": _text(TITLE_MAX, required=True, update=True, line=True),
        "description": _text(TEXT_MAX, update=True),
        "url": [ignore_missing, tk.get_validator("datathon_http_url")],
        "project": [ignore_missing, is_text, tk.get_validator("datathon_no_nul")],
        "datasets": [ignore_missing, dataset_refs],
    }
