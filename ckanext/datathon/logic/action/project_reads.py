"""Side-effect-free reads of projects behind the pages and forms: the
datasets each project of a gallery uses (``views/team.py``, the project
page's summary) and the choices a project form offers (``helpers.py``'s
scheming choice helpers).  Each answers for a whole page in a fixed number
of statements."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.lib import licences
from ckanext.datathon.logic import project_rules
from ckanext.datathon.logic.queries import project_reads as queries
from ckanext.datathon.logic.schema import project_reads as project_reads_schema
from ckanext.datathon.logic.validate import validate
from ckanext.datathon.logic.visibility import viewer

__all__ = ["project_datasets_used", "project_form_choices"]

_ = tk._


@validate(project_reads_schema.project_datasets_used)
@tk.side_effect_free
def project_datasets_used(context: Context, data: DataDict) -> dict[str, Any]:
    """The portal datasets each of these projects uses, by title: only
    projects the caller may see, only datasets the caller may read (a
    private dataset stays unnamed).  One statement for all of them.

    :param ids: project ids (a list or a comma-separated string; at most 1000)
    :type ids: list of strings
    :returns: ``{"results": {project id: [{id, name, title}]}}`` (a project
        without such datasets is left out)
    :rtype: dictionary
    """
    return {"results": queries.datasets_used(data["ids"], viewer(context))}


def _may_read_challenge(context: Context, challenge_id: str) -> bool:
    try:
        tk.check_access(
            "datathon_permission_read_challenge",
            dict(context),  # type: ignore[arg-type]
            {"id": challenge_id},
        )
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


@validate(project_reads_schema.project_form_choices)
@tk.side_effect_free
def project_form_choices(context: Context, data: DataDict) -> dict[str, Any]:
    """What a project form offers: the code licences the challenge allows
    (the OSI-approved list without a challenge), and the datasets linked to
    the challenge or already used by the project -- those the caller may
    read, public ones only when the challenge requires open data -- each with
    its active resources.  A challenge or project the caller may not read
    lends the form nothing.  Four statements at most.

    :param challenge: id or name of the challenge (default: the project's)
    :type challenge: string
    :param project: id or name of the project being edited (optional)
    :type project: string
    :returns: ``{"challenge": {id, name, title, require_open_data} | None,
        "project_id": string | None, "licences": [licence id],
        "datasets": [{id, name, title, resources: [{id, name, url}]}]}``
    :rtype: dictionary
    """
    v = viewer(context)
    ref = data.get("challenge")
    project_id = None
    pkg = project_rules.package(data.get("project"))
    if pkg is not None:
        challenge_id = queries.visible_project_challenge(pkg.id, v)
        if challenge_id is not None:
            project_id = pkg.id
            ref = ref or challenge_id
    challenge = project_rules.challenge_by_ref(ref)
    if challenge is not None and not _may_read_challenge(context, challenge.id):
        challenge = None
    if challenge is None:
        return {
            "challenge": None,
            "project_id": project_id,
            "licences": list(licences.osi_approved_ids()),
            "datasets": [],
        }
    return {
        "challenge": {
            "id": challenge.id,
            "name": challenge.name,
            "title": challenge.title,
            "require_open_data": bool(challenge.require_open_data),
        },
        "project_id": project_id,
        "licences": list(challenge.allowed_licences or []),
        "datasets": queries.dataset_choices(
            challenge.id, project_id, v, public_only=bool(challenge.require_open_data)
        ),
    }
