"""Reminders before a challenge's dates, sent by ``ckan datathon
send-reminders`` (CKAN has no scheduler: operators run it from cron or a
systemd timer, every hour for instance).

* ``registration``: the followers of the challenge who are on no team,
  ``ckanext.datathon.reminder_registration_hours`` before registration closes;
* ``submission``: the members of teams whose project is still a draft,
  ``..._submission_hours`` before the submission deadline;
* ``judging``: the jurors with submitted projects still to score,
  ``..._judging_hours`` before judging closes.

Each reminder reaches a user once per kind and challenge: the command records
it in ``datathon_reminder`` (primary key ``(kind, challenge_id, user_id)``)
before queuing the mail, so running it again, or twice at once, sends
nothing new.  Users who opted out are skipped (and not recorded: they get the
reminder if they opt in again before the date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model

from ckanext.datathon import config
from ckanext.datathon.lib import mail
from ckanext.datathon.logic import jobs
from ckanext.datathon.logic.queries import mail as queries
from ckanext.datathon.model import REMINDER_KINDS, Reminder

MAIL_KIND = {
    "registration": mail.REMINDER_REGISTRATION,
    "submission": mail.REMINDER_SUBMISSION,
    "judging": mail.REMINDER_JUDGING,
}


@dataclasses.dataclass(frozen=True)
class Due:
    kind: str
    challenge_id: str
    challenge_name: str
    user_id: str
    user_name: str
    project_id: str | None = None


def due(now: dt.datetime) -> list[Due]:
    """The reminders to send at ``now`` that were not sent yet."""
    found: list[Due] = []
    for kind in REMINDER_KINDS:
        hours = config.reminder_hours(kind)
        if hours <= 0:
            continue
        for challenge in queries.challenges_due(kind, now, hours):
            if kind == "registration":
                recipients = [(u, None) for u in queries.followers_without_team(challenge.id)]
            elif kind == "submission":
                recipients = list(queries.team_member_projects(challenge.id, submitted=False))
            else:
                recipients = [(u, None) for u in queries.jurors_with_unscored(challenge.id)]
            done = queries.already_reminded(kind, challenge.id)
            todo = [(u, p) for u, p in recipients if u not in done]
            users = {
                u.id: u
                for u in model.Session.scalars(
                    sa.select(model.User).where(model.User.id.in_([u for u, _p in todo]))
                )
            }
            for user_id, project_id in todo:
                user = users.get(user_id)
                if user is None or jobs.opted_out(user) or "@" not in (user.email or ""):
                    continue
                found.append(
                    Due(kind, challenge.id, challenge.name, user_id, user.name, project_id)
                )
    return found


def send(now: dt.datetime, dry_run: bool = False) -> list[Due]:
    """Record and queue every reminder due at ``now``; the ones queued (or,
    with ``dry_run``, the ones that would be, with nothing recorded)."""
    reminders = due(now)
    if dry_run:
        return reminders
    queued: list[Due] = []
    table = Reminder.__table__
    for reminder in reminders:
        key = {
            "kind": reminder.kind,
            "challenge_id": reminder.challenge_id,
            "user_id": reminder.user_id,
        }
        inserted = model.Session.execute(
            pg_insert(table).values(**key, sent=now).on_conflict_do_nothing()
        ).rowcount
        model.Session.commit()
        if not inserted:  # another run took it
            continue
        refs = {"project_id": reminder.project_id} if reminder.project_id else {}
        if jobs.enqueue(MAIL_KIND[reminder.kind], reminder.user_id, reminder.challenge_id, **refs):
            queued.append(reminder)
        else:  # not queued: the next run tries again
            model.Session.execute(
                sa.delete(table).where(*(table.c[k] == v for k, v in key.items()))
            )
            model.Session.commit()
    return queued
