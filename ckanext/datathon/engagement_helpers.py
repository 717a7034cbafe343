"""Template helpers of the mentorship and impact parts (exported by helpers.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date

import ckan.lib.helpers as core_h
import ckan.plugins.toolkit as tk

from ckanext.datathon.model import IMPACT_KINDS
from ckanext.datathon.views.base import user_context

_ = tk._


def datathon_mentorships(challenge_id: str) -> dict[str, Any]:
    """The mentorship sessions of a challenge, for the current viewer."""
    try:
        return tk.get_action("challenge_mentorship_list")(user_context(), {"id": challenge_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {"count": 0, "results": []}


def datathon_impact(challenge_id: str) -> dict[str, Any]:
    """The impact entries of a challenge, as the current viewer may see them."""
    try:
        return tk.get_action("challenge_impact_list")(user_context(), {"id": challenge_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {"count": 0, "results": []}


def datathon_impact_kind_label(kind: str) -> str:
    return {
        "policy_adoption": _("Policy adoption"),
        "deployment": _("Deployment"),
        "media": _("Media coverage"),
        "funding": _("Funding"),
        "dataset_release": _("Dataset release"),
        "other": _("Other"),
    }.get(kind, kind)


def datathon_impact_kind_options() -> list[dict[str, str]]:
    return [{"value": k, "text": datathon_impact_kind_label(k)} for k in IMPACT_KINDS]


def datathon_date(value: Any) -> str:
    """A calendar date (YYYY-MM-DD) in the page's language, e.g. "8 Mar 2024"."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    try:
        return format_date(day, format="medium", locale=str(core_h.lang() or "en"))
    except Exception:  # an unknown locale must not break a page
        return day.isoformat()
