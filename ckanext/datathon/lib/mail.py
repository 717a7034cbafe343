"""Mail of the plugin: what each message says, in which language, and the
signed unsubscribe link.  Rendering only: the background job that decides who
gets what and sends it is ``logic.jobs``.

Each message is rendered in the language of its challenge.  A challenge's
texts are written once, in the portal's language, so that language is
``ckan.locale_default`` (CKAN stores no language per user, and a mail written
in a language other than the challenge title's would mix the two); it is
applied with Flask-Babel's ``force_locale`` while the message is rendered,
whatever the request or worker otherwise uses.

Subjects and names are single-line and capped (no header injection through a
title such as ``"x\\r\\nBcc: y@z"``); bodies are plain text.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk

_ = tk._

SUBJECT_MAX = 150
NAME_MAX = 100
BODY_MAX = 5000
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_TOKEN = re.compile(r"^([0-9a-zA-Z-]{1,64})\.([A-Za-z0-9_-]{43})$")

# kinds of mail
JUROR_APPOINTED = "juror_appointed"
RESULTS_PUBLISHED = "results_published"
TEAM_INVITATION = "team_invitation"
REMINDER_REGISTRATION = "reminder_registration"
REMINDER_SUBMISSION = "reminder_submission"
REMINDER_JUDGING = "reminder_judging"
ANNOUNCEMENT = "announcement"
# the kinds a user may opt out of (the others answer something they did)
OPTIONAL = frozenset({REMINDER_REGISTRATION, REMINDER_SUBMISSION, REMINDER_JUDGING, ANNOUNCEMENT})


def header_text(value: object, limit: int = SUBJECT_MAX) -> str:
    """One line of at most ``limit`` characters: CR, LF and every other
    control character become a space."""
    text = " ".join(_CONTROL.sub(" ", str(value or "")).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def body_text(value: object, limit: int = BODY_MAX) -> str:
    """Plain text of at most ``limit`` characters; line breaks kept, other
    control characters dropped."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip()
    return text[:limit]


def mail_language() -> str:
    """The language mail about a challenge is written in (see the module)."""
    return str(tk.config.get("ckan.locale_default") or "en")


@contextlib.contextmanager
def language(locale: str) -> Iterator[None]:
    """Translate with ``locale`` inside the block."""
    from flask_babel import force_locale

    with force_locale(locale):
        yield


# -- the unsubscribe link ------------------------------------------------------------


def _key() -> bytes:
    secret = tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or ""
    return hashlib.sha256(b"ckanext-datathon unsubscribe\0" + str(secret).encode()).digest()


def _signature(user_id: str) -> str:
    digest = hmac.new(_key(), user_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(user_id: str) -> str:
    """A token that names ``user_id`` and that only the portal can make."""
    return f"{user_id}.{_signature(user_id)}"


def token_well_formed(token: object) -> bool:
    """Whether ``token`` has the shape of an unsubscribe token (signed or not)."""
    return isinstance(token, str) and _TOKEN.match(token) is not None


def token_user(token: object) -> str | None:
    """The user id a token names; None when it is malformed or forged."""
    match = _TOKEN.match(token) if isinstance(token, str) else None
    if match is None:
        return None
    user_id, signature = match.groups()
    return user_id if hmac.compare_digest(signature, _signature(user_id)) else None


def site_url(path: str) -> str:
    return str(tk.config.get("ckan.site_url") or "").rstrip("/") + path


def unsubscribe_url(user_id: str) -> str:
    return site_url(f"/datathon/unsubscribe/{unsubscribe_token(user_id)}")


def site_title() -> str:
    return header_text(tk.config.get("ckan.site_title") or "CKAN", NAME_MAX)


# -- messages ---------------------------------------------------------------------------


def _footer(values: dict[str, Any]) -> str:
    return "\n--\n" + str(
        _(
            "You receive this mail as a user of %(site)s. To stop reminders and "
            "announcements of challenges, open: %(unsubscribe)s"
        )
        % {"site": values["site"], "unsubscribe": values["unsubscribe"]}
    )


def render(kind: str, values: dict[str, Any]) -> tuple[str, str]:
    """``(subject, body)`` of a mail of ``kind`` in the current language.

    ``values`` holds plain, already visible strings: ``name`` (the
    recipient), ``title`` (the challenge), ``url``, ``site``,
    ``unsubscribe`` and per kind ``project``, ``inviter``, ``hours``,
    ``subject``, ``message``."""
    v = {
        key: header_text(value, NAME_MAX if key in ("name", "inviter") else SUBJECT_MAX)
        if key != "message"
        else body_text(value)
        for key, value in values.items()
    }
    if kind == JUROR_APPOINTED:
        subject = _("You are a juror of “%(title)s”") % v
        body = (
            _(
                "Hello %(name)s,\n\n"
                "The organizers of “%(title)s” appointed you to its jury on %(site)s.\n\n"
                "You score the submitted projects after the submission deadline and until "
                "judging closes. Your scores are seen only by you and the organizers.\n\n"
                "Your queue of projects to score: %(url)s\n"
            )
            % v
        )
    elif kind == RESULTS_PUBLISHED:
        subject = _("The results of “%(title)s” are published") % v
        body = (
            _(
                "Hello %(name)s,\n\n"
                "The jury of “%(title)s” on %(site)s has finished: the ranking and the "
                "winners are published.\n\n"
                "See the results: %(url)s\n\n"
                "Thank you for taking part.\n"
            )
            % v
        )
    elif kind == TEAM_INVITATION:
        subject = _("You are invited to join the team of “%(title)s”") % {"title": v["project"]}
        body = _(
            "Hello %(name)s,\n\n"
            "%(inviter)s invited you to join the team of “%(project)s”, a project of "
            "the challenge “%(challenge)s” on %(site)s.\n\n"
            "You join the team only if you accept. Accept or decline the invitation: %(url)s\n\n"
            "If you do not know this person, decline it; nothing changes for you.\n"
        ) % {**v, "challenge": v["title"]}
    elif kind == REMINDER_REGISTRATION:
        subject = _("Registration for “%(title)s” closes soon") % v
        body = (
            _(
                "Hello %(name)s,\n\n"
                "You follow the challenge “%(title)s” on %(site)s. Its registration closes "
                "on %(when)s: form or join a team before then.\n\n"
                "The challenge: %(url)s\n"
            )
            % v
        )
    elif kind == REMINDER_SUBMISSION:
        subject = _("Submit your project to “%(title)s” before the deadline") % v
        body = (
            _(
                "Hello %(name)s,\n\n"
                "The project “%(project)s” of your team is not submitted yet. The "
                "submission deadline of “%(title)s” is %(when)s; after it, the jury sees "
                "only submitted projects.\n\n"
                "Your project: %(url)s\n"
            )
            % v
        )
    elif kind == REMINDER_JUDGING:
        subject = _("Judging of “%(title)s” closes soon") % v
        body = (
            _(
                "Hello %(name)s,\n\n"
                "You still have projects to score in “%(title)s”. Judging closes on "
                "%(when)s.\n\n"
                "Your queue of projects to score: %(url)s\n"
            )
            % v
        )
    elif kind == ANNOUNCEMENT:
        subject = _("[%(title)s] %(subject)s") % v
        body = (
            _(
                "Hello %(name)s,\n\n"
                "The organizers of “%(title)s” wrote to the registered teams:\n\n"
                "%(message)s\n\n"
                "The challenge: %(url)s\n"
            )
            % v
        )
    else:
        raise ValueError(f"unknown kind of mail: {kind!r}")
    return header_text(subject), body + _footer(v)
