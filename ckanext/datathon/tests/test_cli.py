"""``ckan datathon seed-demo``: the demo portal, seeded twice, is the same portal."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.datathon.demo import content, live, stages
from ckanext.datathon.model import (
    Award,
    Criterion,
    DataGap,
    Idea,
    IdeaVote,
    Impact,
    ImpactDataset,
    Juror,
    Mentorship,
    Results,
    Score,
)
from ckanext.datathon.tests.snapshots import built_over


def _portal() -> dict:
    admin = {"user": helpers.call_action("get_site_user")["name"]}
    challenges = helpers.call_action("challenge_list", context=dict(admin), limit=100)
    return {
        "challenges": sorted(c["name"] for c in challenges["results"]),
        "projects": {
            c["name"]: helpers.call_action(
                "project_list", context=dict(admin), challenge=c["name"], limit=100
            )["count"]
            for c in challenges["results"]
        },
        "datasets": helpers.call_action(
            "package_search", context=dict(admin), fq="dataset_type:dataset", rows=0
        )["count"],
        "organizations": sorted(helpers.call_action("organization_list")),
        "allies": {
            c["name"]: len(
                helpers.call_action("challenge_show", context=dict(admin), id=c["name"])["allies"]
            )
            for c in challenges["results"]
        },
        # the later stages, row counts per table
        "rows": {
            table.name: model.Session.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar()
            for table in (
                Idea.__table__,
                IdeaVote.__table__,
                DataGap.__table__,
                Mentorship.__table__,
                Juror.__table__,
                Criterion.__table__,
                Score.__table__,
                Award.__table__,
                Results.__table__,
                Impact.__table__,
                ImpactDataset.__table__,
            )
        },
    }


def _seeded(cli) -> tuple[int, str]:
    """``seed-demo`` run once per session (per worker) in the empty database;
    later tests get its rows and search index copied back (snapshots)."""

    def seed() -> tuple[int, str]:
        result = cli.invoke(ckan, ["datathon", "seed-demo"])
        return result.exit_code, result.output

    return built_over("", "test_cli.seed_demo", seed)


# the application first: building it writes the site user, which would make the
# database more than empty and the seeding not kept (snapshots.built_over)
@pytest.mark.usefixtures("with_plugins", "app", "clean_db", "clean_index")
class TestSeedDemo:
    def test_seeding_twice_gives_the_same_portal(self, cli):
        exit_code, output = _seeded(cli)
        assert exit_code == 0, output
        assert "Datathon-Demo-2026" in output
        portal = _portal()
        assert portal["challenges"] == [
            "agua-y-barrios-en-evaluacion",
            "economia-del-cuidado-2024",
            "movilidad-nocturna-abierto",
            "patio-digital-ciclo-inovacao-aberta",
            "transporte-seguridad-mujeres-2023",
        ]
        # the real programmes: 4 projects in 2023, 6 in 2024, the two Pátio Digital tools;
        # the running ones: a draft in the open challenge, three submitted in judging
        assert portal["projects"] == {
            "transporte-seguridad-mujeres-2023": 4,
            "economia-del-cuidado-2024": 6,
            "patio-digital-ciclo-inovacao-aberta": 2,
            "movilidad-nocturna-abierto": 1,
            "agua-y-barrios-en-evaluacion": 3,
        }
        assert portal["datasets"] == sum(len(s["datasets"]) for s in content.STORIES)
        rows = portal["rows"]
        assert rows["datathon_idea"] == sum(len(i) for i in stages.IDEAS.values())
        assert rows["datathon_mentorship"] == sum(len(m) for m in stages.MENTORSHIPS.values())
        assert rows["datathon_impact"] == sum(len(i) for i in stages.IMPACT.values())
        assert rows["datathon_results"] == len(stages.JURIES)  # both juries published
        # every project of the stories, every criterion; one project of the judging one
        assert rows["datathon_score"] == 4 * 3 + 6 * 4 + 3
        assert rows["datathon_award"] == 1 + 3
        second = cli.invoke(ckan, ["datathon", "seed-demo"])
        assert second.exit_code == 0, second.output
        assert "0 objects created" in second.output
        assert _portal() == portal

    def test_care_datathon_facts(self, cli):
        assert _seeded(cli)[0] == 0
        care = helpers.call_action("challenge_show", id="economia-del-cuidado-2024")
        assert care["max_team_size"] == 6
        assert care["require_open_data"] is True
        assert care["prize_total"] == [{"currency": "USD", "amount": "7500.00"}]
        assert all(e["starts"] for e in care["timeline"])  # all 11 stages dated
        sessions = helpers.call_action("challenge_mentorship_list", id=care["name"])
        assert sessions["count"] == 4  # four mentorship sessions
        ranking = helpers.call_action("challenge_ranking", id=care["name"])
        assert ranking["published"]
        winners = [r for r in ranking["results"] if r["award"]]
        assert [w["award"]["rank"] for w in winners] == [1, 2, 3]
        assert {w["award"]["prize"]["amount"] for w in winners} == {"2500.00"}
        assert winners[0]["project"]["name"] == "cuidados-mapa"  # the best scores
        transport = helpers.call_action("challenge_show", id="transporte-seguridad-mujeres-2023")
        impact = helpers.call_action("challenge_impact_list", id=transport["name"])
        assert "Estrategia Nacional de Movilidad" in impact["results"][0]["title"]
        assert impact["results"][0]["project"]["name"] == "rutas-seguras"
        gaps = helpers.call_action(
            "challenge_data_gap_list",
            context={"user": "demo-organizadora-sp"},
            id="patio-digital-ciclo-inovacao-aberta",
        )
        assert gaps["count"] >= 3  # the open data plan asked for data the portal lacked
        assert transport["registration_opens"] == "2023-08-25T06:00:00+00:00"
        assert transport["registration_closes"] == "2023-09-16T05:59:00+00:00"
        assert transport["results_date"] == "2023-09-22T18:00:00+00:00"

    def test_running_challenges_can_be_tried(self, cli):
        """Registration open in one, judging open in the other, dated from today."""
        assert _seeded(cli)[0] == 0
        now = dt.datetime.now(dt.timezone.utc)
        opened = helpers.call_action("challenge_show", id=live.DEMO_OPEN["name"])
        assert dt.datetime.fromisoformat(opened["registration_opens"]) < now
        assert dt.datetime.fromisoformat(opened["registration_closes"]) > now + dt.timedelta(
            days=13
        )
        # another demo user can register a team now
        helpers.call_action(
            "project_register",
            context={"user": "demo-equipe-sp", "ignore_auth": False},
            challenge=opened["id"],
            title="Otra idea",
            team_name="Otro equipo",
            accept_rules=True,
        )
        # and an invitation waits for demo-equipo-2
        waiting = helpers.call_action(
            "project_invitation_list", context={"user": "demo-equipo-2"}, status="pending"
        )
        assert [i["project"]["name"] for i in waiting["results"]] == ["rutas-nocturnas-demo"]

        judging = helpers.call_action("challenge_show", id=live.DEMO_JUDGING["name"])
        assert dt.datetime.fromisoformat(judging["submission_deadline"]) < now
        assert dt.datetime.fromisoformat(judging["judging_closes"]) > now + dt.timedelta(days=11)
        queue = helpers.call_action(
            "project_list",
            context={"user": "demo-jurado"},
            challenge=judging["name"],
            submission_status="submitted",
        )
        assert queue["count"] == 3
        # the juror can score the two waiting projects now
        criteria = helpers.call_action("challenge_criterion_list", id=judging["id"])
        criteria = criteria["results"] if isinstance(criteria, dict) else criteria
        helpers.call_action(
            "project_score",
            context={"user": "demo-jurado", "ignore_auth": False},
            project="parada-segura-demo",
            scores=[{"criterion": c["id"], "score": 3} for c in criteria],
        )
        ranking = helpers.call_action(
            "challenge_ranking", context={"user": "demo-organizadora"}, id=judging["id"]
        )
        assert ranking["live"] is True
        assert not ranking["published"]
