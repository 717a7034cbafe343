"""Template helpers of the datathon plugin (registered by the helpers blanket)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_symbol

import ckan.lib.helpers as core_h
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.formats import linked_data
from ckanext.datathon.lib import licences, moments
from ckanext.datathon.model import ALLY_KINDS, IMPACT_KINDS, PROJECT_TYPE, STAGES
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import user_context

__all__ = [
    "datathon_ally_kind_options",
    "datathon_award_label",
    "datathon_can",
    "datathon_challenge_jsonld",
    "datathon_challenge_projects",
    "datathon_dataset_challenge_counts",
    "datathon_dataset_challenges",
    "datathon_date",
    "datathon_datetime",
    "datathon_facet_label",
    "datathon_follow_state",
    "datathon_header_link",
    "datathon_home_challenges",
    "datathon_impact",
    "datathon_impact_kind_label",
    "datathon_impact_kind_options",
    "datathon_licence_name",
    "datathon_mentorships",
    "datathon_money",
    "datathon_org_options",
    "datathon_organizer_orgs",
    "datathon_osi_licences",
    "datathon_pending_invitations",
    "datathon_phase_label",
    "datathon_project_dataset_choices",
    "datathon_project_datasets",
    "datathon_project_licence_choices",
    "datathon_project_resource_choices",
    "datathon_project_state",
    "datathon_role_label",
    "datathon_share_links",
    "datathon_stage_label",
    "datathon_stages",
    "datathon_status_label",
    "datathon_timezone_options",
    "datathon_winner_awards",
    # core's, chained: the project type's labels as whole translated sentences
    "humanize_entity_type",
]

_ = tk._


def datathon_home_challenges(limit: int | None = None) -> list[dict[str, Any]]:
    """What the home page promotes: challenges open for registration, then
    those opening soon, each by next deadline, as the current user sees them
    (``ckanext.datathon.home_challenges`` of them unless ``limit``)."""
    wanted = config.home_challenges() if limit is None else max(0, min(24, int(limit)))
    found: list[dict[str, Any]] = []
    for phase in ("open", "upcoming"):
        if len(found) >= wanted:
            break
        try:
            result = tk.get_action("challenge_list")(
                user_context(),
                {"phase": phase, "sort": "next_deadline asc", "limit": wanted - len(found)},
            )
        except (tk.NotAuthorized, tk.ValidationError):
            continue
        found.extend(result["results"])
    return found


def datathon_dataset_challenge_counts(packages: Any) -> dict[str, int]:
    """How many challenges use each dataset of a page of search results, as
    the current user sees them (one action call, one query, for the page)."""
    ids = [
        p["id"]
        for p in packages or []
        if isinstance(p, dict) and isinstance(p.get("id"), str) and p.get("type") != "project"
    ]
    if not ids:
        return {}
    try:
        return tk.get_action("dataset_challenge_counts")(user_context(), {"ids": ids})["counts"]
    except (tk.NotAuthorized, tk.ValidationError):
        return {}


def datathon_header_link() -> bool:
    return config.header_link()


def datathon_stages() -> list[tuple[str, str]]:
    """The 11 stages of the method, in order, with their translated names."""
    return [(stage, datathon_stage_label(stage)) for stage in STAGES]


# Labels are translated one at a time, when asked for: a page may ask for
# hundreds (one per linked dataset), and each translation lookup costs.
_STAGE_LABELS: dict[str, Callable[[], str]] = {
    "identify": lambda: _("Identify data, allies and social problems"),
    "ideathon": lambda: _("Ideathon"),
    "rules": lambda: _("Participation rules"),
    "preparation": lambda: _("Contest preparation"),
    "launch": lambda: _("Launch"),
    "development": lambda: _("Development and registration"),
    "mentorship": lambda: _("Mentorship"),
    "jury": lambda: _("Jury"),
    "submission": lambda: _("Receiving projects"),
    "awards": lambda: _("Awards"),
    "impact": lambda: _("Social and public impact"),
}
_STATUS_LABELS: dict[str, Callable[[], str]] = {
    "past": lambda: _("Done"),
    "current": lambda: _("Now"),
    "upcoming": lambda: _("Upcoming"),
    "unscheduled": lambda: _("Not scheduled"),
    "draft": lambda: _("Draft"),
    "active": lambda: _("Published"),
    "deleted": lambda: _("Deleted"),
}
_PHASE_LABELS: dict[str, Callable[[], str]] = {
    "upcoming": lambda: _("Opens soon"),
    "open": lambda: _("Open for registration"),
    "development": lambda: _("Teams at work"),
    "judging": lambda: _("In judging"),
    "ended": lambda: _("Ended"),
}
_ROLE_LABELS: dict[str, Callable[[], str]] = {
    "primary": lambda: _("Primary data"),
    "supporting": lambda: _("Supporting data"),
    "context": lambda: _("Context"),
    "government": lambda: _("Government"),
    "civil_society": lambda: _("Civil society"),
    "academia": lambda: _("Academia"),
    "private": lambda: _("Private sector"),
    "international": lambda: _("International organization"),
}


def _label(labels: dict[str, Callable[[], str]], key: str | None) -> str:
    label = labels.get(key or "")
    return label() if label else key or ""


def datathon_stage_label(stage: str | None) -> str:
    return _label(_STAGE_LABELS, stage)


def datathon_status_label(status: str) -> str:
    return _label(_STATUS_LABELS, status)


def datathon_phase_label(phase: str | None) -> str:
    """The contest phase of a challenge (challenge_list's ``phase``), translated."""
    return _label(_PHASE_LABELS, phase)


def datathon_role_label(role: str) -> str:
    return _label(_ROLE_LABELS, role)


def datathon_datetime(value: Any, timezone: str | None = None, with_hours: bool = True) -> str:
    """An ISO date-time shown in the challenge's time zone and the page's
    language, to the minute, e.g. "Aug 25, 2023, 9:00 AM (America/Mexico_City)"."""
    return moments.show(value, timezone, with_hours)


def datathon_facet_label(item: dict[str, Any]) -> str:
    """Facet labels shown whole (core truncates them, so their links' visible
    text and accessible name differ)."""
    return item.get("display_name") or item.get("name") or ""


# symbols several currencies write the same way in some language: "$" is the
# dollar of the US, Canada, Australia... and the peso of Mexico, Chile...
_SHARED_SYMBOLS = frozenset({"$", "¥", "£", "kr"})


def datathon_money(amount: Any, currency: str | None) -> str:
    """An amount in the current locale's format (e.g. 2.500,00 US$, US$ 2.500,00),
    with the ISO code where the locale's symbol is shared by several
    currencies (USD 2,500.00 in English, not $2,500.00)."""
    if amount in (None, ""):
        return ""
    value = decimal.Decimal(str(amount))
    if not currency:
        return f"{value:.2f}"
    locale = str(core_h.lang() or "en")
    try:
        if get_currency_symbol(currency, locale=locale) not in _SHARED_SYMBOLS:
            return format_currency(value, currency, locale=locale)
        pattern = Locale.parse(locale).currency_formats["standard"].pattern.replace("¤", "¤¤")
        text = format_currency(value, currency, format=pattern, locale=locale)
        # a code, unlike a symbol, is a word: keep it apart from the digits
        return re.sub(r"([A-Z]{3})(?=[\d-])", "\\1\u00a0", text)
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
        user_context(), {"permission": "update_dataset"}
    )


def datathon_ally_kind_options() -> list[dict[str, str]]:
    return [{"value": k, "text": datathon_role_label(k)} for k in ALLY_KINDS]


def datathon_org_options(orgs: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"value": o["id"], "text": o.get("display_name") or o["name"]} for o in orgs]


def datathon_timezone_options(names: list[str]) -> list[dict[str, str]]:
    return [{"value": n, "text": n} for n in names]


def datathon_can(action: str, data: dict[str, Any] | None = None) -> bool:
    """check_access for templates; False also when the object is not found
    (our auth functions raise ObjectNotFound for what the user may not see)."""
    try:
        tk.check_access(action, user_context(), data or {})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def datathon_dataset_challenges(dataset_id: str) -> dict[str, Any]:
    """Challenges (and projects) using a dataset, for the current viewer."""
    try:
        return tk.get_action("dataset_challenge_list")(
            user_context(),
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


# -- project forms and pages (team flow) ------------------------------------------------


def _form_choices(field: dict[str, Any]) -> dict[str, Any]:
    """``project_form_choices`` for the challenge a project form is about:
    ``datathon_challenge`` set on the field by our form snippet (from the
    form data), else the challenge of the project of the request's ``<id>``
    (e.g. ``/project/edit/<id>``).  Memoised for the request: the form's
    fields ask once."""
    from flask import g, has_request_context

    ref = field.get("datathon_challenge")
    data: dict[str, Any] = {}
    if isinstance(ref, str) and ref:
        data["challenge"] = ref
    project = (tk.request.view_args or {}).get("id") if has_request_context() else None
    # (no dataset has a longer name: such an address names no project)
    if isinstance(project, str) and project and len(project) <= 100 and "\x00" not in project:
        data["project"] = project
    key = (data.get("challenge"), data.get("project"))
    cache = g.setdefault("datathon_form_choices", {}) if has_request_context() else {}
    if key not in cache:
        try:
            cache[key] = tk.get_action("project_form_choices")(user_context(), data)
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound):
            cache[key] = {
                "challenge": None,
                "project_id": None,
                "licences": list(licences.osi_approved_ids()),
                "datasets": [],
            }
    return cache[key]


def _may_read_challenge(challenge: Any) -> bool:
    if challenge is None:
        return False
    try:
        tk.check_access("datathon_permission_read_challenge", user_context(), {"id": challenge.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def datathon_project_licence_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """scheming ``choices_helper`` of ``code_licence``: the licences the
    project's challenge allows (the OSI list when the form has no challenge)."""
    ids = _form_choices(field)["licences"]
    current = field.get("datathon_current")
    choices = [{"value": lid, "label": f"{licences.name(lid)} ({lid})"} for lid in ids]
    if isinstance(current, str) and current and current not in ids:
        choices.insert(
            0, {"value": current, "label": _("{id} (not allowed by the rules)").format(id=current)}
        )
    return choices


def datathon_project_dataset_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """scheming ``choices_helper`` of ``datasets_used[].dataset``: the datasets
    linked to the project's challenge and those the project already uses,
    limited to what the current user may read (and to public ones when the
    challenge requires open data).  ``project_form_choices``, once per
    request."""
    return [
        {"value": d["id"], "label": d["title"] or d["name"]}
        for d in _form_choices(field)["datasets"]
    ]


def datathon_project_resource_choices(field: dict[str, Any], current: Any) -> list[dict[str, Any]]:
    """The resources a ``datasets_used`` entry may name: for each dataset the
    form offers (:func:`datathon_project_dataset_choices`) that has any, its
    active resources in their order, ``selected`` where ``current`` (a list,
    or the comma-separated text of a re-rendered form) holds them.  The same
    ``project_form_choices`` answer as the datasets."""
    if isinstance(current, str):
        current = current.replace(",", " ").split()
    chosen = {i for i in current if isinstance(i, str)} if isinstance(current, list) else set()
    return [
        {
            "dataset": d["id"],
            "label": d["title"] or d["name"],
            "resources": [
                {
                    "value": r["id"],
                    "label": r["name"] or r["url"] or r["id"],
                    "selected": r["id"] in chosen,
                }
                for r in d["resources"]
            ],
        }
        for d in _form_choices(field)["datasets"]
        if d["resources"]
    ]


def datathon_project_state(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the state banner of a project page shows: its status, its
    challenge (name, title, deadline) and what the current user may do."""
    from ckanext.datathon.logic import project_rules
    from ckanext.datathon.logic import results as frozen

    challenge = project_rules.challenge_by_ref(pkg.get("challenge"))
    # after publication the team and the project's status are frozen: no
    # button that could only be refused
    published = challenge is not None and frozen.results_published(challenge.id) is not None
    # A project keeps its own visibility when its challenge is unpublished or
    # deleted; the challenge then shows to nobody who may not read it.
    hidden = challenge is not None and not _may_read_challenge(challenge)
    passed = bool(challenge is not None and project_rules.deadline_passed(challenge))
    if hidden:
        challenge = None
    deadline = challenge.submission_deadline if challenge is not None else None
    status = pkg.get("submission_status")
    if not status and pkg.get("id"):  # a form re-rendered with the posted data
        status = project_rules.status_dict(project_rules.project_row(pkg["id"]))[
            "submission_status"
        ]
    status = status or "draft"
    ref = {"id": pkg.get("id")}
    return {
        "status": status,
        "challenge": {"name": challenge.name, "title": challenge.title}
        if challenge is not None
        else None,
        "challenge_hidden": hidden,
        "deadline": deadline.isoformat() if deadline is not None else None,
        "deadline_passed": passed,
        "can_edit": datathon_can("package_update", ref),
        "results_published": published,
        "can_submit": not published
        and status != "submitted"
        and datathon_can("project_submit", ref),
        "can_withdraw": not published
        and status == "submitted"
        and datathon_can("project_withdraw", ref),
    }


def datathon_challenge_projects(challenge_id: str, limit: int = 6) -> dict[str, Any]:
    """The first submitted projects of a challenge, as the current user sees them."""
    try:
        return tk.get_action("project_list")(
            user_context(),
            {"challenge": challenge_id, "submission_status": "submitted", "limit": limit},
        )
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {"count": 0, "results": []}


# --- core's project labels, chained (was entity_labels.py) ---


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


# --- mentorship and impact (was engagement_helpers.py) ---


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


# --- jury pages and winner badges (was jury_helpers.py) ---


def datathon_winner_awards(projects: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Awards of published results for the given project dicts, by project
    id, in one query: call it once per list (gallery page), never per item."""
    ids = [p["id"] for p in projects or [] if p and isinstance(p.get("id"), str)]
    if not ids:
        return {}
    action = tk.get_action("project_winner_awards")
    return action(user_context(), {"ids": ids})["awards"]


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


# --- open pages: JSON-LD embedding, follow button (was open_helpers.py) ---


def datathon_challenge_jsonld(challenge: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON-LD document to embed in a challenge page (the same one
    ``/challenge/<name>.jsonld`` serves), or None when it is not published."""
    if challenge.get("state") != "active":
        return None
    return linked_data.challenge_document(challenge)


def datathon_follow_state(challenge_id: str) -> dict[str, Any]:
    """Follower count and whether the current user follows the challenge."""
    context = _context()
    try:
        count = tk.get_action("challenge_follower_count")(context, {"id": challenge_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {"count": 0, "following": False, "can_follow": False}
    following = False
    if tk.current_user.is_authenticated:
        # same context: the challenge and the viewer are looked up once
        following = tk.get_action("am_following_challenge")(context, {"id": challenge_id})
    return {
        "count": count,
        "following": following,
        "can_follow": tk.current_user.is_authenticated,
    }


# --- project page (was project_helpers.py) ---


def datathon_project_datasets(pkg: dict[str, Any]) -> list[dict[str, str]]:
    """The portal datasets a project uses, in the team's order, limited to the
    ones the current user may read (a private dataset stays unnamed):
    ``project_datasets_used``, one query."""
    refs = [
        str(item["dataset"])
        for item in pkg.get("datasets_used") or []
        if isinstance(item, dict) and item.get("dataset")
    ]
    if not refs or not pkg.get("id"):
        return []
    try:
        used = tk.get_action("project_datasets_used")(user_context(), {"ids": [pkg["id"]]})
    except (tk.ValidationError, tk.NotAuthorized):
        return []
    found = {
        key: row for row in used["results"].get(pkg["id"], []) for key in (row["id"], row["name"])
    }
    seen: set[str] = set()
    result = []
    for ref in refs:
        row = found.get(ref)
        if row is not None and row["id"] not in seen:
            seen.add(row["id"])
            result.append({"id": row["id"], "name": row["name"], "title": row["title"]})
    return result


def datathon_pending_invitations() -> int:
    """How many team invitations the current user has not answered (for the
    user menu; lapsed ones are counted until the invitations page shows them
    as lapsed): ``datathon_hub_counts``, kept in Redis, so no SQL statement
    on most pages and none for anonymous users; it also tells the chained
    ``dashboard_activity_list`` of the same page whether the user follows a
    challenge (the header renders this first)."""
    if not tk.current_user.is_authenticated:
        return 0
    try:
        counts = tk.get_action("datathon_hub_counts")(user_context(), {})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return 0
    return int(counts["pending_invitations"])
