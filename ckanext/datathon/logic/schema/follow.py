"""navl schemas of the follow actions (as core's ``default_follow_*_schema``)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def follow_challenge(
    not_missing: Validator,
    not_empty: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
) -> Schema:
    """``id``: a challenge id or name."""
    return {"id": [not_missing, not_empty, unicode_safe, datathon_no_nul]}


@validator_args
def followee_list(
    not_missing: Validator,
    not_empty: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
) -> Schema:
    """``id``: a user id or name."""
    return {"id": [not_missing, not_empty, unicode_safe, datathon_no_nul]}
