"""The dataset page's "Challenges and projects using this data" block (issue
21 §1): each project with its team name and, once results are published, a
winner badge; the whole block in one SQL statement and no Solr request."""

from __future__ import annotations

import datetime as dt

import pysolr
import pytest
from freezegun import freeze_time

from ckan.tests import factories

from ckanext.datathon.tests.helpers import Statements, call_as
from ckanext.datathon.tests.jury_scenario import scenario

pytestmark = pytest.mark.usefixtures("with_plugins")

DAY = dt.timedelta(days=1)


def body(response) -> str:
    return response.get_data(as_text=True)


def _submit_using(challenge, dataset, title, at, team):
    with freeze_time(at):
        leader = factories.User()
        project = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title=title,
            team_name=team,
            accept_rules=True,
        )
        call_as(
            leader,
            "package_patch",
            id=project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
            datasets_used=[{"dataset": dataset["id"]}],
        )
        return call_as(leader, "project_submit", id=project["id"])


@pytest.fixture
def judged(world, challenge_factory):
    """A challenge in judging whose projects use dataset "Viajes"; the first
    one wins the first prize once the results are published."""
    done = scenario(world, challenge_factory, projects=0, jurors=1)
    dataset = factories.Dataset(owner_org=world.org["id"], title="Viajes")
    start = done.deadline - 25 * DAY

    def add(count):
        already = len(done.projects)
        for i in range(already, already + count):
            done.projects.append(
                _submit_using(
                    done.challenge,
                    dataset,
                    f"Proyecto {i:02d}",
                    start + i * dt.timedelta(seconds=1),
                    f"Equipo {i:02d}",
                )
            )

    done.projects = []
    done.dataset = dataset
    done.add = add
    return done


def _publish(world, done):
    call_as(
        done.jurors[0],
        "project_score",
        project=done.projects[0]["id"],
        scores=[{"criterion": done.impact["id"], "score": 5}],
    )
    call_as(
        world.admin,
        "challenge_award_create",
        challenge=done.challenge["id"],
        project=done.projects[0]["id"],
        rank=1,
    )
    call_as(world.admin, "challenge_results_publish", id=done.challenge["id"])


class SolrRequests:
    """The Solr requests made while in the block."""

    def __enter__(self):
        self.count = 0
        self._original = pysolr.Solr._send_request

        def counted(solr, *args, **kwargs):
            self.count += 1
            return self._original(solr, *args, **kwargs)

        pysolr.Solr._send_request = counted
        return self

    def __exit__(self, *exc):
        pysolr.Solr._send_request = self._original


def test_team_names_and_the_winner_badge(app, world, judged):
    judged.add(3)
    url = f"/dataset/{judged.dataset['name']}"
    html = body(app.get(url))
    assert "Equipo 00" in html
    assert "Equipo 02" in html
    # no badge before the results are published
    assert "datathon-winner-badge" not in html
    _publish(world, judged)
    html = body(app.get(url))
    assert html.count("datathon-winner-badge") == 1
    assert "Winner — 1st prize" in html
    # the action says the same
    used = call_as(None, "dataset_challenge_list", id=judged.dataset["id"])
    by_title = {p["title"]: p for p in used["projects"]}
    assert by_title["Proyecto 00"]["award"]["rank"] == 1
    assert by_title["Proyecto 00"]["team_name"] == "Equipo 00"
    assert by_title["Proyecto 01"]["award"] is None
    # retracted: the badge goes
    call_as(
        world.sysadmin, "challenge_results_retract", id=judged.challenge["id"], reason="Recount"
    )
    assert "datathon-winner-badge" not in body(app.get(url))


def test_the_block_costs_one_statement_and_no_solr_request(app, browse, world, judged):
    """3 projects, then 33 (more than a page) and published results: the
    page runs the same statements, the block one of them (the signed-in
    header's invitation count is kept in Redis after the first page: no
    statement), and the block makes no Solr request."""
    judged.add(3)
    url = f"/dataset/{judged.dataset['name']}"
    signed_in = browse(world.user)

    def cost():
        counts = {}
        for who, client in (("anonymous", app), ("signed in", signed_in)):
            client.get(url)  # warm: first-request work is not the page's
            with Statements() as run, SolrRequests() as solr:
                response = client.get(url)
            assert response.status_code == 200
            counts[who] = (len(run.run), len(run.ours), solr.count)
        return counts

    few = cost()
    judged.add(30)
    _publish(world, judged)  # and a winner badge
    many = cost()
    # statements and Solr requests (core's own: package_show, the organization) do not grow
    assert many == few, (few, many)
    # the plugin's statements: the block; signed in too (the header's
    # invitation count, which also tells the dashboard count whether the user
    # follows a challenge, was kept by the warming request)
    assert few["anonymous"][1] == 1, few
    assert few["signed in"][1] == 1, few
    # the block itself asks Solr nothing
    with SolrRequests() as solr, Statements() as run:
        call_as(world.user, "dataset_challenge_list", id=judged.dataset["id"])
    assert solr.count == 0
    assert len(run.ours) == 1
    html = body(app.get(url))
    assert "Equipo 32" in html  # the latest submitted first
    assert "All 33 projects using this data" in html
