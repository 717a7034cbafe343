"""The challenge pages through Flask's test client, per role."""

from __future__ import annotations

import re

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon import licences
from ckanext.datathon.tests.helpers import Statements, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def published(world, published_challenge_factory):
    def build():
        challenge = published_challenge_factory(
            owner_org=world.org["id"],
            title="Transporte público, seguridad y mujeres",
            problem_statement="Women **avoid** routes at night <script>alert('x')</script>",
            timeline=[
                {
                    "stage": "mentorship",
                    "starts": "2023-08-28T09:00:00-06:00",
                    "ends": "2023-08-31T18:00:00-06:00",
                    "notes": "4 sessions",
                },
            ],
        )
        public = factories.Dataset(owner_org=world.org["id"], title="Viajes en Metrobús")
        private = factories.Dataset(
            owner_org=world.org["id"], title="Denuncias internas", private=True
        )
        for dataset in (public, private):
            call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
        return challenge, public, private

    return built_over("world", "test_challenge_pages.published", build)


class TestIndex:
    def test_empty_state(self, app, world):
        response = app.get(tk.url_for("challenge.index"))
        assert response.status_code == 200
        assert "There are no challenges on this portal yet." in body(response)

    def test_lists_published_not_drafts(self, app, world, published, challenge_factory):
        challenge_factory(owner_org=world.org["id"], title="Secret draft")
        html = body(app.get(tk.url_for("challenge.index")))
        assert "Transporte público, seguridad y mujeres" in html
        assert "Secret draft" not in html
        assert world.org["title"] in html  # organization facet

    def test_search_and_junk_parameters(self, app, world, published):
        assert "Transporte" in body(app.get(tk.url_for("challenge.index", q="seguridad")))
        assert "No challenge matches" in body(app.get(tk.url_for("challenge.index", q="zzz")))
        for junk in ({"sort": "drop table"}, {"stage": "party"}, {"q": "a\u2066"}):
            response = app.get(tk.url_for("challenge.index"), query_string=junk)
            assert response.status_code == 200, junk
        # a NUL in a query string is refused portal-wide (text_guard)
        response = app.get(tk.url_for("challenge.index"), query_string={"q": "a\x00"})
        assert response.status_code == 400
        # as core's /dataset: a page number that is not one is a bad request
        response = app.get(tk.url_for("challenge.index"), query_string={"page": "x"})
        assert response.status_code == 400

    def test_drafts_listed_for_organizers(self, browse, world, challenge_factory):
        challenge_factory(owner_org=world.org["id"], title="Secret draft")
        html = body(browse(world.editor).get(tk.url_for("challenge.index", state="draft")))
        assert "Secret draft" in html
        html = body(browse(world.user).get(tk.url_for("challenge.index", state="draft")))
        assert "Secret draft" not in html

    def test_state_facet_for_organizers_only(self, browse, world, published, challenge_factory):
        challenge_factory(owner_org=world.org["id"], title="Secret draft")
        url = tk.url_for("challenge.index")
        # the facet's link and the "Draft challenges" link (markup differs in 2.11 and 2.12)
        assert body(browse(world.editor).get(url)).count("state=draft") >= 2
        assert "state=draft" not in body(browse(world.user).get(url))

    @pytest.mark.parametrize(
        ("locale", "wanted"),
        [("", "Filter by "), ("/es", "Filtrar por "), ("/pt_BR", "Filtrar por ")],
    )
    def test_facet_links_say_what_they_filter(self, app, world, published, locale, wanted):
        html = body(app.get(locale + tk.url_for("challenge.index")))
        assert "Search datasets by" not in html
        assert "owner_org:" not in html
        # hidden text in front of the visible label (which stays in the
        # accessible name: no aria-label that would replace it)
        link = re.search(
            r'<a href="[^"]*owner_org=[^"]*">\s*<span class="visually-hidden">([^<]*)</span>'
            r'\s*<span class="item-label">([^<]*)</span>',
            html,
        )
        assert link, "no facet link names the organization"
        assert link.group(1).startswith(wanted), link.group(1)
        assert link.group(2).strip() == world.org["title"]

    def test_header_link(self, app, world):
        html = body(app.get("/"))
        assert 'href="/challenge"' in html

    @pytest.mark.ckan_config("ckanext.datathon.header_link", "false")
    def test_header_link_can_be_hidden(self, app, world):
        assert 'href="/challenge"' not in body(app.get("/"))


class TestRead:
    def test_published_page(self, app, world, published):
        challenge, _public, _private = published
        response = app.get(tk.url_for("challenge.read", name=challenge["name"]))
        assert response.status_code == 200
        html = body(response)
        assert "<strong>avoid</strong>" in html  # markdown rendered
        assert "<script>alert" not in html  # ... and sanitised
        assert "Viajes en Metrobús" in html
        assert "Denuncias internas" not in html  # private dataset hidden
        assert "Development and registration" in html  # the 11 stages
        assert "4 sessions" in html
        assert "First prize" in html
        assert 'aria-current="step"' not in html or "Mentorship" in html

    def test_private_dataset_shown_to_members(self, browse, world, published):
        challenge, _, private = published
        html = body(browse(world.member).get(tk.url_for("challenge.read", name=challenge["name"])))
        assert private["title"] in html

    def test_title_is_escaped(self, app, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"], title="<b>Bold</b> move")
        html = body(app.get(tk.url_for("challenge.read", name=challenge["name"])))
        assert "&lt;b&gt;Bold&lt;/b&gt; move" in html
        assert "<b>Bold</b> move" not in html

    def test_draft_is_404_to_outsiders(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("challenge.read", name=draft["name"])
        for who in (None, world.user, world.member, world.outsider_admin):
            assert browse(who).get(url).status_code == 404
        for who in (world.admin, world.editor, world.sysadmin):
            assert browse(who).get(url).status_code == 200

    def test_unknown_is_404(self, app, world):
        assert app.get("/challenge/nothing-here").status_code == 404

    def test_manage_button_for_organizers_only(self, browse, world, published):
        challenge = published[0]
        url = tk.url_for("challenge.read", name=challenge["name"])
        edit = tk.url_for("challenge.edit", name=challenge["name"])
        assert edit in body(browse(world.editor).get(url))
        assert edit not in body(browse(world.user).get(url))


def _form(**overrides):
    data = {
        "title": "La economía del cuidado",
        "name": "cuidados-2024",
        "problem_statement": "Unpaid care work",
        "timezone": "America/Mexico_City",
        "registration_opens": "2024-06-01T09:00",
        "registration_closes": "2024-07-15T23:59",
        "submission_deadline": "2024-08-15T23:59",
        "judging_closes": "2024-08-30T18:00",
        "results_date": "2024-09-05T12:00",
        "max_team_size": "6",
        "min_team_size": "1",
        "allowed_licences": ["MIT", "GPL-3.0-or-later"],
        "require_open_data": "true",
        "prizes__0__rank": "1",
        "prizes__0__title": "Primer lugar",
        "prizes__0__amount": "2500",
        "prizes__0__currency": "USD",
        "prizes__1__rank": "",
        "prizes__1__title": "",
        "timeline__0__stage": "identify",
        "timeline__0__starts": "",
        "timeline__0__ends": "",
        "timeline__6__stage": "mentorship",
        "timeline__6__starts": "2024-06-10T17:00",
        "timeline__6__ends": "2024-06-10T19:00",
        "timeline__6__notes": "Session 1",
    }
    data.update(overrides)
    return data


class TestForms:
    def test_new_needs_an_organizer(self, browse, world):
        url = tk.url_for("challenge.new")
        assert browse(None).get(url).status_code in (401, 403)
        assert browse(world.user).get(url).status_code == 403
        assert browse(world.member).get(url).status_code == 403
        response = browse(world.editor).get(url)
        assert response.status_code == 200
        html = body(response)
        assert 'name="_csrf_token"' in html
        # the help text's placeholder is text, not a stray <name> element
        assert "it becomes /challenge/&lt;name&gt;." in html
        assert "<name>" not in html

    def test_create_then_publish(self, browse, world):
        b = browse(world.editor)
        url = tk.url_for("challenge.new")
        response = b.post(url, _form(owner_org=world.org["id"]))
        assert response.status_code == 302, body(response)[:2000]
        created = helpers.call_action("challenge_show", id="cuidados-2024")
        assert created["state"] == "draft"
        assert created["registration_opens"] == "2024-06-01T15:00:00+00:00"  # from Mexico City
        assert created["timezone"] == "America/Mexico_City"
        page = body(b.get(tk.url_for("challenge.read", name="cuidados-2024")))
        assert "9:00" in page  # shown in the challenge's zone, not in UTC
        assert "(America/Mexico_City)" in page
        assert created["allowed_licences"] == ["MIT", "GPL-3.0-or-later"]
        assert created["require_open_data"] is True
        assert created["require_rules_acceptance"] is False  # unchecked box
        assert [p["title"] for p in created["prizes"]] == ["Primer lugar"]
        mentorship = next(e for e in created["timeline"] if e["stage"] == "mentorship")
        assert mentorship["starts"] == "2024-06-10T23:00:00+00:00"
        edit = tk.url_for("challenge.edit", name="cuidados-2024")
        form = _form(owner_org=world.org["id"], publish="1", title="Cuidados")
        response = b.post(edit, form)
        assert response.status_code == 302
        assert helpers.call_action("challenge_show", id="cuidados-2024")["state"] == "active"

    def test_errors_are_shown_next_to_fields_and_values_kept(self, browse, world):
        b = browse(world.editor)
        url = tk.url_for("challenge.new")
        response = b.post(
            url,
            _form(
                owner_org=world.org["id"],
                name="Bad Name!",
                registration_closes="2024-05-01T00:00",
                timeline__6__ends="2024-06-09T00:00",
            ),
        )
        assert response.status_code == 200
        html = body(response)
        assert "Must be purely lowercase alphanumeric" in html
        assert "Must not be earlier than registration_opens" in html
        assert "La economía del cuidado" in html  # value kept
        assert 'value="2024-06-01T09:00"' in html  # local time kept
        assert '<option value="America/Mexico_City" selected' in html
        assert helpers.call_action("challenge_list", state="draft")["count"] == 0

    def test_new_form_proposes_the_usual_licences_in_a_searchable_picker(self, browse, world):
        html = body(browse(world.editor).get(tk.url_for("challenge.new")))
        picker = html[html.index('id="field-licences"') :]
        picker = picker[: picker.index("</select>")]
        assert 'data-module="autocomplete"' in picker
        options = re.findall(r'<option value="([^"]+)"( selected)?', picker)
        assert len(options) > 100  # every OSI licence can be chosen...
        selected = [value for value, chosen in options if chosen]
        # ... the usual ones are proposed
        assert sorted(selected) == sorted(licences.common_osi_ids())
        assert {"MIT", "Apache-2.0", "GPL-3.0-or-later"} <= set(selected)
        assert '<option value="UTC" selected' in html

    @pytest.mark.ckan_config("ckan.display_timezone", "America/Mexico_City")
    def test_new_form_proposes_the_portals_time_zone(self, browse, world):
        html = body(browse(world.editor).get(tk.url_for("challenge.new")))
        assert '<option value="America/Mexico_City" selected' in html

    def test_error_summary_uses_the_form_labels(self, browse, world):
        b = browse(world.editor)
        response = b.post(
            tk.url_for("challenge.new"),
            _form(owner_org="", submission_deadline="", results_date="", publish="1"),
        )
        assert response.status_code == 200
        html = body(response)
        summary = html[html.index("error-explanation") :]
        summary = summary[: summary.index("</ul>")]
        assert "Organization:" in summary
        assert "Projects due:" in summary
        assert "Winners announced:" in summary
        for key in ("Owner org", "Submission deadline", "Results date"):
            assert key not in summary

    @pytest.mark.parametrize(
        ("locale", "typed", "stored"),
        [
            ("es", "10000,50", "10000.50"),
            ("es", "10.000,50", "10000.50"),
            ("pt_BR", "10.000,50", "10000.50"),
            ("en", "10,000.50", "10000.50"),
            ("es", "2500.00", "2500.00"),  # the plain form the page fills in
        ],
    )
    def test_prize_amounts_in_the_page_language(self, browse, world, locale, typed, stored):
        b = browse(world.editor)
        url = f"/{locale}" + tk.url_for("challenge.new")
        response = b.post(url, _form(owner_org=world.org["id"], prizes__0__amount=typed))
        assert response.status_code == 302, body(response)[:3000]
        created = helpers.call_action("challenge_show", id="cuidados-2024")
        assert [p["amount"] for p in created["prizes"]] == [stored]

    def test_an_unreadable_amount_is_a_field_error(self, browse, world):
        b = browse(world.editor)
        response = b.post(
            "/es" + tk.url_for("challenge.new"),
            _form(owner_org=world.org["id"], prizes__0__amount="diez mil"),
        )
        assert response.status_code == 200
        assert helpers.call_action("challenge_list", state="draft")["count"] == 0

    def test_post_without_csrf_token_changes_nothing(self, browse, world, published):
        challenge = published[0]
        b = browse(world.admin)
        response = b.post(tk.url_for("challenge.new"), _form(owner_org=world.org["id"]), csrf=False)
        assert response.status_code == 400
        assert helpers.call_action("challenge_list", state="draft")["count"] == 0
        for url, data in (
            (
                tk.url_for("challenge.edit", name=challenge["name"]),
                _form(owner_org=world.org["id"], title="Hacked"),
            ),
            (tk.url_for("challenge.delete", name=challenge["name"]), {}),
            (
                tk.url_for("challenge.datasets", name=challenge["name"]),
                {"remove": published[1]["id"]},
            ),
            (
                tk.url_for("challenge.allies", name=challenge["name"]),
                {"name": "X", "kind": "academia"},
            ),
        ):
            assert b.post(url, data, csrf=False).status_code == 400, url
        after = call_as(world.sysadmin, "challenge_show", id=challenge["id"])
        assert after["title"] == challenge["title"]
        assert after["state"] == "active"
        assert after["dataset_count"] == 2
        assert after["allies"] == []

    def test_outsiders_cannot_edit(self, browse, world, published, challenge_factory):
        challenge = published[0]
        assert (
            browse(world.user).get(tk.url_for("challenge.edit", name=challenge["name"])).status_code
            == 403
        )
        draft = challenge_factory(owner_org=world.org["id"])
        assert (
            browse(world.user).get(tk.url_for("challenge.edit", name=draft["name"])).status_code
            == 404
        )

    def test_delete(self, browse, world, published):
        challenge = published[0]
        b = browse(world.admin)
        url = tk.url_for("challenge.delete", name=challenge["name"])
        assert "Confirm delete" in body(b.get(url))
        assert b.post(url, {}).status_code == 302
        assert (
            browse(None).get(tk.url_for("challenge.read", name=challenge["name"])).status_code
            == 404
        )


class TestDatasetsAndAllies:
    def test_link_and_unlink(self, browse, world, published):
        challenge, _, _ = published
        other = factories.Dataset(owner_org=world.org["id"], title="Luminarias")
        b = browse(world.editor)
        url = tk.url_for("challenge.datasets", name=challenge["name"])
        response = b.post(
            url, {"dataset_id": other["name"], "role": "context", "note": "Street lights"}
        )
        assert response.status_code == 302
        html = body(b.get(url))
        assert "Luminarias" in html
        assert "Street lights" in html
        assert b.post(url, {"remove": other["id"]}).status_code == 302
        assert "Luminarias" not in body(b.get(url))

    def test_link_errors(self, browse, world, published):
        challenge = published[0]
        secret = factories.Dataset(owner_org=world.other_org["id"], private=True)
        b = browse(world.editor)
        url = tk.url_for("challenge.datasets", name=challenge["name"])
        assert "Dataset not found" in body(b.post(url, {"dataset_id": "nope"}))
        assert "You cannot read that dataset" in body(b.post(url, {"dataset_id": secret["id"]}))

    def test_datasets_page_for_organizers_only(self, browse, world, published):
        url = tk.url_for("challenge.datasets", name=published[0]["name"])
        assert browse(world.user).get(url).status_code == 403

    def test_allies(self, browse, world, published):
        challenge = published[0]
        b = browse(world.admin)
        url = tk.url_for("challenge.allies", name=challenge["name"])
        edit = tk.url_for("challenge.edit", name=challenge["name"])
        response = b.post(
            url, {"name": "Mujeres en Movimiento", "kind": "civil_society"}, form_url=edit
        )
        assert response.status_code == 302
        ally = helpers.call_action("challenge_show", id=challenge["id"])["allies"][0]
        assert ally["name"] == "Mujeres en Movimiento"
        b.post(url, {"kind": "nope", "name": "X"}, form_url=edit)
        assert len(helpers.call_action("challenge_show", id=challenge["id"])["allies"]) == 1
        b.post(url, {"delete": ally["id"]}, form_url=edit)
        assert helpers.call_action("challenge_show", id=challenge["id"])["allies"] == []
        assert (
            browse(world.user)
            .post(url, {"name": "X", "kind": "academia"}, form_url="/")
            .status_code
            == 403
        )


class TestDatasetPage:
    def test_block_and_tab(self, app, world, published, challenge_factory):
        challenge, public, _ = published
        draft = challenge_factory(owner_org=world.org["id"], title="Draft using it")
        call_as(world.admin, "challenge_dataset_add", id=draft["id"], dataset=public["id"])
        for url in (
            tk.url_for("dataset.read", id=public["name"]),
            tk.url_for("challenge.dataset_challenges", id=public["name"]),
        ):
            response = app.get(url)
            assert response.status_code == 200
            html = body(response)
            assert "Challenges and projects using this data" in html
            assert challenge["title"] in html
            assert "Draft using it" not in html

    def test_dataset_without_challenges(self, app, world):
        dataset = factories.Dataset(owner_org=world.org["id"])
        html = body(app.get(tk.url_for("dataset.read", id=dataset["name"])))
        assert "No challenge or project uses this data yet." in html

    def test_private_dataset_tab_is_404_to_outsiders(self, browse, world, published):
        _, _, private = published
        url = tk.url_for("challenge.dataset_challenges", id=private["name"])
        assert browse(None).get(url).status_code == 404
        assert browse(world.user).get(url).status_code == 404
        assert browse(world.member).get(url).status_code == 200


class TestSignedInCost:
    def test_our_sections_do_not_look_the_user_up_again(self, world, published, browse):
        """Auth checks and actions of the page's sections reuse the signed-in
        user's object: the page looks the user up no more often than CKAN's
        own /about page does (its header and identification)."""
        challenge, _public, _private = published
        browser = browse(world.admin)

        def user_lookups(url):
            browser.get(url)  # warm: first-request work is not the page's
            with Statements() as run:
                assert browser.get(url).status_code == 200
            return len(run.containing('FROM "user"'))

        about = user_lookups("/about")
        page = user_lookups(tk.url_for("challenge.read", name=challenge["name"]))
        assert page <= about + 1, (page, about)
