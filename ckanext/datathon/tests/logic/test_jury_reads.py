"""Issue 20 §3 (jury part) and issue 21 §4: every read of the jury pages and
exports is a side-effect-free action, with per-viewer visibility, hostile
input answered 409/404 (never 500), and a number of SQL statements that does
not grow with the number of projects."""

from __future__ import annotations

import pytest

import ckan.logic as logic
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.logic.auth import jury as jury_auth
from ckanext.datathon.model import Project, ProjectDataset
from ckanext.datathon.tests.helpers import Statements, call_as
from ckanext.datathon.tests.jury_scenario import scenario
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

READS = (
    "challenge_jury_status",
    "challenge_juror_queue",
    "challenge_jury_progress",
    "challenge_scores_export",
    "challenge_projects_export",
)


@pytest.fixture
def s(world, challenge_factory):
    """Judging open: 2 submitted projects, 2 jurors, criteria Impact (0-5)
    and Data use (0-10); project 0 uses a public and a private dataset.  Made
    once per session, then copied back (snapshots.built_over)."""

    def build():
        done = scenario(world, challenge_factory, projects=2, jurors=2)
        public = factories.Dataset(owner_org=world.org["id"], title="Open buses")
        private = factories.Dataset(owner_org=world.org["id"], title="Secret fares", private=True)
        _link(done.project, public, private)
        done.public, done.private = public, private
        return done

    return built_over("world", "test_jury_reads.s", build)


def _link(project, *datasets):
    """``project`` uses ``datasets`` (rows written as the field's sync writes them)."""
    for dataset in datasets:
        model.Session.merge(ProjectDataset(project_id=project["id"], package_id=dataset["id"]))
    model.Session.commit()


def _score(juror, project, criterion, value):
    call_as(
        juror,
        "project_score",
        project=project["id"],
        scores=[{"criterion": criterion["id"], "score": value}],
    )


def test_every_read_is_side_effect_free_and_has_an_auth_function():
    for name in READS:
        assert getattr(logic.get_action(name), "side_effect_free", False), name
        assert name in jury_auth.__all__, name
        docstring = logic.get_action(name).__doc__ or ""
        assert ":param id:" in docstring, name
        assert ":returns:" in docstring, name


class TestJuryStatus:
    def test_each_role(self, world, s):
        cid = s.challenge["id"]
        juror = call_as(s.jurors[0], "challenge_jury_status", id=cid)
        assert juror["juror"] is True
        assert juror["organizer"] is False
        assert juror["scoring_closed"] is None
        assert juror["publish_blocked"] is None
        admin = call_as(world.admin, "challenge_jury_status", id=cid)
        assert admin["organizer"] is True
        assert admin["juror"] is False
        assert admin["publish_blocked"] is None  # after the deadline: it can work
        anonymous = call_as(None, "challenge_jury_status", id=cid)
        assert anonymous == {**anonymous, "organizer": False, "juror": False, "published": None}
        other = call_as(world.outsider_admin, "challenge_jury_status", id=cid)
        assert other["organizer"] is False

    def test_a_draft_challenge_is_404_except_for_organizers(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        for user in (None, world.user, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(user, "challenge_jury_status", id=draft["id"])
            with pytest.raises(tk.ObjectNotFound):
                call_as(user, "challenge_projects_export", id=draft["id"])
        assert call_as(world.admin, "challenge_jury_status", id=draft["id"])["organizer"]


class TestJurorQueue:
    def test_the_card_shows_what_the_juror_needs(self, world, s):
        call_as(
            world.sysadmin,
            "package_patch",
            id=s.project["id"],
            notes="A **safer** way to school",
            demo_url="https://example.org/demo",
        )
        _link(s.project, s.public, s.private)  # the patch synced the links from the field
        queue = call_as(s.jurors[0], "challenge_juror_queue", id=s.challenge["id"])
        assert queue["count"] == 2
        assert queue["scorable"] == 2
        assert queue["scored"] == 0
        card = next(p for p in queue["results"] if p["id"] == s.project["id"])
        assert card["notes"] == "A **safer** way to school"
        assert card["repository_url"] == "https://example.org/code"
        assert card["demo_url"] == "https://example.org/demo"
        assert card["code_licence"] == "MIT"
        # only the datasets the juror may read
        assert card["datasets_used"] == [{"name": s.public["name"], "title": "Open buses"}]

    def test_progress_per_criterion_and_a_stable_order(self, world, s):
        before = call_as(s.jurors[0], "challenge_juror_queue", id=s.challenge["id"])
        _score(s.jurors[0], s.projects[0], s.impact, 3)
        queue = call_as(s.jurors[0], "challenge_juror_queue", id=s.challenge["id"])
        assert queue["criteria"] == {s.impact["id"]: 1}
        assert queue["scored"] == 0
        _score(s.jurors[0], s.projects[0], s.data_use, 3)
        queue = call_as(s.jurors[0], "challenge_juror_queue", id=s.challenge["id"])
        assert queue["criteria"] == {s.impact["id"]: 1, s.data_use["id"]: 1}
        assert queue["scored"] == 1
        # a scored project stays where it was: the page does not jump
        assert [p["id"] for p in queue["results"]] == [p["id"] for p in before["results"]]
        # another juror's progress and scores are their own
        other = call_as(s.jurors[1], "challenge_juror_queue", id=s.challenge["id"])
        assert other["criteria"] == {}
        assert all(not p["scores"] for p in other["results"])

    @pytest.mark.parametrize(
        "role", ["anonymous", "user", "admin", "sysadmin", "other_org_admin", "other_juror"]
    )
    def test_only_jurors_of_the_challenge(self, world, s, challenge_factory, role):
        if role == "other_juror":
            user = scenario(world, challenge_factory, projects=0, jurors=1).jurors[0]
        else:
            user = world.roles[role]
        with pytest.raises(tk.NotAuthorized):
            call_as(user, "challenge_juror_queue", id=s.challenge["id"])

    def test_a_draft_project_never_shows(self, world, s):
        # back to draft (and private, as the lifecycle makes it)
        model.Session.get(Project, s.projects[1]["id"]).submission_status = "draft"
        model.Session.get(model.Package, s.projects[1]["id"]).private = True
        model.Session.commit()
        queue = call_as(s.jurors[0], "challenge_juror_queue", id=s.challenge["id"])
        assert [p["id"] for p in queue["results"]] == [s.project["id"]]
        rows = call_as(None, "challenge_projects_export", id=s.challenge["id"])["results"]
        assert [r["id"] for r in rows] == [s.project["id"]]

    def test_paging(self, world, s):
        seen = []
        for offset in (0, 1, 2):
            queue = call_as(
                s.jurors[0], "challenge_juror_queue", id=s.challenge["id"], limit=1, offset=offset
            )
            seen += [p["id"] for p in queue["results"]]
        assert sorted(seen) == sorted(p["id"] for p in s.projects)


class TestProgressAndExports:
    def test_progress_for_organizers(self, world, s):
        _score(s.jurors[0], s.projects[0], s.impact, 3)
        _score(s.jurors[1], s.projects[0], s.impact, 4)
        progress = call_as(world.editor, "challenge_jury_progress", id=s.challenge["id"])
        assert progress["projects"] == 2
        assert {c["name"]: c["scored_projects"] for c in progress["criteria"]} == {
            "Impact": 1,
            "Data use": 0,
        }
        assert sorted(j["name"] for j in progress["jurors"]) == sorted(j["name"] for j in s.jurors)

    @pytest.mark.parametrize("action", ["challenge_jury_progress", "challenge_scores_export"])
    @pytest.mark.parametrize("role", ["anonymous", "user", "member", "other_org_admin", "juror"])
    def test_organizers_only(self, world, s, action, role):
        user = s.jurors[0] if role == "juror" else world.roles[role]
        with pytest.raises(tk.NotAuthorized):
            call_as(user, action, id=s.challenge["id"])

    def test_scores_export_batches_cover_every_row_once(self, world, s):
        for juror in s.jurors:
            for project in s.projects:
                _score(juror, project, s.impact, 2)
        rows, after = [], None
        while True:
            query = {"id": s.challenge["id"], "limit": 3, **({"after": after} if after else {})}
            batch = call_as(world.admin, "challenge_scores_export", **query)
            rows += batch["results"]
            after = batch["next"]
            if after is None:
                break
        assert len(rows) == 4
        assert {r["criterion"] for r in rows} == {"Impact"}

    def test_projects_export_names_only_readable_datasets(self, world, s):
        rows = call_as(None, "challenge_projects_export", id=s.challenge["id"])["results"]
        used = {r["id"]: r["datasets_used"] for r in rows}
        assert used[s.project["id"]] == [s.public["name"]]
        rows = call_as(world.admin, "challenge_projects_export", id=s.challenge["id"])["results"]
        assert sorted({r["id"]: r["datasets_used"] for r in rows}[s.project["id"]]) == sorted(
            [s.public["name"], s.private["name"]]
        )


JUNK = [
    {"id": ""},
    {"id": ["a", "b"]},
    {"id": {"x": 1}},
    {"id": 12},
    {"id": "no-such-challenge"},
    {"id": "a\x00b"},
    {"limit": 10**12},
    {"limit": -1},
    {"limit": "many"},
    {"limit": [1]},
    {"offset": -5},
    {"offset": 10**30},
    {"offset": "x"},
    {"after": "x" * 5000},
    {"after": ["a"]},
    {"after": "a\x00b"},
    {"after": "only-one-part"},
]


@pytest.mark.parametrize("action", READS)
def test_hostile_input_is_404_or_409(world, s, action):
    """Every junk value of every parameter, as a sysadmin juror (who passes
    every auth function) and anonymous: a client error, never a server error
    (nor a silent success for a junk limit, offset or cursor)."""
    call_as(world.admin, "challenge_juror_add", id=s.challenge["id"], user=world.sysadmin["name"])
    for junk in JUNK:
        for user in (world.sysadmin, None):
            data = {"id": s.challenge["id"], **junk}
            try:
                call_as(user, action, **data)
            except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized):
                continue
            # accepted: only when the key means nothing to this action, or
            # a package id cursor (any text: the next ids after it)
            if action == "challenge_projects_export" and junk == {"after": "only-one-part"}:
                continue
            given = set(junk) - {"id"}
            assert given, (action, junk, user)
            assert not given & _PARAMS[action], (action, junk, user)
            model.Session.rollback()


_PARAMS = {
    "challenge_jury_status": set(),
    "challenge_juror_queue": {"limit", "offset"},
    "challenge_jury_progress": set(),
    "challenge_scores_export": {"limit", "after"},
    "challenge_projects_export": {"limit", "after"},
}


def test_statements_do_not_grow_with_projects(world, challenge_factory):
    """3 projects and 12 projects cost the same number of SQL statements, for
    each read (juror, organizer, anonymous): a statement per project would
    show as 9 more."""
    counts: dict[str, list[int]] = {name: [] for name in READS}
    for n in (3, 12):
        done = scenario(world, challenge_factory, projects=n, jurors=1)
        dataset = factories.Dataset(owner_org=world.org["id"])
        for project in done.projects:
            _link(project, dataset)
        for project in done.projects:
            _score(done.jurors[0], project, done.impact, 1)
        who = {
            "challenge_jury_status": done.jurors[0],
            "challenge_juror_queue": done.jurors[0],
            "challenge_jury_progress": world.admin,
            "challenge_scores_export": world.admin,
            "challenge_projects_export": None,
        }
        for name, user in who.items():
            data = {"id": done.challenge["id"]}
            if name == "challenge_juror_queue":
                data["limit"] = 100
            call_as(user, name, **data)  # warm caches (config, user objects)
            model.Session.remove()
            with Statements() as run:
                result = call_as(user, name, **data)
            if name != "challenge_jury_progress" and "results" in result:
                assert len(result["results"]) == n, name
            counts[name].append(len(run.run))
    assert all(a == b for a, b in counts.values()), counts


def test_winner_awards_only_once_published(world, s):
    ids = [p["id"] for p in s.projects]
    call_as(
        world.admin,
        "challenge_award_create",
        challenge=s.challenge["id"],
        project=s.project["id"],
        rank=1,
    )
    assert call_as(None, "project_winner_awards", ids=ids) == {"awards": {}}
    call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
    awards = call_as(None, "project_winner_awards", ids=[*ids, "unknown"])["awards"]
    assert list(awards) == [s.project["id"]]
    assert awards[s.project["id"]]["rank"] == 1
    assert awards[s.project["id"]]["prize_title"] == "First prize"
    for junk in ([1, 2], "a\x00b", ["x" * 500], [str(n) for n in range(5000)]):
        with pytest.raises(tk.ValidationError):
            call_as(None, "project_winner_awards", ids=junk)
    with pytest.raises(tk.ValidationError):
        call_as(None, "project_winner_awards")
