"""The jury pages through Flask's test client, per role: the juror's queue and
scoring form (blind scoring, re-scoring in place, recusal, judging window),
the organizers' progress table and management forms, the results page
(gating, preview, publication, awards), winner badges on project pages and in
the gallery, links from the challenge page, and CSRF on every POST."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.model import Award, Challenge, Criterion, Juror, Recusal, Results, Score
from ckanext.datathon.tests.factories import legacy_team_member
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.jury_scenario import scenario as _scenario
from ckanext.datathon.tests.logic.test_jury import _score
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = dt.timezone.utc
LOGIN = "/user/login"  # a page with a CSRF token for anyone


def body(response) -> str:
    return response.get_data(as_text=True)


def _shift(challenge_id: str, **days: float) -> None:
    """Move contest dates (bypassing validation, as time passing would)."""
    row = model.Session.get(Challenge, challenge_id)
    now = dt.datetime.now(UTC)
    for field, offset in days.items():
        setattr(row, field, now + dt.timedelta(days=offset))
    model.Session.commit()


def _count(table, **where) -> int:
    model.Session.expire_all()
    query = sa.select(sa.func.count()).select_from(table)
    for key, value in where.items():
        query = query.where(getattr(table, key) == value)
    return model.Session.execute(query).scalar_one()


@pytest.fixture
def s(world, challenge_factory):
    """Judging is open: 2 submitted projects (team: world.user), 2 jurors,
    criteria Impact (weight 2, 0-5) and Data use (weight 1, 0-10); a juror of
    another challenge; an outsider.  Made once per session, then copied back
    (snapshots.built_over)."""

    def build():
        scenario = _scenario(world, challenge_factory, projects=2, jurors=2)
        other = _scenario(world, challenge_factory, projects=0, jurors=1)
        scenario.other_juror = other.jurors[0]
        scenario.outsider = factories.User()
        return scenario

    return built_over("world", "jury_pages", build)


def _url(endpoint: str, s, **kw) -> str:
    return tk.url_for(endpoint, name=s.challenge["name"], **kw)


def _roles(world, s) -> dict:
    return {
        "anonymous": None,
        "outsider": s.outsider,
        "team member": world.user,
        "juror": s.jurors[0],
        "other challenge's juror": s.other_juror,
        "organizer": world.admin,
        "editor": world.editor,
        "sysadmin": world.sysadmin,
    }


# -- the jury page -------------------------------------------------------------------------


class TestJuryPageAccess:
    EXPECTED = {
        "anonymous": 401,
        "outsider": 403,
        "team member": 403,
        "juror": 200,
        "other challenge's juror": 403,
        "organizer": 200,
        "editor": 200,
        "sysadmin": 200,
    }

    def test_every_role(self, browse, world, s):
        url = _url("datathon_jury.jury_page", s)
        got = {role: browse(user).get(url).status_code for role, user in _roles(world, s).items()}
        assert got == self.EXPECTED

    def test_draft_challenge_is_404_except_for_organizers(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_jury.jury_page", name=draft["name"])
        assert browse(None).get(url).status_code == 404
        assert browse(world.user).get(url).status_code == 404
        assert browse(world.admin).get(url).status_code == 200

    def test_unknown_challenge(self, browse, world):
        assert browse(world.admin).get("/challenge/no-such-thing/jury").status_code == 404


def _score_form(s, project, **scores) -> dict:
    """Form fields: ``impact=(4, "comment")`` or ``impact=4``."""
    data = {"project": project["name"]}
    for key, value in scores.items():
        criterion = getattr(s, key)
        score, comment = value if isinstance(value, tuple) else (value, "")
        data[f"score-{criterion['id']}"] = str(score)
        data[f"comment-{criterion['id']}"] = comment
    return data


def _mine(juror, project) -> dict:
    model.Session.expire_all()
    rows = model.Session.scalars(
        sa.select(Score).where(
            Score.juror_user_id == juror["id"], Score.project_id == project["id"]
        )
    )
    return {r.criterion_id: (r.score, r.comment) for r in rows}


class TestScoringForm:
    def test_the_queue_shows_every_criterion_and_progress(self, browse, world, s):
        html = body(browse(s.jurors[0]).get(_url("datathon_jury.jury_page", s)))
        for text in ("Impact", "Does it change lives?", "Data use", "Project 0", "Project 1"):
            assert text in html
        assert f'name="score-{s.impact["id"]}"' in html
        assert 'max="10"' in html
        assert "You scored 0 of 2 projects on every criterion." in html
        assert 'name="reason"' in html  # recusal
        assert "Jury progress" not in html  # organizers only

    def test_the_desk_card_and_progress_per_criterion(self, browse, world, s):
        """Issue 21 §4: the card shows repository and licence; progress per
        criterion for the juror and, per criterion, for the organizers."""
        _score(s.jurors[0], s.project, (s.impact, 3))
        html = body(browse(s.jurors[0]).get(_url("datathon_jury.jury_page", s)))
        card = html[html.index(f'id="project-{s.project["name"]}"') :]
        assert 'href="https://example.org/code"' in card
        assert "MIT" in card
        assert "Impact: 1 of 2 projects scored" in html
        assert "Data use: 0 of 2 projects scored" in html
        organizer = body(browse(world.admin).get(_url("datathon_jury.jury_page", s)))
        assert "Submitted projects with at least one score, per criterion" in organizer
        assert re.search(r"Impact</th>\s*<td>1 / 2</td>", organizer)

    def test_scoring_updates_in_place_and_prefills(self, browse, world, s):
        juror = s.jurors[0]
        b = browse(juror)
        page = _url("datathon_jury.jury_page", s)
        url = _url("datathon_jury.score", s)
        response = b.post(url, _score_form(s, s.project, impact=(4, "Clear"), data_use=7), page)
        assert response.status_code == 302
        assert f"#project-{s.project['name']}" in response.headers["Location"]
        assert _mine(juror, s.project) == {s.impact["id"]: (4, "Clear"), s.data_use["id"]: (7, "")}
        b.post(url, _score_form(s, s.project, impact=(5, "Clearer")), page)
        assert _mine(juror, s.project) == {
            s.impact["id"]: (5, "Clearer"),
            s.data_use["id"]: (7, ""),
        }
        assert _count(Score) == 2
        html = body(b.get(page))
        assert 'value="5"' in html
        assert "Clearer" in html
        assert "You scored 1 of 2 projects on every criterion." in html
        assert "Update my scores" in html

    @pytest.mark.parametrize("value", ["-1", "6", "abc", "2.5", "NaN", "1e3"])
    def test_invalid_scores_are_refused(self, browse, world, s, value):
        """Issue 21 §4: the refused form comes back with every typed value, the
        message names the project and the criterion, the field is marked."""
        b = browse(s.jurors[0])
        data = _score_form(s, s.project, impact=(0, "Typed <impact> note"), data_use=(3, "Kept"))
        data[f"score-{s.impact['id']}"] = value
        response = b.post(_url("datathon_jury.score", s), data, _url("datathon_jury.jury_page", s))
        assert response.status_code == 200
        assert _count(Score) == 0
        html = body(response)
        assert "The scores of “Project 0” were not saved." in html
        assert "Impact: Must " in html
        field = f"score-{s.project['name']}-{s.impact['id']}"
        card = html[html.index(f'id="project-{s.project["name"]}"') :]
        assert re.search(
            rf'id="{field}"[^>]*value="{re.escape(value)}"[^>]*aria-invalid="true"', card
        )
        assert re.search(rf'id="score-{s.project["name"]}-{s.data_use["id"]}"[^>]*value="3"', card)
        assert "Typed &lt;impact&gt; note" in card
        assert "Kept" in card
        assert f'id="{field}-error"' in card
        # a hidden token of the re-rendered form: it can be sent again
        assert 'name="_csrf_token"' in card or "csrf" in card.lower()

    def test_a_refused_score_is_translated(self, browse, world, s):
        b = browse(s.jurors[0])
        data = _score_form(s, s.project, impact=9)
        url = "/es" + _url("datathon_jury.score", s)
        response = b.post(url, data, "/es" + _url("datathon_jury.jury_page", s))
        html = body(response)
        assert response.status_code == 200
        assert "were not saved" not in html
        assert "Project 0" in html
        assert "Impact" in html

    def test_blind_scoring(self, browse, world, s):
        a, b_juror = s.jurors
        page = _url("datathon_jury.jury_page", s)
        browse(b_juror).post(
            _url("datathon_jury.score", s),
            _score_form(s, s.project, impact=(3, "secret-comment-of-B"), data_use=9),
            page,
        )
        assert _count(Score, juror_user_id=b_juror["id"]) == 2
        html = body(browse(a).get(page))
        assert "secret-comment-of-B" not in html
        assert 'value="3"' not in html
        assert 'value="9"' not in html
        # organizers see progress, not scores, on this page
        html = body(browse(world.admin).get(page))
        assert "secret-comment-of-B" not in html
        assert re.search(r"\b1 / 2\b", html)

    def test_recusal_through_the_form(self, browse, world, s):
        juror = s.jurors[0]
        b = browse(juror)
        page = _url("datathon_jury.jury_page", s)
        b.post(_url("datathon_jury.score", s), _score_form(s, s.project, impact=2), page)
        response = b.post(
            _url("datathon_jury.recuse", s),
            {"project": s.project["name"], "reason": "My cousin leads it"},
            page,
        )
        assert response.status_code == 302
        assert _count(Recusal, juror_user_id=juror["id"]) == 1
        assert _mine(juror, s.project) == {}
        html = body(b.get(page))
        assert "You recused yourself from this project." in html
        assert "My cousin leads it" in html
        assert "You scored 0 of 1 project on every criterion." in html

    def test_a_juror_on_the_team_gets_no_form_for_it(self, browse, world, s):
        juror = s.jurors[0]
        legacy_team_member(s.projects[1], juror)
        b = browse(juror)
        html = body(b.get(_url("datathon_jury.jury_page", s)))
        assert "You are on this project" in html
        assert html.count('action="' + _url("datathon_jury.score", s) + '"') == 1
        b.post(
            _url("datathon_jury.score", s),
            _score_form(s, s.projects[1], impact=5),
            _url("datathon_jury.jury_page", s),
        )
        assert _count(Score) == 0

    @pytest.mark.parametrize(
        ("shift", "message"),
        [
            ({"submission_deadline": 1, "judging_closes": 5}, "Judging opens after"),
            ({"submission_deadline": -10, "judging_closes": -1}, "Judging closed on"),
        ],
    )
    def test_outside_the_window_forms_are_disabled(self, browse, world, s, shift, message):
        _shift(s.challenge["id"], **shift)
        b = browse(s.jurors[0])
        page = _url("datathon_jury.jury_page", s)
        html = body(b.get(page))
        assert message in html
        # the date as people read it (the challenge's zone), never raw ISO in UTC
        shown = html[html.index(message) :][:200]
        assert "+00:00" not in shown
        assert re.search(r"\d{4}, \d{1,2}:\d{2}", shown), shown
        assert "<fieldset disabled" in html
        b.post(_url("datathon_jury.score", s), _score_form(s, s.project, impact=2), page)
        assert _count(Score) == 0

    def test_after_publication_forms_are_disabled(self, browse, world, s):
        call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
        html = body(browse(s.jurors[0]).get(_url("datathon_jury.jury_page", s)))
        assert "The results are published" in html
        assert "<fieldset disabled" in html

    @pytest.mark.parametrize(
        "role", ["outsider", "team member", "other challenge's juror", "organizer"]
    )
    def test_only_jurors_post_scores(self, browse, world, s, role):
        user = _roles(world, s)[role]
        response = browse(user).post(
            _url("datathon_jury.score", s), _score_form(s, s.project, impact=3), LOGIN
        )
        assert response.status_code == 403
        response = browse(user).post(
            _url("datathon_jury.recuse", s), {"project": s.project["name"]}, LOGIN
        )
        assert response.status_code == 403
        assert _count(Score) == 0
        assert _count(Recusal) == 0

    def test_anonymous_posts_are_refused(self, browse, world, s):
        b = browse(None)
        for endpoint in ("score", "recuse", "jurors", "criteria", "publish", "awards"):
            response = b.post(_url(f"datathon_jury.{endpoint}", s), {"project": "x"}, LOGIN)
            assert response.status_code == 403, endpoint


class TestOrganizerForms:
    def test_progress_table(self, browse, world, s):
        _score(s.jurors[0], s.project, (s.impact, 3), (s.data_use, 4))
        _score(s.jurors[0], s.projects[1], (s.impact, 3))
        html = body(browse(world.editor).get(_url("datathon_jury.jury_page", s)))
        assert "Jury progress" in html
        for juror in s.jurors:
            assert juror["name"] in html
        assert "1 / 2" in html  # jurors[0]: one project scored on every criterion
        assert "0 / 2" in html
        assert "No score yet" in html
        assert 'name="score-' not in html  # an organizer who is not a juror scores nothing

    def test_add_and_remove_a_juror(self, browse, world, s):
        newcomer = factories.User()
        b = browse(world.admin)
        page = _url("datathon_jury.jury_page", s)
        url = _url("datathon_jury.jurors", s)
        assert b.post(url, {"username": newcomer["name"]}, page).status_code == 302
        assert _count(Juror, challenge_id=s.challenge["id"]) == 3
        assert b.post(url, {"remove": newcomer["name"]}, page).status_code == 302
        assert _count(Juror, challenge_id=s.challenge["id"]) == 2
        b.post(url, {"username": "no-such-user"}, page)
        assert "User not found" in body(b.get(page))

    def test_criteria_create_update_delete(self, browse, world, s):
        b = browse(world.admin)
        page = _url("datathon_jury.jury_page", s)
        url = _url("datathon_jury.criteria", s)
        b.post(
            url,
            {"name": "Code", "description": "Readable", "weight": "1.5", "max_score": "4"},
            page,
        )
        created = model.Session.scalars(sa.select(Criterion).where(Criterion.name == "Code")).one()
        assert (float(created.weight), created.max_score) == (1.5, 4)
        b.post(
            url, {"id": created.id, "name": "Code quality", "weight": "3", "max_score": "4"}, page
        )
        model.Session.expire_all()
        assert model.Session.get(Criterion, created.id).name == "Code quality"
        b.post(url, {"name": "Bad", "weight": "0", "max_score": "4"}, page)
        assert "The criterion was not saved" in body(b.get(page))
        b.post(url, {"delete": created.id}, page)
        assert _count(Criterion, challenge_id=s.challenge["id"]) == 2

    def test_jurors_cannot_manage(self, browse, world, s):
        b = browse(s.jurors[0])
        page = _url("datathon_jury.jury_page", s)
        assert b.post(_url("datathon_jury.jurors", s), {"username": "x"}, page).status_code == 403
        assert b.post(_url("datathon_jury.criteria", s), {"name": "X"}, page).status_code == 403
        assert b.post(_url("datathon_jury.publish", s), {"confirm": "yes"}, page).status_code == 403
        assert b.post(_url("datathon_jury.awards", s), {"rank": "1"}, page).status_code == 403


@pytest.mark.parametrize(
    "junk", ["", "a\x00b", "no-such-thing", "x" * 5000, "99999999999999999999"]
)
def test_junk_posts_are_never_server_errors(browse, world, s, junk):
    juror = browse(s.jurors[0])
    admin = browse(world.admin)
    page = _url("datathon_jury.jury_page", s)
    posts = [
        (juror, "score", {"project": junk, f"score-{s.impact['id']}": junk}),
        (juror, "score", {"project": s.project["name"], f"score-{s.impact['id']}": junk}),
        (juror, "recuse", {"project": junk, "reason": junk}),
        (admin, "jurors", {"username": junk}),
        (admin, "jurors", {"remove": junk}),
        (admin, "criteria", {"id": junk, "name": junk, "weight": junk, "max_score": junk}),
        (admin, "criteria", {"delete": junk}),
        (admin, "criteria", {"name": junk, "weight": junk, "max_score": junk, "position": junk}),
        (admin, "awards", {"project": junk, "rank": junk, "citation": junk}),
        (admin, "awards", {"delete": junk}),
        (admin, "publish", {"confirm": junk}),
    ]
    for browser, endpoint, data in posts:
        status = browser.post(_url(f"datathon_jury.{endpoint}", s), data, page).status_code
        # a NUL is refused for the whole request (400) before any view runs; a
        # refused score form comes back (200) with what was typed
        expected = (
            (400,) if "\x00" in junk else (302, 404, *((200,) if endpoint == "score" else ()))
        )
        assert status in expected, (endpoint, data, status)
    assert _count(Score) == 0
    assert _count(Results) == 0
    # a page number that is not one is a bad request (an empty one is the first page)
    expected = 200 if junk == "" else 400
    for path in ("jury", "results"):
        url = f"/challenge/{s.challenge['name']}/{path}"
        assert juror.get(url, query_string={"page": junk}).status_code == expected


class TestCSRF:
    @pytest.mark.parametrize(
        ("endpoint", "user"),
        [
            ("score", "juror"),
            ("recuse", "juror"),
            ("jurors", "organizer"),
            ("criteria", "organizer"),
            ("publish", "organizer"),
            ("awards", "organizer"),
        ],
    )
    def test_every_post_needs_the_token(self, browse, world, s, endpoint, user):
        data = {
            "score": _score_form(s, s.project, impact=3),
            "recuse": {"project": s.project["name"]},
            "jurors": {"username": s.outsider["name"]},
            "criteria": {"name": "Sneaky", "weight": "1", "max_score": "5"},
            "publish": {"confirm": "yes"},
            "awards": {"project": s.project["id"], "rank": "1"},
        }[endpoint]
        b = browse(_roles(world, s)[user])
        response = b.post(_url(f"datathon_jury.{endpoint}", s), data, csrf=False)
        assert response.status_code == 400
        assert _count(Score) == 0
        assert _count(Recusal) == 0
        assert _count(Juror, challenge_id=s.challenge["id"]) == 2
        assert _count(Criterion, challenge_id=s.challenge["id"]) == 2
        assert _count(Results) == 0
        assert _count(Award) == 0


# -- results --------------------------------------------------------------------------------


class TestResults:
    def test_before_publication(self, browse, world, s):
        _score(s.jurors[0], s.project, (s.impact, 5), (s.data_use, 10))
        url = _url("datathon_jury.results", s)
        for role in ("anonymous", "outsider", "team member", "juror"):
            response = browse(_roles(world, s)[role]).get(url)
            assert response.status_code == 200, role
            html = body(response)
            assert "The results of this challenge are not published yet." in html
            assert 'id="ranking"' not in html
            assert "Publish results" not in html
        html = body(browse(world.admin).get(url))
        assert "Preview: the results are not published yet." in html
        assert 'id="ranking"' in html
        assert "100.00" in html
        assert "Publish results" in html
        assert 'name="confirm"' in html

    def test_publish_is_not_offered_before_the_deadline(self, browse, world, s):
        # judging scenario: deadline passed; move it to the future
        _shift(s.challenge["id"], submission_deadline=2, judging_closes=5, results_date=6)
        html = body(browse(world.admin).get(_url("datathon_jury.results", s)))
        assert "Publish the results" in html
        assert "Results are published after the submission deadline" in html
        assert 'name="confirm"' not in html
        assert 'action="' + _url("datathon_jury.publish", s) + '"' not in html
        # the deadline passes: the form is there
        _shift(s.challenge["id"], submission_deadline=-1)
        html = body(browse(world.admin).get(_url("datathon_jury.results", s)))
        assert 'name="confirm"' in html

    def test_every_role_before_and_after_publication(self, browse, world, s):
        _score(s.jurors[0], s.project, (s.impact, 5))
        url = _url("datathon_jury.results", s)
        organizers = {"organizer", "editor", "sysadmin"}
        for role, user in _roles(world, s).items():
            response = browse(user).get(url)
            assert response.status_code == 200, role
            assert ('id="ranking"' in body(response)) == (role in organizers), role
            assert ("Publish results" in body(response)) == (role in organizers), role
            assert ('id="awards"' in body(response)) == (role in organizers), role
        call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
        for role, user in _roles(world, s).items():
            html = body(browse(user).get(url))
            assert 'id="ranking"' in html, role
            assert "Publish results" not in html, role
            assert 'id="awards"' not in html, role  # published awards no longer change

    def test_draft_challenge_results_are_404(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_jury.results", name=draft["name"])
        assert browse(None).get(url).status_code == 404
        assert browse(world.admin).get(url).status_code == 200

    def test_award_publish_and_badges(self, browse, world, s):
        _score(s.jurors[0], s.project, (s.impact, 5))
        admin = browse(world.admin)
        results = _url("datathon_jury.results", s)
        project_page = tk.url_for("project.read", id=s.project["name"])
        gallery = _url("datathon_team.projects", s)
        badge = "Winner — 1st prize: First prize"
        response = admin.post(
            _url("datathon_jury.awards", s),
            {"project": s.project["id"], "rank": "1", "citation": "Bold and useful"},
            results,
        )
        assert response.status_code == 302
        assert _count(Award) == 1
        # not public yet: no badge anywhere, not even for organizers
        for page in (project_page, gallery):
            assert badge not in body(browse(None).get(page))
            assert badge not in body(admin.get(page))
        assert "Bold and useful" not in body(browse(None).get(results))
        # publishing needs the confirmation box
        admin.post(_url("datathon_jury.publish", s), {}, results)
        assert _count(Results) == 0
        admin.post(_url("datathon_jury.publish", s), {"confirm": "yes"}, results)
        assert _count(Results) == 1
        anonymous = browse(None)
        html = body(anonymous.get(results))
        assert "not published yet" not in html
        assert badge in html
        assert "Bold and useful" in html
        assert "USD\xa01,000.00" in html
        assert 'id="ranking"' in html
        assert "Project 1" in html  # the full ranking
        assert "Publish results" not in html
        assert badge in body(anonymous.get(project_page))
        gallery_html = body(anonymous.get(gallery))
        assert gallery_html.count(badge) == 1
        # published awards stay: no form to change them, and a forged post is refused
        html = body(admin.get(results))
        assert "Withdraw the award" not in html
        assert 'id="awards"' not in html
        assert 'id="publish"' not in html
        award = model.Session.scalars(sa.select(Award)).one()
        admin.post(_url("datathon_jury.awards", s), {"delete": award.id}, results)
        assert _count(Award) == 1
        assert badge in body(anonymous.get(project_page))

    def test_an_award_is_withdrawn_before_publication(self, browse, world, s):
        _score(s.jurors[0], s.project, (s.impact, 5))
        admin = browse(world.admin)
        results = _url("datathon_jury.results", s)
        admin.post(
            _url("datathon_jury.awards", s), {"project": s.project["id"], "rank": "1"}, results
        )
        assert "Withdraw the award" in body(admin.get(results))
        award = model.Session.scalars(sa.select(Award)).one()
        admin.post(_url("datathon_jury.awards", s), {"delete": award.id}, results)
        assert _count(Award) == 0

    def test_challenge_page_links(self, browse, world, s):
        page = tk.url_for("challenge.read", name=s.challenge["name"])
        jury = _url("datathon_jury.jury_page", s)
        results = _url("datathon_jury.results", s)
        html = body(browse(None).get(page))
        assert jury not in html
        assert results not in html
        html = body(browse(s.jurors[0]).get(page))
        assert jury in html
        html = body(browse(world.admin).get(page))
        assert jury in html
        assert results in html
        call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
        assert results in body(browse(None).get(page))


def test_badges_of_a_gallery_page_take_one_query(world, s):
    from ckanext.datathon import jury_queries

    for project, rank in zip(s.projects, (1, 2), strict=True):
        call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=project["id"],
            rank=rank,
        )
    call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        awards = jury_queries.winner_awards([p["id"] for p in s.projects] + ["unknown"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert {k: v["rank"] for k, v in awards.items()} == {
        s.projects[0]["id"]: 1,
        s.projects[1]["id"]: 2,
    }
