"""Wall-clock times of the demo stories, with the offset their city really had.

The stories give local times ("15 December 2017, 23:59 in São Paulo"); the
offset comes from the IANA database, not a constant: São Paulo kept daylight
saving time until 2019 (-02:00 from October to February), Mexico City until
October 2022.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

MEXICO_CITY = "America/Mexico_City"
SAO_PAULO = "America/Sao_Paulo"


def at(local: str, zone: str) -> str:
    """``local`` (``YYYY-MM-DDTHH:MM:SS``, no offset) in ``zone``, as ISO 8601
    with that moment's offset."""
    return dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).isoformat()


def cdmx(local: str) -> str:
    return at(local, MEXICO_CITY)


def sao_paulo(local: str) -> str:
    return at(local, SAO_PAULO)
