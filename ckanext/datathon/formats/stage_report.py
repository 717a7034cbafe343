"""The text of ``ckan datathon stage-report``: what ``challenge_stage_report``
answers, one line per challenge and one per event."""

from __future__ import annotations

import datetime as dt
from typing import Any

# the event kinds of challenge_stage_report (logic/queries/stage_report.py)
STAGE_STARTS, STAGE_ENDS, CONTEST_DATE = "stage_starts", "stage_ends", "contest_date"


def text_lines(changes: list[dict[str, Any]], day: dt.date | None) -> list[str]:
    """The report as lines of text (``day``: the one asked for, if any)."""
    if not changes:
        return [f"Nothing changes on {day.isoformat()}." if day else "Nothing changes today."]
    lines = []
    for challenge in changes:
        lines.append(
            f"{challenge['date']}  {challenge['name']}  {challenge['title']}"
            f" ({challenge['timezone']})"
        )
        for event in challenge["events"]:
            time = event["local"][11:16]
            label = {
                STAGE_STARTS: f"stage starts: {event['what']}",
                STAGE_ENDS: f"stage ends: {event['what']}",
            }.get(event["kind"], event["what"])
            lines.append(f"  {time}  {label}")
    return lines
