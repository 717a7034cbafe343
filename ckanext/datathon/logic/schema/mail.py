"""navl schemas of the mail actions (announcements, preferences, unsubscribe)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

ANNOUNCEMENT_SUBJECT_MAX = 150
ANNOUNCEMENT_MESSAGE_MAX = 5000
TOKEN_MAX = 200


@validator_args
def announcement_create(
    not_missing: Validator,
    not_empty: Validator,
    unicode_safe: Validator,
    strip_value: Validator,
    datathon_no_nul: Validator,
    datathon_string: Validator,
    datathon_one_line: Validator,
    datathon_text: Validator,
    datathon_max_length: ValidatorFactory,
) -> Schema:
    """``challenge``; ``subject`` one line; ``message`` plain text."""
    return {
        "challenge": [not_missing, not_empty, unicode_safe, datathon_no_nul],
        "subject": [
            not_missing,
            datathon_string,
            unicode_safe,
            strip_value,
            not_empty,
            datathon_no_nul,
            datathon_one_line,
            datathon_max_length(ANNOUNCEMENT_SUBJECT_MAX),
        ],
        "message": [
            not_missing,
            datathon_string,
            unicode_safe,
            strip_value,
            not_empty,
            datathon_no_nul,
            datathon_text,
            datathon_max_length(ANNOUNCEMENT_MESSAGE_MAX),
        ],
    }


@validator_args
def announcement_list(
    not_missing: Validator,
    not_empty: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
) -> Schema:
    return {"id": [not_missing, not_empty, unicode_safe, datathon_no_nul]}


@validator_args
def preferences_show(
    ignore_missing: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
) -> Schema:
    """``id``: a user id or name (default: the caller)."""
    return {"id": [ignore_missing, unicode_safe, datathon_no_nul]}


@validator_args
def preferences_update(
    ignore_missing: Validator,
    not_missing: Validator,
    unicode_safe: Validator,
    datathon_bool: Validator,
    datathon_no_nul: Validator,
) -> Schema:
    """``id`` (default: the caller); ``reminders``: whether to receive
    reminders and announcements."""
    return {
        "id": [ignore_missing, unicode_safe, datathon_no_nul],
        "reminders": [not_missing, datathon_bool],
    }


@validator_args
def unsubscribe(
    not_missing: Validator,
    not_empty: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
    datathon_string: Validator,
    datathon_max_length: ValidatorFactory,
) -> Schema:
    return {
        "token": [
            not_missing,
            not_empty,
            datathon_string,
            unicode_safe,
            datathon_no_nul,
            datathon_max_length(TOKEN_MAX),
        ]
    }
