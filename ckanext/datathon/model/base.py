"""Column helpers shared by the model modules."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa


def new_uuid() -> str:
    """A new primary key (text, as CKAN's own tables)."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Now, aware, in UTC (the default of the ``created`` columns)."""
    return dt.datetime.now(dt.timezone.utc)


def tz_datetime() -> sa.DateTime:
    """A ``timestamp with time zone`` column type."""
    return sa.DateTime(timezone=True)
