"""Actions of the impact record (stage 11 of the method): policy adoption,
deployments, media, funding, dataset releases and other outcomes of a
challenge, each with a date, a URL, optionally one of the challenge's
projects and the portal datasets that informed it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import harvested, project_rules
from ckanext.datathon.logic.action.mentorship import challenge, text_lists
from ckanext.datathon.logic.queries import impact as impact_queries
from ckanext.datathon.logic.schema import engagement as engagement_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import Viewer, viewer
from ckanext.datathon.model import Challenge, Impact, ImpactDataset

__all__ = [
    "challenge_impact_create",
    "challenge_impact_delete",
    "challenge_impact_list",
    "challenge_impact_update",
]

_ = tk._

FIELDS = ("date", "kind", "title", "description", "url")


def _writer(context: Context) -> Viewer:
    """Whose read access the cited datasets are checked against (calls that
    skip auth, such as CLI and tests, may cite any dataset)."""
    if context.get("ignore_auth"):
        return Viewer(user_id=None, sysadmin=True)
    return viewer(context)


def _project_id(found: Challenge, ref: Any) -> str | None:
    """The id of a project of this challenge, or a field error."""
    if not ref:
        return None
    pkg = project_rules.package(ref)
    row = project_rules.project_row(pkg.id) if pkg is not None else None
    if row is None or pkg is None or pkg.state != "active" or row.challenge_id != found.id:
        raise tk.ValidationError({"project": [_("Not a project of this challenge")]})
    return pkg.id


def _dataset_ids(context: Context, refs: list[str]) -> list[str]:
    ids, missing = impact_queries.dataset_refs(refs, _writer(context))
    if missing:
        raise tk.ValidationError(
            {
                "datasets": [
                    _("Dataset not found or not readable by you: %(refs)s")
                    % {"refs": ", ".join(missing[:5])}
                ]
            }
        )
    return ids


def _link(impact_id: str, package_ids: list[str]) -> None:
    model.Session.execute(sa.delete(ImpactDataset).where(ImpactDataset.impact_id == impact_id))
    for package_id in dict.fromkeys(package_ids):
        model.Session.add(ImpactDataset(impact_id=impact_id, package_id=package_id))


@validate(engagement_schema.impact_create, aliases={"challenge_id": "challenge"}, shapes=text_lists)
def challenge_impact_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Record an impact of a challenge (organizers).

    :param challenge: challenge id or name (``challenge_id``: deprecated)
    :type challenge: string
    :param date: YYYY-MM-DD
    :type date: string
    :param kind: policy_adoption, deployment, media, funding, dataset_release or other
    :type kind: string
    :param title: the title (one line)
    :type title: string
    :param description: what happened
    :type description: string
    :param url: an http(s) URL (the news item, the policy, the deployment)
    :type url: string
    :param project: optional id or name of a project of this challenge
    :type project: string
    :param datasets: optional ids or names of portal datasets you may read
    :type datasets: list of strings
    :returns: the entry, as ``challenge_impact_list`` shows it to you
    :rtype: dict
    """
    found = challenge(context, data["challenge"])
    project_id = _project_id(found, data["project"])
    dataset_ids = _dataset_ids(context, data["datasets"])
    count = model.Session.execute(
        sa.select(sa.func.count()).where(Impact.challenge_id == found.id)
    ).scalar_one()
    if count >= engagement_schema.MAX_IMPACT:
        raise tk.ValidationError(
            {
                "challenge": [
                    _("A challenge has at most %(n)s impact entries")
                    % {"n": engagement_schema.MAX_IMPACT}
                ]
            }
        )
    now = timeline.now()
    user = project_rules.user_obj(context)
    entry = Impact(
        challenge_id=found.id,
        project_id=project_id,
        creator_user_id=user.id if user is not None else None,
        created=now,
        modified=now,
        **{k: data[k] for k in FIELDS},
    )
    model.Session.add(entry)
    model.Session.flush()
    _link(entry.id, dataset_ids)
    model.Session.flush()
    commit(context)
    return impact_queries.one(entry.id, _writer(context))


def _entry(ref: Any) -> Impact:
    if not isinstance(ref, str) or not ref or "\x00" in ref:
        raise tk.ObjectNotFound(_("Impact entry not found"))
    found = model.Session.get(Impact, ref)
    if found is None:
        raise tk.ObjectNotFound(_("Impact entry not found"))
    return found


@validate(engagement_schema.impact_update, shapes=text_lists)
def challenge_impact_update(context: Context, data: DataDict) -> dict[str, Any]:
    """Change an impact entry; fields not given keep their value.

    ``project: ""`` unlinks the project.  ``datasets`` replaces the cited
    datasets you may read; those you may not read stay cited.

    :param id: entry id; other parameters as in ``challenge_impact_create``
    :type id: string
    :param date: the day it happened (YYYY-MM-DD)
    :type date: string
    :param kind: ``policy_adoption``, ``deployment``, ``media``, ``funding``,
        ``dataset_release`` or ``other``
    :type kind: string
    :param title: the title (one line)
    :type title: string
    :param description: what happened
    :type description: string
    :param url: an http(s) URL about it
    :type url: string
    :param project: the id or name of a project of the challenge (``""`` unlinks it)
    :type project: string
    :param datasets: ids or names of portal datasets (a list or text; ``[]`` unlinks them)
    :type datasets: list of strings
    :returns: the impact entry, as in ``challenge_impact_list``
    :rtype: dict
    """
    entry = _entry(data["id"])
    found = challenge(context, entry.challenge_id)
    if "project" in data:
        entry.project_id = _project_id(found, data["project"])
    if "datasets" in data:
        dataset_ids = _dataset_ids(context, data["datasets"])
        hidden = impact_queries.unreadable_links(entry.id, _writer(context))
        _link(entry.id, [*dataset_ids, *hidden])
    for key in FIELDS:
        if key in data:
            setattr(entry, key, data[key])
    entry.modified = timeline.now()
    model.Session.flush()
    commit(context)
    return impact_queries.one(entry.id, _writer(context))


@validate(engagement_schema.entry_id)
def challenge_impact_delete(context: Context, data: DataDict) -> None:
    """Delete an impact entry.

    :param id: entry id
    :type id: string
    """
    entry = _entry(data["id"])
    harvested.refuse_copy(context, entry.challenge_id)
    model.Session.execute(sa.delete(Impact).where(Impact.id == entry.id))
    commit(context)


@validate(engagement_schema.challenge_ref, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def challenge_impact_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The impact entries of a challenge, newest first, as the viewer may see
    them: an entry's project only if they may read it, its datasets only
    those they may read.  Two queries whatever the number of entries.

    :param id: challenge id or name
    :type id: string
    :returns: ``{"count", "results": [...]}``
    :rtype: dict
    """
    found = challenge(context, data["id"], write=False)
    results = impact_queries.challenge_impact(found.id, viewer(context))
    return {"count": len(results), "results": results}
