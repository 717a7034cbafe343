"""Date-times as people read them: in the challenge's time zone and the
language of the request, to the minute ("Aug 25, 2023, 9:00 AM
(America/Mexico_City)").  Pages use it through the ``datathon_datetime``
helper; action messages ("Registration closed on ...") use it too, so that no
raw ISO timestamp in UTC reaches a person."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format

import ckan.lib.helpers as core_h


def _locale() -> str:
    try:
        return str(core_h.lang() or "en")
    except RuntimeError:  # no request (CLI, background job)
        return "en"


def show(value: Any, timezone: str | None = None, with_hours: bool = True) -> str:
    """``value`` (a datetime or an ISO string) in ``timezone`` (IANA, default
    UTC); the zone's name follows the time.  An unreadable value is returned
    as it is."""
    if not value:
        return ""
    try:
        if isinstance(value, dt.datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        else:
            moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        zone = ZoneInfo(timezone or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return str(value)
    local = moment.astimezone(zone)
    locale = _locale()
    try:
        if with_hours:
            # the locale's medium date and short time (no seconds), joined the
            # locale's way
            text = (
                cast(str, get_datetime_format("medium", locale=locale))
                .replace("'", "")
                .format(
                    format_time(local, format="short", locale=locale),
                    format_date(local, format="medium", locale=locale),
                )
            )
        else:
            text = format_date(local, format="medium", locale=locale)
    except Exception:  # an unknown locale must not break a page
        text = local.isoformat()
    return f"{text} ({zone.key})" if with_hours else text
