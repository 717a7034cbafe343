"""Chained actions of the ``activity`` plugin that keep activities about
projects behind their permission labels (see ``logic/labels.py``).

Registered by ``logic.action.plugin_actions`` only when the ``activity`` plugin is
enabled (chaining an action that does not exist stops CKAN).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.logic import labels

__all__: list[str] = []


@tk.chained_action
def activity_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Core filters only activity types ending in "package" by label: any
    other type about a project (core's resource view activities) would be
    shown to every reader of its organization's or a user's stream, so it
    is not recorded (``None``, as when activity streams are off)."""
    if not labels.keeps_activity(data_dict):
        tk.check_access("activity_create", context, data_dict)
        return None
    return original(context, data_dict)
