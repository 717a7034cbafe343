"""Translated names of the ``project`` dataset type in core's templates.

Core builds labels such as "Update Project" or "Search Projects..." for
dataset types it does not know from English pieces (``humanize_entity_type``
capitalises the type's name), so they cannot be translated.  This chained
helper answers for ``project`` with whole, translatable sentences and leaves
every other type to core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.datathon.model import PROJECT_TYPE

_ = tk._


def _project_labels() -> dict[str, str]:
    # English as core writes it for a dataset type ("Update Project"), so only
    # the other languages change
    return {
        "add link": _("Add Project"),
        "add association link": _("Add to Project"),
        "breadcrumb": _("Projects"),
        "content tab": _("Projects"),
        "create label": _("Create Project"),
        "create title": _("Create Project"),
        "delete confirmation": _("Are you sure you want to delete this project?"),
        "description placeholder": _("What the project does, for whom, and with which data"),
        "edit label": _("Edit Project"),
        "facet label": _("Projects"),
        "form label": _("Project Form"),
        "main nav": _("Projects"),
        "my label": _("My Projects"),
        "view label": _("View Project"),
        "name placeholder": _("My Project"),
        "no any objects": _("There are no projects on this site yet."),
        "no associated label": _("No project is associated with this dataset."),
        "no description": _("This project has no description."),
        "no label": _("No Project"),
        "page title": _("Projects"),
        "save label": _("Save Project"),
        "search placeholder": _("Search Projects..."),
        "you not member": _("You are not a member of any project."),
        "user not member": _("This user is not a member of any project."),
        "update label": _("Update Project"),
    }


@tk.chained_helper
def humanize_entity_type(
    next_helper: Callable[..., Any], entity_type: str, object_type: str, purpose: str
) -> Any:
    if entity_type == "package" and object_type == PROJECT_TYPE:
        return _project_labels().get(purpose, _("Project"))
    return next_helper(entity_type, object_type, purpose)
