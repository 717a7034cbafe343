"""navl schemas of the portal-wide reads (``logic/action/catalogue.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ckanext.datathon import config

# a feed page asks one row more than it shows (is there an older page?)
EVENTS_MAX = 1000


def _iso_date(value: Any) -> dt.date:
    """A calendar day, ``YYYY-MM-DD``."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise tk.Invalid(tk._("Must be a date of the form YYYY-MM-DD"))


@validator_args
def challenge_event_list(
    default: Any, datathon_int_range: Any, datathon_offset: Validator
) -> Schema:
    """``limit`` (default ``ckanext.datathon.feed_entries``), ``offset``."""
    most = max(EVENTS_MAX, config.feed_entries() + 1)
    return {
        "limit": [default(config.feed_entries()), datathon_int_range(0, most)],
        "offset": [default(0), datathon_offset],
    }


@validator_args
def dataset_published_challenges(not_missing: Validator, datathon_dataset_ids: Validator) -> Schema:
    return {"ids": [not_missing, datathon_dataset_ids]}


@validator_args
def challenge_stage_report(ignore_missing: Validator) -> Schema:
    """``date`` (``YYYY-MM-DD``; default: today in each challenge's zone)."""
    return {"date": [ignore_missing, _iso_date]}
