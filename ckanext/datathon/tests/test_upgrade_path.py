"""The whole upgrade path of issue 18 (§4), in a real shell.

A database as the code of alembic revision ``a4c6e1f9b3d2`` left it: projects
written with core's permission labels (drafts and withdrawn projects readable
by organization members in search and activity streams), teams formed
without invitations, free-text ``team_members``, a juror on a team of their
own challenge, and results published without a snapshot.  Then the documented
commands, in order: ``ckan db upgrade -p datathon``, ``ckan datathon upgrade``
and ``ckan search-index rebuild``.  Afterwards the reader x listing table of
``permission_table`` holds, the published results are frozen, and the team
data is where the new code reads it.

Each step also has a test of its own (``test_upgrade_teams``,
``logic/test_results_upgrade``, ``logic/test_upgrade_labels``); this one
runs them together on one database, as an operator does.
"""

from __future__ import annotations

import csv
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.model import Juror, ResultsSnapshot, TeamInvitation
from ckanext.datathon.tests import jury_scenario
from ckanext.datathon.tests.factories import ChallengeFactory
from ckanext.datathon.tests.helpers import (
    call_as,
    ckan_ok,
    module_database,
    previous_release_labels,
    store_legacy_team_members,
)
from ckanext.datathon.tests.permission_table import (
    HIDDEN,
    build,
    invite_pending,
    mismatches,
)

pytestmark = pytest.mark.usefixtures("with_plugins")

BEFORE = "a4c6e1f9b3d2"  # the alembic head of the code before issue 18
FREE_TEXT = "Zelda Freetext"


def _found_by(user: dict[str, Any], project_id: str) -> bool:
    found = call_as(
        user, "package_search", fq=f'+id:"{project_id}"', include_private=True, include_drafts=True
    )
    return found["count"] == 1


def _published_results(portal: SimpleNamespace) -> SimpleNamespace:
    """A second challenge of the organization, judged and published."""
    world = SimpleNamespace(org=portal.org, admin=portal.people["org admin"], user=factories.User())
    return jury_scenario.published(world, ChallengeFactory)


@pytest.fixture(scope="module")
def upgraded(
    reset_db: Any, migrate_db_for: Any, tmp_path_factory: pytest.TempPathFactory
) -> SimpleNamespace:
    with module_database(reset_db, migrate_db_for):
        with pytest.MonkeyPatch.context() as old:
            previous_release_labels(old)
            portal = build(invite=False)
            published = _published_results(portal)
        member = portal.people["org member"]
        # as the code before left them: an organization member finds the drafts
        before = {kind: _found_by(member, portal.projects[kind]["id"]) for kind in HIDDEN}

        # the code before let a team add a juror of its own challenge
        juror = portal.people["juror"]
        model.Session.add(
            model.PackageMember(
                package_id=portal.projects["submitted"]["id"],
                user_id=juror["id"],
                capacity="member",
            )
        )
        model.Session.commit()

        ckan_ok("db", "downgrade", "-p", "datathon", "-v", BEFORE)
        inspector = sa.inspect(model.Session.get_bind())
        assert not inspector.has_table("datathon_team_invitation")
        assert not inspector.has_table("datathon_results_snapshot")
        model.Session.rollback()
        for kind in HIDDEN:
            store_legacy_team_members(
                portal.projects[kind]["id"], [{"name": FREE_TEXT, "role": "design"}]
            )
        model.Session.commit()

        out = tmp_path_factory.mktemp("upgrade")
        outputs = [
            ckan_ok("db", "upgrade", "-p", "datathon"),
            ckan_ok("datathon", "upgrade", "--output-dir", str(out)),
            ckan_ok("search-index", "rebuild"),
        ]
        again = ckan_ok("datathon", "upgrade", "--output-dir", str(out))
        # the new code from here on: an invitation is pending on the draft
        invite_pending(portal, ("draft",))
        return SimpleNamespace(
            portal=portal,
            published=published,
            before=before,
            out=out,
            outputs=outputs,
            again=again,
        )


def test_the_database_was_the_old_one(upgraded):
    """The hidden projects were readable by an organization member before."""
    assert upgraded.before == dict.fromkeys(HIDDEN, True)


def test_reader_by_listing_table_holds_after_the_upgrade(app, upgraded):
    assert mismatches(upgraded.portal, app) == []


def test_teams_are_accepted_members_and_the_free_text_is_exported(upgraded):
    portal = upgraded.portal
    accepted = set(
        model.Session.execute(
            sa.select(TeamInvitation.project_id, TeamInvitation.invitee_user_id).where(
                TeamInvitation.state == "accepted"
            )
        ).all()
    )
    for kind in HIDDEN:
        pid = portal.projects[kind]["id"]
        assert (pid, portal.leaders[kind]["id"]) in accepted
        assert (pid, portal.people["team member"]["id"]) in accepted
        assert (pid, portal.people["former member"]["id"]) not in accepted
        assert FREE_TEXT not in str(call_as(portal.leaders[kind], "package_show", id=pid))
    with (upgraded.out / "team_members.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["project_title"] for r in rows) == sorted(
        portal.projects[kind]["title"] for kind in HIDDEN
    )
    assert {r["member_name"] for r in rows} == {FREE_TEXT}
    with (upgraded.out / "jurors_on_teams.csv").open(encoding="utf-8-sig") as f:
        report = list(csv.DictReader(f))
    assert [(r["juror_name"], r["project_id"]) for r in report] == [
        (portal.people["juror"]["name"], portal.projects["submitted"]["id"])
    ]
    assert model.Session.scalar(
        sa.select(sa.func.count())
        .select_from(Juror)
        .where(Juror.user_id == portal.people["juror"]["id"])
    )
    # nobody finds the free text through search any more
    found = call_as(portal.people["sysadmin"], "package_search", q=f'"{FREE_TEXT}"')
    assert found["count"] == 0


def test_published_results_are_frozen(upgraded):
    published = upgraded.published
    cid = published.challenge["id"]
    snapshots = list(
        model.Session.scalars(sa.select(ResultsSnapshot).where(ResultsSnapshot.challenge_id == cid))
    )
    assert [(s.version, s.origin) for s in snapshots] == [(1, "upgrade")]
    ranking = call_as(None, "challenge_ranking", id=cid)
    assert ranking["live"] is False
    assert [e["project"]["id"] for e in ranking["results"]] == [p["id"] for p in published.projects]
    with pytest.raises(tk.ValidationError):
        call_as(
            upgraded.portal.people["org admin"], "project_withdraw", id=published.projects[0]["id"]
        )


def test_a_second_run_has_nothing_left_to_do(upgraded):
    again = upgraded.again
    assert "collaborators recorded as accepted members: 0" in again
    assert "every published result has its snapshot" in again
    assert "0 were indexed again" in again
    assert "0 activities of projects were relabelled" in again
