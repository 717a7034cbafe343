"""navl schemas of the datathon actions, one function per action input."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.datathon import config
from ckanext.datathon.lib import licences

# Keys of challenge input that hold lists of objects (checked before navl,
# which cannot validate a nested value of another shape).
NESTED_LISTS = ("prizes", "timeline")

# Longest texts accepted; PostgreSQL would store more, people would not read it.
TITLE_MAX = 200
SHORT_TEXT_MAX = 2000
LONG_TEXT_MAX = 50000

SORTS = {
    "created desc",
    "created asc",
    "modified desc",
    "title asc",
    "title desc",
    "name asc",
    "registration_opens asc",
    "registration_opens desc",
    "registration_closes asc",
    "submission_deadline asc",
    "next_deadline asc",
}


def _text(max_length: int, *, required: bool = False, line: bool = False) -> list[Validator]:
    """Validators of a free-text field: trimmed, no NUL, bounded."""
    v = tk.get_validator
    presence = v("not_empty") if required else v("default")("")
    return [
        presence,
        v("unicode_safe"),
        v("datathon_text"),
        v("strip_value"),
        # titles, names: one line, no bidi controls
        *([v("datathon_one_line")] if line else []),
        v("datathon_max_length")(max_length),
    ]


def _default_licences() -> list[str]:
    return list(licences.osi_approved_ids())


@validator_args
def prize_schema(
    not_empty: Validator,
    ignore_missing: Validator,
    default: ValidatorFactory,
    datathon_int_range: ValidatorFactory,
    datathon_money: Validator,
    datathon_currency: Validator,
) -> Schema:
    return {
        "rank": [not_empty, datathon_int_range(1, 1000)],
        "title": _text(TITLE_MAX, required=True, line=True),
        "amount": [ignore_missing, datathon_money],
        "currency": [ignore_missing, datathon_currency],
        "description": _text(SHORT_TEXT_MAX),
    }


@validator_args
def stage_schema(
    not_empty: Validator,
    datathon_stage: Validator,
    datathon_aware_datetime: Validator,
) -> Schema:
    return {
        "stage": [not_empty, datathon_stage],
        "starts": [not_empty, datathon_aware_datetime],
        "ends": [not_empty, datathon_aware_datetime],
        "notes": _text(SHORT_TEXT_MAX),
    }


@validator_args
def challenge_create(
    not_empty: Validator,
    ignore_missing: Validator,
    default: ValidatorFactory,
    unicode_safe: Validator,
    datathon_bool: Validator,
    datathon_no_nul: Validator,
    datathon_challenge_name: Validator,
    datathon_organization_id: Validator,
    datathon_http_url: Validator,
    datathon_tag_list: Validator,
    datathon_challenge_state: Validator,
    datathon_aware_datetime: Validator,
    datathon_int_range: ValidatorFactory,
    datathon_licence_list: Validator,
) -> Schema:
    dates = [default(None), datathon_aware_datetime]
    return {
        "name": [not_empty, unicode_safe, datathon_no_nul, datathon_challenge_name],
        "title": _text(TITLE_MAX, required=True, line=True),
        "owner_org": [not_empty, unicode_safe, datathon_organization_id],
        "problem_statement": _text(LONG_TEXT_MAX),
        "description": _text(LONG_TEXT_MAX),
        "image_url": [default(""), datathon_http_url],
        "tags": [default([]), datathon_tag_list],
        "state": [default("draft"), datathon_challenge_state],
        "registration_opens": list(dates),
        "registration_closes": list(dates),
        "submission_deadline": list(dates),
        "judging_closes": list(dates),
        "results_date": list(dates),
        "max_team_size": [default(config.default_max_team_size()), datathon_int_range(1, 50)],
        "min_team_size": [default(1), datathon_int_range(1, 50)],
        "allowed_licences": [default(_default_licences()), datathon_licence_list],
        "require_open_data": [default(True), datathon_bool],
        "require_rules_acceptance": [default(True), datathon_bool],
        "eligibility": _text(LONG_TEXT_MAX),
        "rules_text": _text(LONG_TEXT_MAX),
        "timezone": [tk.get_validator("default")("UTC"), tk.get_validator("datathon_timezone")],
        "prizes": prize_schema(),
        "timeline": stage_schema(),
    }


@validator_args
def challenge_update(not_empty: Validator, unicode_safe: Validator) -> Schema:
    schema = challenge_create()
    schema["id"] = [not_empty, unicode_safe]
    return schema


@validator_args
def challenge_show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def challenge_patch(not_empty: Validator, unicode_safe: Validator) -> Schema:
    """``id``; the other keys go to ``challenge_update``, which validates them."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def challenge_list(
    ignore_missing: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
    datathon_stage: Validator,
    one_of: ValidatorFactory,
    default: ValidatorFactory,
    configured_default: ValidatorFactory,
    datathon_limit: ValidatorFactory,
) -> Schema:
    return {
        "q": [
            ignore_missing,
            unicode_safe,
            datathon_no_nul,
            tk.get_validator("datathon_max_length")(200),
        ],
        "owner_org": [ignore_missing, unicode_safe, datathon_no_nul],
        "state": [default("active"), one_of(["active", "draft", "deleted"])],
        "stage": [ignore_missing, datathon_stage],
        "phase": [ignore_missing, one_of(["upcoming", "open", "development", "judging", "ended"])],
        "sort": [default("created desc"), unicode_safe, one_of(sorted(SORTS))],
        "limit": [
            configured_default(config.CHALLENGE_LIST_LIMIT, 20),
            datathon_limit(config.CHALLENGE_LIST_LIMIT_MAX, 100),
        ],
        "offset": [default(0), tk.get_validator("datathon_offset")],
        "facets": [default(False), tk.get_validator("datathon_bool")],
    }


@validator_args
def challenge_dataset_add(
    not_empty: Validator,
    unicode_safe: Validator,
    default: ValidatorFactory,
    datathon_dataset_role: Validator,
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "dataset": [not_empty, unicode_safe],
        "role": [default("primary"), datathon_dataset_role],
        "note": _text(SHORT_TEXT_MAX),
    }


@validator_args
def challenge_dataset_remove(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "dataset": [not_empty, unicode_safe]}


@validator_args
def challenge_dataset_list(
    not_empty: Validator,
    unicode_safe: Validator,
    default: ValidatorFactory,
    configured_default: ValidatorFactory,
    datathon_limit: ValidatorFactory,
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "limit": [
            configured_default(config.CHALLENGE_LIST_LIMIT, 20),
            datathon_limit(config.CHALLENGE_LIST_LIMIT_MAX, 100),
        ],
        "offset": [default(0), tk.get_validator("datathon_offset")],
    }


@validator_args
def dataset_challenge_list(
    not_empty: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
    default: ValidatorFactory,
    configured_default: ValidatorFactory,
    datathon_limit: ValidatorFactory,
) -> Schema:
    return {
        "id": [not_empty, unicode_safe, datathon_no_nul],
        # the projects using the dataset are paged (at most dataset_projects_max)
        "projects_limit": [
            configured_default(config.DATASET_PROJECTS_MAX, 20),
            datathon_limit(config.DATASET_PROJECTS_MAX, 20),
        ],
        "projects_offset": [default(0), tk.get_validator("datathon_offset")],
    }


@validator_args
def dataset_challenge_counts(not_missing: Validator, datathon_dataset_ids: Validator) -> Schema:
    return {"ids": [not_missing, datathon_dataset_ids]}


@validator_args
def challenge_ally_create(
    not_empty: Validator,
    unicode_safe: Validator,
    default: ValidatorFactory,
    datathon_ally_kind: Validator,
    datathon_http_url: Validator,
) -> Schema:
    return {
        "challenge": [not_empty, unicode_safe],
        "name": _text(TITLE_MAX, required=True, line=True),
        "kind": [not_empty, datathon_ally_kind],
        "url": [default(""), datathon_http_url],
        "logo_url": [default(""), datathon_http_url],
        "description": _text(SHORT_TEXT_MAX),
    }


@validator_args
def challenge_ally_update(not_empty: Validator, unicode_safe: Validator) -> Schema:
    schema = challenge_ally_create()
    schema.pop("challenge")
    schema["id"] = [not_empty, unicode_safe]
    return schema


@validator_args
def challenge_ally_delete(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}
