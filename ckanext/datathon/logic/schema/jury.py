"""navl schemas of the jury actions, one function per action input."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.datathon.model.jury import DEFAULT_MAX_SCORE, MAX_MAX_SCORE

NAME_MAX = 200
TEXT_MAX = 5000
# One project_score call scores at most this many criteria.
MAX_SCORES_PER_CALL = 100


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
        v("datathon_max_length")(max_length),
    ]


def _ref() -> list[Validator]:
    v = tk.get_validator
    return [v("not_empty"), _is_text, v("unicode_safe"), v("datathon_no_nul")]


@validator_args
def challenge_id() -> Schema:
    return {"id": _ref()}


@validator_args
def juror_member() -> Schema:
    return {"id": _ref(), "user": _ref()}


@validator_args
def criterion_create(
    default: ValidatorFactory,
    datathon_weight: Validator,
    datathon_int_range: ValidatorFactory,
    ignore_missing: Validator,
) -> Schema:
    return {
        "challenge": _ref(),
        "name": _text(NAME_MAX, required=True, line=True),
        "description": _text(TEXT_MAX),
        "weight": [default(1), datathon_weight],
        "max_score": [default(DEFAULT_MAX_SCORE), datathon_int_range(1, MAX_MAX_SCORE)],
        "position": [ignore_missing, datathon_int_range(0, 10000)],
    }


@validator_args
def criterion_update(
    ignore_missing: Validator,
    datathon_weight: Validator,
    datathon_int_range: ValidatorFactory,
) -> Schema:
    """Fields not given keep their value."""
    text = tk.get_validator("datathon_max_length")
    common = [
        _is_text,
        tk.get_validator("unicode_safe"),
        tk.get_validator("datathon_no_nul"),
        tk.get_validator("strip_value"),
    ]
    return {
        "id": _ref(),
        "name": [ignore_missing, tk.get_validator("not_empty"), *common, text(NAME_MAX)],
        "description": [ignore_missing, *common, text(TEXT_MAX)],
        "weight": [ignore_missing, datathon_weight],
        "max_score": [ignore_missing, datathon_int_range(1, MAX_MAX_SCORE)],
        "position": [ignore_missing, datathon_int_range(0, 10000)],
    }


@validator_args
def criterion_id() -> Schema:
    return {"id": _ref()}


@validator_args
def score_entry(not_missing: Validator, datathon_score_value: Validator) -> Schema:
    return {
        "criterion": _ref(),
        "score": [not_missing, datathon_score_value],
        "comment": _text(TEXT_MAX),
    }


@validator_args
def project_score() -> Schema:
    return {"project": _ref(), "scores": score_entry()}


@validator_args
def project_ref() -> Schema:
    return {"id": _ref()}


@validator_args
def project_recuse() -> Schema:
    return {"project": _ref(), "reason": _text(TEXT_MAX)}


@validator_args
def award_create(datathon_int_range: ValidatorFactory) -> Schema:
    return {
        "challenge": _ref(),
        "project": _ref(),
        "rank": [tk.get_validator("not_empty"), datathon_int_range(1, 1000)],
        "title": _text(NAME_MAX, line=True),
        "citation": _text(TEXT_MAX),
    }


@validator_args
def award_id() -> Schema:
    return {"id": _ref()}


@validator_args
def ranking(
    default: ValidatorFactory,
    datathon_int_range: ValidatorFactory,
) -> Schema:
    return {
        "id": _ref(),
        "limit": [default(100), datathon_int_range(1, 1000)],
        "offset": [default(0), tk.get_validator("datathon_offset")],
        # organizers: the live ranking, or an earlier publication's snapshot
        "live": [default(False), tk.get_validator("datathon_bool")],
        "version": [tk.get_validator("ignore_missing"), datathon_int_range(1, 1_000_000)],
    }


@validator_args
def results_retract() -> Schema:
    return {"id": _ref(), "reason": _text(TEXT_MAX)}


@validator_args
def results_history(datathon_int_range: ValidatorFactory) -> Schema:
    return {
        "id": _ref(),
        "version": [tk.get_validator("ignore_missing"), datathon_int_range(1, 1_000_000)],
    }


# Largest page of challenge_juror_queue asked (then clamped to
# ckanext.datathon.challenge_list_limit_max), and of one batch of the exports.
QUEUE_LIMIT_MAX = 1000
EXPORT_LIMIT_MAX = 1000
EXPORT_LIMIT_DEFAULT = 500
# an export cursor: the keys of the last row, ids joined by commas
CURSOR_MAX = 400


def _cursor(value: Any) -> Any:
    if not isinstance(value, str) or len(value) > CURSOR_MAX or "\x00" in value:
        raise tk.Invalid(tk._("Not a cursor of this export"))
    return value


@validator_args
def juror_queue(
    default: ValidatorFactory, datathon_int_range: ValidatorFactory, ignore_missing: Validator
) -> Schema:
    return {
        "id": _ref(),
        "limit": [ignore_missing, datathon_int_range(1, QUEUE_LIMIT_MAX)],
        "offset": [default(0), tk.get_validator("datathon_offset")],
    }


@validator_args
def export_page(
    default: ValidatorFactory, datathon_int_range: ValidatorFactory, ignore_empty: Validator
) -> Schema:
    return {
        "id": _ref(),
        "limit": [default(EXPORT_LIMIT_DEFAULT), datathon_int_range(1, EXPORT_LIMIT_MAX)],
        "after": [ignore_empty, _cursor],
    }


@validator_args
def project_ids(not_missing: Validator, datathon_dataset_ids: Validator) -> Schema:
    return {"ids": [not_missing, datathon_dataset_ids]}
