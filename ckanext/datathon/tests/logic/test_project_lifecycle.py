"""Issue 17, item 2: one project lifecycle, ``draft -> submitted <-> withdrawn``
(and deletion of a draft), owned by the plugin.  Core's state and visibility
changes on a project go through it or are refused."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.factories import invite_and_accept
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.logic.test_chained_core import build_contest
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def team(clean_db, clean_index):
    """``contest`` plus ``member``, a team member (not the leader) of both the
    submitted project and the draft; made once per session, then copied back
    (snapshots.built_over)."""

    def build():
        contest = build_contest()
        member = factories.User()
        for project, leader in ((contest.open, contest.leader), (contest.secret, contest.alice)):
            invite_and_accept(leader, project, member)
        contest.member = member
        return contest

    return built_over("", "test_project_lifecycle.team", build)


def _state(project: dict) -> str:
    model.Session.expire_all()
    return model.Package.get(project["id"]).state


class TestDelete:
    def test_team_member_cannot_delete_a_submitted_project(self, team):
        with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
            call_as(team.member, "package_delete", id=team.open["id"])
        assert _state(team.open) == "active"

    @pytest.mark.parametrize("who", ["leader", "organizer"])
    def test_submitted_projects_are_withdrawn_not_deleted(self, team, who):
        with pytest.raises(tk.ValidationError) as raised:
            call_as(getattr(team, who), "package_delete", id=team.open["id"])
        assert "project_withdraw" in raised.value.error_dict["id"][0]
        assert _state(team.open) == "active"

    def test_team_member_cannot_delete_the_draft(self, team):
        with pytest.raises(tk.NotAuthorized):
            call_as(team.member, "package_delete", id=team.secret["id"])
        assert _state(team.secret) == "active"

    @pytest.mark.parametrize("who", ["alice", "organizer"])
    def test_leader_or_organizer_deletes_a_draft(self, team, who):
        call_as(getattr(team, who), "package_delete", id=team.secret["id"])
        assert _state(team.secret) == "deleted"

    def test_outsider_gets_404_for_a_draft(self, team):
        with pytest.raises(tk.ObjectNotFound):
            call_as(team.outsider, "package_delete", id=team.secret["id"])

    def test_sysadmin_deletes_any_project_and_it_is_recorded(self, team):
        sysadmin = factories.Sysadmin()
        call_as(sysadmin, "package_delete", id=team.open["id"])
        assert _state(team.open) == "deleted"
        from ckanext.activity.model import Activity

        recorded = model.Session.query(Activity).filter_by(
            object_id=team.open["id"], activity_type="deleted package"
        )
        assert [a.user_id for a in recorded] == [sysadmin["id"]]

    def test_resources_of_a_submitted_project_stay_editable(self, team):
        """resource_delete asks package_delete's auth: the lifecycle rule is
        the action's, so the team still manages its resources."""
        resource = call_as(
            team.member, "resource_create", package_id=team.open["id"], url="https://x.org/a"
        )
        call_as(team.member, "resource_delete", id=resource["id"])


class TestStateThroughCore:
    @pytest.mark.parametrize("state", ["draft", "deleted"])
    @pytest.mark.parametrize("action", ["package_patch", "package_update"])
    def test_core_unpublish_is_refused(self, team, state, action):
        data = {"id": team.open["id"], "state": state}
        if action == "package_update":
            data.update(helpers.call_action("package_show", id=team.open["id"]), state=state)
        with pytest.raises(tk.ValidationError) as raised:
            call_as(team.leader, action, **data)
        assert "state" in raised.value.error_dict
        assert _state(team.open) == "active"
        assert helpers.call_action("package_show", id=team.open["id"])["submission_status"] == (
            "submitted"
        )

    def test_private_is_refused(self, team):
        with pytest.raises(tk.ValidationError):
            call_as(team.organizer, "package_patch", id=team.open["id"], private=True)


class TestBulkAndOwner:
    @pytest.mark.parametrize(
        "action", ["bulk_update_public", "bulk_update_private", "bulk_update_delete"]
    )
    def test_bulk_updates_refuse_projects_before_changing_anything(self, team, action):
        plain = factories.Dataset(owner_org=team.org["id"], private=action == "bulk_update_public")
        datasets = [plain["id"], team.secret["id"], team.open["id"]]
        with pytest.raises(tk.ValidationError) as raised:
            call_as(team.organizer, action, org_id=team.org["id"], datasets=datasets)
        assert "datasets" in raised.value.error_dict
        model.Session.expire_all()
        for dataset, private, state in (
            (plain, action == "bulk_update_public", "active"),
            (team.secret, True, "active"),
            (team.open, False, "active"),
        ):
            pkg = model.Package.get(dataset["id"])
            assert (pkg.private, pkg.state) == (private, state), dataset["name"]

    def test_bulk_updates_of_plain_datasets_work(self, team):
        plain = factories.Dataset(owner_org=team.org["id"], private=True)
        call_as(team.organizer, "bulk_update_public", org_id=team.org["id"], datasets=[plain["id"]])
        model.Session.expire_all()
        assert model.Package.get(plain["id"]).private is False

    def test_sysadmin_cannot_move_a_project_to_another_organization(self, team):
        other = factories.Organization()
        with pytest.raises(tk.ValidationError):
            helpers.call_action(
                "package_owner_org_update", id=team.open["id"], organization_id=other["id"]
            )
        model.Session.expire_all()
        assert model.Package.get(team.open["id"]).owner_org == team.org["id"]

    def test_team_edit_still_pins_the_organization(self, team):
        saved = call_as(team.member, "package_patch", id=team.open["id"], notes="more")
        assert saved["owner_org"] == team.org["id"]


class TestWithdraw:
    """Withdrawal is for the team leader (until the deadline) and organizers;
    other team members get 403 (an auth rule: sysadmins pass it)."""

    def test_a_team_member_may_not_withdraw(self, team):
        with pytest.raises(tk.NotAuthorized) as raised:
            call_as(team.member, "project_withdraw", id=team.open["id"])
        assert "leader" in str(raised.value)
        shown = helpers.call_action("package_show", id=team.open["id"])
        assert (shown["submission_status"], shown["private"]) == ("submitted", False)

    def test_the_offer_follows_the_rule(self, team):
        from ckanext.datathon.tests.helpers import auth_as

        assert not auth_as(team.member, "project_withdraw", id=team.open["id"])
        assert auth_as(team.leader, "project_withdraw", id=team.open["id"])

    @pytest.mark.parametrize("who", ["leader", "organizer", "sysadmin"])
    def test_the_leader_an_organizer_or_a_sysadmin_withdraws(self, team, who):
        user = factories.Sysadmin() if who == "sysadmin" else getattr(team, who)
        shown = call_as(user, "project_withdraw", id=team.open["id"])
        assert (shown["submission_status"], shown["private"]) == ("withdrawn", True)

    def test_an_outsider_gets_404_for_a_draft(self, team):
        with pytest.raises(tk.ObjectNotFound):
            call_as(team.outsider, "project_withdraw", id=team.secret["id"])


class TestCreateOnlyByRegistration:
    """Core's package_create of type ``project`` is refused (issue 17 §1):
    a project always has a leader, a team and a status row."""

    @pytest.mark.parametrize("who", ["organizer", "sysadmin"])
    def test_core_package_create_is_refused(self, team, who):
        user = factories.Sysadmin() if who == "sysadmin" else team.organizer
        with pytest.raises(tk.NotAuthorized) as raised:
            call_as(
                user,
                "package_create",
                type="project",
                name="made-by-core",
                title="Made by core",
                challenge=team.challenge["id"],
                owner_org=team.org["id"],
            )
        assert "project_register" in str(raised.value)
        assert model.Package.get("made-by-core") is None
