"""HTML form <-> action data for the challenge pages.

Browsers send local date-times without a zone (``datetime-local``); the form
carries the organizer's IANA time zone and this module attaches it, so the
actions only ever see aware date-times.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.numbers import NumberFormatError, parse_decimal

from ckan.lib.navl.dictization_functions import unflatten
from ckan.logic import clean_dict, parse_params, tuplize_dict

from ckanext.datathon.model import CONTEST_DATES, STAGES

DEFAULT_TZ = "UTC"
PRIZE_ROWS_EXTRA = 3
BOOLEAN_FIELDS = ("require_open_data", "require_rules_acceptance")


def timezones() -> list[str]:
    """IANA zone names for a picker (Area/City, plus UTC)."""
    return [
        "UTC",
        *sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")),
    ]


def zone(name: Any) -> ZoneInfo:
    """The IANA zone ``name`` (UTC when it is unknown)."""
    try:
        return ZoneInfo(str(name or DEFAULT_TZ))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def aware(value: Any, tz: ZoneInfo, *, blank: Any = None) -> Any:
    """'2024-08-25T09:00' in ``tz`` -> ISO with offset; ``blank`` for an
    empty value; other values untouched (the action reports them)."""
    if not isinstance(value, str) or not value.strip():
        return blank
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat()


def local(value: Any, tz: ZoneInfo) -> str:
    """An ISO date-time from the API -> the value of a datetime-local input."""
    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(tz)
    return parsed.strftime("%Y-%m-%dT%H:%M")


_PLAIN_AMOUNT = re.compile(r"\d+(\.\d+)?")


def _amount(value: Any, locale: str) -> Any:
    """A prize amount typed the way the page's language writes numbers
    (``10000,50`` or ``10.000,50`` in Spanish, ``10,000.50`` in English) as
    the action's plain decimal.  The plain form the page fills in
    (``2500.00``) is kept as it is; anything else unreadable goes to the
    action unchanged, whose validator answers with a field error."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text or _PLAIN_AMOUNT.fullmatch(text):
        return text
    try:
        return str(parse_decimal(text, locale=locale, strict=True))
    except (NumberFormatError, ValueError):
        return value


def challenge_from_form(form: Any, locale: str = "en") -> tuple[dict[str, Any], list[int]]:
    """Action input from a submitted challenge form (``locale``: the page's
    language, for prize amounts).

    Returns the data and, for the timeline, which form row each kept entry
    came from (to put errors back next to the right row).
    """
    raw = clean_dict(unflatten(tuplize_dict(parse_params(form))))
    zone_ = zone(raw.get("timezone"))
    data: dict[str, Any] = {
        key: value
        for key, value in raw.items()
        if key not in ("prizes", "timeline", "save", "_ckan_phase")
    }
    for name in CONTEST_DATES:
        data[name] = aware(raw.get(name), zone_)
    for name in BOOLEAN_FIELDS:
        data[name] = name in form
    data["allowed_licences"] = form.getlist("allowed_licences") or raw.get("allowed_licences")
    data["prizes"] = [
        {**prize, "amount": _amount(prize["amount"], locale)} if "amount" in prize else prize
        for prize in raw.get("prizes") or []
        if isinstance(prize, dict) and any(str(v).strip() for v in prize.values())
    ]
    timeline: list[dict[str, Any]] = []
    rows: list[int] = []
    for index, entry in enumerate(raw.get("timeline") or []):
        if not isinstance(entry, dict) or not (entry.get("starts") or entry.get("ends")):
            continue
        timeline.append(
            {
                "stage": entry.get("stage"),
                "starts": aware(entry.get("starts"), zone_),
                "ends": aware(entry.get("ends"), zone_),
                "notes": entry.get("notes", ""),
            }
        )
        rows.append(index)
    data["timeline"] = timeline
    return data, rows


def form_values(challenge: dict[str, Any], tz: str | None = None) -> dict[str, Any]:
    """Values to fill the form with, from a challenge dict (API shape) or from
    a submitted form that failed validation (already local)."""
    zone_ = zone(tz or challenge.get("timezone"))
    values = dict(challenge)
    values["timezone"] = zone_.key
    for name in CONTEST_DATES:
        values[name] = local(challenge.get(name), zone_)
    by_stage = {e.get("stage"): e for e in challenge.get("timeline") or [] if isinstance(e, dict)}
    values["timeline"] = [
        {
            "stage": stage,
            "starts": local((by_stage.get(stage) or {}).get("starts"), zone_),
            "ends": local((by_stage.get(stage) or {}).get("ends"), zone_),
            "notes": (by_stage.get(stage) or {}).get("notes", ""),
        }
        for stage in STAGES
    ]
    prizes = [p for p in challenge.get("prizes") or [] if isinstance(p, dict)]
    values["prizes"] = prizes + [{} for _ in range(PRIZE_ROWS_EXTRA)]
    tags = challenge.get("tags")
    values["tags"] = ", ".join(tags) if isinstance(tags, list) else (tags or "")
    licences = challenge.get("allowed_licences")
    values["allowed_licences"] = licences if isinstance(licences, list) else []
    return values


def timeline_errors(errors: dict[str, Any], rows: list[int]) -> dict[int, Any]:
    """navl errors of kept timeline entries, keyed by form row."""
    result: dict[int, Any] = {}
    for position, entry in enumerate(errors.get("timeline") or []):
        if isinstance(entry, dict) and entry and position < len(rows):
            result[rows[position]] = entry
    return result
