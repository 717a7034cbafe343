"""Small helpers shared by the datathon tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

UTC = dt.timezone.utc


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(UTC).replace(microsecond=0)


def call_as(user: dict[str, Any] | None, action: str, **data: Any) -> Any:
    """Call ``action`` as ``user`` (None: anonymous), with a fresh context."""
    context = {"user": user["name"] if user else "", "model": model, "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)


def auth_as(user: dict[str, Any] | None, auth: str, **data: Any) -> bool:
    context = {"user": user["name"] if user else "", "model": model}
    try:
        helpers.call_auth(auth, context=context, **data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        # ObjectNotFound: the user may not even know the object exists
        return False
    return True


class Statements:
    """The SQL statements run while in the block (CKAN's engine)."""

    def __enter__(self) -> Statements:
        self.run: list[str] = []
        sa.event.listen(model.meta.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.run.append(statement)

    def __exit__(self, *exc: Any) -> None:
        sa.event.remove(model.meta.engine, "before_cursor_execute", self._count)

    def containing(self, text: str) -> list[str]:
        return [s for s in self.run if text in s]

    @property
    def ours(self) -> list[str]:
        return self.containing("datathon_")
