"""Authorization of the portal-wide reads: each names published challenges
only (public), and datasets only where the caller may read them."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["challenge_event_list", "challenge_stage_report", "dataset_published_challenges"]


@tk.auth_allow_anonymous_access
def challenge_event_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the events of published challenges (the Atom feed)."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def challenge_stage_report(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the public dates of published challenges."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def dataset_published_challenges(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the action answers only for datasets the caller may read."""
    return {"success": True}
