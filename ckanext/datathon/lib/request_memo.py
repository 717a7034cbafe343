"""Facts learnt once per request, so that two parts of one page do not ask
the database the same question (the header's invitation count also learns
whether the user follows any challenge, which the dashboard count asks next).
Kept on ``flask.g``; outside a request nothing is remembered."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

_PREFIX = "datathon_memo_"


def remember(key: str, value: Any) -> None:
    if has_request_context():
        setattr(g, _PREFIX + key, value)


def recall(key: str) -> Any:
    """The value remembered for ``key`` in this request (None: unknown)."""
    if has_request_context():
        return getattr(g, _PREFIX + key, None)
    return None
