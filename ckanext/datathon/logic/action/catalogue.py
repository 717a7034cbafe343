"""Portal-wide reads behind the formats and the CLI: the Atom feed's events
(``formats/feeds.py``), the DCAT references of datasets
(``formats/dcat.py``) and the day's stage changes (``ckan datathon
stage-report``).  Side-effect free; each is one query (the stage report two),
whatever the number of rows."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic.queries import catalogue as queries
from ckanext.datathon.logic.queries import stage_report
from ckanext.datathon.logic.schema import catalogue as catalogue_schema
from ckanext.datathon.logic.validate import validate
from ckanext.datathon.logic.visibility import viewer

__all__ = ["challenge_event_list", "challenge_stage_report", "dataset_published_challenges"]

_ = tk._


@validate(catalogue_schema.challenge_event_list)
@tk.side_effect_free
def challenge_event_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The newest events of the published challenges, newest first (the
    portal's Atom feed): a challenge was published, a stage of its timeline
    started, its results were published.  One query.

    :param limit: events to return (default ``ckanext.datathon.feed_entries``,
        50; at most 1000)
    :type limit: int
    :param offset: events to skip (default 0)
    :type offset: int
    :returns: ``{"results": [{kind, stage, at, challenge: {id, name, title,
        problem_statement}, organization: {name, title}}]}``: ``kind`` is
        ``published``, ``stage`` (``stage`` names it; else null) or
        ``results``; ``at`` is ISO 8601 UTC
    :rtype: dictionary
    """
    return {"results": queries.events(data["limit"], data["offset"], timeline.now())}


@validate(catalogue_schema.dataset_published_challenges)
@tk.side_effect_free
def dataset_published_challenges(context: Context, data: DataDict) -> dict[str, Any]:
    """The published challenges that use each of these datasets (the DCAT
    profile's ``dct:isReferencedBy``), oldest first; datasets the caller may
    not read, and those no published challenge uses, are left out.  One
    query for all of them.

    :param ids: dataset ids (a list or a comma-separated string; at most 1000)
    :type ids: list of strings
    :returns: ``{"results": {dataset id: [{id, name, title}]}}``
    :rtype: dictionary
    """
    return {"results": queries.published_challenges_using(data["ids"], viewer(context))}


@validate(catalogue_schema.challenge_stage_report)
@tk.side_effect_free
def challenge_stage_report(context: Context, data: DataDict) -> list[dict[str, Any]]:
    """The published challenges that change on a day, by name: in the
    challenge's own time zone, a stage of its timeline starts or ends, or a
    contest date (registration opens or closes, submission deadline, judging
    closes, results) falls on that day.  Two queries.

    :param date: the day, ``YYYY-MM-DD`` (default: today in each challenge's
        time zone)
    :type date: string
    :returns: ``[{name, title, timezone, date, events: [{kind, what, at,
        local}]}]``, events in time order: ``kind`` is ``stage_starts``,
        ``stage_ends`` (``what``: the stage) or ``contest_date`` (``what``:
        e.g. ``registration_closes``); ``at`` is ISO 8601 UTC, ``local`` in
        the challenge's zone
    :rtype: list of dictionaries
    """
    return stage_report.changes(data.get("date"))
