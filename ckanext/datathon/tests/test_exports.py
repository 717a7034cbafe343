"""scores.csv (organizers) and projects.csv (public fields of submitted
projects): access per role, formula-injection escaping, streaming, keyset
batches, headers."""

from __future__ import annotations

import csv
import io

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon import csv_export, jury_queries
from ckanext.datathon.logic.visibility import Viewer
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.jury_scenario import scenario
from ckanext.datathon.tests.logic import conftest as logic_fixtures
from ckanext.datathon.tests.logic.test_jury import _score
from ckanext.datathon.tests.snapshots import built_over
from ckanext.datathon.tests.views import conftest as view_fixtures

pytestmark = pytest.mark.usefixtures("with_plugins")

# fixtures of the logic and view tests
world = logic_fixtures.world
browse = view_fixtures.browse

EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def s(world, challenge_factory):
    def build():
        s = scenario(world, challenge_factory, projects=3, jurors=2)
        _score(s.jurors[0], s.projects[0], (s.impact, 4, EVIL), (s.data_use, 7, "+1 great"))
        _score(s.jurors[1], s.projects[0], (s.impact, 2, "@SUM(A1)"))
        _score(s.jurors[1], s.projects[1], (s.data_use, 10, "-2 fine\tok"))
        call_as(world.admin, "project_withdraw", id=s.projects[2]["id"])
        s.other = scenario(world, challenge_factory, projects=0, jurors=1)
        return s

    return built_over("world", "test_exports.s", build)


def _rows(response) -> list[list[str]]:
    data = response.get_data()
    # a UTF-8 byte order mark first, so that Excel reads the accents right
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _url(endpoint: str, s) -> str:
    return tk.url_for(endpoint, name=s.challenge["name"])


class TestScoresCsv:
    def test_organizers_get_every_score_streamed(self, browse, world, s):
        for user in (world.admin, world.editor, world.sysadmin):
            response = browse(user).get(_url("datathon_jury.scores_csv", s))
            assert response.status_code == 200
            assert response.is_streamed
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="{s.challenge["name"]}-scores.csv"'
            )
            rows = _rows(response)
            assert rows[0] == ["project", "juror", "criterion", "score", "comment", "modified"]
            assert len(rows) == 5
        by_comment = {r[4]: r for r in rows[1:]}
        assert set(by_comment) == {"'" + EVIL, "'+1 great", "'@SUM(A1)", "'-2 fine\tok"}
        assert by_comment["'" + EVIL][:4] == ["Project 0", s.jurors[0]["name"], "Impact", "4"]

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("anonymous", 401),
            ("outsider", 403),
            ("team member", 403),
            ("juror", 403),
            ("other juror", 403),
        ],
    )
    def test_refused_to_non_organizers(self, browse, world, s, role, status):
        user = {
            "anonymous": None,
            "outsider": factories.User(),
            "team member": world.user,
            "juror": s.jurors[0],
            "other juror": s.other.jurors[0],
        }[role]
        response = browse(user).get(_url("datathon_jury.scores_csv", s))
        assert response.status_code == status
        assert EVIL not in response.get_data(as_text=True)

    def test_draft_challenge_is_404(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_jury.scores_csv", name=draft["name"])
        assert browse(None).get(url).status_code == 404
        assert browse(world.admin).get(url).status_code == 200


class TestProjectsCsv:
    def test_only_submitted_public_projects(self, browse, world, s):
        response = browse(None).get(_url("datathon_jury.projects_csv", s))
        assert response.status_code == 200
        assert response.is_streamed
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment;" in response.headers["Content-Disposition"]
        rows = _rows(response)
        assert rows[0] == [
            "title",
            "url",
            "team_name",
            "repository_url",
            "code_licence",
            "datasets_used",
            "submitted_at",
            "award",
        ]
        assert sorted(r[0] for r in rows[1:]) == ["Project 0", "Project 1"]  # not the withdrawn one
        first = next(r for r in rows[1:] if r[0] == "Project 0")
        assert first[1].endswith(f"/project/{s.projects[0]['name']}")
        assert first[2:5] == ["Team Project 0", "https://example.org/code", "MIT"]
        assert first[7] == ""
        # organizers see the same list: submitted projects only
        rows = _rows(browse(world.admin).get(_url("datathon_jury.projects_csv", s)))
        assert len(rows) == 3

    def test_every_role_gets_the_same_public_list(self, browse, world, s):
        url = _url("datathon_jury.projects_csv", s)
        for user in (None, factories.User(), world.user, s.jurors[0], world.admin, world.sysadmin):
            rows = _rows(browse(user).get(url))
            assert sorted(r[0] for r in rows[1:]) == ["Project 0", "Project 1"]

    def test_award_only_after_publication(self, browse, world, s):
        call_as(
            world.admin,
            "challenge_award_create",
            challenge=s.challenge["id"],
            project=s.projects[1]["id"],
            rank=1,
        )
        url = _url("datathon_jury.projects_csv", s)
        assert all(r[7] == "" for r in _rows(browse(None).get(url))[1:])
        call_as(world.admin, "challenge_results_publish", id=s.challenge["id"])
        awards = {r[0]: r[7] for r in _rows(browse(None).get(url))[1:]}
        assert awards == {"Project 0": "", "Project 1": "First prize"}

    def test_formula_titles_are_escaped(self, browse, world, s):
        call_as(world.admin, "package_patch", id=s.projects[0]["id"], title="=cmd|' /C calc'!A0")
        rows = _rows(browse(None).get(_url("datathon_jury.projects_csv", s)))
        assert "'=cmd|' /C calc'!A0" in [r[0] for r in rows]

    def test_draft_challenge_is_404(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_jury.projects_csv", name=draft["name"])
        assert browse(None).get(url).status_code == 404


class TestBatches:
    def test_keyset_pages_cover_every_row_once(self, world, s):
        batches = list(jury_queries.score_batches(s.challenge["id"], size=3))
        assert [len(b) for b in batches] == [3, 1]
        comments = [r["comment"] for b in batches for r in b]
        assert sorted(comments) == sorted([EVIL, "+1 great", "@SUM(A1)", "-2 fine\tok"])
        anonymous = Viewer(user_id=None, sysadmin=False)
        pages = list(
            jury_queries.project_batches(s.challenge["id"], anonymous, with_awards=False, size=1)
        )
        assert [len(p) for p in pages] == [1, 1]
        assert sorted(p[0]["title"] for p in pages) == ["Project 0", "Project 1"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (4, "4"),
        (["a", "=b"], "a; =b"),
    ],
)
def test_safe_cell(value, expected):
    assert csv_export.safe_cell(value) == expected


def test_safe_filename():
    assert csv_export.safe_filename('a"b\r\nc/../d', "scores") == "a-b-c-..-d-scores.csv"
    assert csv_export.safe_filename("", "projects") == "export-projects.csv"


def test_scores_csv_at_the_issue_scale_is_streamed_in_pages(browse, world, challenge_factory):
    """30 jurors x 100 projects x 5 criteria = 15000 scores: the export reads
    them in keyset pages of 500 while it streams; prints time and peak memory."""
    import random
    import time
    import tracemalloc
    import uuid

    import sqlalchemy as sa

    import ckan.model as model

    from ckanext.datathon.model import Criterion, Juror, Project, Score
    from ckanext.datathon.tests.helpers import now

    challenge = challenge_factory(owner_org=world.org["id"])
    cid = challenge["id"]
    moment = now()
    packages = [
        model.Package(
            id=str(uuid.uuid4()),
            name=f"scale-project-{n:03d}",
            title=f"=Scale project {n:03d}",
            type="project",
            state="active",
            private=False,
            owner_org=world.org["id"],
        )
        for n in range(100)
    ]
    users = [
        model.User(id=str(uuid.uuid4()), name=f"scale-juror-{n:02d}", email=f"s{n}@example.org")
        for n in range(30)
    ]
    model.Session.add_all([*packages, *users])
    model.Session.flush()
    model.Session.execute(
        sa.insert(Project),
        [
            {
                "package_id": p.id,
                "challenge_id": cid,
                "submission_status": "submitted",
                "submitted_at": moment,
                "created": moment,
                "modified": moment,
            }
            for p in packages
        ],
    )
    model.Session.execute(sa.insert(Juror), [{"challenge_id": cid, "user_id": u.id} for u in users])
    criteria = [
        {"id": str(uuid.uuid4()), "challenge_id": cid, "name": f"C{n}", "position": n}
        for n in range(5)
    ]
    model.Session.execute(sa.insert(Criterion), criteria)
    rng = random.Random(7)
    model.Session.execute(
        sa.insert(Score),
        [
            {
                "project_id": p.id,
                "juror_user_id": u.id,
                "criterion_id": c["id"],
                "challenge_id": cid,
                "score": rng.randint(0, 5),
                "comment": "-" + "x" * 1000,
            }
            for p in packages
            for u in users
            for c in criteria
        ],
    )
    model.Session.commit()
    b = browse(world.admin)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if "FROM datathon_score" in statement:
            statements.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        response = b.get(tk.url_for("datathon_jury.scores_csv", name=challenge["name"]))
        assert response.is_streamed
        size = lines = 0
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\r\n") if isinstance(chunk, bytes) else chunk.count("\r\n")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        sa.event.remove(engine, "before_cursor_execute", record)
    started = time.perf_counter()  # again, without tracemalloc's overhead
    for _chunk in b.get(tk.url_for("datathon_jury.scores_csv", name=challenge["name"])).response:
        pass
    untraced = time.perf_counter() - started
    print(  # noqa: T201
        f"\nscores.csv, 15000 scores: {untraced * 1000:.0f} ms ({elapsed * 1000:.0f} ms traced), "
        f"{size / 1e6:.2f} MB streamed, peak Python memory {peak / 1e6:.2f} MB, "
        f"{len(statements)} keyset pages"
    )
    assert lines == 15001
    assert len(statements) == 31  # 30 pages of 500, then an empty one
    assert peak < size / 2  # never the whole file in memory
