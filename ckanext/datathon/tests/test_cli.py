"""``ckan datathon seed-demo``: the demo portal, seeded twice, is the same portal."""

from __future__ import annotations

import pytest

from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.datathon.demo import content


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
    }


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestSeedDemo:
    def test_seeding_twice_gives_the_same_portal(self, cli):
        first = cli.invoke(ckan, ["datathon", "seed-demo"])
        assert first.exit_code == 0, first.output
        assert "Datathon-Demo-2026" in first.output
        portal = _portal()
        assert portal["challenges"] == [
            "economia-del-cuidado-2024",
            "patio-digital-ciclo-inovacao-aberta",
            "transporte-seguridad-mujeres-2023",
        ]
        # the real programmes: 4 projects in 2023, 6 in 2024, the two Pátio Digital tools
        assert portal["projects"] == {
            "transporte-seguridad-mujeres-2023": 4,
            "economia-del-cuidado-2024": 6,
            "patio-digital-ciclo-inovacao-aberta": 2,
        }
        assert portal["datasets"] == sum(len(s["datasets"]) for s in content.STORIES)
        second = cli.invoke(ckan, ["datathon", "seed-demo"])
        assert second.exit_code == 0, second.output
        assert "0 objects created" in second.output
        assert _portal() == portal

    def test_care_datathon_facts(self, cli):
        assert cli.invoke(ckan, ["datathon", "seed-demo"]).exit_code == 0
        care = helpers.call_action("challenge_show", id="economia-del-cuidado-2024")
        assert care["max_team_size"] == 6
        assert care["require_open_data"] is True
        assert care["prize_total"] == [{"currency": "USD", "amount": "7500.00"}]
        assert all(e["starts"] for e in care["timeline"])  # all 11 stages dated
        transport = helpers.call_action("challenge_show", id="transporte-seguridad-mujeres-2023")
        assert transport["registration_opens"] == "2023-08-25T06:00:00+00:00"
        assert transport["registration_closes"] == "2023-09-16T05:59:00+00:00"
        assert transport["results_date"] == "2023-09-22T18:00:00+00:00"
