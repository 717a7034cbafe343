"""The demo stories' dates: each carries the offset its city really had then
(São Paulo kept daylight saving time until 2019), so pages and calendars
show the local times of the write-ups."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from ckanext.datathon.demo import content, stages

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def _dates(value: Any) -> Iterator[str]:
    if isinstance(value, str) and ISO.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _dates(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _dates(item)


def _challenges() -> list[dict[str, Any]]:
    return [spec for story in content.STORIES for spec in story["challenges"]]


def test_every_date_has_the_offset_of_its_city_at_that_moment():
    checked = 0
    for spec in _challenges():
        zone = ZoneInfo(spec["timezone"])
        extra = [
            stages.MENTORSHIPS.get(spec["name"], []),
            [entry[0] for entry in stages.IMPACT.get(spec["name"], [])],
        ]
        for text in _dates([spec, extra]):
            moment = dt.datetime.fromisoformat(text)
            assert moment.utcoffset() == moment.astimezone(zone).utcoffset(), (spec["name"], text)
            checked += 1
    assert checked > 50


def test_sao_paulo_summer_time():
    patio = content.PATIO
    # the deadline of the write-up: 15 December 2017, 23:59 in São Paulo (DST, -02:00)
    deadline = dt.datetime.fromisoformat(patio["submission_deadline"])
    assert deadline.utcoffset() == dt.timedelta(hours=-2)
    local = deadline.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert (local.day, local.hour, local.minute) == (15, 23, 59)
    # August is winter: -03:00
    opens = dt.datetime.fromisoformat(patio["registration_opens"])
    assert opens.utcoffset() == dt.timedelta(hours=-3)
