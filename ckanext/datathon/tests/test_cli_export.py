"""``ckan datathon export`` and ``ckan datathon stage-report``: files, their
contents, who sees what, output and exit codes on bad input."""

from __future__ import annotations

import csv
import datetime as dt
import json
from types import SimpleNamespace

import pytest
from freezegun import freeze_time

from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.datathon.export import safe_cell
from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import Statements, call_as, iso, now
from ckanext.datathon.tests.snapshots import built_over

DAY = dt.timedelta(days=1)
UTC = dt.timezone.utc


def _stderr(result) -> str:
    """What the command wrote to stderr (click < 8.2, as in CKAN 2.11, mixes
    it into the output of CliRunner)."""
    try:
        return result.stderr
    except ValueError:
        return result.output


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _submit(user, challenge, title, team_name, at):
    with freeze_time(at):
        project = call_as(
            user,
            "project_register",
            challenge=challenge["id"],
            title=title,
            team_name=team_name,
            accept_rules=True,
        )
        call_as(
            user,
            "package_patch",
            id=project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
        )
        return call_as(user, "project_submit", id=project["id"])


@pytest.fixture
def contest(clean_db, clean_index, challenge_factory):
    """A published challenge judged now (deadline 5 days ago): two submitted
    projects (one whose title and team start like spreadsheet formulas), a
    draft project, one juror who scored both, nothing published yet."""

    def build():
        admin, leader, juror = factories.User(), factories.User(), factories.User()
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
        deadline = now() - 5 * DAY
        challenge = challenge_factory(
            name="cuidados-2024",
            title="Economía del cuidado",
            owner_org=org["id"],
            state="active",
            registration_opens=iso(deadline - 30 * DAY),
            registration_closes=iso(deadline - 20 * DAY),
            submission_deadline=iso(deadline),
            judging_closes=iso(deadline + 10 * DAY),
            results_date=iso(deadline + 11 * DAY),
            prizes=[{"rank": 1, "title": "Primer lugar", "amount": "2500", "currency": "USD"}],
        )
        at = deadline - 25 * DAY
        evil = _submit(leader, challenge, "=HYPERLINK(1)", "@Equipo", at)
        good = _submit(leader, challenge, "Mapa de cuidados", "Red de cuidados", at + DAY)
        with freeze_time(at):
            draft = call_as(
                factories.User(),
                "project_register",
                challenge=challenge["id"],
                title="Borrador",
                team_name="Otro equipo",
                accept_rules=True,
            )
        add_team_member(good)
        call_as(admin, "challenge_juror_add", id=challenge["id"], user=juror["name"])
        impact = call_as(
            admin, "challenge_criterion_create", challenge=challenge["id"], name="Impacto"
        )
        for project, score in ((evil, 2), (good, 5)):
            call_as(
                juror,
                "project_score",
                project=project["id"],
                scores=[{"criterion": impact["id"], "score": score, "comment": "-1 punto"}],
            )
        return SimpleNamespace(
            admin=admin,
            juror=juror,
            challenge=challenge,
            evil=evil,
            good=good,
            draft=draft,
            impact=impact,
        )

    return built_over("", "test_cli_export.contest", build)


def _export(cli, tmp_path, *args):
    out = tmp_path / "bundle"
    result = cli.invoke(ckan, ["datathon", "export", "cuidados-2024", "-o", str(out), *args])
    return result, out


@pytest.mark.usefixtures("with_plugins")
class TestExport:
    def test_anonymous_bundle_has_no_scores_nor_unpublished_results(self, cli, contest, tmp_path):
        result, out = _export(cli, tmp_path)
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["challenge.json", "projects.csv"]
        assert "Scores left out" in result.output
        bundle = json.loads((out / "challenge.json").read_text(encoding="utf-8"))
        assert bundle["acting_user"] is None
        assert bundle["challenge"]["title"] == "Economía del cuidado"
        assert bundle["scores"] is None
        assert bundle["ranking"] is None
        assert bundle["awards"] is None
        # anonymous users see submitted projects only, never the draft
        assert {p["name"] for p in bundle["projects"]} == {
            contest.evil["name"],
            contest.good["name"],
        }
        rows = _read_csv(out / "projects.csv")
        assert {r["title"] for r in rows} == {"'=HYPERLINK(1)", "Mapa de cuidados"}
        assert {r["team_name"] for r in rows} == {"'@Equipo", "Red de cuidados"}

    def test_organizer_bundle_has_every_project_and_the_scores(self, cli, contest, tmp_path):
        result, out = _export(cli, tmp_path, "--user", contest.admin["name"])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == [
            "challenge.json",
            "projects.csv",
            "results.csv",
            "scores.csv",
        ]
        bundle = json.loads((out / "challenge.json").read_text(encoding="utf-8"))
        assert len(bundle["projects"]) == 3
        assert len(bundle["scores"]) == 2
        scores = _read_csv(out / "scores.csv")
        assert sorted((s["project_title"], s["score"], s["comment"]) for s in scores) == [
            ("'=HYPERLINK(1)", "2", "'-1 punto"),
            ("Mapa de cuidados", "5", "'-1 punto"),
        ]
        assert {s["juror_name"] for s in scores} == {contest.juror["name"]}
        results = _read_csv(out / "results.csv")
        assert [(r["rank"], r["project_title"]) for r in results] == [
            ("1", "Mapa de cuidados"),
            ("2", "'=HYPERLINK(1)"),
        ]
        assert results[0]["score"] == "100.0"
        assert results[0]["criterion: Impacto"] == "5.0"

    def test_the_scores_are_read_in_one_batch_whatever_the_projects(self, contest):
        """The scores come from ``challenge_scores_export`` (one query a
        batch), not one ``project_score_list`` per project; the rows keep
        the shape and the order they had."""
        from ckanext.datathon.formats import export

        name = contest.admin["name"]
        projects = export._all_projects(name, contest.challenge["id"])
        assert len(projects) == 3
        with Statements() as run:
            scores = export._all_scores(name, contest.challenge["id"], projects)
        assert len(run.containing("datathon_score")) == 1
        assert [s["project_name"] for s in scores] == [
            p["name"] for p in projects if p["name"] in {contest.evil["name"], contest.good["name"]}
        ]
        assert set(scores[0]) == {
            "project_name",
            "project_title",
            "criterion_id",
            "criterion_name",
            "max_score",
            "juror_user_id",
            "juror_name",
            "score",
            "comment",
            "created",
            "modified",
        }
        assert {(s["criterion_id"], s["juror_name"], s["max_score"]) for s in scores} == {
            (contest.impact["id"], contest.juror["name"], contest.impact["max_score"])
        }

    def test_a_juror_is_not_an_organizer(self, cli, contest, tmp_path):
        result, out = _export(cli, tmp_path, "--user", contest.juror["name"], "--format", "csv")
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == ["projects.csv"]

    def test_published_results_are_public_and_a_later_export_drops_stale_scores(
        self, cli, contest, tmp_path
    ):
        call_as(
            contest.admin,
            "challenge_award_create",
            challenge=contest.challenge["id"],
            project=contest.good["id"],
            rank=1,
            citation="=cita",
        )
        call_as(contest.admin, "challenge_results_publish", id=contest.challenge["id"])
        assert _export(cli, tmp_path, "--user", contest.admin["name"])[0].exit_code == 0
        result, out = _export(cli, tmp_path)  # anonymous, into the same folder
        assert result.exit_code == 0, result.output
        assert not (out / "scores.csv").exists()
        results = _read_csv(out / "results.csv")
        assert results[0]["award_title"] == "Primer lugar"
        assert results[0]["award_citation"] == "'=cita"
        assert results[0]["prize_amount"] == "2500.00"
        bundle = json.loads((out / "challenge.json").read_text(encoding="utf-8"))
        assert bundle["scores"] is None
        assert [a["project"]["name"] for a in bundle["awards"]] == [contest.good["name"]]

    def test_json_only(self, cli, contest, tmp_path):
        result, out = _export(cli, tmp_path, "--format", "json")
        assert result.exit_code == 0, result.output
        assert [p.name for p in out.iterdir()] == ["challenge.json"]

    @pytest.mark.parametrize("ref", ["no-such-challenge", "", "\x00"])
    def test_unknown_challenge(self, cli, contest, tmp_path, ref):
        result = cli.invoke(ckan, ["datathon", "export", ref, "-o", str(tmp_path / "x")])
        assert result.exit_code == 1
        assert "not found" in _stderr(result)
        assert not (tmp_path / "x").exists()

    def test_a_draft_is_not_found_for_anonymous_users(self, cli, contest, tmp_path):
        call_as(contest.admin, "challenge_patch", id=contest.challenge["id"], state="draft")
        result, out = _export(cli, tmp_path)
        assert result.exit_code == 1
        assert 'Challenge "cuidados-2024" not found' in _stderr(result)
        assert not out.exists()
        result, out = _export(cli, tmp_path, "--user", contest.admin["name"])
        assert result.exit_code == 0, result.output

    def test_unknown_user(self, cli, contest, tmp_path):
        result, out = _export(cli, tmp_path, "--user", "nobody-here")
        assert result.exit_code == 1
        assert 'User "nobody-here" not found' in _stderr(result)
        assert not out.exists()

    def test_unknown_format(self, cli, contest, tmp_path):
        result, _out = _export(cli, tmp_path, "--format", "xlsx")
        assert result.exit_code == 2
        assert "xlsx" in _stderr(result)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+5", "'+5"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


# -- stage-report -----------------------------------------------------------------------------

# 2024-03-10T02:00Z is 9 March, 20:00 in Mexico City and 10 March, 11:00 in Tokyo.
MOMENT = dt.datetime(2024, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def zones(clean_db, challenge_factory):
    org = factories.Organization()

    def make(name, zone, state="active", **extra):
        dates = {
            "registration_opens": iso(MOMENT - 20 * DAY),
            "registration_closes": iso(MOMENT + 20 * DAY),
            "submission_deadline": iso(MOMENT + 30 * DAY),
            "judging_closes": iso(MOMENT + 40 * DAY),
            "results_date": iso(MOMENT + 41 * DAY),
        }
        return challenge_factory(
            name=name,
            owner_org=org["id"],
            state=state,
            timezone=zone,
            timeline=[
                {"stage": "mentorship", "starts": iso(MOMENT), "ends": iso(MOMENT + 3 * DAY)},
                {"stage": "development", "starts": iso(MOMENT - 9 * DAY), "ends": iso(MOMENT)},
            ],
            **{**dates, **extra},
        )

    mexico = make(
        "cdmx",
        "America/Mexico_City",
        # 9 March, 23:59 in Mexico City
        registration_closes=iso(dt.datetime(2024, 3, 10, 5, 59, tzinfo=UTC)),
    )
    tokyo = make("tokyo", "Asia/Tokyo")
    make("hidden-draft", "UTC", state="draft")
    return SimpleNamespace(mexico=mexico, tokyo=tokyo)


@pytest.mark.usefixtures("with_plugins")
class TestStageReport:
    def _json(self, cli, *args):
        result = cli.invoke(ckan, ["datathon", "stage-report", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def test_a_day_is_read_in_each_challenges_time_zone(self, cli, zones):
        ninth = self._json(cli, "--date", "2024-03-09")
        assert [c["name"] for c in ninth] == ["cdmx"]
        assert ninth[0]["timezone"] == "America/Mexico_City"
        assert [(e["kind"], e["what"], e["local"]) for e in ninth[0]["events"]] == [
            ("stage_ends", "development", "2024-03-09T20:00:00-06:00"),
            ("stage_starts", "mentorship", "2024-03-09T20:00:00-06:00"),
            ("contest_date", "registration_closes", "2024-03-09T23:59:00-06:00"),
        ]
        tenth = self._json(cli, "--date", "2024-03-10")
        assert [c["name"] for c in tenth] == ["tokyo"]  # never the draft
        assert [(e["what"], e["local"]) for e in tenth[0]["events"]] == [
            ("development", "2024-03-10T11:00:00+09:00"),
            ("mentorship", "2024-03-10T11:00:00+09:00"),
        ]
        assert self._json(cli, "--date", "2024-03-11") == []

    def test_today_is_each_challenges_own_today(self, cli, zones):
        # noon UTC: 06:00 on 10 March in Mexico City, 21:00 on 10 March in Tokyo
        with freeze_time("2024-03-10T12:00:00Z"):
            assert [c["name"] for c in self._json(cli)] == ["tokyo"]
            text = cli.invoke(ckan, ["datathon", "stage-report"])
        assert text.exit_code == 0, text.output
        assert "2024-03-10  tokyo" in text.stdout
        assert "11:00  stage starts: mentorship" in text.stdout
        assert "cdmx" not in text.stdout
        # 03:00 UTC: still 9 March (21:00) in Mexico City, 12:00 on 10 March in Tokyo
        with freeze_time("2024-03-10T03:00:00Z"):
            assert [c["name"] for c in self._json(cli)] == ["cdmx", "tokyo"]
            text = cli.invoke(ckan, ["datathon", "stage-report"])
        assert "23:59  registration_closes" in text.stdout

    def test_nothing_changes(self, cli, zones):
        with freeze_time("2025-01-01T12:00:00Z"):
            result = cli.invoke(ckan, ["datathon", "stage-report"])
        assert result.exit_code == 0
        assert result.stdout.strip() == "Nothing changes today."
        result = cli.invoke(ckan, ["datathon", "stage-report", "--date", "2025-01-01"])
        assert result.exit_code == 0
        assert result.stdout.strip() == "Nothing changes on 2025-01-01."

    @pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "10/03/2024", ""])
    def test_bad_date_is_a_usage_error(self, cli, bad):
        result = cli.invoke(ckan, ["datathon", "stage-report", "--date", bad])
        assert result.exit_code == 2
        assert "is not a date of the form YYYY-MM-DD" in _stderr(result)
