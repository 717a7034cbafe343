"""Mail that arrives: every mail goes through CKAN's background jobs and a
real worker (``ckan jobs worker --burst``) to a real SMTP server (the demo's
aiosmtpd catcher); reminders reach each person once; opted-out users get
nothing; a draft is never named; a failing server is retried, then logged."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import ckan.model as model
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories

from ckanext.datathon import config
from ckanext.datathon.lib import mail
from ckanext.datathon.logic import jobs, reminders
from ckanext.datathon.model import Reminder
from ckanext.datathon.tests.factories import invite_and_accept
from ckanext.datathon.tests.helpers import call_as, iso, now
from ckanext.datathon.tests.jury_scenario import scenario
from ckanext.datathon.tests.logic import conftest as logic_fixtures
from ckanext.datathon.tests.mail_fixtures import catcher, free_port, mail_queue, run_worker

pytestmark = pytest.mark.usefixtures("with_plugins", "mail_queue")

world = logic_fixtures.world
__all__ = ["catcher", "mail_queue"]

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# the test process queues (mail is on when the portal names a server); the
# worker subprocess is told the catcher's port
QUEUEING = pytest.mark.ckan_config("smtp.server", "127.0.0.1:1")


def _dates(registration_closes: dt.datetime, submission: dt.datetime, judging: dt.datetime):
    return {
        "registration_opens": iso(registration_closes - 20 * DAY),
        "registration_closes": iso(registration_closes),
        "submission_deadline": iso(submission),
        "judging_closes": iso(judging),
        "results_date": iso(judging + DAY),
    }


def _user(label: str) -> dict:
    return factories.User(email=f"{label}@mail.example", fullname=label.capitalize())


def _opt_out(user: dict) -> None:
    jobs.set_opt_out(model.User.get(user["id"]), True)
    model.Session.commit()


@pytest.fixture
def season(world, challenge_factory):
    """Three published challenges, each with one date within the reminders'
    lead time (48 hours), and a draft one."""
    t = now()
    s = type("Season", (), {})()
    # registration closes in 10 hours: followers without a team are reminded
    s.open = challenge_factory(
        owner_org=world.org["id"],
        state="active",
        **_dates(t + 10 * HOUR, t + 10 * DAY, t + 20 * DAY),
    )
    s.follower, s.quiet, s.on_team = _user("follower"), _user("quiet"), _user("onteam")
    for user in (s.follower, s.quiet, s.on_team):
        call_as(user, "follow_challenge", id=s.open["id"])
    _opt_out(s.quiet)
    call_as(
        s.on_team,
        "project_register",
        challenge=s.open["id"],
        title="Already in",
        team_name="In",
        accept_rules=True,
    )
    # the submission deadline is in 20 hours: the team of the draft is reminded
    s.closing = challenge_factory(
        owner_org=world.org["id"],
        state="active",
        **_dates(t - DAY, t + 20 * HOUR, t + 10 * DAY),
    )
    s.leader, s.member, s.done = _user("leader"), _user("member"), _user("done")
    with freeze_time(t - 2 * DAY):
        s.draft = call_as(
            s.leader,
            "project_register",
            challenge=s.closing["id"],
            title="Still a draft",
            team_name="Drafters",
            accept_rules=True,
        )
        invite_and_accept(s.leader, s.draft, s.member)
        submitted = call_as(
            s.done,
            "project_register",
            challenge=s.closing["id"],
            title="Submitted",
            team_name="Finished",
            accept_rules=True,
        )
        call_as(
            s.done,
            "package_patch",
            id=submitted["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
        )
        call_as(s.done, "project_submit", id=submitted["id"])
    # judging closes in a day: the juror with projects to score is reminded
    s.judging = scenario(world, challenge_factory, projects=1, jurors=0, deadline=t - 9 * DAY)
    s.busy, s.late = _user("busy"), _user("late")
    for juror in (s.busy, s.late):
        call_as(
            world.admin, "challenge_juror_add", id=s.judging.challenge["id"], user=juror["name"]
        )
    call_as(
        s.busy,
        "project_score",
        project=s.judging.project["id"],
        scores=[
            {"criterion": s.judging.impact["id"], "score": 1},
            {"criterion": s.judging.data_use["id"], "score": 1},
        ],
    )
    # a draft challenge with the same dates: nobody hears of it
    s.hidden = challenge_factory(
        owner_org=world.org["id"],
        title="Secret draft",
        **_dates(t + 10 * HOUR, t + 11 * HOUR, t + 12 * HOUR),
    )
    # (the mails the set-up queued, to jurors and invitees, are not this test's)
    ckan_jobs.get_queue(config.mail_queue()).empty()
    return s


EXPECTED = {
    "registration": ["follower@mail.example"],
    "submission": ["leader@mail.example", "member@mail.example"],
    "judging": ["late@mail.example"],
}


@QUEUEING
def test_each_reminder_arrives_exactly_once(season, catcher, cli, tmp_path):
    dry = cli.invoke(_ckan(), ["datathon", "send-reminders", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "4 reminder(s) would be sent." in dry.output, dry.output
    assert model.Session.query(Reminder).count() == 0  # a dry run records nothing

    first = cli.invoke(_ckan(), ["datathon", "send-reminders"])
    assert first.exit_code == 0, first.output
    assert "4 reminder(s) queued." in first.output
    run_worker(tmp_path, f"127.0.0.1:{catcher.port}")
    got = {}
    for message in catcher.messages():
        got.setdefault(message["X-Catcher-Rcpt-To"], []).append(message["Subject"])
    assert sorted(got) == sorted(a for kind in EXPECTED.values() for a in kind), got
    assert all(len(subjects) == 1 for subjects in got.values()), got
    assert "Registration for" in got["follower@mail.example"][0]
    assert "Submit your project" in got["leader@mail.example"][0]
    assert "Judging of" in got["late@mail.example"][0]
    for message in catcher.messages():
        body = message.get_content()
        assert "Secret draft" not in body + message["Subject"]
        address = message["X-Catcher-Rcpt-To"]
        user_id = model.Session.scalars(
            sa.select(model.User.id).where(model.User.email == address)
        ).one()
        token = mail.unsubscribe_token(user_id)
        assert f"/datathon/unsubscribe/{token}" in body
        assert message["List-Unsubscribe"].strip("<>").endswith(token)

    # again: nothing new is queued, nothing new arrives
    again = cli.invoke(_ckan(), ["datathon", "send-reminders"])
    assert again.exit_code == 0, again.output
    assert "0 reminder(s) queued." in again.output
    run_worker(tmp_path, f"127.0.0.1:{catcher.port}")
    assert len(catcher.messages()) == 4


def _ckan():
    from ckan.cli.cli import ckan

    return ckan


@QUEUEING
def test_an_opted_out_user_gets_nothing_even_when_queued(season, catcher, tmp_path):
    assert jobs.enqueue(mail.ANNOUNCEMENT, season.quiet["id"], season.open["id"])
    assert jobs.enqueue(mail.REMINDER_REGISTRATION, season.quiet["id"], season.open["id"])
    run_worker(tmp_path, f"127.0.0.1:{catcher.port}")
    assert catcher.messages() == []


@QUEUEING
def test_a_draft_is_never_named_to_who_cannot_read_it(world, season, catcher, tmp_path):
    outsider = _user("outsider")
    model.Session.execute(
        model.User.__table__.update()
        .where(model.User.__table__.c.id == world.admin["id"])
        .values(email="admin@mail.example")
    )
    model.Session.commit()
    for user in (outsider, world.admin):
        assert jobs.enqueue(mail.REMINDER_REGISTRATION, user["id"], season.hidden["id"])
    # the draft project of another team, named to an outsider
    assert jobs.enqueue(
        mail.REMINDER_SUBMISSION,
        outsider["id"],
        season.closing["id"],
        project_id=season.draft["id"],
    )
    run_worker(tmp_path, f"127.0.0.1:{catcher.port}")
    # the organizer may read the draft challenge: only they hear of it
    assert catcher.recipients() == ["admin@mail.example"]
    assert "Secret draft" in catcher.messages()[0]["Subject"]


@QUEUEING
@pytest.mark.ckan_config("ckanext.datathon.mail_attempts", "3")
def test_a_failing_server_is_retried_then_logged_and_the_action_succeeds(
    world, published_challenge_factory, tmp_path
):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    juror = _user("juror")
    added = call_as(world.admin, "challenge_juror_add", id=challenge["id"], user=juror["name"])
    assert added["name"] == juror["name"]  # the action succeeded (it only queued)
    log = run_worker(tmp_path, f"127.0.0.1:{free_port()}")  # nobody listens there
    assert "attempt 1 of 3, queued again" in log
    assert "attempt 2 of 3, queued again" in log
    assert "gave up mailing" in log
    assert "after 3 attempts" in log


def test_mail_is_not_queued_without_a_mail_server(world, published_challenge_factory):
    challenge = published_challenge_factory(owner_org=world.org["id"])
    call_as(world.admin, "challenge_juror_add", id=challenge["id"], user=_user("j")["name"])
    assert ckan_jobs.get_queue(config.mail_queue()).count == 0


@QUEUEING
@pytest.mark.ckan_config("ckan.locale_default", "es")
def test_mail_is_written_in_the_challenges_language(
    world, published_challenge_factory, catcher, tmp_path
):
    challenge = published_challenge_factory(owner_org=world.org["id"], title="Movilidad")
    call_as(world.admin, "challenge_juror_add", id=challenge["id"], user=_user("jurado")["name"])
    run_worker(tmp_path, f"127.0.0.1:{catcher.port}")
    (message,) = catcher.messages()
    assert message["Subject"] == "Forma parte del jurado de “Movilidad”"


def test_reminders_skip_what_was_sent(season):
    due = reminders.due(now())
    assert sorted((d.kind, d.user_name) for d in due) == sorted(
        [
            ("registration", season.follower["name"]),
            ("submission", season.leader["name"]),
            ("submission", season.member["name"]),
            ("judging", season.late["name"]),
        ]
    )
    model.Session.add(
        Reminder(
            kind="judging", challenge_id=season.judging.challenge["id"], user_id=season.late["id"]
        )
    )
    model.Session.commit()
    assert ("judging", season.late["name"]) not in {
        (d.kind, d.user_name) for d in reminders.due(now())
    }


@QUEUEING
def test_an_announcement_reaches_each_registered_team_member(world, season, catcher, tmp_path):
    _opt_out(season.member)
    sent = call_as(
        world.admin,
        "challenge_announcement_create",
        challenge=season.closing["id"],
        subject="Office hours",
        message="Mentors are in room 4 on Friday.",
    )
    assert sent["recipients"] == 3  # leader, member (opted out), done
    run_worker(tmp_path, f"127.0.0.1:{catcher.port}")
    assert catcher.recipients() == ["done@mail.example", "leader@mail.example"]
    for message in catcher.messages():
        assert message["Subject"].endswith("] Office hours")
        body = message.get_content()
        assert "Mentors are in room 4 on Friday." in body
        assert "/datathon/unsubscribe/" in body


@pytest.mark.ckan_config("smtp.server", "")
def test_send_reminders_refuses_when_mail_is_off(season, cli):
    result = cli.invoke(_ckan(), ["datathon", "send-reminders"])
    assert result.exit_code == 1
    assert "mail is off" in result.output
    assert model.Session.query(Reminder).count() == 0
    # a dry run still tells what would be sent
    dry = cli.invoke(_ckan(), ["datathon", "send-reminders", "--dry-run"])
    assert dry.exit_code == 0
    assert "4 reminder(s) would be sent." in dry.output


@pytest.mark.ckan_config("ckanext.datathon.reminder_judging_hours", "0")
@pytest.mark.ckan_config("ckanext.datathon.reminder_registration_hours", "5")
def test_lead_times_are_configurable(season):
    kinds = sorted(d.kind for d in reminders.due(now()))
    # registration closes in 10 hours (not within 5); judging is off
    assert kinds == ["submission", "submission"]
