"""The team flow through Flask's test client, per role: registration, the
project gallery, the team page, submit and withdraw, the project type's own
pages (banner, form pickers) and their CSRF protection."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon import licences
from ckanext.datathon.model import Challenge, Results
from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = dt.timezone.utc


def body(response) -> str:
    return response.get_data(as_text=True)


def _shift(challenge_id: str, **days: float) -> None:
    """Move contest dates (bypassing validation, as time passing would)."""
    row = model.Session.get(Challenge, challenge_id)
    now = dt.datetime.now(UTC)
    for field, offset in days.items():
        setattr(row, field, now + dt.timedelta(days=offset))
    model.Session.commit()


@pytest.fixture
def contest(world, published_challenge_factory):
    """A published challenge of ``world.org`` with open registration, linking
    a public and a private dataset; a team (leader + member) with a draft."""

    def build():
        challenge = published_challenge_factory(
            owner_org=world.org["id"],
            title="Movilidad segura",
            allowed_licences=["MIT", "GPL-3.0-or-later"],
            eligibility="Residents of the **city**",
            rules_text="Be *kind*",
        )
        public = factories.Dataset(owner_org=world.org["id"], title="Viajes en bici")
        private = factories.Dataset(
            owner_org=world.org["id"], title="Denuncias internas", private=True
        )
        for dataset in (public, private):
            call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
        leader = factories.User(fullname="Ana Leader")
        member = factories.User(fullname="Beto Member")
        draft = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title="Rutas seguras",
            team_name="Las Ciclistas",
            accept_rules=True,
        )
        add_team_member(draft, member)
        return type(
            "Contest",
            (),
            {
                "challenge": challenge,
                "public": public,
                "private": private,
                "leader": leader,
                "member": member,
                "draft": draft,
            },
        )

    return built_over("world", "test_team_pages.contest", build)


def _invite_pending(contest) -> dict:
    """The member invites a new user; the invitation as the invitee lists it."""
    guest = factories.User()
    call_as(contest.member, "project_member_add", id=contest.draft["id"], user=guest["name"])
    return call_as(guest, "project_invitation_list")["results"][0]


def _ready(contest, **extra):
    """Make the team's draft submittable."""
    return call_as(
        contest.leader,
        "package_patch",
        id=contest.draft["id"],
        repository_url="https://github.com/ciclistas/rutas",
        code_licence="MIT",
        datasets_used=[{"dataset": contest.public["id"]}],
        **extra,
    )


# -- registration -----------------------------------------------------------------------


class TestRegister:
    def test_page_shows_rules_licences_and_open_data(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        response = browse(world.user).get(url)
        assert response.status_code == 200
        html = body(response)
        assert "<strong>city</strong>" in html  # eligibility, markdown
        assert "<em>kind</em>" in html  # rules
        assert "GPL-3.0-or-later" in html
        assert "Viajes en bici" in html
        assert "Denuncias internas" not in html  # private: not for open-data projects
        assert 'name="accept_rules"' in html
        assert 'name="_csrf_token"' in html

    def test_licences_by_name_and_a_long_list_folded(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        html = body(browse(world.user).get(url))
        assert "MIT License" in html  # names, not only SPDX ids
        assert "<details" not in html  # two licences: shown as they are
        osi = list(licences.osi_approved_ids())  # the default of a new challenge
        call_as(world.admin, "challenge_patch", id=contest.challenge["id"], allowed_licences=osi)
        count = len(osi)
        assert count > 12
        html = body(browse(world.user).get(url))
        assert f"{count} licences are accepted: show the list" in html
        assert "<details" in html

    def test_anonymous_sees_rules_and_a_login_link(self, app, world, contest):
        response = app.get(tk.url_for("datathon_team.register", name=contest.challenge["name"]))
        assert response.status_code == 200
        html = body(response)
        assert "Log in to register" in html
        assert 'name="accept_rules"' not in html

    def test_register_redirects_to_the_project_form(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        response = browse(world.user).post(
            url, {"title": "Bici mapa", "team_name": "Pedales", "accept_rules": "on"}
        )
        assert response.status_code == 302
        listed = call_as(world.user, "project_list", challenge=contest.challenge["id"])
        mine = [p for p in listed["results"] if p["title"] == "Bici mapa"]
        assert len(mine) == 1
        assert mine[0]["submission_status"] == "draft"
        assert response.headers["Location"].endswith(f"/project/edit/{mine[0]['name']}")

    def test_without_accepting_the_rules(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        response = browse(world.user).post(url, {"title": "Bici mapa", "team_name": "Pedales"})
        assert response.status_code == 200
        html = body(response)
        assert "You must accept the challenge&#39;s rules" in html
        assert 'value="Bici mapa"' in html  # value kept
        assert (
            call_as(world.sysadmin, "project_list", challenge=contest.challenge["id"])["count"] == 1
        )

    def test_missing_title(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        response = browse(world.user).post(url, {"team_name": "Pedales", "accept_rules": "on"})
        assert response.status_code == 200
        assert "Missing value" in body(response)

    def test_after_the_window(self, browse, world, contest):
        _shift(contest.challenge["id"], registration_opens=-5, registration_closes=-1)
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        b = browse(world.user)
        html = body(b.get(url))
        assert "Registration is closed." in html
        assert 'name="accept_rules"' not in html
        challenge_page = tk.url_for("challenge.read", name=contest.challenge["name"])
        response = b.post(
            url,
            {"title": "Late", "team_name": "Late", "accept_rules": "on"},
            form_url=challenge_page,
        )
        assert response.status_code == 200
        html = body(response)
        assert "Registration closed on" in html
        shown = html[html.index("Registration closed on") :][:200]
        assert "+00:00" not in shown  # not raw ISO in UTC
        assert f"({contest.challenge['timezone']})" in shown
        assert (
            call_as(world.sysadmin, "project_list", challenge=contest.challenge["id"])["count"] == 1
        )

    def test_anonymous_post_is_refused(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        response = browse(None).post(url, {"title": "X", "team_name": "Y", "accept_rules": "on"})
        assert response.status_code == 403

    def test_draft_challenge_is_404(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_team.register", name=draft["name"])
        assert browse(world.user).get(url).status_code == 404
        assert browse(None).get(url).status_code == 404
        assert browse(world.editor).get(url).status_code == 200

    def test_csrf(self, browse, world, contest):
        url = tk.url_for("datathon_team.register", name=contest.challenge["name"])
        response = browse(world.user).post(
            url, {"title": "X", "team_name": "Y", "accept_rules": "on"}, csrf=False
        )
        assert response.status_code == 400
        assert (
            call_as(world.sysadmin, "project_list", challenge=contest.challenge["id"])["count"] == 1
        )


# -- challenge page and gallery ------------------------------------------------------------


class TestGallery:
    def test_challenge_page_section(self, browse, world, contest):
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        url = tk.url_for("challenge.read", name=contest.challenge["name"])
        html = body(browse(None).get(url))
        assert 'id="projects"' in html
        assert "Rutas seguras" in html
        assert "Log in to register a team" in html
        assert tk.url_for("datathon_team.projects", name=contest.challenge["name"]) in html
        html = body(browse(world.user).get(url))
        assert tk.url_for("datathon_team.register", name=contest.challenge["name"]) in html

    def test_no_register_button_when_closed(self, browse, world, contest):
        _shift(contest.challenge["id"], registration_opens=-5, registration_closes=-1)
        html = body(
            browse(world.user).get(tk.url_for("challenge.read", name=contest.challenge["name"]))
        )
        assert "Register a team" not in html
        assert "No project has been submitted yet." in html

    def test_gallery_per_viewer(self, browse, world, contest):
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        other_leader = factories.User()
        call_as(
            other_leader,
            "project_register",
            challenge=contest.challenge["id"],
            title="Secret draft",
            team_name="Otros",
            accept_rules=True,
        )
        url = tk.url_for("datathon_team.projects", name=contest.challenge["name"])
        for who in (None, world.user, contest.member):
            response = browse(who).get(url)
            assert response.status_code == 200
            html = body(response)
            assert "Rutas seguras" in html
            assert "Las Ciclistas" in html
            assert "https://github.com/ciclistas/rutas" in html
            assert "MIT" in html
            assert "Viajes en bici" in html  # datasets used
            assert "Secret draft" not in html
        assert "Secret draft" in body(browse(other_leader).get(url))  # own draft
        assert "Secret draft" in body(browse(world.editor).get(url))  # organizer

    def test_private_datasets_used_are_not_named_to_outsiders(self, browse, world, contest):
        row = model.Session.get(Challenge, contest.challenge["id"])
        row.require_open_data = False
        model.Session.commit()
        contest_private = factories.Dataset(
            owner_org=world.org["id"], title="Hidden data", private=True
        )
        call_as(
            world.sysadmin,
            "package_patch",
            id=contest.draft["id"],
            datasets_used=[{"dataset": contest_private["id"]}],
        )
        url = tk.url_for("datathon_team.projects", name=contest.challenge["name"])
        assert "Hidden data" not in body(browse(contest.member).get(url))
        assert "Hidden data" in body(browse(world.editor).get(url))

    def test_paged(self, browse, world, contest):
        for n in range(3):
            call_as(
                factories.User(),
                "project_register",
                challenge=contest.challenge["id"],
                title=f"Proyecto {n}",
                team_name=f"T{n}",
                accept_rules=True,
            )
        url = tk.url_for("datathon_team.projects", name=contest.challenge["name"])
        with helpers.changed_config("ckanext.datathon.challenge_list_limit", 2):
            first = body(browse(world.admin).get(url))
            second = body(browse(world.admin).get(url + "?page=2"))
        assert first.count("datathon-project-card") == 2
        assert second.count("datathon-project-card") == 2
        assert "page=2" in first
        assert browse(world.admin).get(url + "?page=x").status_code == 400

    def test_empty_and_hidden(
        self, app, browse, world, challenge_factory, published_challenge_factory
    ):
        empty = published_challenge_factory(owner_org=world.org["id"])
        html = body(app.get(tk.url_for("datathon_team.projects", name=empty["name"])))
        assert "No project has been submitted yet." in html
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_team.projects", name=draft["name"])
        assert browse(None).get(url).status_code == 404
        assert browse(world.user).get(url).status_code == 404
        assert browse(world.editor).get(url).status_code == 200


# -- team ------------------------------------------------------------------------------------


class TestTeam:
    def url(self, contest):
        return tk.url_for("datathon_team.team_page", id=contest.draft["name"])

    def test_roles_can_see_the_draft_team(self, browse, world, contest):
        url = self.url(contest)
        for who in (None, world.user, world.member, world.outsider_admin):
            assert browse(who).get(url).status_code == 404, who
        for who in (contest.leader, contest.member, world.editor, world.admin, world.sysadmin):
            response = browse(who).get(url)
            assert response.status_code == 200
            assert "Ana Leader" in body(response)
            assert "Beto Member" in body(response)
        html = body(browse(contest.leader).get(url))
        assert 'name="username"' in html
        assert "Team leader" in html

    def test_submitted_team_is_public_read_only(self, browse, world, contest):
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        html = body(browse(None).get(self.url(contest)))
        assert "Ana Leader" in html
        assert 'name="username"' not in html
        assert 'name="remove"' not in html

    def test_invite_accept_and_remove_by_username(self, browse, world, contest):
        newcomer = factories.User(fullname="Caro Nueva")
        b = browse(contest.leader)
        url = self.url(contest)
        response = b.post(url, {"username": newcomer["name"]})
        assert response.status_code == 302
        html = body(b.get(url))
        assert "is invited" in html
        # an open invitation, not a member: listed as such, and no remove button
        assert "Caro Nueva" in html
        assert f'name="remove" value="{newcomer["name"]}"' not in html
        # the invitee accepts on "My invitations"
        mine = browse(newcomer)
        page = body(mine.get(tk.url_for("datathon_team.invitations")))
        assert "Rutas seguras" in page
        assert 'name="_csrf_token"' in page
        invitation = call_as(newcomer, "project_invitation_list")["results"][0]
        done = mine.post(
            tk.url_for("datathon_team.invitations"),
            {"invitation": invitation["id"], "answer": "accept"},
        )
        assert done.status_code == 302
        assert f'name="remove" value="{newcomer["name"]}"' in body(b.get(url))
        assert b.post(url, {"remove": newcomer["name"]}).status_code == 302
        assert "Caro Nueva" not in body(b.get(url))

    def test_withdraw_an_invitation(self, browse, world, contest):
        newcomer = factories.User(fullname="Caro Nueva")
        url = self.url(contest)
        call_as(contest.member, "project_member_add", id=contest.draft["id"], user=newcomer["name"])
        invitation = call_as(newcomer, "project_invitation_list")["results"][0]
        button = f'name="revoke" value="{invitation["id"]}"'
        # the sender, the leader and the organizers see the button; the invitee does not
        for who in (contest.member, contest.leader, world.admin):
            assert button in body(browse(who).get(url)), who
        assert button not in body(browse(newcomer).get(tk.url_for("datathon_team.invitations")))
        b = browse(contest.leader)
        assert b.post(url, {"revoke": invitation["id"]}, csrf=False).status_code == 400
        done = b.post(url, {"revoke": invitation["id"]})
        assert done.status_code == 302
        html = body(b.get(url))
        assert "was withdrawn" in html
        assert button not in html
        page = body(browse(newcomer).get(tk.url_for("datathon_team.invitations")))
        assert "Withdrawn by the team" in page
        assert 'value="accept"' not in page
        # again: a message, not an error page; junk: 404
        again = b.post(url, {"revoke": invitation["id"]})
        assert again.status_code == 302
        assert "already answered" in body(b.get(url))
        assert b.post(url, {"revoke": "no-such-invitation"}).status_code == 404

    def test_no_team_or_status_buttons_once_results_are_published(self, browse, world, contest):
        """After publication every team and status change is refused (issue 18
        §2): the pages offer none of them, to the team or the organizers."""
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        invitation = _invite_pending(contest)
        project_url = tk.url_for("project.read", id=contest.draft["name"])
        before = body(browse(world.admin).get(self.url(contest)))
        assert 'name="username"' in before
        assert f'name="revoke" value="{invitation["id"]}"' in before
        assert "/withdraw" in body(browse(contest.leader).get(project_url))
        model.Session.add(
            Results(challenge_id=contest.challenge["id"], published_by=world.admin["id"])
        )
        model.Session.commit()
        for who in (contest.leader, contest.member, world.admin, world.sysadmin):
            html = body(browse(who).get(self.url(contest)))
            assert "Beto Member" in html
            assert 'name="username"' not in html, who
            assert 'name="remove"' not in html, who
            assert 'name="revoke"' not in html, who
            assert "the team can no longer be changed" in html
            assert "/withdraw" not in body(browse(who).get(project_url)), who
        with pytest.raises(tk.ValidationError):
            call_as(world.admin, "project_withdraw", id=contest.draft["id"])

    def test_organizers_add_directly(self, browse, world, contest):
        newcomer = factories.User(fullname="Caro Nueva")
        b = browse(world.admin)
        assert b.post(self.url(contest), {"username": newcomer["name"]}).status_code == 302
        html = body(b.get(self.url(contest)))
        assert "joined the team" in html
        assert f'name="remove" value="{newcomer["name"]}"' in html

    def test_unknown_username(self, browse, world, contest):
        response = browse(contest.leader).post(self.url(contest), {"username": "nobody-here"})
        assert response.status_code == 200
        html = body(response)
        assert "User not found" in html
        assert 'value="nobody-here"' in html

    def test_full_team(self, browse, world, contest):
        _shift(contest.challenge["id"])
        row = model.Session.get(Challenge, contest.challenge["id"])
        row.max_team_size = 2
        model.Session.commit()
        response = browse(contest.leader).post(self.url(contest), {"username": world.user["name"]})
        assert response.status_code == 200
        assert "The team is full" in body(response)

    def test_leader_cannot_be_removed(self, browse, world, contest):
        response = browse(world.admin).post(self.url(contest), {"remove": contest.leader["name"]})
        assert response.status_code == 200
        assert "The team leader cannot leave or be removed" in body(response)

    def test_member_may_leave_but_not_remove_others(self, browse, world, contest):
        third = add_team_member(contest.draft)
        b = browse(contest.member)
        response = b.post(self.url(contest), {"remove": third["name"]})
        assert response.status_code == 403
        response = b.post(self.url(contest), {"remove": contest.member["name"]})
        assert response.status_code == 302
        # the draft is no longer theirs to see: back to the challenge
        assert response.headers["Location"].endswith(
            tk.url_for("challenge.read", name=contest.challenge["name"])
        )

    def test_outsider_post_is_404_on_drafts(self, browse, world, contest):
        other = factories.User()
        response = browse(world.user).post(
            self.url(contest), {"username": other["name"]}, form_url="/dataset"
        )
        assert response.status_code == 404

    def test_after_the_deadline(self, browse, world, contest):
        _shift(
            contest.challenge["id"],
            registration_opens=-10,
            registration_closes=-5,
            submission_deadline=-1,
        )
        html = body(browse(contest.leader).get(self.url(contest)))
        assert 'name="username"' not in html
        response = browse(contest.leader).post(
            self.url(contest), {"username": world.user["name"]}, form_url="/dataset"
        )
        assert response.status_code == 403

    def test_csrf(self, browse, world, contest):
        b = browse(contest.leader)
        response = b.post(self.url(contest), {"username": world.user["name"]}, csrf=False)
        assert response.status_code == 400
        response = b.post(self.url(contest), {"remove": contest.member["name"]}, csrf=False)
        assert response.status_code == 400
        html = body(b.get(self.url(contest)))
        assert "Beto Member" in html
        assert world.user["name"] not in html


class TestInvitationsPage:
    url = "/dashboard/invitations"

    def test_linked_from_the_user_menu_with_the_count(self, browse, world, contest):
        guest = factories.User()
        call_as(contest.leader, "project_member_add", id=contest.draft["id"], user=guest["name"])
        # the user menu links to the personal hub, whose invitations section it is
        html = body(browse(guest).get("/dataset"))
        assert 'href="/dashboard/challenges"' in html
        assert 'badge bg-primary">1<' in html
        assert "invitation waiting" in html
        assert 'href="/dashboard/challenges"' not in body(browse(None).get("/dataset"))

    def test_anonymous(self, browse, world, contest):
        assert browse(None).get(self.url).status_code == 401

    def test_decline_and_csrf(self, browse, world, contest):
        guest = factories.User()
        answer = call_as(
            contest.leader, "project_member_add", id=contest.draft["id"], user=guest["name"]
        )
        b = browse(guest)
        form = {"invitation": answer["invitation"]["id"], "answer": "decline"}
        assert b.post(self.url, form, csrf=False).status_code == 400
        assert b.post(self.url, {**form, "answer": "maybe"}).status_code == 400
        # someone else's invitation is not there
        assert browse(world.user).post(self.url, form).status_code == 404
        assert b.post(self.url, form).status_code == 302
        assert "Declined" in body(b.get(self.url))
        assert guest["id"] not in {
            m.get("user_id")
            for m in call_as(contest.leader, "project_member_list", id=contest.draft["id"])[
                "members"
            ]
        }

    def test_a_refused_accept_says_why(self, browse, world, contest):
        guest = factories.User()
        answer = call_as(
            contest.leader, "project_member_add", id=contest.draft["id"], user=guest["name"]
        )
        call_as(world.admin, "challenge_juror_add", id=contest.challenge["id"], user=guest["name"])
        b = browse(guest)
        html = body(b.get(self.url))
        assert "jurors never join its teams" in html
        response = b.post(self.url, {"invitation": answer["invitation"]["id"], "answer": "accept"})
        assert response.status_code == 302
        assert "jurors never join its teams" in body(b.get(self.url))


# -- submit and withdraw ------------------------------------------------------------------------


class TestSubmitWithdraw:
    def test_submit_with_confirmation(self, browse, world, contest):
        _ready(contest)
        url = tk.url_for("datathon_team.submit", id=contest.draft["name"])
        b = browse(contest.member)
        page = b.get(url)
        assert page.status_code == 200
        assert "Confirm submission" in body(page)
        assert "https://github.com/ciclistas/rutas" in body(page)
        response = b.post(url, {})
        assert response.status_code == 302
        shown = helpers.call_action("package_show", id=contest.draft["id"])
        assert shown["submission_status"] == "submitted"
        assert shown["private"] is False

    def test_submit_errors_are_shown(self, browse, world, contest):
        url = tk.url_for("datathon_team.submit", id=contest.draft["name"])
        response = browse(contest.leader).post(url, {})
        assert response.status_code == 200
        html = body(response)
        assert "A repository URL is required to submit" in html
        assert "A code licence is required to submit" in html
        assert helpers.call_action("package_show", id=contest.draft["id"])["submission_status"] == (
            "draft"
        )

    def test_withdraw_with_confirmation(self, browse, world, contest):
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        url = tk.url_for("datathon_team.withdraw", id=contest.draft["name"])
        b = browse(contest.leader)
        assert "Confirm withdrawal" in body(b.get(url))
        assert b.post(url, {}).status_code == 302
        shown = helpers.call_action("package_show", id=contest.draft["id"])
        assert shown["submission_status"] == "withdrawn"
        assert shown["private"] is True
        # already withdrawn: the error is shown, nothing breaks
        response = b.post(url, {})
        assert response.status_code == 200
        assert "already withdrawn" in body(response)

    def test_roles(self, browse, world, contest):
        for route in ("datathon_team.submit", "datathon_team.withdraw"):
            url = tk.url_for(route, id=contest.draft["name"])
            for who in (None, world.user, world.member, world.outsider_admin):
                assert browse(who).get(url).status_code == 404, (route, who)
            for who in (contest.leader, contest.member, world.editor, world.sysadmin):
                # only the leader and organizers withdraw: other members 403
                expected = (
                    403 if (route, who) == ("datathon_team.withdraw", contest.member) else 200
                )
                assert browse(who).get(url).status_code == expected, (route, who)
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        url = tk.url_for("datathon_team.withdraw", id=contest.draft["name"])
        assert browse(None).get(url).status_code == 401
        assert browse(world.user).get(url).status_code == 403
        response = browse(world.user).post(url, {}, form_url="/dataset")
        assert response.status_code == 403
        assert helpers.call_action("package_show", id=contest.draft["id"])["submission_status"] == (
            "submitted"
        )

    def test_not_a_project_is_404(self, browse, world):
        dataset = factories.Dataset(owner_org=world.org["id"])
        url = tk.url_for("datathon_team.submit", id=dataset["name"])
        assert browse(world.sysadmin).get(url).status_code == 404
        assert browse(world.sysadmin).get("/project/nothing/team").status_code == 404

    def test_csrf(self, browse, world, contest):
        _ready(contest)
        b = browse(contest.leader)
        submit = tk.url_for("datathon_team.submit", id=contest.draft["name"])
        assert b.post(submit, {}, csrf=False).status_code == 400
        assert helpers.call_action("package_show", id=contest.draft["id"])["submission_status"] == (
            "draft"
        )
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        withdraw = tk.url_for("datathon_team.withdraw", id=contest.draft["name"])
        assert b.post(withdraw, {}, csrf=False).status_code == 400
        assert helpers.call_action("package_show", id=contest.draft["id"])["submission_status"] == (
            "submitted"
        )


# -- the project type's own pages -------------------------------------------------------------


class TestProjectPages:
    @pytest.mark.parametrize("who", ["editor", "sysadmin"])
    def test_core_new_project_form_sends_to_the_challenges(self, browse, world, contest, who):
        """``/project/new`` (core's form of the type) would create a project
        past project_register: GET and POST answer a redirect to the
        challenges, and nothing is created."""
        b = browse(getattr(world, who))
        page = b.get("/project/new", follow_redirects=False)
        assert page.status_code == 302
        assert page.headers["Location"].endswith(tk.url_for("challenge.index"))
        response = b.post(
            "/project/new",
            {
                "name": "made-by-form",
                "title": "Made by the form",
                "challenge": contest.challenge["id"],
                "owner_org": world.org["id"],
                "save": "continue",
            },
            form_url="/dataset/new",
        )
        assert response.status_code == 302
        assert model.Package.get("made-by-form") is None
        assert "registering a team" in body(b.get(tk.url_for("challenge.index")))

    def test_project_search_page_offers_registration_not_core_form(self, browse, world):
        html = body(browse(world.sysadmin).get("/project/"))
        assert 'href="/project/new"' not in html
        assert tk.url_for("challenge.index") in html
        # other types keep core's button
        assert 'href="/dataset/new"' in body(browse(world.sysadmin).get("/dataset/"))

    def test_read_page_banner(self, browse, world, contest):
        url = tk.url_for("project.read", id=contest.draft["name"])
        html = body(browse(contest.leader).get(url))
        assert "private draft" in html
        assert 'data-module="datathon-countdown"' in html
        assert tk.url_for("datathon_team.submit", id=contest.draft["name"]) in html
        assert tk.url_for("datathon_team.team_page", id=contest.draft["name"]) in html
        assert browse(world.user).get(url).status_code == 404
        _ready(contest)
        call_as(contest.leader, "project_submit", id=contest.draft["id"])
        html = body(browse(None).get(url))
        assert "This project is submitted" in html
        assert tk.url_for("datathon_team.withdraw", id=contest.draft["name"]) not in html
        assert "https://github.com/ciclistas/rutas" in html

    def test_read_page_summary_replaces_the_raw_fields(self, browse, world, contest):
        call_as(world.admin, "challenge_patch", id=contest.challenge["id"], require_open_data=False)
        call_as(
            world.admin,
            "package_patch",
            id=contest.draft["id"],
            repository_url="https://github.com/ciclistas/rutas",
            code_licence="MIT",
            # the deprecated free-text field is ignored: the summary lists the team
            team_members=[
                {"name": "Ana", "role": "Datos", "profile_url": "https://example.org/ana"}
            ],
            datasets_used=[{"dataset": contest.private["id"]}, {"dataset": contest.public["id"]}],
        )
        # the team cannot read the private dataset: an organizer submits
        call_as(world.admin, "project_submit", id=contest.draft["id"])
        url = tk.url_for("project.read", id=contest.draft["name"])

        html = body(browse(None).get(url))
        assert "Additional Info" not in html  # scheming's table of raw values
        # core's data licence module (a licence title or "No License Provided")
        assert 'property="dc:rights"' not in html
        assert "No License Provided" not in html
        assert "Code licence" in html
        assert "MIT License" in html
        assert 'href="https://example.org/ana"' not in html
        assert "Datos" not in html
        assert "Ana Leader" in html
        assert "Beto Member" in html
        assert f"/user/{contest.leader['name']}" in html
        assert tk.url_for("dataset.read", id=contest.public["name"]) in html
        assert "Viajes en bici" in html
        assert "Denuncias internas" not in html  # private: not named to outsiders

        html = body(browse(world.admin).get(url))
        private_at = html.index("Denuncias internas")
        assert private_at < html.index("Viajes en bici")  # the team's order

    def test_other_dataset_types_untouched(self, app, world):
        dataset = factories.Dataset(owner_org=world.org["id"])
        html = body(app.get(tk.url_for("dataset.read", id=dataset["name"])))
        assert "datathon-banner" not in html

    def test_form_sections_and_pickers(self, browse, world, contest):
        other_public = factories.Dataset(owner_org=world.other_org["id"], title="Otro portal")
        url = tk.url_for("project.edit", id=contest.draft["name"])
        response = browse(contest.leader).get(url)
        assert response.status_code == 200
        html = body(response)
        for section in ("About the project", "Team", "Code", "Data", "Show it"):
            assert f"<legend>{section}</legend>" in html
        # licence picker: the challenge's list only
        assert 'value="MIT"' in html
        assert 'value="GPL-3.0-or-later"' in html
        assert 'value="Apache-2.0"' not in html
        # dataset picker: readable, public (open data required), linked datasets
        assert f'value="{contest.public["id"]}"' in html
        assert f'value="{contest.private["id"]}"' not in html
        assert f'value="{other_public["id"]}"' not in html
        assert "private draft" in html  # banner
        # the banner's styles and countdown script load on the form too
        assert "_datathon.css" in html
        assert "_datathon.js" in html
        assert 'data-module="datathon-countdown"' in html

    def test_dataset_form_does_not_load_the_project_assets(self, browse, world):
        dataset = factories.Dataset(owner_org=world.org["id"])
        response = browse(world.admin).get(tk.url_for("dataset.edit", id=dataset["name"]))
        assert response.status_code == 200
        assert "_datathon.js" not in body(response)

    def test_private_datasets_listed_only_when_open_data_is_not_required(
        self, browse, world, contest
    ):
        row = model.Session.get(Challenge, contest.challenge["id"])
        row.require_open_data = False
        model.Session.commit()
        url = tk.url_for("project.edit", id=contest.draft["name"])
        # the leader is not a member of the organization: cannot read it
        assert f'value="{contest.private["id"]}"' not in body(browse(contest.leader).get(url))
        # an organizer can
        assert f'value="{contest.private["id"]}"' in body(browse(world.editor).get(url))

    def test_edit_through_the_form(self, browse, world, contest):
        url = tk.url_for("project.edit", id=contest.draft["name"])
        b = browse(contest.leader)
        form = {
            "title": "Rutas seguras 2",
            "name": contest.draft["name"],
            "notes": "",
            "team_name": "Las Ciclistas",
            "repository_url": "https://github.com/ciclistas/rutas",
            "code_licence": "Apache-2.0",
            "datasets_used-0-dataset": contest.public["id"],
            "save": "",
        }
        response = b.post(url, form)
        assert response.status_code == 200  # licence refused, form shown again
        assert "The challenge&#39;s rules do not allow this licence" in body(response)
        form["code_licence"] = "MIT"
        response = b.post(url, form)
        assert response.status_code == 302, body(response)[:3000]
        shown = helpers.call_action("package_show", id=contest.draft["id"])
        assert shown["title"] == "Rutas seguras 2"
        assert shown["code_licence"] == "MIT"
        assert shown["datasets_used"][0]["dataset"] == contest.public["id"]

    def test_resources_are_chosen_from_the_datasets_own(self, browse, world, contest):
        sysadmin = world.sysadmin
        first, second = (
            call_as(
                sysadmin, "resource_create", package_id=contest.public["id"], url=url, name=name
            )
            for url, name in (("https://x.org/a.csv", "Viajes 2023"), ("https://x.org/b.csv", ""))
        )
        other = factories.Dataset(
            owner_org=world.org["id"], title="Paradas", resources=[{"url": "https://x.org/c.csv"}]
        )
        call_as(
            world.admin, "challenge_dataset_add", id=contest.challenge["id"], dataset=other["id"]
        )
        secret = call_as(
            sysadmin, "resource_create", package_id=contest.private["id"], url="https://x.org/s"
        )
        url = tk.url_for("project.edit", id=contest.draft["name"])
        b = browse(contest.leader)
        html = body(b.get(url))
        assert 'data-module="datathon-resource-choices"' in html
        assert f'<optgroup label="Viajes en bici" data-dataset="{contest.public["id"]}">' in html
        assert f'data-dataset="{other["id"]}"' in html
        assert "Viajes 2023" in html
        assert "https://x.org/b.csv" in html  # no name: its URL
        assert secret["id"] not in html  # a resource of a dataset the leader may not read
        form = {
            "title": "Rutas seguras",
            "name": contest.draft["name"],
            "notes": "",
            "team_name": "Las Ciclistas",
            "repository_url": "https://github.com/ciclistas/rutas",
            "code_licence": "MIT",
            "datasets_used-0-dataset": contest.public["id"],
            "datasets_used-0-resource_ids": [first["id"], second["id"]],
            "save": "",
        }
        assert b.post(url, form).status_code == 302
        shown = helpers.call_action("package_show", id=contest.draft["id"])
        assert shown["datasets_used"][0]["resource_ids"] == [first["id"], second["id"]]
        html = body(b.get(url))
        assert f'<option value="{first["id"]}" selected>' in html
        # a resource of another dataset is refused, on the form
        form["datasets_used-0-resource_ids"] = [other["resources"][0]["id"]]
        response = b.post(url, form)
        assert response.status_code == 200
        assert "Only resources of the chosen dataset" in body(response)

    def test_project_form_post_needs_the_token_even_after_anonymous_requests(
        self, app, browse, world, contest
    ):
        url = tk.url_for("project.edit", id=contest.draft["name"])
        # CKAN 2.12.0 exempts a view from CSRF once an anonymous request reached it
        app.get(url)
        app.post(url, data={"title": "x"})
        b = browse(contest.leader)
        response = b.post(
            url,
            {"title": "Hacked", "name": contest.draft["name"], "save": ""},
            csrf=False,
        )
        assert response.status_code == 400
        assert helpers.call_action("package_show", id=contest.draft["id"])["title"] == (
            "Rutas seguras"
        )
        resource_new = tk.url_for("project_resource.new", id=contest.draft["name"])
        app.get(resource_new)
        response = b.post(resource_new, {"url": "https://example.org/x"}, csrf=False)
        assert response.status_code == 400
        assert helpers.call_action("package_show", id=contest.draft["id"])["resources"] == []

    def test_api_token_requests_are_left_to_ckan(self, app, world, contest):
        token = helpers.call_action(
            "api_token_create",
            context={"user": contest.leader["name"]},
            user=contest.leader["name"],
            name="t",
        )["token"]
        response = app.post(
            tk.url_for("api.action", ver=3, logic_function="package_patch"),
            json={"id": contest.draft["id"], "title": "Via API"},
            headers={"Authorization": token},
        )
        assert response.status_code == 200
        assert helpers.call_action("package_show", id=contest.draft["id"])["title"] == "Via API"


class TestProjectPageStates:
    def test_unpublished_project_page_answers(self, browse, world, contest):
        # A project dataset in core's state draft (core's "Unpublish" made
        # them before issue 17 refused it): the banner's permission checks
        # then meet ObjectNotFound, which must not 500.
        with pytest.raises(tk.ValidationError):
            call_as(contest.leader, "package_patch", id=contest.draft["id"], state="draft")
        pkg = model.Package.get(contest.draft["id"])
        pkg.state = "draft"
        model.Session.commit()
        url = tk.url_for("project.read", id=contest.draft["name"])
        assert browse(contest.leader).get(url).status_code == 200
        assert browse(world.admin).get(url).status_code == 200
        assert browse(world.user).get(url).status_code == 404

    def test_no_withdraw_offer_on_a_draft(self, browse, world, contest):
        html = body(
            browse(contest.leader).get(tk.url_for("project.read", id=contest.draft["name"]))
        )
        assert tk.url_for("datathon_team.withdraw", id=contest.draft["name"]) not in html
        assert tk.url_for("datathon_team.submit", id=contest.draft["name"]) in html
