"""Template helpers of the jury pages and the winner badges (exported by
``helpers.py``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.datathon.logic.queries import jury as jury_queries

_ = tk._


def datathon_winner_awards(projects: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Awards of published results for the given project dicts, by project
    id, in one query: call it once per list (gallery page), never per item."""
    return jury_queries.winner_awards([p.get("id") for p in projects or [] if p])


def datathon_award_label(award: dict[str, Any]) -> str:
    """ "Winner — 1st prize: <title>" (whole sentences for the translators)."""
    title = award.get("title") or award.get("prize_title") or ""
    rank = award.get("rank")
    if rank == 1:
        return _("Winner — 1st prize: %(title)s") % {"title": title}
    if rank == 2:
        return _("Winner — 2nd prize: %(title)s") % {"title": title}
    if rank == 3:
        return _("Winner — 3rd prize: %(title)s") % {"title": title}
    return _("Winner — prize %(rank)s: %(title)s") % {"rank": rank, "title": title}
