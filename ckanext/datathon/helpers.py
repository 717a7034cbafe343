"""Template helpers of the datathon plugin (registered by the helpers blanket)."""

from __future__ import annotations

import decimal
from typing import Any
from urllib.parse import quote

from babel.numbers import format_currency

import ckan.lib.helpers as core_h
import ckan.plugins.toolkit as tk

from ckanext.datathon import config, licences
from ckanext.datathon.model import ALLY_KINDS, STAGES

__all__ = [
    "datathon_ally_kind_options",
    "datathon_can",
    "datathon_dataset_challenges",
    "datathon_header_link",
    "datathon_licence_name",
    "datathon_money",
    "datathon_org_options",
    "datathon_organizer_orgs",
    "datathon_osi_licences",
    "datathon_role_label",
    "datathon_share_links",
    "datathon_stage_label",
    "datathon_stages",
    "datathon_status_label",
    "datathon_timezone_options",
]

_ = tk._


def datathon_header_link() -> bool:
    return config.header_link()


def datathon_stages() -> list[tuple[str, str]]:
    """The 11 stages of the method, in order, with their translated names."""
    return [(stage, datathon_stage_label(stage)) for stage in STAGES]


def datathon_stage_label(stage: str | None) -> str:
    labels = {
        "identify": _("Identify data, allies and social problems"),
        "ideathon": _("Ideathon"),
        "rules": _("Participation rules"),
        "preparation": _("Contest preparation"),
        "launch": _("Launch"),
        "development": _("Development and registration"),
        "mentorship": _("Mentorship"),
        "jury": _("Jury"),
        "submission": _("Receiving projects"),
        "awards": _("Awards"),
        "impact": _("Social and public impact"),
    }
    return labels.get(stage or "", stage or "")


def datathon_status_label(status: str) -> str:
    return {
        "past": _("Done"),
        "current": _("Now"),
        "upcoming": _("Upcoming"),
        "unscheduled": _("Not scheduled"),
        "draft": _("Draft"),
        "active": _("Published"),
        "deleted": _("Deleted"),
    }.get(status, status)


def datathon_role_label(role: str) -> str:
    return {
        "primary": _("Primary data"),
        "supporting": _("Supporting data"),
        "context": _("Context"),
        "government": _("Government"),
        "civil_society": _("Civil society"),
        "academia": _("Academia"),
        "private": _("Private sector"),
        "international": _("International organization"),
    }.get(role, role)


def datathon_money(amount: Any, currency: str | None) -> str:
    """An amount in the current locale's format (e.g. US$2,500.00, 2.500,00 US$)."""
    if amount in (None, ""):
        return ""
    value = decimal.Decimal(str(amount))
    if not currency:
        return f"{value:.2f}"
    try:
        return format_currency(value, currency, locale=str(core_h.lang() or "en"))
    except Exception:  # an unknown locale must not break a page
        return f"{value:.2f} {currency}"


def datathon_licence_name(licence_id: str) -> str:
    return licences.name(licence_id)


def datathon_osi_licences() -> list[tuple[str, str]]:
    return [(lid, licences.name(lid)) for lid in licences.osi_approved_ids()]


def datathon_organizer_orgs() -> list[dict[str, Any]]:
    """Organizations where the current user may create challenges."""
    if not tk.current_user.is_authenticated:
        return []
    return tk.get_action("organization_list_for_user")(
        {"user": tk.current_user.name}, {"permission": "update_dataset"}
    )


def datathon_ally_kind_options() -> list[dict[str, str]]:
    return [{"value": k, "text": datathon_role_label(k)} for k in ALLY_KINDS]


def datathon_org_options(orgs: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"value": o["id"], "text": o.get("display_name") or o["name"]} for o in orgs]


def datathon_timezone_options(names: list[str]) -> list[dict[str, str]]:
    return [{"value": n, "text": n} for n in names]


def datathon_can(action: str, data: dict[str, Any] | None = None) -> bool:
    return core_h.check_access(action, data or {})


def datathon_dataset_challenges(dataset_id: str) -> dict[str, Any]:
    """Challenges (and projects) using a dataset, for the current viewer."""
    try:
        return tk.get_action("dataset_challenge_list")(
            {"user": tk.current_user.name if tk.current_user.is_authenticated else ""},
            {"id": dataset_id},
        )
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {"challenges": [], "projects": []}


def datathon_share_links(title: str, url: str) -> list[dict[str, str]]:
    """Links to share a page; plain URLs, no third-party script is loaded."""
    t, u = quote(title), quote(url, safe="")
    return [
        {
            "name": "Mastodon",
            "icon": "share-nodes",
            "url": f"https://mastodonshare.com/?text={t}&url={u}",
        },
        {
            "name": "Bluesky",
            "icon": "cloud",
            "url": f"https://bsky.app/intent/compose?text={t}%20{u}",
        },
        {"name": "X", "icon": "x", "url": f"https://twitter.com/intent/tweet?text={t}&url={u}"},
        {
            "name": "LinkedIn",
            "icon": "linkedin",
            "url": f"https://www.linkedin.com/sharing/share-offsite/?url={u}",
        },
        {
            "name": "Facebook",
            "icon": "facebook",
            "url": f"https://www.facebook.com/sharer/sharer.php?u={u}",
        },
        {"name": _("E-mail"), "icon": "envelope", "url": f"mailto:?subject={t}&body={u}"},
    ]
