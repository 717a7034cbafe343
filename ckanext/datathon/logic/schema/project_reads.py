"""navl schemas of the project reads (``logic/action/project_reads.py``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


def _ref(value: Any) -> Any:
    """An id or a name: text without NUL, at most 100 characters."""
    if not isinstance(value, str) or "\x00" in value or len(value) > 100:
        raise tk.Invalid(tk._("Must be an id or a name"))
    return value


@validator_args
def project_datasets_used(not_missing: Validator, datathon_dataset_ids: Validator) -> Schema:
    """``ids``: project ids (a list or a comma-separated string)."""
    return {"ids": [not_missing, datathon_dataset_ids]}


@validator_args
def project_form_choices(ignore_missing: Validator) -> Schema:
    """``challenge`` and ``project``, each an id or a name, both optional."""
    return {"challenge": [ignore_missing, _ref], "project": [ignore_missing, _ref]}
