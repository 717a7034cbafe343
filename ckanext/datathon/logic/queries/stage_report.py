"""Which published challenges change stage on a given day
(``challenge_stage_report``, behind ``ckan datathon stage-report`` for a cron
job).

A challenge changes on day D when, in the challenge's own time zone, one of
its method stages starts or ends on D, or one of its contest dates
(registration opens, registration closes, submission deadline, judging
closes, results date) falls on D.  Without a date, "today" is the current
date in each challenge's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.lib import timeline
from ckanext.datathon.model import CONTEST_DATES, Challenge, Stage

STAGE_STARTS, STAGE_ENDS, CONTEST_DATE = "stage_starts", "stage_ends", "contest_date"
# at the same moment, a stage ends before the next one starts
_ORDER = {STAGE_ENDS: 0, STAGE_STARTS: 1, CONTEST_DATE: 2}
# UTC offsets run from -12:00 to +14:00: a local day lies within one UTC day
# on either side of the same calendar day.
_MARGIN = dt.timedelta(days=1)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _utc_window(day: dt.date | None, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    first = day or at.astimezone(dt.timezone.utc).date()
    start = dt.datetime.combine(first, dt.time(), dt.timezone.utc) - _MARGIN
    return start, start + dt.timedelta(days=1) + 2 * _MARGIN


def _candidates(lo: dt.datetime, hi: dt.datetime) -> list[Any]:
    """Active challenges with a stage boundary or a contest date in [lo, hi)."""
    c = Challenge.__table__
    s = Stage.__table__

    def within(column: Any) -> Any:
        return sa.and_(column >= lo, column < hi)

    stage_hit = sa.exists().where(
        s.c.challenge_id == c.c.id, sa.or_(within(s.c.starts), within(s.c.ends))
    )
    date_hit = sa.or_(*(within(c.c[name]) for name in CONTEST_DATES))
    return list(
        model.Session.execute(
            sa.select(c.c.id, c.c.name, c.c.title, c.c.timezone, *(c.c[n] for n in CONTEST_DATES))
            .where(c.c.state == "active", sa.or_(stage_hit, date_hit))
            .order_by(c.c.name)
        ).all()
    )


def _stages(ids: list[str], lo: dt.datetime, hi: dt.datetime) -> dict[str, list[Any]]:
    s = Stage.__table__
    rows = model.Session.execute(
        sa.select(s.c.challenge_id, s.c.stage, s.c.starts, s.c.ends).where(
            s.c.challenge_id.in_(ids),
            sa.or_(
                sa.and_(s.c.starts >= lo, s.c.starts < hi), sa.and_(s.c.ends >= lo, s.c.ends < hi)
            ),
        )
    ).all()
    by_challenge: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_challenge[row.challenge_id].append(row)
    return by_challenge


def _event(kind: str, what: str, moment: dt.datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "kind": kind,
        "what": what,
        "at": moment.astimezone(dt.timezone.utc).isoformat(),
        "local": moment.astimezone(zone).isoformat(),
    }


def changes(day: dt.date | None = None, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Challenges that change on ``day`` (default: today in each challenge's
    zone, ``at`` being now), by name, each with its events in time order:
    ``{"name", "title", "timezone", "date", "events": [{"kind", "what", "at",
    "local"}]}``; ``kind`` is ``stage_starts``, ``stage_ends`` (``what``: the
    stage) or ``contest_date`` (``what``: e.g. ``registration_closes``)."""
    at = at or timeline.now()
    lo, hi = _utc_window(day, at)
    rows = _candidates(lo, hi)
    stages = _stages([r.id for r in rows], lo, hi)
    report = []
    for row in rows:
        zone = _zone(row.timezone)
        local_day = day or at.astimezone(zone).date()
        moments = [(STAGE_STARTS, s.stage, s.starts) for s in stages.get(row.id, [])]
        moments += [(STAGE_ENDS, s.stage, s.ends) for s in stages.get(row.id, [])]
        moments += [(CONTEST_DATE, n, row._mapping[n]) for n in CONTEST_DATES if row._mapping[n]]
        events = [
            _event(kind, what, moment, zone)
            for kind, what, moment in sorted(moments, key=lambda m: (m[2], _ORDER[m[0]]))
            if moment.astimezone(zone).date() == local_day
        ]
        if events:
            report.append(
                {
                    "name": row.name,
                    "title": row.title,
                    "timezone": zone.key,
                    "date": local_day.isoformat(),
                    "events": events,
                }
            )
    return report
