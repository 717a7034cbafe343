"""E-mail notifications of the jury, received by a real (tiny) SMTP server:
jurors when appointed, teams when the results are published; headers safe
against injection; nothing sent without a mail server or with the option off;
a mail failure never fails the action.

The actions queue background jobs (real Redis); ``smtp`` runs the queued jobs
in this process when a test reads what arrived (test_mail.py runs the real
worker and the demo's mail catcher)."""

from __future__ import annotations

import email
import email.policy
import socket
import socketserver
import threading
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories

from ckanext.datathon import config, notifications
from ckanext.datathon.logic import jobs
from ckanext.datathon.model import Challenge, Juror
from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.jury_scenario import scenario as _scenario
from ckanext.datathon.tests.logic import conftest as logic_fixtures

pytestmark = pytest.mark.usefixtures("with_plugins")

# fixtures of the logic and view tests
world = logic_fixtures.world

PORT = 8925  # our own port (tests of other workers use other ones)
SMTP = f"127.0.0.1:{PORT}"
INJECTED = "Movilidad\r\nBcc: x@y.example\r\nX-Evil: 1"


class _Handler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 sink ready")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 sink")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.messages.append(  # type: ignore[attr-defined]
                    SimpleNamespace(sender=sender, recipients=recipients, data=b"".join(lines))
                )
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:  # RSET, NOOP, ...
                self._reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class _Arrived(list):
    """The messages the sink received; reading it first runs the queued mail
    jobs (in this process, in a request context, as the worker would)."""

    def __init__(self, flask_app):
        super().__init__()
        self.flask_app = flask_app

    def deliver(self) -> None:
        queue = ckan_jobs.get_queue(config.mail_queue())
        for _round in range(20):  # retries queue the job again
            found = [queue.fetch_job(i) for i in queue.job_ids]
            if not found:
                return
            for job in found:
                if job is None:
                    continue
                queue.remove(job)
                with self.flask_app.test_request_context():
                    job.func(*job.args, **job.kwargs)

    def __len__(self) -> int:
        self.deliver()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self.deliver()
        return list(self) == other

    def __getitem__(self, index):  # type: ignore[override]
        self.deliver()
        return super().__getitem__(index)

    def __iter__(self):
        self.deliver()
        return super().__iter__()


@pytest.fixture
def smtp(app) -> Iterator[list[SimpleNamespace]]:
    """A listening SMTP sink; yields the list of messages it received."""
    ckan_jobs.get_queue(config.mail_queue()).empty()
    server = _Server(("127.0.0.1", PORT), _Handler)
    server.messages = _Arrived(app.flask_app)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.messages  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        ckan_jobs.get_queue(config.mail_queue()).empty()


def _parsed(message: SimpleNamespace) -> email.message.EmailMessage:
    return email.message_from_bytes(message.data, policy=email.policy.default)  # type: ignore[return-value]


@pytest.fixture
def contest(world, challenge_factory):
    """Judging open, 2 submitted projects (the second one's team has a second
    member), no juror yet."""
    s = _scenario(world, challenge_factory, projects=2, jurors=0)
    s.member = factories.User(email="member@team.example")
    add_team_member(s.projects[1], s.member)
    return s


@pytest.mark.ckan_config("smtp.server", SMTP)
@pytest.mark.ckan_config("smtp.mail_from", "portal@datathon.example")
class TestSent:
    def test_juror_is_told_once(self, world, contest, smtp):
        juror = factories.User(email="juror@jury.example", fullname="Ada Juror")
        for _ in range(2):  # appointing again changes nothing and sends nothing
            call_as(
                world.admin,
                "challenge_juror_add",
                id=contest.challenge["id"],
                user=juror["name"],
            )
        assert len(smtp) == 1
        assert smtp[0].recipients == ["juror@jury.example"]
        message = _parsed(smtp[0])
        assert contest.challenge["title"] in message["Subject"]
        assert "juror" in message["Subject"]
        text = message.get_body(("plain",)).get_content()
        assert "Ada Juror" in text
        assert f"/challenge/{contest.challenge['name']}/jury" in text

    def test_teams_are_told_when_results_are_published(self, world, contest, smtp):
        # a withdrawn project's team is not told
        call_as(world.admin, "project_withdraw", id=contest.projects[0]["id"])
        add_team_member(contest.projects[0], factories.User(email="gone@team.example"))
        call_as(world.admin, "challenge_results_publish", id=contest.challenge["id"])
        recipients = sorted(r for m in smtp for r in m.recipients)
        leader = model.User.get(contest.leaders[1]["name"])
        assert recipients == sorted([leader.email, "member@team.example"])
        for message in smtp:
            parsed = _parsed(message)
            assert "results" in parsed["Subject"]
            assert (
                f"/challenge/{contest.challenge['name']}/results"
                in parsed.get_body(("plain",)).get_content()
            )
        # publishing again sends nothing
        call_as(world.admin, "challenge_results_publish", id=contest.challenge["id"])
        assert len(smtp) == 2

    def test_subject_and_names_cannot_inject_headers(self, world, contest, smtp):
        # the API refuses a title on several lines...
        with pytest.raises(tk.ValidationError) as refused:
            call_as(world.admin, "challenge_patch", id=contest.challenge["id"], title=INJECTED)
        assert "title" in refused.value.error_dict
        # ...and the mailer still defends against one stored before that rule
        # (or written outside CKAN)
        model.Session.get(Challenge, contest.challenge["id"]).title = INJECTED
        model.Session.commit()
        juror = factories.User(email="juror@jury.example", fullname="Eve\r\nBcc: z@z.example")
        call_as(world.admin, "challenge_juror_add", id=contest.challenge["id"], user=juror["name"])
        assert len(smtp) == 1
        assert smtp[0].recipients == ["juror@jury.example"]
        raw = smtp[0].data.decode()
        headers = raw.split("\r\n\r\n", 1)[0] if "\r\n\r\n" in raw else raw.split("\n\n", 1)[0]
        names = [
            line.split(":", 1)[0].lower()
            for line in headers.splitlines()
            if line[:1] not in (" ", "\t")
        ]
        assert "bcc" not in names
        assert "x-evil" not in names
        subject = _parsed(smtp[0])["Subject"]
        assert "\r" not in subject
        assert "\n" not in subject
        assert "Movilidad Bcc: x@y.example X-Evil: 1" in subject

    def test_long_subjects_are_capped(self, world, contest, smtp):
        assert len(notifications.header_text("x" * 1000)) == notifications.SUBJECT_MAX
        call_as(world.admin, "challenge_patch", id=contest.challenge["id"], title="T" * 200)
        call_as(
            world.admin,
            "challenge_juror_add",
            id=contest.challenge["id"],
            user=factories.User()["name"],
        )
        assert len(_parsed(smtp[0])["Subject"]) <= notifications.SUBJECT_MAX

    def test_a_user_without_email_is_skipped(self, world, contest, smtp):
        juror = factories.User()
        model.User.get(juror["name"]).email = ""
        model.Session.commit()
        call_as(world.admin, "challenge_juror_add", id=contest.challenge["id"], user=juror["name"])
        assert smtp == []
        assert model.Session.get(Juror, (contest.challenge["id"], juror["id"])) is not None


@pytest.mark.ckan_config("smtp.server", f"127.0.0.1:{PORT + 1}")  # nobody listens there
def test_a_mail_failure_never_fails_the_action(world, contest, caplog, monkeypatch, smtp):
    # the test run's logging configuration disabled loggers created before it
    monkeypatch.setattr(jobs.log, "disabled", False)
    jobs.log.addHandler(caplog.handler)
    juror = factories.User(email="juror@jury.example")
    result = call_as(
        world.admin, "challenge_juror_add", id=contest.challenge["id"], user=juror["name"]
    )
    assert result["user_id"] == juror["id"]
    assert model.Session.get(Juror, (contest.challenge["id"], juror["id"])) is not None
    published = call_as(world.admin, "challenge_results_publish", id=contest.challenge["id"])
    assert published["published"]
    smtp.deliver()  # nobody listens: each mail is tried, queued again, then given up
    jobs.log.removeHandler(caplog.handler)
    assert "could not mail" in caplog.text
    assert "gave up mailing" in caplog.text


@pytest.mark.ckan_config("smtp.server", "")
def test_nothing_is_sent_without_a_mail_server(world, contest, smtp, ckan_config):
    assert not ckan_config.get("smtp.server")
    assert not notifications.enabled()
    call_as(
        world.admin,
        "challenge_juror_add",
        id=contest.challenge["id"],
        user=factories.User()["name"],
    )
    call_as(world.admin, "challenge_results_publish", id=contest.challenge["id"])
    assert smtp == []


@pytest.mark.ckan_config("smtp.server", "localhost")
def test_ckans_default_server_is_not_a_configured_one(world, contest, smtp, monkeypatch):
    """CKAN declares smtp.server = localhost by default: a portal (or this
    test run) that never set it sends nothing."""
    monkeypatch.delenv("CKAN_SMTP_SERVER", raising=False)
    assert not notifications.mail_configured()
    call_as(
        world.admin,
        "challenge_juror_add",
        id=contest.challenge["id"],
        user=factories.User()["name"],
    )
    assert smtp == []
    monkeypatch.setenv("CKAN_SMTP_SERVER", "localhost")
    assert notifications.mail_configured()


@pytest.mark.ckan_config("smtp.server", SMTP)
@pytest.mark.ckan_config("ckanext.datathon.notifications", "false")
def test_nothing_is_sent_when_the_option_is_off(world, contest, smtp):
    assert not notifications.enabled()
    call_as(
        world.admin,
        "challenge_juror_add",
        id=contest.challenge["id"],
        user=factories.User()["name"],
    )
    call_as(world.admin, "challenge_results_publish", id=contest.challenge["id"])
    assert smtp == []


def test_header_text():
    assert notifications.header_text("a\r\nb\tc\x00d\u2028e") == "a b c d e"
    assert notifications.header_text(None) == ""
    assert notifications.header_text("é" * 10, 5) == "éééé…"


def test_the_sink_is_reachable(smtp):
    with socket.create_connection(("127.0.0.1", PORT), timeout=5) as conn:
        assert conn.recv(100).startswith(b"220")


@pytest.mark.ckan_config("smtp.server", SMTP)
@pytest.mark.ckan_config("smtp.mail_from", "portal@datathon.example")
class TestInvitation:
    def test_the_invitee_is_told_once(self, world, published_challenge_factory, smtp):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        leader = factories.User(fullname="Lea Leader")
        project = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title="Rutas seguras",
            team_name="Owls",
            accept_rules=True,
        )
        guest = factories.User(email="guest@team.example", fullname="Gus Guest")
        for _ in range(2):  # inviting again answers the same invitation: no second mail
            call_as(leader, "project_member_add", id=project["id"], user=guest["name"])
        assert len(smtp) == 1
        assert smtp[0].recipients == ["guest@team.example"]
        message = _parsed(smtp[0])
        assert "Rutas seguras" in message["Subject"]
        text = message.get_body(("plain",)).get_content()
        assert "Gus Guest" in text
        assert "Lea Leader" in text
        assert "/dashboard/invitations" in text
        # organizers add directly: nobody is invited, no mail
        call_as(world.admin, "project_member_add", id=project["id"], user=factories.User()["name"])
        assert len(smtp) == 1
