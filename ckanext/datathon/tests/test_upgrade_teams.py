"""Upgrade to teams by consent (issue 18 §4): a database with the data of the
code before invitations -- projects with the free-text ``team_members``
field, collaborators, a project without a leader, a juror on a team of their
own challenge -- taken down to the revision before ours, then
``ckan db upgrade -p datathon`` and ``ckan datathon upgrade --step teams``.
"""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.datathon.model import Juror, Project, TeamInvitation
from ckanext.datathon.tests.factories import PublishedChallengeFactory
from ckanext.datathon.tests.helpers import now, store_legacy_team_members

BEFORE = "a4c6e1f9b3d2"  # the revision before d5e8a1b3c7f2


def _run(cli, *args: str):
    model.Session.commit()
    model.Session.remove()
    result = cli.invoke(ckan, list(args))
    model.Session.remove()
    assert result.exit_code == 0, result.output
    return result


def _add_member(project_id: str, user_id: str) -> None:
    model.Session.add(
        model.PackageMember(package_id=project_id, user_id=user_id, capacity="editor")
    )


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_upgrade_from_the_code_before_invitations(cli, tmp_path):
    org = factories.Organization(name="water-org")
    leader, member, juror, creator = (factories.User() for _ in range(4))
    challenge = PublishedChallengeFactory(owner_org=org["id"], name="water")
    project = helpers.call_action(
        "project_register",
        context={"user": leader["name"], "ignore_auth": False},
        challenge=challenge["id"],
        title="=HYPERLINK(1)",
        team_name="Owls",
        accept_rules=True,
    )
    # a project the old code made with package_create by an organizer: no leader
    orphan = helpers.call_action(
        "project_register",
        context={"user": creator["name"], "ignore_auth": False},
        challenge=challenge["id"],
        title="Orphan",
        team_name="Larks",
        accept_rules=True,
    )
    _add_member(project["id"], member["id"])
    _add_member(project["id"], juror["id"])
    model.Session.add(Juror(challenge_id=challenge["id"], user_id=juror["id"], created=now()))
    store_legacy_team_members(
        project["id"],
        [{"name": "Ada (no account)", "role": "data"}, {"name": "=cmd|x", "role": ""}],
    )
    model.Session.commit()

    try:
        _run(cli, "db", "downgrade", "-p", "datathon", "-v", BEFORE)
        inspector = sa.inspect(model.Session.get_bind())
        assert not inspector.has_table("datathon_team_invitation")
        model.Session.execute(
            sa.update(Project.__table__)
            .where(Project.__table__.c.package_id == orphan["id"])
            .values(leader_user_id=None)
        )
        model.Session.commit()
    finally:
        _run(cli, "db", "upgrade", "-p", "datathon")

    # alembic: the table, and a leader for the orphan (its creator, a member)
    assert model.Session.get(Project, orphan["id"]).leader_user_id == creator["id"]

    out = tmp_path / "upgrade"
    dry = _run(cli, "datathon", "upgrade", "--step", "teams", "--dry-run", "--output-dir", str(out))
    assert "collaborators recorded as accepted members: 4" in dry.output
    assert (
        model.Session.execute(sa.select(sa.func.count()).select_from(TeamInvitation)).scalar() == 0
    )
    assert not (out / "team_members.csv").exists()

    done = _run(cli, "datathon", "upgrade", "--step", "teams", "--output-dir", str(out))
    assert "collaborators recorded as accepted members: 4" in done.output
    assert "jurors on a team of their own challenge: 1" in done.output
    accepted = model.Session.execute(
        sa.select(TeamInvitation.project_id, TeamInvitation.invitee_user_id).where(
            TeamInvitation.state == "accepted"
        )
    ).all()
    assert set(accepted) == {
        (project["id"], leader["id"]),
        (project["id"], member["id"]),
        (project["id"], juror["id"]),
        (orphan["id"], creator["id"]),
    }

    with (out / "team_members.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["organization"], r["member_name"]) for r in rows] == [
        ("water-org", "Ada (no account)"),
        ("water-org", "'=cmd|x"),  # no formula in a spreadsheet
    ]
    assert rows[0]["project_title"] == "'=HYPERLINK(1)"
    assert (out / "team_members" / "water-org.csv").exists()
    with (out / "jurors_on_teams.csv").open(encoding="utf-8-sig") as f:
        report = list(csv.DictReader(f))
    assert [(r["challenge"], r["juror_name"], r["project_id"]) for r in report] == [
        ("water", juror["name"], project["id"])
    ]

    # the stored free text is gone: package_show computes the field from the team
    shown = helpers.call_action("package_show", id=project["id"])
    assert "Ada (no account)" not in json.dumps(shown)
    assert len(shown["team_members"]) == 3
    found = helpers.call_action("package_search", q="Ada", fq="+dataset_type:project")
    assert found["count"] == 0

    # the rules hold on the upgraded data: the juror on a team leaves; the team lists
    listed = helpers.call_action(
        "project_member_list", context={"user": member["name"]}, id=project["id"]
    )
    assert listed["count"] == 3

    # a second run changes nothing
    again = _run(cli, "datathon", "upgrade", "--step", "teams", "--output-dir", str(out))
    assert "collaborators recorded as accepted members: 0" in again.output
    assert "free-text team_members: none stored" in again.output
    assert "leaders backfilled: 0" in again.output
