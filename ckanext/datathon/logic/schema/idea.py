"""navl schemas of the ideathon actions, one function per action input."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
GAP_TEXT_MAX = 2000
HOLDER_MAX = 200
# An idea names at most this many data gaps.
MAX_DATA_GAPS = 10
SORTS = ("votes", "recent")
LIST_LIMIT, LIST_LIMIT_MAX = 20, 100
GAP_LIMIT, GAP_LIMIT_MAX = 1000, 5000
# PostgreSQL's OFFSET is a bigint; no listing is that long anyway.
OFFSET_MAX = 10**9


def _is_text(value: Any) -> Any:
    """Text only: a list or an object is not turned into its repr."""
    if value is not None and not isinstance(value, (str, int, float)):
        raise tk.Invalid(tk._("Must be a text value"))
    return value


def _text(max_length: int, *, required: bool = False, line: bool = False) -> list[Validator]:
    v = tk.get_validator
    presence = v("not_empty") if required else v("default")("")
    return [
        presence,
        _is_text,
        v("unicode_safe"),
        v("datathon_text"),
        v("strip_value"),
        # titles, names: one line, no bidi controls
        *([v("datathon_one_line")] if line else []),
        # stripping may leave nothing of a required text
        *([v("not_empty")] if required else []),
        v("datathon_max_length")(max_length),
    ]


def _ref() -> list[Validator]:
    v = tk.get_validator
    return [v("not_empty"), _is_text, v("unicode_safe"), v("datathon_no_nul")]


@validator_args
def data_gap() -> Schema:
    return {
        "title": _text(TITLE_MAX, required=True, line=True),
        "description": _text(GAP_TEXT_MAX),
        "holder": _text(HOLDER_MAX),
    }


@validator_args
def idea_create() -> Schema:
    """``data_gaps`` is checked to be a list of at most ``MAX_DATA_GAPS``
    objects before navl runs (navl cannot validate another shape)."""
    return {
        "challenge": _ref(),
        "title": _text(TITLE_MAX, required=True, line=True),
        "description": _text(DESCRIPTION_MAX),
        "data_gaps": data_gap(),
    }


@validator_args
def idea_ref() -> Schema:
    return {"id": _ref()}


@validator_args
def idea_adopt(default: ValidatorFactory) -> Schema:
    return {"id": _ref(), "adopted": [default(True), tk.get_validator("datathon_bool")]}


@validator_args
def idea_list(
    default: ValidatorFactory,
    one_of: ValidatorFactory,
    datathon_int_range: ValidatorFactory,
) -> Schema:
    return {
        "id": _ref(),
        "sort": [default("votes"), _is_text, one_of(list(SORTS))],
        "limit": [default(LIST_LIMIT), datathon_int_range(1, LIST_LIMIT_MAX)],
        "offset": [default(0), datathon_int_range(0, OFFSET_MAX)],
    }


@validator_args
def data_gap_list(
    default: ValidatorFactory,
    datathon_int_range: ValidatorFactory,
) -> Schema:
    return {
        "id": _ref(),
        "limit": [default(GAP_LIMIT), datathon_int_range(1, GAP_LIMIT_MAX)],
        "offset": [default(0), datathon_int_range(0, OFFSET_MAX)],
    }
