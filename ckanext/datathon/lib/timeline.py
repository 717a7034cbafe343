"""The method timeline of a challenge, computed from dates (never stored)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ckanext.datathon.model import STAGES

PAST, CURRENT, UPCOMING, UNSCHEDULED = "past", "current", "upcoming", "unscheduled"


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def local_text(moment: dt.datetime, timezone: str | None) -> str:
    """A moment in a challenge's time zone, for messages of the API (the same
    in every language): "2023-08-31 18:00 (America/Mexico_City)"."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        zone = ZoneInfo("UTC")
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def stage_statuses(
    stages: Iterable[Mapping[str, Any]], at: dt.datetime | None = None
) -> dict[str, Any]:
    """All 11 stages in method order with their status at ``at``.

    ``stages`` are rows with ``stage``, ``starts``, ``ends`` (aware datetimes)
    and ``notes``.  The current stage is the one whose window holds ``at``;
    when windows overlap (mentorship runs inside development), the one that
    started last wins, then the later one in method order.
    """
    at = at or now()
    by_name = {s["stage"]: s for s in stages}
    timeline: list[dict[str, Any]] = []
    current: tuple[dt.datetime, int, str] | None = None
    upcoming: tuple[dt.datetime, int, str] | None = None
    for position, name in enumerate(STAGES, start=1):
        row = by_name.get(name)
        entry: dict[str, Any] = {
            "stage": name,
            "position": position,
            "starts": None,
            "ends": None,
            "notes": "",
            "status": UNSCHEDULED,
        }
        if row is not None:
            starts, ends = row["starts"], row["ends"]
            entry.update(starts=starts, ends=ends, notes=row.get("notes") or "")
            if ends < at:
                entry["status"] = PAST
            elif starts > at:
                entry["status"] = UPCOMING
                if upcoming is None or (starts, position) < upcoming[:2]:
                    upcoming = (starts, position, name)
            else:
                entry["status"] = CURRENT
                if current is None or (starts, position) > current[:2]:
                    current = (starts, position, name)
        timeline.append(entry)
    return {
        "timeline": timeline,
        "current_stage": current[2] if current else None,
        "next_stage": upcoming[2] if upcoming else None,
    }
