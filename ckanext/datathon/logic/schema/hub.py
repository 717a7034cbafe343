"""navl schema of the personal hub (``datathon_hub_show``)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.datathon import config

# the sections of the hub, in page order (logic/queries/hub.py reads them)
SECTIONS = ("teams", "invitations", "jury", "organizing", "following")
# rows of each section on the hub's first page
HUB_LIMIT = 10


@validator_args
def hub_show(
    ignore_missing: Validator,
    unicode_safe: Validator,
    datathon_no_nul: Validator,
    one_of: ValidatorFactory,
    default: ValidatorFactory,
    datathon_limit: ValidatorFactory,
) -> Schema:
    """``user`` (yourself unless sysadmin), ``section`` (one of
    ``SECTIONS``; all of them without it), ``limit``, ``offset``."""
    return {
        "user": [ignore_missing, unicode_safe, datathon_no_nul],
        "section": [ignore_missing, one_of(list(SECTIONS))],
        "limit": [default(HUB_LIMIT), datathon_limit(config.CHALLENGE_LIST_LIMIT_MAX, 100)],
        "offset": [default(0), tk.get_validator("datathon_offset")],
    }


def hub_counts() -> Schema:
    """``datathon_hub_counts`` takes no parameter (unknown keys are ignored)."""
    return {}
