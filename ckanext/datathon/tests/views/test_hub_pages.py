"""The personal hub's pages (issue 21 §2): a tab of CKAN's dashboard that
absorbs "My invitations"."""

from __future__ import annotations

import html as html_lib

import pytest

from ckan.tests import factories, helpers

from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

HUB = "/dashboard/challenges"


def body(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


@pytest.fixture
def team(world, published_challenge_factory):
    challenge = published_challenge_factory(
        owner_org=world.org["id"], title="Movilidad segura", **open_registration_dates()
    )
    leader = factories.User(fullname="Ana Leader")
    project = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="Rutas seguras",
        team_name="Las Ciclistas",
        accept_rules=True,
    )
    return type("Team", (), {"challenge": challenge, "leader": leader, "project": project})


class TestAccess:
    def test_anonymous_goes_to_the_login_page(self, browse, world):
        for url in (HUB, f"{HUB}/teams", f"{HUB}/nonsense"):
            response = browse(None).get(url, follow_redirects=False)
            assert response.status_code == 302, url
            assert "/user/login" in response.headers["Location"]

    def test_junk_addresses(self, browse, world):
        b = browse(world.user)
        assert b.get(f"{HUB}/nonsense").status_code == 404
        assert b.get(f"{HUB}/%00").status_code == 404
        assert b.get(f"{HUB}/teams?page=0").status_code == 400
        assert b.get(f"{HUB}/teams?page=x").status_code == 400
        assert b.get("/dashboard/invitations?page=-1").status_code == 400
        beyond = b.get(f"{HUB}/following?page=7")
        assert beyond.status_code == 200
        assert "There is nothing on page 7." in body(beyond)

    def test_a_tab_of_the_dashboard_and_a_link_in_the_header(self, browse, world):
        html = body(browse(world.user).get("/dashboard/datasets"))
        assert f'href="{HUB}"' in html
        assert "My challenges" in html

    def test_the_invitations_section_keeps_its_address(self, browse, world):
        b = browse(world.user)
        response = b.get(f"{HUB}/invitations", follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dashboard/invitations")
        html = body(b.get("/dashboard/invitations"))
        # rendered in the hub: the dashboard's tabs and the hub's breadcrumb
        assert f'href="{HUB}"' in html
        assert 'id="hub-invitations"' in html


class TestOverview:
    def test_a_team_member_sees_the_team_and_answers_an_invitation(self, browse, world, team):
        guest = factories.User(fullname="Caro Nueva")
        call_as(team.leader, "project_member_add", id=team.project["id"], user=guest["name"])
        leader_page = body(browse(team.leader).get(HUB))
        assert "Rutas seguras" in leader_page
        assert "Las Ciclistas" in leader_page
        assert "Team leader" in leader_page
        assert "Registration closes" in leader_page
        assert "Movilidad segura" in leader_page

        b = browse(guest)
        html = body(b.get(HUB))
        assert 'id="hub-invitations"' in html
        assert "Waiting for your answer" in html
        assert 'name="_csrf_token"' in html
        assert 'name="from" value="hub"' in html
        invitation = call_as(guest, "project_invitation_list")["results"][0]
        # without the token: refused
        form = {"invitation": invitation["id"], "answer": "accept", "from": "hub"}
        assert b.post("/dashboard/invitations", form, csrf=False).status_code == 400
        done = b.post("/dashboard/invitations", form, form_url=HUB)
        assert done.status_code == 302
        assert "/team" in done.headers["Location"]
        html = body(b.get(HUB))
        assert "Waiting for your answer" not in html
        assert "Team member" in html

    def test_declining_from_the_hub_comes_back_to_it(self, browse, world, team):
        guest = factories.User()
        call_as(team.leader, "project_member_add", id=team.project["id"], user=guest["name"])
        invitation = call_as(guest, "project_invitation_list")["results"][0]
        b = browse(guest)
        done = b.post(
            "/dashboard/invitations",
            {"invitation": invitation["id"], "answer": "decline", "from": "hub"},
            form_url=HUB,
        )
        assert done.status_code == 302
        assert done.headers["Location"].endswith(HUB)
        assert "You declined the invitation." in body(b.get(HUB))

    def test_an_organizer_sees_what_waits(self, browse, world, team):
        call_as(world.user, "challenge_idea_create", challenge=team.challenge["id"], title="Idea")
        html = body(browse(world.editor).get(HUB))
        assert 'id="hub-organizing"' in html
        assert "Movilidad segura" in html
        assert "1 idea to review" in html

    def test_a_draft_is_never_named(self, browse, world, team, published_challenge_factory):
        call_as(world.user, "follow_challenge", id=team.challenge["id"])
        assert "Movilidad segura" in body(browse(world.user).get(HUB))
        call_as(world.admin, "challenge_patch", id=team.challenge["id"], state="draft")
        assert "Movilidad segura" not in body(browse(world.user).get(HUB))
        assert "Movilidad segura" not in body(browse(world.user).get(f"{HUB}/following"))
        # its organizers still see it, as a draft
        assert "Movilidad segura" in body(browse(world.admin).get(HUB))


class TestPaging:
    def test_more_than_a_page_of_followed_challenges(
        self, browse, world, published_challenge_factory
    ):
        titles = [f"Reto {i:02d}" for i in range(23)]
        for title in titles:
            c = published_challenge_factory(owner_org=world.org["id"], title=title)
            call_as(world.user, "follow_challenge", id=c["id"])
        b = browse(world.user)
        overview = body(b.get(HUB))
        # the overview shows a few, and links to the section
        assert sum(t in overview for t in titles) == 5
        assert "See all 23" in overview
        first = body(b.get(f"{HUB}/following"))
        second = body(b.get(f"{HUB}/following?page=2"))
        on_first = {t for t in titles if t in first}
        on_second = {t for t in titles if t in second}
        assert len(on_first) == 20
        assert len(on_second) == 3
        assert on_first | on_second == set(titles)
        assert f"{HUB}/following?page=2" in first


class TestApi:
    """The action through the API: CKAN's status codes, never a 500."""

    URL = "/api/3/action/datathon_hub_show"

    def _token(self, user):
        return helpers.call_action(
            "api_token_create", context={"user": user["name"]}, user=user["name"], name="hub"
        )["token"]

    def test_status_codes(self, app, world):
        assert app.get(self.URL, status=403).status_code == 403  # anonymous
        token = self._token(world.user)
        headers = {"Authorization": token}
        answer = app.get(self.URL, headers=headers)
        assert answer.status_code == 200
        assert set(answer.json["result"]) >= {"user", "teams", "invitations", "jury"}
        # another user's hub: 403; junk: 409
        app.get(self.URL, query_string={"user": world.admin["name"]}, headers=headers, status=403)
        for junk in (
            {"section": "all"},
            {"limit": "ten"},
            {"offset": "-1"},
            {"offset": "1" * 40},
        ):
            app.get(self.URL, query_string=junk, headers=headers, status=409)
        app.post(self.URL, json={"section": ["teams"]}, headers=headers, status=409)
        app.post(self.URL, json={"user": {"a": 1}}, headers=headers, status=403)
        # a sysadmin: any user, or 404
        admin = {"Authorization": self._token(world.sysadmin)}
        hub = app.get(self.URL, query_string={"user": world.user["name"]}, headers=admin).json
        assert hub["result"]["user"]["name"] == world.user["name"]
        app.get(self.URL, query_string={"user": "nobody-at-all"}, headers=admin, status=404)
        app.post(self.URL, json={"user": ["x"]}, headers=admin, status=404)
