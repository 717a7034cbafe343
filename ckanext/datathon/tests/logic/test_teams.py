"""Issue 18 §1: teams by consent (review findings 2 and 3).

Each rule here fails on the code before invitations: ``project_member_add``
by a team member added anyone -- a juror of the challenge included -- at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.model import TeamInvitation
from ckanext.datathon.tests.factories import add_team_member, invite_and_accept
from ckanext.datathon.tests.helpers import Statements, call_as, iso, now
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

DAY = dt.timedelta(days=1)


def _challenge(world, published_challenge_factory, **rules):
    return published_challenge_factory(owner_org=world.org["id"], **rules)


def _register(user, challenge, title="Safer routes"):
    return call_as(
        user,
        "project_register",
        challenge=challenge["id"],
        title=title,
        team_name=title,
        accept_rules=True,
    )


def _team_ids(project_id: str) -> set[str]:
    model.Session.expire_all()
    pm = model.PackageMember.__table__
    return set(model.Session.scalars(sa.select(pm.c.user_id).where(pm.c.package_id == project_id)))


def _invite(inviter, project, invitee) -> dict:
    answer = call_as(inviter, "project_member_add", id=project["id"], user=invitee["name"])
    assert answer["status"] == "invited"
    return answer["invitation"]


def _errors(excinfo, key: str) -> str:
    return " ".join(excinfo.value.error_dict[key])


@pytest.fixture
def team(world, published_challenge_factory):
    """``world`` plus a published challenge of ``world.org`` and the draft of
    ``world.user`` (the leader) for it."""

    def build():
        challenge = _challenge(world, published_challenge_factory)
        return challenge, _register(world.user, challenge)

    world.challenge, world.project = built_over("world", "test_teams.team", build)
    return world


class TestConsent:
    def test_a_team_member_invites_and_the_invitee_decides(self, team):
        guest = factories.User()
        answer = call_as(team.user, "project_member_add", id=team.project["id"], user=guest["name"])
        assert answer["status"] == "invited"
        assert answer["count"] == 1  # the invitee is not on the team yet
        assert guest["id"] not in _team_ids(team.project["id"])
        # a pending invitee does not read the draft
        with pytest.raises((tk.ObjectNotFound, tk.NotAuthorized)):
            call_as(guest, "package_show", id=team.project["id"])
        mine = call_as(guest, "project_invitation_list")
        assert [i["status"] for i in mine["results"]] == ["pending"]
        assert mine["results"][0]["inviter"]["name"] == team.user["name"]
        accepted = call_as(guest, "project_invitation_accept", id=answer["invitation"]["id"])
        assert accepted["status"] == "accepted"
        assert guest["id"] in _team_ids(team.project["id"])
        with pytest.raises(tk.ValidationError):  # answered once
            call_as(guest, "project_invitation_decline", id=answer["invitation"]["id"])

    def test_declined_means_not_on_the_team(self, team):
        guest = factories.User()
        invitation = _invite(team.user, team.project, guest)
        call_as(guest, "project_invitation_decline", id=invitation["id"])
        with pytest.raises(tk.ValidationError):
            call_as(guest, "project_invitation_accept", id=invitation["id"])
        assert guest["id"] not in _team_ids(team.project["id"])

    def test_only_the_invitee_answers(self, team):
        guest, intruder = factories.User(), factories.User()
        invitation = _invite(team.user, team.project, guest)
        for who in (intruder, team.user, team.admin):
            for action in ("project_invitation_accept", "project_invitation_decline"):
                with pytest.raises(tk.ObjectNotFound):
                    call_as(who, action, id=invitation["id"])
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "project_invitation_accept", id=invitation["id"])
        # another person's invitations are not listed either
        assert call_as(intruder, "project_invitation_list")["count"] == 0
        assert intruder["id"] not in _team_ids(team.project["id"])

    def test_organizers_add_directly_and_it_is_in_the_activity_stream(self, team):
        newcomer = factories.User()
        answer = call_as(
            team.editor, "project_member_add", id=team.project["id"], user=newcomer["name"]
        )
        assert answer["status"] == "added"
        assert newcomer["id"] in _team_ids(team.project["id"])
        activities = call_as(team.admin, "package_activity_list", id=team.project["id"])
        changes = [a["data"].get("datathon_team") for a in activities]
        assert {"added": newcomer["name"]} in changes

    @pytest.mark.parametrize(
        "junk", ["", "\x00", "no-such-invitation", 42, None, ["x"], {"a": 1}, "x" * 5000]
    )
    def test_hostile_invitation_ids(self, team, junk):
        for action in ("project_invitation_accept", "project_invitation_decline"):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(team.user, action, id=junk)

    @pytest.mark.parametrize("junk", ["\x00", "nobody-here", 42, ["x"], "x" * 5000])
    def test_hostile_usernames(self, team, junk):
        with pytest.raises(tk.ValidationError):
            call_as(team.user, "project_member_add", id=team.project["id"], user=junk)


class TestJuryAndOrganizers:
    """Finding 2: the juror veto."""

    def test_a_juror_cannot_be_invited_and_the_inviter_is_not_told_why(self, team):
        juror = factories.User()
        call_as(team.admin, "challenge_juror_add", id=team.challenge["id"], user=juror["name"])
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(team.user, "project_member_add", id=team.project["id"], user=juror["name"])
        message = _errors(excinfo, "user")
        assert message == "This person cannot join this team"
        assert "juror" not in message
        assert juror["id"] not in _team_ids(team.project["id"])

    def test_organizers_of_the_challenge_cannot_join_its_teams(self, team):
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                team.user, "project_member_add", id=team.project["id"], user=team.editor["name"]
            )
        assert _errors(excinfo, "user") == "This person cannot join this team"
        # an organizer adding another organizer is told why
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                team.admin,
                "project_member_add",
                id=team.project["id"],
                user=team.editor["name"],
            )
        assert "organizes this challenge" in _errors(excinfo, "user")
        # nor through core's collaborator action
        with pytest.raises(tk.ValidationError):
            call_as(
                team.admin,
                "package_collaborator_create",
                id=team.project["id"],
                user_id=team.editor["id"],
                capacity="editor",
            )
        # nor by registering a team of their own
        with pytest.raises(tk.ValidationError) as excinfo:
            _register(team.editor, team.challenge)
        assert "organize this challenge" in _errors(excinfo, "challenge")

    def test_an_invitee_appointed_juror_cannot_accept_and_is_told_why(self, team):
        guest = factories.User()
        invitation = _invite(team.user, team.project, guest)
        call_as(team.admin, "challenge_juror_add", id=team.challenge["id"], user=guest["name"])
        mine = call_as(guest, "project_invitation_list")["results"][0]
        assert mine["status"] == "lapsed"
        assert "juror" in mine["lapse_reason"]
        # the team reads a generic reason, the organizers the real one
        theirs = call_as(team.user, "project_invitation_list", id=team.project["id"])["results"]
        assert theirs[0]["lapse_reason"] == "This person cannot join this team"
        organizers = call_as(team.admin, "project_invitation_list", id=team.project["id"])
        assert "juror" in organizers["results"][0]["lapse_reason"]
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(guest, "project_invitation_accept", id=invitation["id"])
        assert "juror" in _errors(excinfo, "id")
        assert guest["id"] not in _team_ids(team.project["id"])

    def test_team_members_are_never_appointed_jurors(self, team):
        member = add_team_member(team.project)
        for who in (member, team.user):
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(
                    team.admin, "challenge_juror_add", id=team.challenge["id"], user=who["name"]
                )
            assert "on a team of this challenge" in _errors(excinfo, "user")
        # once out of the team, they may be
        call_as(member, "project_member_remove", id=team.project["id"], user=member["name"])
        call_as(team.admin, "challenge_juror_add", id=team.challenge["id"], user=member["name"])


class TestLapse:
    def _dates(self, deadline: dt.datetime) -> dict[str, str]:
        return {
            "registration_opens": iso(deadline - 20 * DAY),
            "registration_closes": iso(deadline - 10 * DAY),
            "submission_deadline": iso(deadline),
            "judging_closes": iso(deadline + 10 * DAY),
            "results_date": iso(deadline + 11 * DAY),
        }

    def test_the_deadline_passing(self, world, challenge_factory):
        deadline = now()
        with freeze_time(deadline - 15 * DAY):
            challenge = challenge_factory(
                owner_org=world.org["id"], state="active", **self._dates(deadline)
            )
            project = _register(world.user, challenge)
            guest = factories.User()
            invitation = _invite(world.user, project, guest)
        with freeze_time(deadline + dt.timedelta(seconds=1)):
            assert call_as(guest, "project_invitation_list")["results"][0]["status"] == "lapsed"
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(guest, "project_invitation_accept", id=invitation["id"])
            assert "deadline" in _errors(excinfo, "id")
        assert guest["id"] not in _team_ids(project["id"])

    def test_the_inviter_leaving(self, team):
        member = add_team_member(team.project)
        guest = factories.User()
        invitation = _invite(member, team.project, guest)
        call_as(member, "project_member_remove", id=team.project["id"], user=member["name"])
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(guest, "project_invitation_accept", id=invitation["id"])
        assert "no longer on the team" in _errors(excinfo, "id")
        # the leader may invite again: the same invitation, renewed
        again = _invite(team.user, team.project, guest)
        assert again["id"] == invitation["id"]
        call_as(guest, "project_invitation_accept", id=again["id"])
        assert guest["id"] in _team_ids(team.project["id"])

    @pytest.mark.parametrize("how", ["withdrawn", "deleted"])
    def test_the_project_withdrawn_or_deleted(self, team, how):
        guest = factories.User()
        invitation = _invite(team.user, team.project, guest)
        if how == "withdrawn":
            call_as(team.admin, "project_withdraw", id=team.project["id"])
        else:
            call_as(team.user, "package_delete", id=team.project["id"])
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(guest, "project_invitation_accept", id=invitation["id"])
        assert how in _errors(excinfo, "id")
        assert call_as(guest, "project_invitation_list")["results"][0]["status"] == "lapsed"

    def test_the_organizer_of_the_challenge_cannot_accept(self, team):
        guest = factories.User()
        invitation = _invite(team.user, team.project, guest)
        helpers.call_action(
            "organization_member_create", id=team.org["id"], username=guest["name"], role="editor"
        )
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(guest, "project_invitation_accept", id=invitation["id"])
        assert "organize this challenge" in _errors(excinfo, "id")


class TestCaps:
    @pytest.mark.ckan_config("ckanext.datathon.max_pending_invitations_per_project", "2")
    def test_open_invitations_per_team(self, team):
        first, second, third = factories.User(), factories.User(), factories.User()
        _invite(team.user, team.project, first)
        _invite(team.user, team.project, second)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(team.user, "project_member_add", id=team.project["id"], user=third["name"])
        assert "open invitations" in _errors(excinfo, "user")
        # an answer frees a place
        mine = call_as(first, "project_invitation_list")["results"][0]
        call_as(first, "project_invitation_decline", id=mine["id"])
        _invite(team.user, team.project, third)

    @pytest.mark.ckan_config("ckanext.datathon.max_invitations_per_day", "2")
    def test_invitations_per_inviter_and_day(self, team, published_challenge_factory):
        other = _register(team.user, _challenge(team, published_challenge_factory), "Other")
        _invite(team.user, team.project, factories.User())
        _invite(team.user, other, factories.User())
        with pytest.raises(tk.ValidationError) as excinfo:
            _invite(team.user, team.project, factories.User())
        assert "a day" in _errors(excinfo, "user")
        with freeze_time(dt.datetime.now(dt.timezone.utc) + DAY + dt.timedelta(minutes=1)):
            _invite(team.user, team.project, factories.User())

    @pytest.mark.ckan_config("ckanext.datathon.max_teams_led_per_challenge", "2")
    def test_teams_led_per_challenge(self, team):
        _register(team.user, team.challenge, "Second")
        with pytest.raises(tk.ValidationError) as excinfo:
            _register(team.user, team.challenge, "Third")
        assert "lead at most 2" in _errors(excinfo, "challenge")
        # handing over leadership counts too
        member = factories.User()
        third = _register(member, team.challenge, "Theirs")
        invite_and_accept(member, third, team.user)
        with pytest.raises(tk.ValidationError):
            call_as(member, "project_leader_set", id=third["id"], user=team.user["name"])

    @pytest.mark.ckan_config("ckanext.datathon.max_teams_per_challenge", "2")
    def test_teams_per_challenge(self, team):
        a, b = (_register(factories.User(), team.challenge, f"T{n}") for n in range(2))
        member = factories.User()
        invite_and_accept(team.user, team.project, member)
        on_a = _invite(call_as_leader(a), a, member)
        call_as(member, "project_invitation_accept", id=on_a["id"])
        on_b = _invite(call_as_leader(b), b, member)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(member, "project_invitation_accept", id=on_b["id"])
        assert "at most 2 teams" in _errors(excinfo, "id")
        with pytest.raises(tk.ValidationError):
            _register(member, team.challenge, "Mine")


def call_as_leader(project: dict) -> dict:
    model.Session.expire_all()
    leader_id = helpers.call_action("package_show", id=project["id"])["leader_user_id"]
    return helpers.call_action("user_show", id=leader_id)


class TestLeaving:
    def test_the_leader_hands_over_before_leaving(self, team):
        member = add_team_member(team.project)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                team.user,
                "project_member_remove",
                id=team.project["id"],
                user=team.user["name"],
            )
        assert "project_leader_set" in _errors(excinfo, "user")
        with pytest.raises(tk.NotAuthorized):  # only the leader hands over
            call_as(member, "project_leader_set", id=team.project["id"], user=member["name"])
        call_as(team.user, "project_leader_set", id=team.project["id"], user=member["name"])
        call_as(team.user, "project_member_remove", id=team.project["id"], user=team.user["name"])
        assert _team_ids(team.project["id"]) == {member["id"]}
        assert (
            call_as(member, "package_show", id=team.project["id"])["leader_user_id"] == member["id"]
        )
        with pytest.raises(tk.ValidationError):  # not a member
            call_as(member, "project_leader_set", id=team.project["id"], user=team.user["name"])

    def test_a_sole_member_leaving_a_draft_deletes_it(self, team):
        answer = call_as(
            team.user, "project_member_remove", id=team.project["id"], user=team.user["name"]
        )
        assert answer["deleted"] is True
        model.Session.expire_all()
        assert model.Package.get(team.project["id"]).state == "deleted"

    def test_a_juror_added_before_can_leave_until_the_deadline(self, team):
        # a member who became a juror (appointed before this rule, or by data
        # of the old code) is not stuck on the team
        member = add_team_member(team.project)
        model.Session.execute(
            sa.text(
                "INSERT INTO datathon_juror (challenge_id, user_id, created) VALUES (:c, :u, now())"
            ),
            {"c": team.challenge["id"], "u": member["id"]},
        )
        model.Session.commit()
        call_as(member, "project_member_remove", id=team.project["id"], user=member["name"])
        assert member["id"] not in _team_ids(team.project["id"])


class TestMemberList:
    def test_who_reads_the_team(self, team):
        member = add_team_member(team.project)
        listed = call_as(member, "project_member_list", id=team.project["id"])
        assert [m["leader"] for m in listed["members"]] == [True, False]
        assert call_as(team.editor, "project_member_list", id=team.project["id"])["count"] == 2
        for who in (None, factories.User(), team.member):  # a draft: not there for them
            with pytest.raises(tk.ObjectNotFound):
                call_as(who, "project_member_list", id=team.project["id"])
        # core's collaborator list refuses the leader: ours is the team's
        assert call_as(team.user, "project_member_list", id=team.project["id"])["count"] == 2

    def _submitted(self, team):
        call_as(
            team.user,
            "package_patch",
            id=team.project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
        )
        call_as(team.user, "project_submit", id=team.project["id"])

    def test_everyone_once_submitted_never_emails(self, team):
        self._submitted(team)
        listed = call_as(None, "project_member_list", id=team.project["id"])
        assert listed["count"] == 1
        assert listed["members"][0]["name"] == team.user["name"]
        assert "@" not in repr(listed)
        shown = call_as(None, "package_show", id=team.project["id"])
        assert shown["team_members"][0]["name"] == team.user["fullname"]
        assert shown["team_members"][0]["profile_url"].endswith(f"/user/{team.user['name']}")

    @pytest.mark.ckan_config("ckan.auth.public_user_details", "false")
    def test_user_details_not_public(self, team):
        self._submitted(team)
        anonymous = call_as(None, "project_member_list", id=team.project["id"])
        assert anonymous["members"] == [{"display_name": team.user["fullname"], "leader": True}]
        shown = call_as(None, "package_show", id=team.project["id"])
        assert shown["team_members"][0]["profile_url"] == ""
        logged_in = call_as(factories.User(), "project_member_list", id=team.project["id"])
        assert logged_in["members"][0]["name"] == team.user["name"]

    def test_team_members_is_computed_and_ignored_on_input(self, team):
        member = add_team_member(team.project)
        call_as(
            team.user,
            "package_patch",
            id=team.project["id"],
            team_members=[{"name": "Someone Else", "role": "lead"}],
        )
        shown = call_as(team.user, "package_show", id=team.project["id"])
        names = {m["name"] for m in shown["team_members"]}
        assert names == {team.user["fullname"], member["fullname"]}
        assert not any(e.get("key") == "team_members" for e in shown.get("extras", []))


class TestInvitationList:
    @pytest.mark.ckan_config("ckanext.datathon.max_pending_invitations_per_project", "100")
    @pytest.mark.ckan_config("ckanext.datathon.max_invitations_per_day", "100")
    def test_more_than_a_page(self, team):
        guests = [factories.User() for _ in range(23)]
        for guest in guests:
            _invite(team.user, team.project, guest)
        first = call_as(team.user, "project_invitation_list", id=team.project["id"])
        second = call_as(team.user, "project_invitation_list", id=team.project["id"], offset=20)
        assert first["count"] == second["count"] == 23
        assert len(first["results"]) == 20
        assert len(second["results"]) == 3
        ids = {i["id"] for i in first["results"]} | {i["id"] for i in second["results"]}
        assert len(ids) == 23
        # outsiders and org members read nothing of a draft's invitations
        for who in (factories.User(), team.member):
            with pytest.raises((tk.ObjectNotFound, tk.NotAuthorized)):
                call_as(who, "project_invitation_list", id=team.project["id"])
        # never an e-mail
        assert "@" not in repr(first)

    @pytest.mark.ckan_config("ckanext.datathon.max_pending_invitations_per_project", "100")
    @pytest.mark.ckan_config("ckanext.datathon.max_invitations_per_day", "100")
    def test_statements_do_not_grow_with_the_answered_invitations(self, team):
        """A page of answered invitations costs the same few statements,
        whatever their number; pending ones are read whole (lapse is computed)."""

        def statements(n_guests: int) -> int:
            for _ in range(n_guests):
                guest = factories.User()
                invitation = _invite(team.user, team.project, guest)
                call_as(guest, "project_invitation_decline", id=invitation["id"])
            with Statements() as run:
                page = call_as(team.user, "project_invitation_list", id=team.project["id"])
            assert len(page["results"]) == min(page["count"], 20)
            assert {i["status"] for i in page["results"]} == {"declined"}
            return len(run.run)

        assert statements(3) == statements(30)
        declined = call_as(
            team.user, "project_invitation_list", id=team.project["id"], status="declined"
        )
        assert declined["count"] == 33
        assert (
            call_as(team.user, "project_invitation_list", id=team.project["id"], status="pending")[
                "count"
            ]
            == 0
        )

    def test_rows_are_stored_once_per_open_invitation(self, team):
        guest = factories.User()
        _invite(team.user, team.project, guest)
        _invite(team.user, team.project, guest)  # again: the same one
        count = model.Session.execute(
            sa.select(sa.func.count()).select_from(TeamInvitation)
        ).scalar_one()
        assert count == 1


class TestRevoke:
    """A team withdraws an invitation: nobody is stuck behind invitees who
    never answer (``max_pending_invitations_per_project``)."""

    @pytest.mark.ckan_config("ckanext.datathon.max_pending_invitations_per_project", "1")
    def test_withdrawing_frees_the_place_and_the_invitee_cannot_accept(self, team):
        silent, wanted = factories.User(), factories.User()
        invitation = _invite(team.user, team.project, silent)
        with pytest.raises(tk.ValidationError):
            _invite(team.user, team.project, wanted)
        revoked = call_as(team.user, "project_invitation_revoke", id=invitation["id"])
        assert revoked["status"] == "revoked"
        assert revoked["decided"]
        _invite(team.user, team.project, wanted)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(silent, "project_invitation_accept", id=invitation["id"])
        assert "already answered" in _errors(excinfo, "id")
        assert silent["id"] not in _team_ids(team.project["id"])
        mine = call_as(silent, "project_invitation_list")["results"]
        assert [i["status"] for i in mine] == ["revoked"]
        assert [
            i["status"]
            for i in call_as(silent, "project_invitation_list", status="revoked")["results"]
        ] == ["revoked"]
        with pytest.raises(tk.ValidationError):
            call_as(team.user, "project_invitation_revoke", id=invitation["id"])

    def test_who_may_withdraw(self, team):
        member = factories.User()
        invite_and_accept(team.user, team.project, member)
        by_member, by_leader = factories.User(), factories.User()
        mine = _invite(member, team.project, by_member)
        leaders = _invite(team.user, team.project, by_leader)
        # another member withdraws neither the leader's invitation ...
        with pytest.raises(tk.NotAuthorized):
            call_as(member, "project_invitation_revoke", id=leaders["id"])
        # ... outsiders, organization members and the invitee learn nothing
        for who in (factories.User(), team.member, by_leader, None):
            with pytest.raises((tk.ObjectNotFound, tk.NotAuthorized)):
                call_as(who, "project_invitation_revoke", id=leaders["id"])
        # the sender, the leader and the organizers do
        assert call_as(member, "project_invitation_revoke", id=mine["id"])["status"] == "revoked"
        assert call_as(team.editor, "project_invitation_revoke", id=leaders["id"])["status"] == (
            "revoked"
        )
        other = _invite(member, team.project, factories.User())
        assert call_as(team.user, "project_invitation_revoke", id=other["id"])["status"] == (
            "revoked"
        )

    def test_an_accepted_invitation_is_not_withdrawn(self, team):
        guest = factories.User()
        invitation = _invite(team.user, team.project, guest)
        call_as(guest, "project_invitation_accept", id=invitation["id"])
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(team.user, "project_invitation_revoke", id=invitation["id"])
        assert "already answered" in _errors(excinfo, "id")
        assert guest["id"] in _team_ids(team.project["id"])

    @pytest.mark.parametrize("junk", ["", "x" * 5000, "\x00", 7, ["a"], {"a": 1}, None])
    def test_hostile_ids(self, team, junk):
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
            call_as(team.user, "project_invitation_revoke", id=junk)
