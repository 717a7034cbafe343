"""navl schemas of the project actions, one function per action input."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.datathon import config
from ckanext.datathon.model import SUBMISSION_STATUSES


def _text(max_length: int, *, required: bool = False, line: bool = False) -> list[Validator]:
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


@validator_args
def project_register(
    not_empty: Validator,
    ignore_missing: Validator,
    unicode_safe: Validator,
    default: ValidatorFactory,
    datathon_bool: Validator,
    datathon_no_nul: Validator,
) -> Schema:
    return {
        "challenge": [not_empty, unicode_safe, datathon_no_nul],
        "title": _text(200, required=True, line=True),
        "team_name": _text(200, required=True, line=True),
        "name": [ignore_missing, unicode_safe, datathon_no_nul],
        "notes": _text(50000),
        "accept_rules": [default(False), datathon_bool],
    }


@validator_args
def project_member(
    not_empty: Validator, unicode_safe: Validator, datathon_no_nul: Validator
) -> Schema:
    return {
        "id": [not_empty, unicode_safe, datathon_no_nul],
        "user": [not_empty, unicode_safe, datathon_no_nul],
    }


@validator_args
def project_id(not_empty: Validator, unicode_safe: Validator, datathon_no_nul: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe, datathon_no_nul]}


@validator_args
def project_list(
    not_empty: Validator,
    ignore_missing: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
    one_of: ValidatorFactory,
    default: ValidatorFactory,
    configured_default: ValidatorFactory,
    datathon_limit: ValidatorFactory,
) -> Schema:
    return {
        "challenge": [not_empty, unicode_safe, datathon_no_nul],
        "submission_status": [ignore_missing, one_of(list(SUBMISSION_STATUSES))],
        "limit": [
            configured_default(config.CHALLENGE_LIST_LIMIT, 20),
            datathon_limit(config.CHALLENGE_LIST_LIMIT_MAX, 100),
        ],
        "offset": [default(0), tk.get_validator("datathon_offset")],
    }


@validator_args
def invitation_list(
    ignore_missing: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
    one_of: ValidatorFactory,
    default: ValidatorFactory,
    configured_default: ValidatorFactory,
    datathon_limit: ValidatorFactory,
) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe, datathon_no_nul],
        "status": [
            ignore_missing,
            one_of(["pending", "lapsed", "accepted", "declined", "revoked"]),
        ],
        "limit": [
            configured_default(config.CHALLENGE_LIST_LIMIT, 20),
            datathon_limit(config.CHALLENGE_LIST_LIMIT_MAX, 100),
        ],
        "offset": [default(0), tk.get_validator("datathon_offset")],
    }
