"""E-mail notifications of the jury, sent through CKAN's mailer.

* A juror is told when they are appointed (``challenge_juror_add``).
* The team members of every submitted project are told when the results are
  published (``challenge_results_publish``).
* A person invited to a team is told (``project_member_add`` by a team member).

Mail is sent only when ``ckanext.datathon.notifications`` is true (default)
and the portal names a mail server (``smtp.server``, see ``mail_configured``);
otherwise nothing is attempted.  A failure is logged and never fails the action that triggered it.
Subjects and names are single-line and capped (no header injection through a
challenge title such as ``"x\\r\\nBcc: y@z"``); bodies are plain text and
translatable.
"""

from __future__ import annotations

import configparser
import functools
import logging
import os
import re
from collections.abc import Iterable
from typing import cast

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.model import Challenge, Project, TeamInvitation

log = logging.getLogger(__name__)
_ = tk._

SMTP_SERVER_DEFAULT = "localhost"  # CKAN's declared default of smtp.server
SUBJECT_MAX = 150
NAME_MAX = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def enabled() -> bool:
    return config.notifications() and mail_configured()


def mail_configured() -> bool:
    """Whether the portal names a mail server.  CKAN declares ``smtp.server``
    with the default ``localhost``, so the value alone does not tell: it
    counts when it differs from that default, or is given by the
    ``CKAN_SMTP_SERVER`` environment variable or in the config file itself
    (write ``smtp.server = localhost`` to use a local MTA)."""
    server = tk.config.get("smtp.server")
    if not server:
        return False
    if server != SMTP_SERVER_DEFAULT or os.environ.get("CKAN_SMTP_SERVER"):
        return True
    return _in_config_file("smtp.server")


@functools.lru_cache(maxsize=8)
def _file_keys(path: str) -> frozenset[str]:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return frozenset()
    if not parser.has_section("app:main"):
        return frozenset()
    return frozenset(parser.options("app:main"))


def _in_config_file(key: str) -> bool:
    path = tk.config.get("__file__")
    return isinstance(path, str) and bool(path) and key in _file_keys(path)


def header_text(value: object, limit: int = SUBJECT_MAX) -> str:
    """One line of at most ``limit`` characters: CR, LF and every other
    control character become a space."""
    text = " ".join(_CONTROL.sub(" ", str(value or "")).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _url(path: str) -> str:
    return cast(str, tk.config.get("ckan.site_url", "")).rstrip("/") + path


def _site() -> str:
    return header_text(tk.config.get("ckan.site_title") or "CKAN", NAME_MAX)


def _send(user: model.User, subject: str, body: str) -> bool:
    """Mail one user; False (logged) when it could not be sent."""
    address = header_text(user.email, 254)
    if not address or "@" not in address:
        return False
    try:
        tk.mail_recipient(
            header_text(user.fullname or user.name, NAME_MAX),
            address,
            header_text(subject),
            body,
        )
    except Exception:  # a mail failure never fails the action
        log.exception("datathon: could not mail %s (%s)", user.name, header_text(subject))
        return False
    return True


def juror_appointed(challenge: Challenge, user: model.User) -> int:
    """Tell ``user`` they are a juror of ``challenge``; the number of mails sent."""
    if not enabled():
        return 0
    title = header_text(challenge.title or challenge.name)
    subject = _("You are a juror of “%(title)s”") % {"title": title}
    body = _(
        "Hello %(name)s,\n\n"
        "The organizers of “%(title)s” appointed you to its jury on %(site)s.\n\n"
        "You score the submitted projects after the submission deadline and until "
        "judging closes. Your scores are seen only by you and the organizers.\n\n"
        "Your queue of projects to score: %(url)s\n"
    ) % {
        "name": header_text(user.fullname or user.name, NAME_MAX),
        "title": title,
        "site": _site(),
        "url": _url(f"/challenge/{challenge.name}/jury"),
    }
    return int(_send(user, subject, body))


def _team_members(challenge_id: str) -> Iterable[model.User]:
    """Active users on the team of a submitted project of the challenge."""
    pm = model.PackageMember.__table__
    pr = Project.__table__
    p = model.Package.__table__
    ids = (
        sa.select(pm.c.user_id)
        .select_from(pm.join(pr, pr.c.package_id == pm.c.package_id))
        .join(p, p.c.id == pr.c.package_id)
        .where(
            pr.c.challenge_id == challenge_id,
            pr.c.submission_status == "submitted",
            p.c.state == "active",
        )
    )
    users = model.Session.scalars(
        sa.select(model.User)
        .where(model.User.id.in_(ids), model.User.state == "active")
        .order_by(model.User.name)
    ).all()
    return cast("Iterable[model.User]", users)


def results_published(challenge: Challenge) -> int:
    """Tell every member of a submitted project's team that the results are
    out; the number of mails sent."""
    if not enabled():
        return 0
    title = header_text(challenge.title or challenge.name)
    subject = _("The results of “%(title)s” are published") % {"title": title}
    sent = 0
    for user in _team_members(challenge.id):
        body = _(
            "Hello %(name)s,\n\n"
            "The jury of “%(title)s” on %(site)s has finished: the ranking and the "
            "winners are published.\n\n"
            "See the results: %(url)s\n\n"
            "Thank you for taking part.\n"
        ) % {
            "name": header_text(user.fullname or user.name, NAME_MAX),
            "title": title,
            "site": _site(),
            "url": _url(f"/challenge/{challenge.name}/results"),
        }
        sent += _send(user, subject, body)
    return sent


def team_invitation(invitation_id: str) -> int:
    """Tell the invitee of a team invitation about it; the number of mails
    sent.  The mail names the team, the project, the challenge and who
    invited, and links to the invitations page."""
    if not enabled():
        return 0
    invitation = model.Session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.state != "pending":
        return 0
    invitee = model.Session.get(model.User, invitation.invitee_user_id)
    pkg = model.Session.get(model.Package, invitation.project_id)
    project = model.Session.get(Project, invitation.project_id)
    challenge = model.Session.get(Challenge, project.challenge_id) if project else None
    inviter = (
        model.Session.get(model.User, invitation.inviter_user_id)
        if invitation.inviter_user_id
        else None
    )
    if invitee is None or invitee.state != "active" or pkg is None or challenge is None:
        return 0
    project_title = header_text(pkg.title or pkg.name)
    challenge_title = header_text(challenge.title or challenge.name)
    subject = _("You are invited to join the team of “%(title)s”") % {"title": project_title}
    body = _(
        "Hello %(name)s,\n\n"
        "%(inviter)s invited you to join the team of “%(project)s”, a project of "
        "the challenge “%(challenge)s” on %(site)s.\n\n"
        "You join the team only if you accept. Accept or decline the invitation: %(url)s\n\n"
        "If you do not know this person, decline it; nothing changes for you.\n"
    ) % {
        "name": header_text(invitee.fullname or invitee.name, NAME_MAX),
        "inviter": header_text(
            (inviter.fullname or inviter.name) if inviter else _("A team member"), NAME_MAX
        ),
        "project": project_title,
        "challenge": challenge_title,
        "site": _site(),
        "url": _url("/dashboard/invitations"),
    }
    return int(_send(invitee, subject, body))
