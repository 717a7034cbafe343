"""The mail actions: announcements (organizers only, published challenges,
rate-limited, recorded, hostile input refused), mail preferences (the user
themself or a sysadmin) and the signed unsubscribe token."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories

from ckanext.datathon import config
from ckanext.datathon.lib import mail
from ckanext.datathon.logic import jobs
from ckanext.datathon.model import Announcement
from ckanext.datathon.tests.factories import invite_and_accept
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def queue():
    q = ckan_jobs.get_queue(config.mail_queue())
    q.empty()
    yield q
    q.empty()


@pytest.fixture
def teams(world, published_challenge_factory):
    """A published challenge with two teams (one of two people) and a
    follower who is on none."""
    challenge = published_challenge_factory(owner_org=world.org["id"])
    leader, member, other = (factories.User() for _ in range(3))
    first = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="First",
        team_name="One",
        accept_rules=True,
    )
    invite_and_accept(leader, first, member)
    call_as(
        other,
        "project_register",
        challenge=challenge["id"],
        title="Second",
        team_name="Two",
        accept_rules=True,
    )
    return challenge, [leader, member, other]


def _announce(user, challenge, **data):
    return call_as(
        user,
        "challenge_announcement_create",
        challenge=challenge["id"],
        **{"subject": "Kick-off", "message": "See you on Monday.\nBring data.", **data},
    )


class TestAnnouncements:
    @pytest.mark.ckan_config("smtp.server", "127.0.0.1:1")
    def test_organizers_reach_every_team_member(self, world, teams, queue):
        challenge, members = teams
        sent = _announce(world.admin, challenge)
        assert sent["recipients"] == 3
        assert queue.count == 3
        queued = sorted(job.args[1] for job in queue.jobs)
        assert queued == sorted(m["id"] for m in members)
        assert all(job.args[0] == mail.ANNOUNCEMENT for job in queue.jobs)
        listed = call_as(world.admin, "challenge_announcement_list", id=challenge["id"])
        assert [a["subject"] for a in listed] == ["Kick-off"]

    def test_an_activity_is_recorded(self, world, teams):
        from ckanext.activity.model import Activity

        challenge, _members = teams
        _announce(world.admin, challenge)
        types = [
            a.activity_type
            for a in model.Session.query(Activity).filter(Activity.object_id == world.org["id"])
        ]
        assert "announced to challenge teams" in types

    @pytest.mark.ckan_config("ckanext.datathon.announcements_per_day", "2")
    def test_rate_limited_per_challenge(self, world, teams, published_challenge_factory):
        challenge, _members = teams
        _announce(world.admin, challenge)
        _announce(world.editor, challenge)
        with pytest.raises(tk.ValidationError) as refused:
            _announce(world.admin, challenge)
        assert "at most 2 announcements" in str(refused.value.error_dict["message"])
        assert model.Session.query(Announcement).count() == 2
        # another challenge has its own allowance
        other = published_challenge_factory(owner_org=world.org["id"])
        _announce(world.admin, other)

    def test_only_organizers(self, world, teams):
        challenge, members = teams
        for user in (members[0], world.user, world.member):
            with pytest.raises(tk.NotAuthorized):
                _announce(user, challenge)
        with pytest.raises(tk.NotAuthorized):
            call_as(
                None,
                "challenge_announcement_create",
                challenge=challenge["id"],
                subject="x",
                message="y",
            )
        with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
            call_as(members[0], "challenge_announcement_list", id=challenge["id"])

    def test_a_draft_challenge_is_refused(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        with pytest.raises(tk.ValidationError) as refused:
            _announce(world.admin, draft)
        assert "published" in str(refused.value.error_dict["challenge"])

    @pytest.mark.parametrize(
        "data",
        [
            {"subject": "Hi\r\nBcc: x@y.example"},
            {"subject": "a" * 151},
            {"subject": ""},
            {"subject": ["a", "list"]},
            {"subject": {"a": "dict"}},
            {"subject": "nul\x00"},
            {"message": ""},
            {"message": "m" * 5001},
            {"message": 42},
            {"message": "bell\x07"},
        ],
    )
    def test_hostile_input_is_a_field_error(self, world, teams, data):
        challenge, _members = teams
        with pytest.raises(tk.ValidationError) as refused:
            _announce(world.admin, challenge, **data)
        assert set(refused.value.error_dict) <= {"subject", "message"}
        assert model.Session.query(Announcement).count() == 0

    @pytest.mark.parametrize("ref", ["", None, "nope", ["x"], {"a": 1}, "x" * 500, "\x00"])
    def test_bad_challenge_references(self, world, ref):
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized)):
            call_as(
                world.admin,
                "challenge_announcement_create",
                challenge=ref,
                subject="s",
                message="m",
            )

    def test_not_a_json_object(self, world):
        with pytest.raises(tk.ValidationError):
            tk.get_action("challenge_announcement_create")(
                {"user": world.sysadmin["name"], "ignore_auth": False}, ["a"]
            )


class TestPreferences:
    def test_default_in_then_out_then_in(self, world):
        assert call_as(world.user, "datathon_mail_preferences_show")["reminders"] is True
        out = call_as(world.user, "datathon_mail_preferences_update", reminders=False)
        assert out == {"user": world.user["name"], "reminders": False}
        account = model.User.get(world.user["id"])
        assert account.plugin_extras["datathon"][jobs.OPT_OUT] is True
        assert jobs.opted_out(account)
        call_as(world.user, "datathon_mail_preferences_update", reminders="true")
        assert call_as(world.user, "datathon_mail_preferences_show")["reminders"] is True

    def test_other_plugin_extras_are_kept(self, world):
        account = model.User.get(world.user["id"])
        account.plugin_extras = {"other": {"k": "v"}}
        model.Session.commit()
        call_as(world.user, "datathon_mail_preferences_update", reminders=False)
        account = model.User.get(world.user["id"])
        assert account.plugin_extras["other"] == {"k": "v"}

    def test_only_the_user_or_a_sysadmin(self, world):
        with pytest.raises(tk.NotAuthorized):
            call_as(
                world.admin,
                "datathon_mail_preferences_update",
                id=world.user["id"],
                reminders=False,
            )
        with pytest.raises(tk.NotAuthorized):
            call_as(world.admin, "datathon_mail_preferences_show", id=world.user["name"])
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "datathon_mail_preferences_show")
        done = call_as(
            world.sysadmin,
            "datathon_mail_preferences_update",
            id=world.user["name"],
            reminders=False,
        )
        assert done["reminders"] is False

    @pytest.mark.parametrize("value", ["maybe", ["x"], {"a": 1}, 2, None, "\x00"])
    def test_junk_is_a_field_error(self, world, value):
        with pytest.raises(tk.ValidationError) as refused:
            call_as(world.user, "datathon_mail_preferences_update", reminders=value)
        assert "reminders" in refused.value.error_dict


class TestUnsubscribe:
    def test_a_signed_token_opts_out_without_login(self, world):
        token = mail.unsubscribe_token(world.user["id"])
        done = call_as(None, "datathon_mail_unsubscribe", token=token)
        assert done == {"user": world.user["name"], "reminders": False}
        assert jobs.opted_out(model.User.get(world.user["id"]))

    def test_a_forged_token_is_refused(self, world):
        signature = mail.unsubscribe_token(world.admin["id"]).split(".")[1]
        for token in (
            f"{world.user['id']}.{signature}",  # another user's signature
            f"{world.user['id']}.{'A' * 43}",
        ):
            with pytest.raises(tk.NotAuthorized):
                call_as(None, "datathon_mail_unsubscribe", token=token)
        assert not jobs.opted_out(model.User.get(world.user["id"]))

    @pytest.mark.parametrize("token", ["", None, ["x"], {"a": 1}, "x" * 300, "\x00", 5])
    def test_junk_tokens(self, token):
        with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
            call_as(None, "datathon_mail_unsubscribe", token=token)

    def test_tokens_depend_on_the_secret(self, world, ckan_config, monkeypatch):
        token = mail.unsubscribe_token(world.user["id"])
        monkeypatch.setitem(ckan_config, "SECRET_KEY", "another portal's secret")
        assert mail.token_user(token) is None
        assert mail.token_user(mail.unsubscribe_token(world.user["id"])) == world.user["id"]
