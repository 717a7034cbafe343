"""Authorization of the project reads: anyone may ask; the actions answer
with what the caller may read only."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["project_datasets_used", "project_form_choices"]


@tk.auth_allow_anonymous_access
def project_datasets_used(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: projects and datasets the caller may not read are left out."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def project_form_choices(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: a challenge or project the caller may not read lends nothing."""
    return {"success": True}
