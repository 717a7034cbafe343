"""The personal hub (issue 21 §2): ``datathon_hub_show``.

Each section lists what waits for the user, only what the caller may read,
in a fixed number of statements whatever the number of rows."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.factories import add_team_member, open_registration_dates
from ckanext.datathon.tests.helpers import Statements, call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def _hub(who, **data):
    context = {"user": who["name"] if who else "", "model": model, "ignore_auth": False}
    return helpers.call_action("datathon_hub_show", context=context, **data)


@pytest.fixture
def portal(world, published_challenge_factory):
    """A challenge open for registration with a team (leader + member), a
    juror, a follower; a draft challenge of the same organization."""
    challenge = published_challenge_factory(
        owner_org=world.org["id"], title="Movilidad segura", **open_registration_dates()
    )
    draft = published_challenge_factory(
        owner_org=world.org["id"], title="Borrador secreto", state="draft"
    )
    leader = factories.User(fullname="Ana Leader")
    member = factories.User(fullname="Beto Member")
    juror = factories.User(fullname="Jo Juror")
    project = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="Rutas seguras",
        team_name="Las Ciclistas",
        accept_rules=True,
    )
    add_team_member(project, member)
    call_as(world.admin, "challenge_juror_add", id=challenge["id"], user=juror["name"])
    call_as(world.user, "follow_challenge", id=challenge["id"])
    return type(
        "Portal",
        (),
        {
            "challenge": challenge,
            "draft": draft,
            "leader": leader,
            "member": member,
            "juror": juror,
            "project": project,
        },
    )


class TestAccess:
    def test_anonymous_is_refused(self, world):
        with pytest.raises(tk.NotAuthorized):
            _hub(None)

    def test_only_your_own_hub(self, world, portal):
        with pytest.raises(tk.NotAuthorized):
            _hub(world.user, user=portal.leader["name"])
        with pytest.raises(tk.NotAuthorized):
            _hub(world.admin, user=portal.leader["id"])
        # naming yourself is fine
        assert _hub(portal.leader, user=portal.leader["name"])["teams"]["count"] == 1

    def test_sysadmins_read_anyones(self, world, portal):
        hub = _hub(world.sysadmin, user=portal.leader["name"])
        assert hub["user"]["name"] == portal.leader["name"]
        assert hub["teams"]["results"][0]["project"]["title"] == "Rutas seguras"
        with pytest.raises(tk.ObjectNotFound):
            _hub(world.sysadmin, user="nobody-here")

    @pytest.mark.parametrize(
        "data",
        [
            {"section": "everything"},
            {"section": ["teams"]},
            {"section": {"a": 1}},
            {"limit": "x"},
            {"limit": -1},
            {"limit": [1]},
            {"offset": 10**30},
            {"offset": "1.5"},
            {"offset": True},
            {"user": "\x00"},
        ],
    )
    def test_hostile_input_is_a_validation_error(self, world, data):
        with pytest.raises(tk.ValidationError):
            _hub(world.sysadmin, **data)

    @pytest.mark.parametrize("user", [["x"], {"a": 1}, 10**30, "x" * 10_000, True])
    def test_hostile_user_is_refused_or_not_found(self, world, user):
        with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
            _hub(world.user, user=user)
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
            _hub(world.sysadmin, user=user)


class TestSections:
    def test_teams(self, world, portal):
        for who, role in ((portal.leader, "leader"), (portal.member, "member")):
            teams = _hub(who)["teams"]
            assert teams["count"] == 1
            row = teams["results"][0]
            assert row["role"] == role
            assert row["project"]["team_name"] == "Las Ciclistas"
            assert row["project"]["submission_status"] == "draft"
            assert row["challenge"]["name"] == portal.challenge["name"]
            assert row["challenge"]["phase"] == "open"
            # registration is open: its closing is the next date of the team
            assert row["challenge"]["next_deadline"]["kind"] == "registration_closes"
            assert row["challenge"]["next_deadline"]["at"] == portal.challenge[
                "registration_closes"
            ].replace("Z", "+00:00")
        assert _hub(world.user)["teams"] == {"count": 0, "results": []}

    def test_invitations(self, world, portal):
        guest = factories.User()
        call_as(
            portal.leader,
            "project_member_add",
            id=portal.project["id"],
            user=guest["name"],
        )
        invitations = _hub(guest)["invitations"]
        assert invitations["count"] == 1
        assert invitations["results"][0]["project"]["title"] == "Rutas seguras"
        assert invitations["results"][0]["status"] == "pending"
        # answered: no longer waiting
        call_as(guest, "project_invitation_decline", id=invitations["results"][0]["id"])
        assert _hub(guest)["invitations"]["count"] == 0
        # a sysadmin reads the guest's (none now) and not their own
        assert _hub(world.sysadmin, user=guest["name"])["invitations"]["count"] == 0

    def test_jury_progress(self, world, portal, criterion_factory):
        crit = call_as(
            world.admin,
            "challenge_criterion_create",
            challenge=portal.challenge["id"],
            name="Impact",
            max_score=5,
        )
        call_as(
            portal.leader,
            "package_patch",
            id=portal.project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
        )
        call_as(portal.leader, "project_submit", id=portal.project["id"])
        row = _hub(portal.juror)["jury"]["results"][0]
        assert (row["total"], row["scored"], row["to_score"]) == (1, 0, 1)
        assert row["challenge"]["name"] == portal.challenge["name"]
        # the organizers see a project waiting for scores
        waiting = _organizing(world.admin, portal.challenge)["waiting"]
        assert waiting["unscored_projects"] == 1
        assert waiting["results_unpublished"] is False
        del crit

    def test_organizing_lists_drafts_of_your_organization_only(self, world, portal):
        names = {r["challenge"]["name"] for r in _hub(world.editor)["organizing"]["results"]}
        assert names == {portal.challenge["name"], portal.draft["name"]}
        draft = next(
            r
            for r in _hub(world.admin)["organizing"]["results"]
            if r["challenge"]["state"] == "draft"
        )
        # drafts first
        assert _hub(world.admin)["organizing"]["results"][0] == draft
        # a member (not an organizer) and another organization's admin: nothing
        assert _hub(world.member)["organizing"]["count"] == 0
        assert _hub(world.outsider_admin)["organizing"]["count"] == 0

    def test_ideas_to_review(self, world, portal):
        call_as(world.user, "challenge_idea_create", challenge=portal.challenge["id"], title="Idea")
        assert _organizing(world.admin, portal.challenge)["waiting"]["ideas_to_review"] == 1

    def test_following_never_names_a_draft(self, world, portal):
        following = _hub(world.user)["following"]
        assert [r["challenge"]["name"] for r in following["results"]] == [portal.challenge["name"]]
        # the challenge goes back to draft: the follower no longer sees it
        call_as(world.admin, "challenge_patch", id=portal.challenge["id"], state="draft")
        assert _hub(world.user)["following"] == {"count": 0, "results": []}
        # nor its team their project's challenge
        assert _hub(portal.member)["teams"]["count"] == 0

    def test_one_section_paged(self, world, portal):
        hub = _hub(portal.leader, section="teams", limit=1, offset=0)
        assert set(hub) == {"user", "teams"}
        beyond = _hub(portal.leader, section="teams", limit=1, offset=5)
        assert beyond["teams"] == {"count": 1, "results": []}
        # no rows asked: the counts still
        counts = _hub(portal.leader, limit=0)
        assert counts["teams"] == {"count": 1, "results": []}
        assert _hub(world.admin, limit=0)["organizing"]["count"] == 2


def _organizing(user, challenge):
    return next(
        r
        for r in _hub(user)["organizing"]["results"]
        if r["challenge"]["name"] == challenge["name"]
    )


class TestStatements:
    @pytest.mark.ckan_config("ckanext.datathon.max_invitations_per_day", "100")
    def test_statements_do_not_grow_with_the_rows(self, world, published_challenge_factory):
        """3 rows in every section, then 33: the same number of statements
        (the invitations' lapse is decided for all of them at once)."""
        team_player, juror = factories.User(), factories.User()
        leader, invitee = factories.User(), factories.User()

        def add(count):
            for n in range(count):
                c = published_challenge_factory(
                    owner_org=world.org["id"], **open_registration_dates()
                )
                project = call_as(
                    leader,
                    "project_register",
                    challenge=c["id"],
                    title="P",
                    team_name="T",
                    accept_rules=True,
                )
                add_team_member(project, team_player)
                call_as(world.admin, "challenge_juror_add", id=c["id"], user=juror["name"])
                call_as(team_player, "follow_challenge", id=c["id"])
                call_as(world.user, "challenge_idea_create", challenge=c["id"], title="Idea")
                call_as(leader, "project_member_add", id=project["id"], user=invitee["name"])
                if n == 0:
                    # the invitee joins this jury: the invitation lapses
                    call_as(world.admin, "challenge_juror_add", id=c["id"], user=invitee["name"])

        def cost():
            counts, hubs = [], []
            for who in (team_player, juror, world.admin, invitee):
                with Statements() as run:
                    hubs.append(_hub(who, limit=100))
                counts.append(len(run.run))
            return counts, hubs

        add(3)
        few, hubs = cost()
        assert hubs[2]["organizing"]["count"] == 3
        assert hubs[3]["invitations"]["count"] == 2
        add(30)
        many, hubs = cost()
        assert hubs[2]["organizing"]["count"] == 33
        assert len(hubs[2]["organizing"]["results"]) == 33
        assert len(hubs[3]["invitations"]["results"]) == 31
        assert _hub(team_player, limit=100)["teams"]["count"] == 33
        assert _hub(juror, limit=100)["jury"]["count"] == 33
        # pending ones only: each batch's first invitation lapsed
        assert _hub(invitee, limit=100)["invitations"]["count"] == 31
        lapsed = call_as(invitee, "project_invitation_list", status="lapsed", limit=100)
        assert lapsed["count"] == 2
        assert {r["lapse_reason"] for r in lapsed["results"]} == {
            "You are a juror of this challenge: jurors never join its teams"
        }
        assert many == few, (few, many)
