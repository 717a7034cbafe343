"""Background jobs of the plugin: every mail it sends.

Actions and ``ckan datathon send-reminders`` only enqueue (``enqueue``) a job
on the queue ``ckanext.datathon.mail_queue`` (default ``datathon``) of CKAN's
background jobs (RQ on Redis); a worker (``ckan jobs worker datathon``) runs
``send_mail``, which at send time, as the recipient:

* skips users who are gone, have no address or opted out of the kind
  (reminders and announcements, see ``opted_out``);
* reads the challenge and project through ``challenge_show`` /
  ``package_show`` with the recipient as the user: a draft or private object
  the recipient cannot read is never named (the mail is not sent);
* renders the message in the challenge's language (``lib.mail``);
* sends it with CKAN's mailer; a failure is logged and the job queued again
  until ``ckanext.datathon.mail_attempts`` attempts were made, then logged as
  given up.  Nothing here ever fails the action that asked for the mail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.lib import mail, notifications, timeline

log = logging.getLogger(__name__)

# plugin_extras["datathon"][OPT_OUT]: the user wants no reminders or announcements
OPT_OUT = "mail_opt_out"


def enabled() -> bool:
    """Whether the plugin mails at all (the option and a mail server)."""
    return notifications.enabled()


def enqueue(kind: str, user_id: str, challenge_id: str, **refs: Any) -> bool:
    """Queue one mail of ``kind`` to ``user_id`` about ``challenge_id``
    (``refs``: ``project_id``, ``invitation_id``, ``announcement_id``);
    False (logged) when mail is off or the queue cannot be reached."""
    if not enabled():
        return False
    return _enqueue([kind, user_id, challenge_id], {"refs": refs, "attempt": 1}, kind)


def _enqueue(args: list[Any], kwargs: dict[str, Any], kind: str) -> bool:
    try:
        tk.enqueue_job(
            send_mail, args, kwargs, title=f"datathon mail: {kind}", queue=config.mail_queue()
        )
    except Exception:  # Redis down: the action still succeeds
        log.exception("datathon: could not queue a %s mail", kind)
        return False
    return True


# -- what the actions send -----------------------------------------------------------------


def juror_appointed(challenge_id: str, user_id: str) -> int:
    """Tell a new juror; the number of mails queued."""
    return int(enqueue(mail.JUROR_APPOINTED, user_id, challenge_id))


def team_members_of_submitted(challenge_id: str) -> list[str]:
    """Ids of the active users on the team of a submitted project."""
    from ckanext.datathon.logic.queries import mail as mail_queries

    return mail_queries.team_members(challenge_id, submitted=True)


def results_published(challenge_id: str) -> int:
    """Tell every member of a submitted project's team that the results are
    out; the number of mails queued."""
    if not enabled():
        return 0
    return sum(
        enqueue(mail.RESULTS_PUBLISHED, user_id, challenge_id)
        for user_id in team_members_of_submitted(challenge_id)
    )


def team_invitation(invitation_id: str) -> int:
    """Tell the invitee of a pending invitation; the number of mails queued."""
    from ckanext.datathon.model import Project, TeamInvitation

    if not enabled():
        return 0
    invitation = model.Session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.state != "pending":
        return 0
    project = model.Session.get(Project, invitation.project_id)
    if project is None:
        return 0
    return int(
        enqueue(
            mail.TEAM_INVITATION,
            invitation.invitee_user_id,
            project.challenge_id,
            project_id=invitation.project_id,
            invitation_id=invitation.id,
            inviter_id=invitation.inviter_user_id,
        )
    )


# -- opting out --------------------------------------------------------------------------


def opted_out(user: model.User) -> bool:
    extras = user.plugin_extras or {}
    return bool((extras.get("datathon") or {}).get(OPT_OUT))


def set_opt_out(user: model.User, value: bool) -> None:
    """Store the choice in the user's ``plugin_extras`` (the caller commits)."""
    extras = dict(user.plugin_extras or {})
    mine = dict(extras.get("datathon") or {})
    mine[OPT_OUT] = bool(value)
    extras["datathon"] = mine
    user.plugin_extras = extras


# -- the job -----------------------------------------------------------------------------


@contextlib.contextmanager
def _app_context() -> Iterator[None]:
    """A request context for translations (the worker has none)."""
    import flask

    if flask.has_request_context():
        yield
        return
    app = None
    import click

    click_context = click.get_current_context(silent=True)
    if click_context is not None:
        app = click_context.meta.get("flask_app")
    if app is None:
        from ckan.config.middleware import make_app

        app = make_app(tk.config)._wsgi_app  # type: ignore[attr-defined]
    with app.test_request_context():
        yield


def _as(user: model.User) -> dict[str, Any]:
    return {"user": user.name, "auth_user_obj": user, "ignore_auth": False}


def _when(challenge: dict[str, Any], key: str) -> str:
    value = challenge.get(key)
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return timeline.local_text(moment, challenge.get("timezone"))


def _values(
    kind: str, user: model.User, challenge_id: str, refs: dict[str, Any]
) -> dict[str, Any] | None:
    """What the mail names, read as the recipient; None when they may not
    read something it would name (or it is gone)."""
    try:
        challenge = tk.get_action("challenge_show")(_as(user), {"id": challenge_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    name = challenge["name"]
    values: dict[str, Any] = {
        "name": user.fullname or user.name,
        "title": challenge.get("title") or name,
        "site": mail.site_title(),
        "unsubscribe": mail.unsubscribe_url(user.id),
        "url": mail.site_url(f"/challenge/{name}"),
    }
    project_id = refs.get("project_id")
    if project_id:
        if kind == mail.TEAM_INVITATION:
            # the invitee reads the invitation (its project's title) on their
            # invitations page while it is pending, whatever the project's visibility
            from ckanext.datathon.model import TeamInvitation

            invitation = model.Session.get(TeamInvitation, refs.get("invitation_id") or "")
            pkg = model.Session.get(model.Package, project_id)
            if (
                invitation is None
                or invitation.state != "pending"
                or invitation.invitee_user_id != user.id
                or pkg is None
                or pkg.state != "active"
            ):
                return None
            project = {"name": pkg.name, "title": pkg.title}
        else:
            try:
                project = tk.get_action("package_show")(_as(user), {"id": project_id})
            except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
                return None
        values["project"] = project.get("title") or project["name"]
        values["url"] = mail.site_url(f"/project/{project['name']}")
    if kind == mail.JUROR_APPOINTED or kind == mail.REMINDER_JUDGING:
        values["url"] = mail.site_url(f"/challenge/{name}/jury")
    elif kind == mail.RESULTS_PUBLISHED:
        values["url"] = mail.site_url(f"/challenge/{name}/results")
    elif kind == mail.TEAM_INVITATION:
        inviter = model.Session.get(model.User, refs.get("inviter_id") or "")
        values["inviter"] = (inviter.fullname or inviter.name) if inviter else tk._("A team member")
        values["url"] = mail.site_url("/dashboard/invitations")
    elif kind == mail.ANNOUNCEMENT:
        from ckanext.datathon.model import Announcement

        announcement = model.Session.get(Announcement, refs.get("announcement_id") or "")
        if announcement is None or announcement.challenge_id != challenge["id"]:
            return None
        values["subject"] = announcement.subject
        values["message"] = announcement.message
    when_key = {
        mail.REMINDER_REGISTRATION: "registration_closes",
        mail.REMINDER_SUBMISSION: "submission_deadline",
        mail.REMINDER_JUDGING: "judging_closes",
    }.get(kind)
    if when_key:
        values["when"] = _when(challenge, when_key)
    return values


def send_mail(
    kind: str,
    user_id: str,
    challenge_id: str,
    refs: dict[str, Any] | None = None,
    attempt: int = 1,
) -> bool:
    """Send one mail (the worker runs this); True when it was handed to the
    mail server."""
    refs = dict(refs or {})
    with _app_context():
        user = model.Session.get(model.User, user_id)
        if user is None or user.state != "active" or "@" not in (user.email or ""):
            return False
        if kind in mail.OPTIONAL and opted_out(user):
            log.info("datathon: %s opted out, no %s mail", user.name, kind)
            return False
        values = _values(kind, user, challenge_id, refs)
        if values is None:
            log.info("datathon: %s may not read what a %s mail names", user.name, kind)
            return False
        with mail.language(mail.mail_language()):
            subject, body = mail.render(kind, values)
        address = mail.header_text(user.email, 254)
        recipient = mail.header_text(user.fullname or user.name, mail.NAME_MAX)
    try:
        tk.mail_recipient(
            recipient,
            address,
            subject,
            body,
            headers={"List-Unsubscribe": f"<{values['unsubscribe']}>"},
        )
    except Exception as error:
        if attempt < config.mail_attempts():
            log.warning(
                "datathon: could not mail %s (%s), attempt %d of %d, queued again: %s",
                user_id,
                kind,
                attempt,
                config.mail_attempts(),
                error,
            )
            _enqueue([kind, user_id, challenge_id], {"refs": refs, "attempt": attempt + 1}, kind)
        else:
            log.error(
                "datathon: gave up mailing %s (%s) after %d attempts: %s",
                user_id,
                kind,
                attempt,
                error,
            )
        return False
    return True
