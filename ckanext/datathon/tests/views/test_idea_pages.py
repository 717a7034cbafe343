"""The ideathon page and the data-gap export through Flask's test client, per
role: reading, proposing (with data-gap rows, without JavaScript), voting,
adoption, deletion with confirmation, sort and paging, the CSV export and its
formula escaping, and CSRF refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon import idea_views
from ckanext.datathon.model import DataGap, Idea, IdeaVote, Stage
from ckanext.datathon.tests.helpers import call_as, now
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

DAY = dt.timedelta(days=1)


def body(response) -> str:
    return response.get_data(as_text=True)


def _url(challenge, endpoint="datathon_ideas.index", **params) -> str:
    return tk.url_for(endpoint, name=challenge["name"], **params)


def _idea(user, challenge, title="Safer bus stops", **extra):
    return call_as(user, "challenge_idea_create", challenge=challenge["id"], title=title, **extra)


def _ideas() -> int:
    return model.Session.scalar(sa.select(sa.func.count()).select_from(Idea))


def _votes(idea_id: str) -> int:
    return model.Session.scalar(sa.select(sa.func.count()).where(IdeaVote.idea_id == idea_id))


@pytest.fixture
def challenge(world, published_challenge_factory):
    def build():
        return published_challenge_factory(owner_org=world.org["id"], title="Movilidad segura")

    return built_over("world", "test_idea_pages.challenge", build)


class TestReading:
    def test_anonymous_reads_ideas_but_gets_no_forms(self, app, world, challenge):
        _idea(
            world.user,
            challenge,
            title="Lit stops <script>alert(1)</script>",
            data_gaps=[{"title": "Lighting per stop", "holder": "Obras públicas"}],
        )
        response = app.get(_url(challenge))
        assert response.status_code == 200
        page = body(response)
        assert "Lit stops &lt;script&gt;" in page
        assert "<script>alert(1)" not in page
        assert "Lighting per stop" in page
        assert "Obras públicas" in page
        assert "1 idea" in page
        assert "Log in to propose ideas and vote." in page
        assert 'method="post"' not in page  # no vote or propose form
        assert "/vote" not in page
        assert 'id="data-gaps"' not in page
        assert "data-gaps.csv" not in page

    def test_challenge_page_links_to_the_ideas(self, app, challenge):
        page = body(app.get(tk.url_for("challenge.read", name=challenge["name"])))
        assert f'href="{_url(challenge)}"' in page

    def test_draft_is_404_to_outsiders(self, app, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        assert app.get(_url(draft)).status_code == 404
        assert browse(world.user).get(_url(draft)).status_code == 404
        assert browse(world.member).get(_url(draft)).status_code == 404
        assert browse(world.editor).get(_url(draft)).status_code == 200
        assert app.get("/challenge/no-such-challenge/ideas").status_code == 404

    def test_sort_links_and_orders(self, app, world, challenge):
        with freeze_time(now() - 2 * DAY):
            popular = _idea(world.user, challenge, title="Popular idea")
        _idea(world.user, challenge, title="Newest idea")
        call_as(world.member, "challenge_idea_vote", id=popular["id"])
        by_votes = body(app.get(_url(challenge)))
        assert by_votes.index("Popular idea") < by_votes.index("Newest idea")
        assert re.search(r'href="[^"]*sort=recent"', by_votes)
        assert re.search(r'sort=votes" aria-current="page"', by_votes)
        recent = body(app.get(_url(challenge, sort="recent")))
        assert recent.index("Newest idea") < recent.index("Popular idea")
        assert re.search(r'sort=recent" aria-current="page"', recent)
        # junk sort falls back to votes; a junk page number is a bad request
        assert app.get(_url(challenge) + "?sort=title").status_code == 200
        assert app.get(_url(challenge) + "?sort=title&page=x").status_code == 400

    @pytest.mark.ckan_config("ckanext.datathon.max_ideas_per_user", "0")
    def test_paging(self, app, world, challenge):
        for n in range(23):
            with freeze_time(now() - (30 - n) * DAY):
                _idea(world.user, challenge, title=f"Idea number {n:02d}")
        first = body(app.get(_url(challenge, sort="recent")))
        assert "Idea number 22" in first
        assert "Idea number 02" not in first
        assert "23 ideas" in first
        assert re.search(r'href="[^"]*page=2', first)
        second = body(app.get(_url(challenge, sort="recent", page=2)))
        assert "Idea number 02" in second
        assert "Idea number 00" in second
        assert "Idea number 03" not in second
        assert app.get(_url(challenge, page=99)).status_code == 200


class TestJunk:
    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/ideas?page=99999999999999999999", {400}),  # not a page number
            ("/ideas?page=-3&sort=%00", {400}),
            ("/ideas?page=99&sort=zzz", {200}),  # beyond the last page: empty
            ("/ideas?page=99&sort=%00", {400}),  # a NUL is refused portal-wide
            ("/ideas?sort=recent&sort=votes", {200}),
            ("/ideas/%00/delete", {404}),
            ("/ideas/no-such-idea/delete", {404}),
            # POST-only (CKAN answers 404 for a wrong method)
            ("/ideas/no-such-idea/vote", {404, 405}),
        ],
    )
    def test_junk_urls(self, app, challenge, path, status):
        assert app.get(f"/challenge/{challenge['name']}{path}").status_code in status

    def test_junk_posts(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        b = browse(world.admin)
        for url, data in (
            (_url(challenge, "datathon_ideas.vote", idea_id="\x00"), {}),
            (_url(challenge, "datathon_ideas.unvote", idea_id="x" * 5000), {}),
            (_url(challenge, "datathon_ideas.adopt", idea_id=idea["id"]), {"adopted": "perhaps"}),
            (_url(challenge), {"title": "T", "gap-0-title": "x" * 5000}),
            (_url(challenge), {"title": "\x00"}),
        ):
            response = b.post(url, data, form_url=_url(challenge))
            # a NUL in a form is refused portal-wide (400, text_guard)
            expected = (400,) if any("\x00" in v for v in data.values()) else (200, 302, 404)
            assert response.status_code in expected, (url, response.status_code)
        assert model.Session.get(Idea, idea["id"]).adopted is None
        assert _ideas() == 1


class TestProposing:
    def test_propose_with_gap_rows_without_javascript(self, browse, world, challenge):
        b = browse(world.user)
        page = body(b.get(_url(challenge)))
        for n in range(3):
            assert f'name="gap-{n}-title"' in page
        assert 'name="gap-3-title"' not in page
        # Enter in a field presses the first submit button: it must publish
        assert page.index("Publish my idea") < page.index('name="more_gaps"')
        response = b.post(
            _url(challenge),
            {
                "title": "Night routes",
                "description": "Buses that stop on request at night",
                "gap-0-title": "Night ridership",
                "gap-0-holder": "Transit agency",
                "gap-0-description": "",
                "gap-1-title": "",
                "gap-1-holder": "",
                "gap-1-description": "",
                "gap-2-title": "Incident reports",
                "gap-2-holder": "",
                "gap-2-description": "By stop and hour",
            },
        )
        assert response.status_code == 302
        idea = model.Session.scalars(sa.select(Idea)).one()
        assert idea.title == "Night routes"
        assert idea.user_id == world.user["id"]
        gaps = model.Session.scalars(
            sa.select(DataGap).where(DataGap.idea_id == idea.id).order_by(DataGap.position)
        ).all()
        assert [(g.title, g.holder, g.description) for g in gaps] == [
            ("Night ridership", "Transit agency", ""),
            ("Incident reports", "", "By stop and hour"),
        ]
        assert f"#idea-{idea.id}" in response.headers["Location"]

    def test_more_rows_button_saves_nothing(self, browse, world, challenge):
        b = browse(world.user)
        response = b.post(
            _url(challenge),
            {
                "title": "Kept",
                "gap-0-title": "Kept gap",
                "gap-1-title": "",
                "gap-2-title": "",
                "more_gaps": "1",
            },
        )
        assert response.status_code == 200
        page = body(response)
        assert 'name="gap-5-title"' in page
        assert 'name="gap-6-title"' not in page
        assert 'value="Kept gap"' in page
        assert 'value="Kept"' in page
        assert _ideas() == 0

    def test_errors_are_shown_and_values_kept(self, browse, world, challenge):
        b = browse(world.user)
        response = b.post(
            _url(challenge),
            {"title": "", "description": "Kept text", "gap-0-title": "", "gap-0-holder": "X"},
        )
        assert response.status_code == 200
        page = body(response)
        assert "The idea was not saved" in page
        assert "Kept text" in page
        assert 'value="X"' in page  # the row without a title is kept, with its error
        assert _ideas() == 0
        too_long = b.post(_url(challenge), {"title": "x" * 201})
        assert "The idea was not saved" in body(too_long)
        eleven = {f"gap-{n}-title": f"Gap {n}" for n in range(11)}
        response = b.post(_url(challenge), {"title": "Many gaps", **eleven})
        assert "at most 10 data gaps" in body(response)
        assert _ideas() == 0

    def test_anonymous_cannot_propose(self, browse, challenge):
        b = browse(None)
        response = b.post(_url(challenge), {"title": "Anonymous"}, form_url="/user/login")
        assert response.status_code in (401, 403)
        assert _ideas() == 0

    def test_closed_ideathon(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        model.Session.add(
            Stage(
                challenge_id=challenge["id"],
                stage="ideathon",
                position=2,
                starts=now() - 10 * DAY,
                ends=now() - DAY,
            )
        )
        model.Session.commit()
        b = browse(world.member)
        page = body(b.get(_url(challenge)))
        assert "it no longer accepts ideas or votes" in page
        assert "Proposals are closed." in page
        assert _url(challenge, "datathon_ideas.vote", idea_id=idea["id"]) not in page
        # a vote posted anyway is refused with a message
        response = b.post(
            _url(challenge, "datathon_ideas.vote", idea_id=idea["id"]), {}, form_url="/user/login"
        )
        assert response.status_code == 302
        assert _votes(idea["id"]) == 0
        assert "it no longer accepts ideas or votes" in body(b.get(response.headers["Location"]))
        # organizers still may
        organizer_page = body(browse(world.admin).get(_url(challenge)))
        assert 'name="title"' in organizer_page


class TestVoting:
    def test_vote_and_unvote(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        b = browse(world.member)
        page = body(b.get(_url(challenge)))
        vote_url = _url(challenge, "datathon_ideas.vote", idea_id=idea["id"])
        assert f'action="{vote_url}"' in page
        assert "Vote for “Safer bus stops”" in page
        for _n in range(2):  # twice: counted once
            response = b.post(vote_url, {"sort": "recent", "page": "1"}, form_url=_url(challenge))
            assert response.status_code == 302
            assert "sort=recent" in response.headers["Location"]
        assert _votes(idea["id"]) == 1
        page = body(b.get(_url(challenge)))
        assert "1 vote" in page
        unvote_url = _url(challenge, "datathon_ideas.unvote", idea_id=idea["id"])
        assert f'action="{unvote_url}"' in page
        assert b.post(unvote_url, {}, form_url=_url(challenge)).status_code == 302
        assert _votes(idea["id"]) == 0

    def test_anonymous_vote_is_refused(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        b = browse(None)
        response = b.post(
            _url(challenge, "datathon_ideas.vote", idea_id=idea["id"]), {}, form_url="/user/login"
        )
        assert response.status_code == 403
        assert _votes(idea["id"]) == 0

    def test_vote_on_unknown_idea_is_404(self, browse, world, challenge):
        b = browse(world.member)
        response = b.post(
            _url(challenge, "datathon_ideas.vote", idea_id="no-such-idea"),
            {},
            form_url=_url(challenge),
        )
        assert response.status_code == 404


class TestOrganizers:
    def test_adopt_and_data_gaps_section(self, browse, world, challenge):
        idea = _idea(
            world.user,
            challenge,
            data_gaps=[{"title": "Stop lighting", "holder": "Public works"}],
        )
        b = browse(world.editor)
        page = body(b.get(_url(challenge)))
        assert 'id="data-gaps"' in page
        assert "Stop lighting" in page
        assert _url(challenge, "datathon_ideas.data_gaps_csv") in page
        adopt_url = _url(challenge, "datathon_ideas.adopt", idea_id=idea["id"])
        assert b.post(adopt_url, {"adopted": "true"}, form_url=_url(challenge)).status_code == 302
        assert model.Session.get(Idea, idea["id"]).adopted is not None
        page = body(b.get(_url(challenge)))
        assert "Adopted" in page
        assert "Unmark as adopted" in page
        assert "Adopted" in body(browse(None).get(_url(challenge)))
        b.post(adopt_url, {"adopted": "false"}, form_url=_url(challenge))
        model.Session.expire_all()
        assert model.Session.get(Idea, idea["id"]).adopted is None

    def test_others_cannot_adopt(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        b = browse(world.user)
        assert "Mark as adopted" not in body(b.get(_url(challenge)))
        response = b.post(
            _url(challenge, "datathon_ideas.adopt", idea_id=idea["id"]),
            {"adopted": "true"},
            form_url=_url(challenge),
        )
        assert response.status_code == 403
        assert model.Session.get(Idea, idea["id"]).adopted is None


class TestDelete:
    def test_author_deletes_after_confirmation(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        b = browse(world.user)
        delete_url = _url(challenge, "datathon_ideas.delete", idea_id=idea["id"])
        assert f'href="{delete_url}' in body(b.get(_url(challenge)))
        confirm = b.get(delete_url)
        assert confirm.status_code == 200
        assert "Delete the idea “Safer bus stops”?" in body(confirm)
        assert _ideas() == 1  # a GET deletes nothing
        response = b.post(delete_url, {})
        assert response.status_code == 302
        assert _ideas() == 0

    def test_organizer_deletes_an_idea_others_voted_for(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        author = browse(world.user)
        delete_url = _url(challenge, "datathon_ideas.delete", idea_id=idea["id"])
        assert delete_url not in body(author.get(_url(challenge)))
        assert author.get(delete_url).status_code == 403
        b = browse(world.admin)
        assert b.post(delete_url, {}).status_code == 302
        assert _ideas() == 0

    def test_other_user_and_anonymous_cannot_delete(self, app, browse, world, challenge):
        idea = _idea(world.user, challenge)
        delete_url = _url(challenge, "datathon_ideas.delete", idea_id=idea["id"])
        other = browse(world.member)
        assert delete_url not in body(other.get(_url(challenge)))
        assert other.get(delete_url).status_code == 403
        assert other.post(delete_url, {}, form_url=_url(challenge)).status_code == 403
        assert app.get(delete_url).status_code == 401
        anonymous = browse(None)
        assert anonymous.post(delete_url, {}, form_url="/user/login").status_code == 403
        assert _ideas() == 1

    def test_idea_of_another_challenge_is_404(
        self, browse, world, challenge, published_challenge_factory
    ):
        other = published_challenge_factory(owner_org=world.org["id"])
        idea = _idea(world.user, other)
        b = browse(world.user)
        assert (
            b.get(_url(challenge, "datathon_ideas.delete", idea_id=idea["id"])).status_code == 404
        )


class TestExport:
    def test_csv_content_and_formula_escaping(self, browse, world, challenge):
        loud = _idea(
            world.user,
            challenge,
            title='=HYPERLINK("http://evil")',
            data_gaps=[
                {"title": "+SUM(A1)", "description": "-2+3", "holder": "@agency"},
                {"title": "Plain gap", "description": 'Línea, con "comillas"', "holder": ""},
            ],
        )
        quiet = _idea(world.member, challenge, title="Quiet", data_gaps=[{"title": "Tabbed"}])
        # input is stripped; rows written otherwise are escaped all the same
        model.Session.execute(
            sa.update(DataGap)
            .where(DataGap.idea_id == quiet["id"])
            .values(title="\tTabbed", description="\r=cmd")
        )
        model.Session.commit()
        _idea(world.member, challenge, title="No gaps")
        call_as(world.member, "challenge_idea_vote", id=loud["id"])
        response = browse(world.editor).get(_url(challenge, "datathon_ideas.data_gaps_csv"))
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert f"{challenge['name']}-data-gaps.csv" in response.headers["Content-Disposition"]
        assert response.get_data().startswith(b"\xef\xbb\xbf")  # BOM: Excel's accents
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert rows == [
            ["Idea", "Data gap", "Description", "Who holds the data", "Votes"],
            ['\'=HYPERLINK("http://evil")', "'+SUM(A1)", "'-2+3", "'@agency", "1"],
            ['\'=HYPERLINK("http://evil")', "Plain gap", 'Línea, con "comillas"', "", "1"],
            ["Quiet", "'\tTabbed", "'\r=cmd", "", "0"],
        ]

    def test_csv_pages_through_every_gap(self, browse, world, challenge, monkeypatch):
        monkeypatch.setattr(idea_views, "GAP_LIMIT_MAX", 2)  # batches of 2
        for n in range(3):
            _idea(
                world.user,
                challenge,
                title=f"Idea {n}",
                data_gaps=[{"title": f"Gap {n}.{k}"} for k in range(2 if n else 1)],
            )
        response = browse(world.admin).get(_url(challenge, "datathon_ideas.data_gaps_csv"))
        assert response.get_data().startswith(b"\xef\xbb\xbf")  # BOM: Excel's accents
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert sorted(r[1] for r in rows[1:]) == [
            "Gap 0.0",
            "Gap 1.0",
            "Gap 1.1",
            "Gap 2.0",
            "Gap 2.1",
        ]

    def test_csv_for_organizers_only(self, app, browse, world, challenge, challenge_factory):
        url = _url(challenge, "datathon_ideas.data_gaps_csv")
        assert app.get(url).status_code == 401
        assert browse(world.user).get(url).status_code == 403
        assert browse(world.member).get(url).status_code == 403
        assert browse(world.sysadmin).get(url).status_code == 200
        draft = challenge_factory(owner_org=world.org["id"])
        assert (
            browse(world.user).get(_url(draft, "datathon_ideas.data_gaps_csv")).status_code == 404
        )


class TestCsrf:
    def test_posts_without_token_change_nothing(self, browse, world, challenge):
        idea = _idea(world.user, challenge)
        member = browse(world.member)
        for url, data in (
            (_url(challenge), {"title": "Forged"}),
            (_url(challenge, "datathon_ideas.vote", idea_id=idea["id"]), {}),
        ):
            assert member.post(url, data, csrf=False).status_code == 400, url
        organizer = browse(world.admin)
        for url, data in (
            (_url(challenge, "datathon_ideas.adopt", idea_id=idea["id"]), {"adopted": "true"}),
            (_url(challenge, "datathon_ideas.delete", idea_id=idea["id"]), {}),
        ):
            assert organizer.post(url, data, csrf=False).status_code == 400, url
        call_as(world.member, "challenge_idea_vote", id=idea["id"])
        unvote = _url(challenge, "datathon_ideas.unvote", idea_id=idea["id"])
        assert member.post(unvote, {}, csrf=False).status_code == 400
        stored = model.Session.get(Idea, idea["id"])
        assert stored is not None
        assert stored.adopted is None
        assert _votes(idea["id"]) == 1
        assert _ideas() == 1
