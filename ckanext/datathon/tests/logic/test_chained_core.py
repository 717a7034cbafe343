"""Issue 17, item 1 (security review finding 4): the chained core actions and
auth functions.

* ``check_access`` comes first: nothing about a project (its team, leader,
  status, challenge) is looked up, locked or validated for a caller core's
  auth refuses, and a caller who may not read the project gets 404.
* Datasets that are not projects get exactly core's answer (anonymous
  callers included, wherever core lets them in).
* No message names an object its reader may not read.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import Statements, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


def build_contest() -> SimpleNamespace:
    """A published challenge with an open registration; ``open`` is a
    submitted (public) project led by ``leader``; ``secret`` ("Secret Plan")
    is ``alice``'s private draft; ``draft_challenge`` is unpublished."""

    organizer = factories.User()
    org = factories.Organization(users=[{"name": organizer["name"], "capacity": "admin"}])
    challenge = call_as(
        organizer,
        "challenge_create",
        owner_org=org["id"],
        name="datathon-2027",
        title="Datathon 2027",
        state="active",
        **open_registration_dates(),
    )
    draft_challenge = call_as(
        organizer,
        "challenge_create",
        owner_org=org["id"],
        name="secret-draft-challenge",
        title="Unannounced",
    )
    leader, alice, outsider = factories.User(), factories.User(), factories.User()
    data = factories.Dataset(owner_org=org["id"])
    open_project = call_as(
        leader,
        "project_register",
        challenge=challenge["id"],
        title="Open Project",
        team_name="Owls",
        accept_rules=True,
    )
    call_as(
        leader,
        "package_patch",
        id=open_project["id"],
        repository_url="https://github.com/owls/routes",
        code_licence="MIT",
        datasets_used=[{"dataset": data["id"]}],
    )
    call_as(leader, "project_submit", id=open_project["id"])
    secret = call_as(
        alice,
        "project_register",
        challenge=challenge["id"],
        title="Secret Plan",
        team_name="Foxes",
        accept_rules=True,
    )
    return SimpleNamespace(
        organizer=organizer,
        org=org,
        challenge=challenge,
        draft_challenge=draft_challenge,
        leader=leader,
        alice=alice,
        outsider=outsider,
        open=open_project,
        secret=secret,
        dataset=data,
    )


@pytest.fixture
def contest(clean_db, clean_index):
    """``build_contest``, made once per session, then copied back (snapshots)."""
    return built_over("", "test_chained_core.contest", build_contest)


def _api(app: Any, action: str, data: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": token} if token else {}
    return app.post(f"/api/3/action/{action}", json=data, headers=headers)


def _token(user: dict[str, Any]) -> str:
    return helpers.call_action(
        "api_token_create", context={"user": user["name"]}, user=user["name"], name="t"
    )["token"]


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


class TestDatasetsThatAreNotProjects:
    @pytest.mark.ckan_config("ckan.auth.anon_create_dataset", True)
    @pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", True)
    @pytest.mark.ckan_config("ckan.auth.create_dataset_if_not_in_organization", True)
    def test_anon_can_create_where_core_allows_it(self, clean_db):
        """CKAN core's logic/auth/test_create.py::test_anon_can_create (with
        the settings of CKAN's test-core.ini)."""
        assert helpers.call_auth("package_create", {"user": None, "model": model})

    def test_anon_cannot_create_by_default(self, clean_db):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_auth("package_create", {"user": None, "model": model})

    @pytest.mark.parametrize(
        "action", ["package_collaborator_create", "package_collaborator_delete"]
    )
    def test_anonymous_collaborator_changes_are_refused_not_a_server_error(
        self, app, clean_db, action
    ):
        dataset = factories.Dataset(owner_org=factories.Organization()["id"])
        user = factories.User()
        response = _api(
            app, action, {"id": dataset["id"], "user_id": user["id"], "capacity": "editor"}
        )
        assert response.status_code == 403, _text(response)
        assert f"Action {action} requires an authenticated user" in _text(response)

    @pytest.mark.parametrize(
        "action", ["package_collaborator_create", "package_collaborator_delete"]
    )
    def test_collaborator_change_on_a_missing_dataset_is_404(self, app, clean_db, action):
        user = factories.User()
        response = _api(
            app,
            action,
            {"id": "no-such-dataset", "user_id": user["id"], "capacity": "editor"},
            _token(user),
        )
        assert response.status_code == 404, _text(response)

    def test_core_update_answers_for_plain_datasets(self, clean_db):
        owner, stranger = factories.User(), factories.User()
        org = factories.Organization(users=[{"name": owner["name"], "capacity": "admin"}])
        dataset = factories.Dataset(owner_org=org["id"], private=True)
        with pytest.raises(tk.NotAuthorized):
            call_as(stranger, "package_patch", id=dataset["id"], title="x")
        with pytest.raises(tk.ObjectNotFound):
            call_as(stranger, "package_update", id="no-such-dataset", title="x")


@pytest.mark.ckan_config("ckanext.datathon.one_team_per_person", "true")
class TestProjectsAuthFirst:
    def test_anonymous_team_add_leaks_no_team_title(self, app, contest):
        response = _api(
            app,
            "package_collaborator_create",
            {"id": contest.open["name"], "user_id": contest.alice["name"], "capacity": "editor"},
        )
        assert response.status_code == 403, _text(response)
        assert "Secret Plan" not in _text(response)

    def test_anonymous_takes_no_lock(self, app, contest):
        with Statements() as sql:
            _api(
                app,
                "package_collaborator_create",
                {"id": contest.open["id"], "user_id": contest.alice["id"], "capacity": "editor"},
            )
        assert not sql.containing("FOR UPDATE")
        assert not sql.containing("pg_advisory")

    def test_hidden_project_is_404_to_those_who_may_not_read_it(self, app, contest):
        outsider = _token(contest.outsider)
        for action, data in [
            (
                "package_collaborator_create",
                {"user_id": contest.outsider["id"], "capacity": "editor"},
            ),
            ("package_collaborator_delete", {"user_id": contest.alice["id"]}),
            ("package_update", {"leader_user_id": contest.alice["id"]}),
            ("package_patch", {"submission_status": "submitted"}),
        ]:
            for token in (None, outsider):
                response = _api(app, action, {"id": contest.secret["id"], **data}, token)
                assert response.status_code == 404, (action, _text(response))
                assert "Secret Plan" not in _text(response)

    def test_leader_is_no_oracle(self, app, contest):
        """Removing the leader and removing someone else answer the same."""
        answers = set()
        for user in (contest.leader, contest.alice):
            response = _api(
                app,
                "package_collaborator_delete",
                {"id": contest.open["id"], "user_id": user["id"]},
                _token(contest.outsider),
            )
            answers.add((response.status_code, json.loads(_text(response))["error"]["__type"]))
        assert answers == {(403, "Authorization Error")}

    @pytest.mark.parametrize("field", ["submission_status", "leader_user_id", "challenge"])
    def test_status_and_leader_are_no_oracle(self, contest, field):
        right = {
            "submission_status": "submitted",
            "leader_user_id": contest.leader["id"],
            "challenge": contest.challenge["id"],
        }[field]
        for guess in (right, "wrong-guess"):
            with pytest.raises(tk.NotAuthorized):
                call_as(contest.outsider, "package_patch", id=contest.open["id"], **{field: guess})

    def test_draft_challenge_names_are_no_oracle(self, contest):
        answers = []
        for ref in ("secret-draft-challenge", "no-such-challenge"):
            for user in (None, contest.outsider):
                with pytest.raises(tk.NotAuthorized) as raised:
                    call_as(user, "package_create", type="project", name=f"p-{ref}", challenge=ref)
                answers.append(str(raised.value))
        assert answers[0] == answers[2]
        assert answers[1] == answers[3]

    def test_team_member_is_not_told_the_private_team_title(self, contest):
        # a team member invites (issue 18): the one-team rule is the
        # invitee's to meet when accepting, so the inviter learns nothing
        answer = call_as(
            contest.leader,
            "project_member_add",
            id=contest.open["id"],
            user=contest.alice["name"],
        )
        assert answer["status"] == "invited"
        assert "Secret Plan" not in json.dumps(answer)
        with pytest.raises(tk.ValidationError) as raised:
            call_as(contest.alice, "project_invitation_accept", id=answer["invitation"]["id"])
        assert "already on Secret Plan" in json.dumps(raised.value.error_dict)

    def test_organizer_is_told_the_team_title(self, contest):
        with pytest.raises(tk.ValidationError) as raised:
            call_as(
                contest.organizer,
                "project_member_add",
                id=contest.open["id"],
                user=contest.alice["name"],
            )
        assert "Secret Plan" in json.dumps(raised.value.error_dict)

    def test_team_still_edits_its_project(self, contest):
        saved = call_as(contest.alice, "package_patch", id=contest.secret["id"], notes="hello")
        assert saved["notes"] == "hello"
        with pytest.raises(tk.ValidationError):
            call_as(
                contest.alice,
                "package_patch",
                id=contest.secret["id"],
                submission_status="submitted",
            )
