"""Project records: registration, team, write rules on every path, submission,
visibility, search."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.model import Project, ProjectDataset
from ckanext.datathon.tests.factories import add_team_member, invite_and_accept
from ckanext.datathon.tests.helpers import Statements, call_as, iso, now

pytestmark = pytest.mark.usefixtures("with_plugins")

SECOND = dt.timedelta(seconds=1)


def _challenge(world, published_challenge_factory, **rules):
    return published_challenge_factory(owner_org=world.org["id"], **rules)


def _dates(opens: dt.datetime) -> dict[str, str]:
    """Contest dates: registration opens at ``opens`` for 10 days; submissions
    close 20 days after it."""
    return {
        "registration_opens": iso(opens),
        "registration_closes": iso(opens + dt.timedelta(days=10)),
        "submission_deadline": iso(opens + dt.timedelta(days=20)),
        "judging_closes": iso(opens + dt.timedelta(days=30)),
        "results_date": iso(opens + dt.timedelta(days=31)),
    }


def _register(user, challenge, **extra):
    data = {"challenge": challenge["id"], "title": "Safer routes", "team_name": "Owls"}
    data.setdefault("accept_rules", True)
    data.update(extra)
    return call_as(user, "project_register", **data)


def _team_ids(project_id: str) -> set[str]:
    pm = model.PackageMember.__table__
    return set(model.Session.scalars(sa.select(pm.c.user_id).where(pm.c.package_id == project_id)))


def _organizer_create(world, challenge, user=None, **extra):
    return call_as(
        user if user is not None else world.editor,
        "package_create",
        type="project",
        name=extra.pop("name", "organizer-made"),
        title="Made by organizers",
        challenge=challenge["id"],
        owner_org=world.org["id"],
        **extra,
    )


class TestRegister:
    def test_creates_a_private_draft_owned_by_the_challenge_org(
        self, world, published_challenge_factory
    ):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        assert project["type"] == "project"
        assert project["owner_org"] == world.org["id"]
        assert project["private"] is True
        assert project["challenge"] == challenge["id"]
        assert project["team_name"] == "Owls"
        assert project["submission_status"] == "draft"
        assert project["leader_user_id"] == world.user["id"]
        assert _team_ids(project["id"]) == {world.user["id"]}
        row = model.Session.get(Project, project["id"])
        assert row.challenge_id == challenge["id"]

    @pytest.mark.parametrize(
        ("shift", "allowed"),
        [
            # registration_opens relative to now, and whether registering works
            (SECOND, False),
            (-SECOND, True),
            (dt.timedelta(0), True),
        ],
    )
    @pytest.mark.parametrize("path", ["project_register"])
    def test_window_opens(self, world, challenge_factory, shift, allowed, path):
        moment = now()
        challenge = challenge_factory(
            owner_org=world.org["id"], state="active", **_dates(moment + shift)
        )
        self._try(world, challenge, moment, allowed, path)

    @pytest.mark.parametrize(
        ("shift", "allowed"),
        [
            # registration_closes relative to now
            (-SECOND, False),
            (SECOND, True),
            (dt.timedelta(0), True),
        ],
    )
    @pytest.mark.parametrize("path", ["project_register"])
    def test_window_closes(self, world, challenge_factory, shift, allowed, path):
        moment = now()
        dates = _dates(moment + shift - dt.timedelta(days=10))
        challenge = challenge_factory(owner_org=world.org["id"], state="active", **dates)
        self._try(world, challenge, moment, allowed, path)

    @staticmethod
    def _try(world, challenge, moment, allowed, path):
        with freeze_time(moment):
            if path == "project_register":
                call = lambda: _register(world.user, challenge)  # noqa: E731
            else:
                call = lambda: _organizer_create(world, challenge)  # noqa: E731
            if allowed:
                assert call()["submission_status"] == "draft"
            else:
                with pytest.raises(tk.ValidationError) as excinfo:
                    call()
                assert "challenge" in excinfo.value.error_dict
        count = model.Session.execute(sa.select(sa.func.count()).select_from(Project)).scalar()
        assert count == (1 if allowed else 0)

    def test_rules_must_be_accepted(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        with pytest.raises(tk.ValidationError) as excinfo:
            _register(world.user, challenge, accept_rules=False)
        assert "accept_rules" in excinfo.value.error_dict
        relaxed = _challenge(world, published_challenge_factory, require_rules_acceptance=False)
        assert _register(world.user, relaxed, accept_rules=False)["type"] == "project"

    def test_only_published_challenges(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"], **_dates(now() - SECOND))
        with pytest.raises(tk.ObjectNotFound):
            _register(world.user, draft)

    def test_anonymous_cannot_register(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        with pytest.raises(tk.NotAuthorized):
            _register(None, challenge)

    @pytest.mark.parametrize("junk", [None, 5, ["x"], {"a": 1}, "", "\x00"])
    def test_junk_challenge_is_a_validation_error(self, world, junk):
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
            call_as(world.user, "project_register", challenge=junk, title="T", team_name="N")

    def test_core_package_create_of_a_project_is_refused_to_everyone(
        self, world, published_challenge_factory
    ):
        """Issue 17 §2: a project is created only by project_register (a
        leader, a team, a status row); core's package_create of type
        ``project`` is refused to organizers and sysadmins too."""
        challenge = _challenge(world, published_challenge_factory)
        sysadmin = factories.Sysadmin()
        for user in (world.user, world.member, world.outsider_admin, world.editor, sysadmin):
            with pytest.raises(tk.NotAuthorized) as raised:
                _organizer_create(world, challenge, user=user, private=False)
            assert "project_register" in str(raised.value)
        count = model.Session.execute(sa.select(sa.func.count()).select_from(Project)).scalar()
        assert count == 0
        assert not model.Session.execute(
            sa.select(model.Package.id).where(model.Package.type == "project")
        ).all()

    def test_the_auth_answer_is_the_same_whatever_the_challenge(
        self, world, published_challenge_factory
    ):
        challenge = _challenge(world, published_challenge_factory)
        answers = set()
        for ref in (challenge["id"], "no-such-challenge", None, 5):
            with pytest.raises(tk.NotAuthorized) as raised:
                helpers.call_auth(
                    "package_create",
                    {"user": world.editor["name"], "model": model},
                    type="project",
                    challenge=ref,
                )
            answers.add(str(raised.value))
        assert len(answers) == 1


def test_several_teams_per_person_by_default(world, published_challenge_factory):
    challenge = _challenge(world, published_challenge_factory)
    _register(world.user, challenge, title="First team")
    second = _register(world.user, challenge, title="Second team")
    assert world.user["id"] in _team_ids(second["id"])


@pytest.mark.ckan_config("ckanext.datathon.one_team_per_person", "true")
class TestOneTeamPerPerson:
    def test_a_second_registration_is_refused(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        first = _register(world.user, challenge, title="First team")
        with pytest.raises(tk.ValidationError) as excinfo:
            _register(world.user, challenge, title="Second team")
        assert "already on First team" in excinfo.value.error_dict["challenge"][0]
        # another challenge is another contest
        _register(world.user, _challenge(world, published_challenge_factory))
        # a deleted team does not count
        call_as(world.admin, "package_delete", id=first["id"])
        _register(world.user, challenge, title="Third team")

    def test_joining_a_second_team_is_refused_on_every_path(
        self, world, published_challenge_factory
    ):
        challenge = _challenge(world, published_challenge_factory)
        owls = _register(world.user, challenge, title="Owls")
        other_leader = factories.User()
        larks = _register(other_leader, challenge, title="Larks")
        # an invitation is not a membership: the invitee decides, and is refused
        answer = call_as(
            other_leader, "project_member_add", id=larks["id"], user=world.user["name"]
        )
        assert answer["status"] == "invited"
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "project_invitation_accept", id=answer["invitation"]["id"])
        # the invitee may read Owls, their own team: named
        assert "already on Owls" in excinfo.value.error_dict["id"][0]
        # an organizer adding directly: Owls is a draft of their organization
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.editor, "project_member_add", id=larks["id"], user=world.user["name"])
        assert "already on" in excinfo.value.error_dict["user"][0]
        with pytest.raises(tk.ValidationError):
            call_as(
                world.admin,
                "package_collaborator_create",
                id=larks["id"],
                user_id=world.user["id"],
                capacity="editor",
            )
        assert world.user["id"] not in _team_ids(larks["id"])
        # once out of the first team, the person may join another one
        member = add_team_member(owls)
        invited = call_as(other_leader, "project_member_add", id=larks["id"], user=member["name"])
        with pytest.raises(tk.ValidationError):
            call_as(member, "project_invitation_accept", id=invited["invitation"]["id"])
        call_as(member, "project_member_remove", id=owls["id"], user=member["name"])
        call_as(member, "project_invitation_accept", id=invited["invitation"]["id"])
        assert member["id"] in _team_ids(larks["id"])

    def test_eight_concurrent_registrations_make_one_team(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        name = world.user["name"]
        model.Session.remove()
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def register(n: int) -> None:
            barrier.wait()
            try:
                helpers.call_action(
                    "project_register",
                    context={"user": name, "ignore_auth": False},
                    challenge=challenge["id"],
                    title=f"Team {n}",
                    team_name=f"Team {n}",
                    accept_rules=True,
                )
                outcomes.append("ok")
            except tk.ValidationError:
                outcomes.append("refused")
            except Exception as e:  # pragma: no cover - reported below
                outcomes.append(repr(e))
            finally:
                model.Session.remove()

        threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes) == ["ok"] + ["refused"] * 7, outcomes
        count = model.Session.execute(
            sa.select(sa.func.count()).where(Project.challenge_id == challenge["id"])
        ).scalar_one()
        assert count == 1


class TestTeam:
    def test_cap_at_the_limit(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory, max_team_size=3)
        project = _register(world.user, challenge)
        a, b, c = factories.User(), factories.User(), factories.User()
        invite_and_accept(world.user, project, a)
        # pending invitees are not on the team and do not count toward the cap
        to_b = call_as(world.user, "project_member_add", id=project["id"], user=b["name"])
        to_c = call_as(world.user, "project_member_add", id=project["id"], user=c["name"])
        assert (to_b["status"], to_b["count"]) == ("invited", 2)
        call_as(b, "project_invitation_accept", id=to_b["invitation"]["id"])
        assert len(_team_ids(project["id"])) == 3
        # the team is full: c's accept is refused, and so is a new invitation
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(c, "project_invitation_accept", id=to_c["invitation"]["id"])
        assert "full" in excinfo.value.error_dict["id"][0]
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(
                world.user,
                "project_member_add",
                id=project["id"],
                user=factories.User()["name"],
            )
        assert "full" in excinfo.value.error_dict["user"][0]
        # adding an existing member again is not an addition
        with pytest.raises(tk.ValidationError):
            call_as(world.user, "project_member_add", id=project["id"], user=b["name"])
        assert (
            call_as(world.admin, "project_member_add", id=project["id"], user=b["name"])["status"]
            == "added"
        )
        # the core path obeys the same cap, for organizers too
        with pytest.raises(tk.ValidationError):
            call_as(
                world.admin,
                "package_collaborator_create",
                id=project["id"],
                user_id=c["id"],
                capacity="editor",
            )
        assert len(_team_ids(project["id"])) == 3

    @pytest.mark.ckan_config("ckanext.datathon.max_pending_invitations_per_project", "50")
    def test_twenty_concurrent_accepts_never_exceed_the_cap(
        self, world, published_challenge_factory
    ):
        challenge = _challenge(world, published_challenge_factory, max_team_size=5)
        project = _register(world.user, challenge)
        users = [factories.User() for _ in range(20)]
        invitations = {
            u["name"]: call_as(world.user, "project_member_add", id=project["id"], user=u["name"])[
                "invitation"
            ]["id"]
            for u in users
        }
        model.Session.remove()
        barrier = threading.Barrier(len(users))
        outcomes: list[str] = []

        def add(username: str) -> None:
            barrier.wait()
            try:
                helpers.call_action(
                    "project_invitation_accept",
                    context={"user": username, "ignore_auth": False},
                    id=invitations[username],
                )
                outcomes.append("ok")
            except tk.ValidationError:
                outcomes.append("full")
            except Exception as e:  # pragma: no cover - reported below
                outcomes.append(repr(e))
            finally:
                model.Session.remove()  # this thread's own session and connection

        threads = [threading.Thread(target=add, args=(u["name"],)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes) == ["full"] * 16 + ["ok"] * 4, outcomes
        assert len(_team_ids(project["id"])) == 5

    def test_member_removal(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        a, b = add_team_member(project), add_team_member(project)
        with pytest.raises(tk.NotAuthorized):  # only the leader removes others
            call_as(a, "project_member_remove", id=project["id"], user=b["name"])
        call_as(a, "project_member_remove", id=project["id"], user=a["name"])  # leaving
        call_as(world.user, "project_member_remove", id=project["id"], user=b["name"])
        with pytest.raises(tk.ValidationError):
            call_as(world.admin, "project_member_remove", id=project["id"], user=leader(world))
        assert _team_ids(project["id"]) == {world.user["id"]}

    def test_outsiders_cannot_change_a_team(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        stranger = factories.User()
        # a draft: not even there for outsiders
        with pytest.raises(tk.ObjectNotFound):
            call_as(stranger, "project_member_add", id=project["id"], user=stranger["name"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.member, "project_submit", id=project["id"])
        team = call_as(
            world.editor, "project_member_add", id=project["id"], user=world.member["name"]
        )
        assert team["count"] == 2


def leader(world) -> str:
    return world.user["name"]


def _past_deadline_challenge(world, challenge_factory, moment):
    """A challenge whose submission deadline is ``moment``."""
    return challenge_factory(
        owner_org=world.org["id"],
        state="active",
        **_dates(moment - dt.timedelta(days=20)),
    )


class TestDeadline:
    """No team edits after submission_deadline, on every write path."""

    @pytest.mark.parametrize("after", [False, True])
    def test_every_team_write_path(self, world, challenge_factory, after):
        moment = now()
        with freeze_time(moment - dt.timedelta(days=15)):
            challenge = _past_deadline_challenge(world, challenge_factory, moment)
            project = _register(world.user, challenge)
            resource = call_as(
                world.user,
                "resource_create",
                package_id=project["id"],
                url="https://example.org/code.zip",
            )
            member, successor = add_team_member(project), add_team_member(project)
        newcomer = factories.User()
        current = helpers.call_action("package_show", id=project["id"])
        writes = [
            ("package_patch", {"id": project["id"], "notes": "late"}),
            ("package_update", {**current, "notes": "late"}),
            ("package_revise", {"match": {"id": project["id"]}, "update": {"notes": "late"}}),
            ("resource_create", {"package_id": project["id"], "url": "https://example.org/b"}),
            ("resource_patch", {"id": resource["id"], "name": "late"}),
            ("resource_update", {"id": resource["id"], "url": "https://example.org/c"}),
            ("resource_delete", {"id": resource["id"]}),
            ("project_member_add", {"id": project["id"], "user": newcomer["name"]}),
            ("project_member_remove", {"id": project["id"], "user": member["name"]}),
            ("project_leader_set", {"id": project["id"], "user": successor["name"]}),
        ]
        at = moment + SECOND if after else moment - SECOND
        with freeze_time(at):
            for action, data in writes:
                if after:
                    with pytest.raises(tk.NotAuthorized):
                        call_as(world.user, action, **data)
                else:
                    call_as(world.user, action, **data)
            # organizers are not bound by the deadline
            call_as(world.editor, "package_patch", id=project["id"], notes="organizer")

    def test_core_collaborator_actions_obey_the_deadline(self, world, challenge_factory):
        moment = now()
        with freeze_time(moment - dt.timedelta(days=15)):
            challenge = _past_deadline_challenge(world, challenge_factory, moment)
            project = _register(world.user, challenge)
        newcomer = factories.User()
        # the leader may not use core's path to sneak a member in either
        with freeze_time(moment + SECOND), pytest.raises(tk.NotAuthorized):
            call_as(
                world.user,
                "package_collaborator_create",
                id=project["id"],
                user_id=newcomer["id"],
                capacity="editor",
            )


class TestProtectedFields:
    @pytest.mark.parametrize("action", ["package_patch", "package_update", "package_revise"])
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("submission_status", "submitted"),
            ("submitted_at", "2030-01-01T00:00:00+00:00"),
            ("leader_user_id", "someone-else"),
            ("awards", [{"rank": 1}]),
            ("scores", [{"criterion": "x", "score": 5}]),
            ("owner_org", "OTHER"),
            ("challenge", "OTHER"),
            ("private", False),
        ],
    )
    def test_team_cannot_change(
        self, world, published_challenge_factory, challenge_factory, action, key, value
    ):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        if value == "OTHER":
            other = (
                world.other_org["id"]
                if key == "owner_org"
                else published_challenge_factory(owner_org=world.org["id"])["id"]
            )
            value = other
        if action == "package_patch":
            data = {"id": project["id"], key: value}
        elif action == "package_update":
            data = {**project, key: value}
        else:
            data = {"match": {"id": project["id"]}, "update": {key: value}}
        with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
            call_as(world.user, action, **data)
        stored = helpers.call_action("package_show", id=project["id"])
        row = model.Session.get(Project, project["id"])
        model.Session.refresh(row)
        assert row.submission_status == "draft"
        assert stored["private"] is True
        assert stored["owner_org"] == world.org["id"]
        assert stored["challenge"] == challenge["id"]
        assert stored["leader_user_id"] == world.user["id"]
        assert "awards" not in stored
        assert "scores" not in stored

    def test_unchanged_values_pass(self, world, published_challenge_factory):
        # package_patch sends package_show's output back: the computed keys
        # are there, unchanged, and must not be an error
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        updated = call_as(world.user, "package_patch", id=project["id"], notes="Better")
        assert updated["notes"] == "Better"
        assert updated["submission_status"] == "draft"
        updated = call_as(world.user, "package_update", **{**updated, "title": "New"})
        assert updated["title"] == "New"

    def test_organizers_cannot_move_a_project_either(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        other = published_challenge_factory(owner_org=world.org["id"])
        project = _register(world.user, challenge)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "package_patch", id=project["id"], challenge=other["id"])
        assert "challenge" in excinfo.value.error_dict


def _with_code(user, project, **extra):
    data = {
        "id": project["id"],
        "repository_url": "https://github.com/owls/routes",
        "code_licence": "MIT",
    }
    data.update(extra)
    return call_as(user, "package_patch", **data)


class TestSubmit:
    def test_submit_publishes(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        data = factories.Dataset(owner_org=world.org["id"])
        _with_code(world.user, project, datasets_used=[{"dataset": data["name"]}])
        submitted = call_as(world.user, "project_submit", id=project["id"])
        assert submitted["submission_status"] == "submitted"
        assert submitted["private"] is False
        assert submitted["submitted_at"]
        assert submitted["datasets_used"] == [{"dataset": data["id"]}]
        # anonymous reads
        shown = call_as(None, "package_show", id=project["name"])
        assert shown["repository_url"] == "https://github.com/owls/routes"
        listed = call_as(None, "project_list", challenge=challenge["name"])
        assert [p["id"] for p in listed["results"]] == [project["id"]]
        assert listed["results"][0]["team_name"] == "Owls"
        assert listed["results"][0]["code_licence"] == "MIT"
        assert listed["results"][0]["team_size"] == 1
        found = call_as(
            None, "package_search", fq=f'+dataset_type:project +challenge:"{challenge["id"]}"'
        )
        assert found["count"] == 1

    def test_missing_repository_and_licence(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "project_submit", id=project["id"])
        assert set(excinfo.value.error_dict) == {"repository_url", "code_licence"}

    @pytest.mark.parametrize(
        "url", ["ftp://example.org/code", "javascript:alert(1)", "github.com/owls", "http://"]
    )
    def test_repository_must_be_http(self, world, published_challenge_factory, url):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        with pytest.raises(tk.ValidationError) as excinfo:
            _with_code(world.user, project, repository_url=url)
        assert "repository_url" in excinfo.value.error_dict

    def test_licence_outside_the_list(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory, allowed_licences=["MIT"])
        project = _register(world.user, challenge)
        with pytest.raises(tk.ValidationError) as excinfo:
            _with_code(world.user, project, code_licence="GPL-3.0-only")
        assert "code_licence" in excinfo.value.error_dict
        with pytest.raises(tk.ValidationError) as excinfo:
            _with_code(world.user, project, code_licence="not-a-licence")
        assert "code_licence" in excinfo.value.error_dict
        # the rules changed after the team saved its licence: submit refuses
        _with_code(world.user, project)
        call_as(
            world.sysadmin, "challenge_patch", id=challenge["id"], allowed_licences=["Apache-2.0"]
        )
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "project_submit", id=project["id"])
        assert set(excinfo.value.error_dict) == {"code_licence"}

    def test_open_data_rule(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        private = factories.Dataset(owner_org=world.org["id"], private=True)
        # private (and unreadable to the team) or nonexistent: refused on save
        for ref in (private["id"], "no-such-dataset"):
            with pytest.raises(tk.ValidationError) as excinfo:
                _with_code(world.user, project, datasets_used=[{"dataset": ref}])
            assert "datasets_used" in excinfo.value.error_dict
        # private, readable by the team member (an organization member), still refused
        insider = world.member
        add_team_member(project, insider)
        with pytest.raises(tk.ValidationError) as excinfo:
            _with_code(insider, project, datasets_used=[{"dataset": private["id"]}])
        assert "open data" in str(excinfo.value.error_dict)

    def test_datasets_that_went_private_or_away_block_submission(
        self, world, published_challenge_factory
    ):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        a = factories.Dataset(owner_org=world.org["id"])
        b = factories.Dataset(owner_org=world.org["id"])
        _with_code(world.user, project, datasets_used=[{"dataset": a["id"]}, {"dataset": b["id"]}])
        call_as(world.sysadmin, "package_patch", id=a["id"], private=True)
        call_as(world.sysadmin, "package_delete", id=b["id"])
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "project_submit", id=project["id"])
        problems = excinfo.value.error_dict["datasets_used"]
        assert len(problems) == 2

    def test_team_size_bounds(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory, min_team_size=2)
        project = _register(world.user, challenge)
        _with_code(world.user, project)
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.user, "project_submit", id=project["id"])
        assert set(excinfo.value.error_dict) == {"team"}
        add_team_member(project)
        assert call_as(world.user, "project_submit", id=project["id"])["private"] is False

    def test_not_after_the_deadline(self, world, challenge_factory):
        moment = now()
        with freeze_time(moment - dt.timedelta(days=15)):
            challenge = _past_deadline_challenge(world, challenge_factory, moment)
            project = _register(world.user, challenge)
            _with_code(world.user, project)
        with freeze_time(moment + SECOND), pytest.raises((tk.NotAuthorized, tk.ValidationError)):
            call_as(world.user, "project_submit", id=project["id"])
        with freeze_time(moment - SECOND):
            assert call_as(world.user, "project_submit", id=project["id"])["private"] is False

    def test_withdraw_hides_again(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        _with_code(world.user, project)
        call_as(world.user, "project_submit", id=project["id"])
        withdrawn = call_as(world.user, "project_withdraw", id=project["id"])
        assert withdrawn["submission_status"] == "withdrawn"
        assert withdrawn["private"] is True
        with pytest.raises(tk.NotAuthorized):
            call_as(None, "package_show", id=project["id"])
        assert call_as(None, "project_list", challenge=challenge["id"])["count"] == 0
        # and may come back before the deadline
        again = call_as(world.user, "project_submit", id=project["id"])
        assert again["submission_status"] == "submitted"


class TestVisibility:
    def test_drafts_across_teams(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        owls = _register(world.user, challenge)
        other_leader = factories.User()
        foxes = _register(other_leader, challenge, title="Foxes")
        for viewer, own in ((world.user, owls), (other_leader, foxes)):
            listed = call_as(viewer, "project_list", challenge=challenge["id"])
            assert [p["id"] for p in listed["results"]] == [own["id"]]
        with pytest.raises(tk.NotAuthorized):
            call_as(other_leader, "package_show", id=owls["id"])
        # organizers see both; a plain organization member does not
        assert call_as(world.editor, "project_list", challenge=challenge["id"])["count"] == 2
        assert call_as(world.member, "project_list", challenge=challenge["id"])["count"] == 0
        with pytest.raises(tk.NotAuthorized):
            call_as(world.member, "package_show", id=owls["id"])
        assert call_as(None, "project_list", challenge=challenge["id"])["count"] == 0
        found = call_as(
            other_leader, "package_search", fq="+dataset_type:project", include_private=True
        )
        assert {p["id"] for p in found["results"]} == {foxes["id"]}

    def test_paging(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        for i in range(3):
            _register(factories.User(), challenge, title=f"P{i}")
        page = call_as(world.admin, "project_list", challenge=challenge["id"], limit=2, offset=2)
        assert page["count"] == 3
        assert len(page["results"]) == 1
        empty = call_as(world.admin, "project_list", challenge=challenge["id"], offset=10)
        assert empty == {"count": 3, "results": []}
        with pytest.raises(tk.ValidationError):
            call_as(world.admin, "project_list", challenge=challenge["id"], limit="many")

    def test_project_list_of_a_hidden_challenge_is_404(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.user, "project_list", challenge=draft["id"])


class TestUserDeletion:
    def test_deleting_team_members_leaves_actions_and_pages_working(
        self, app, world, published_challenge_factory
    ):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        member = add_team_member(project)
        _with_code(world.user, project)
        call_as(world.user, "project_submit", id=project["id"])
        helpers.call_action("user_delete", id=member["name"])
        helpers.call_action("user_delete", id=world.user["name"])  # the leader
        listed = call_as(None, "project_list", challenge=challenge["id"])
        assert listed["results"][0]["team_size"] == 0
        shown = call_as(None, "package_show", id=project["id"])
        assert shown["leader_user_id"] == world.user["id"]
        # organizers can rebuild the team
        team = call_as(
            world.editor, "project_member_add", id=project["id"], user=world.member["name"]
        )
        assert team["count"] == 1
        with pytest.raises(tk.ValidationError):
            call_as(world.editor, "project_member_add", id=project["id"], user=member["name"])
        for url in (f"/project/{project['name']}", "/dataset/", f"/project/?q={project['name']}"):
            assert app.get(url).status_code == 200


def _result_titles(app, url: str) -> list[str]:
    soup = BeautifulSoup(app.get(url).body, "html.parser")
    return [item.find("a").get_text(strip=True) for item in soup.select(".dataset-item")]


class TestSearch:
    def test_projects_stay_out_of_the_dataset_page(self, app, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge, title="Zanzibar routes")
        _with_code(world.user, project)
        call_as(world.user, "project_submit", id=project["id"])
        factories.Dataset(owner_org=world.org["id"], title="Zanzibar buses")
        assert _result_titles(app, "/dataset/?q=Zanzibar") == ["Zanzibar buses"]
        assert _result_titles(app, "/project/?q=Zanzibar") == ["Zanzibar routes"]

    def test_indexed_fields(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        data = factories.Dataset(
            owner_org=world.org["id"],
            resources=[{"url": "https://example.org/a.csv"}, {"url": "https://example.org/b.csv"}],
        )
        a, b = (r["id"] for r in data["resources"])
        _with_code(
            world.user,
            project,
            datasets_used=[{"dataset": data["id"], "resource_ids": f"{a}, {b}"}],
            team_members=[{"name": "Ada Quetzal", "role": "lead"}, {"name": "Grace"}],
        )
        call_as(world.user, "project_submit", id=project["id"])
        result = call_as(
            None,
            "package_search",
            fq=f'+vocab_datathon_datasets_used:"{data["id"]}" +code_licence:MIT',
            **{"facet.field": json.dumps(["challenge", "code_licence", "submission_status"])},
        )
        assert result["count"] == 1
        assert result["facets"]["code_licence"] == {"MIT": 1}
        assert result["facets"]["challenge"] == {challenge["id"]: 1}
        assert result["facets"]["submission_status"] == {"submitted": 1}
        # the free-text field went: ignored on input; the computed one is indexed
        assert call_as(None, "package_search", q="Quetzal")["count"] == 0
        shown = call_as(None, "package_show", id=project["id"])
        assert [m["name"] for m in shown["team_members"]] == [
            world.user["fullname"] or world.user["name"]
        ]
        row = model.Session.scalars(sa.select(ProjectDataset)).one()
        assert (row.package_id, row.resource_ids) == (data["id"], [a, b])

    def test_indexed_status_follows_submit_withdraw_and_rebuild(
        self, world, published_challenge_factory
    ):
        from ckan.lib import search

        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        _with_code(world.user, project)

        def indexed_status():
            result = call_as(
                world.sysadmin,
                "package_search",
                fq=f'+dataset_type:project +id:"{project["id"]}"',
                include_private=True,
                **{"facet.field": json.dumps(["submission_status"])},
            )
            return result["facets"]["submission_status"]

        assert indexed_status() == {"draft": 1}
        call_as(world.user, "project_submit", id=project["id"])
        assert indexed_status() == {"submitted": 1}
        call_as(world.user, "project_withdraw", id=project["id"])
        assert indexed_status() == {"withdrawn": 1}
        # a rebuild reads the status package_show gave, with no query of its own
        model.Session.execute(
            sa.update(Project)
            .where(Project.package_id == project["id"])
            .values(submission_status="submitted")
        )
        model.Session.commit()
        search.rebuild(package_id=project["id"])
        assert indexed_status() == {"submitted": 1}

    def test_indexing_a_project_asks_the_table_once(self, world, published_challenge_factory):
        """package_show's hook reads the status; the index hook reuses it."""
        from ckanext.datathon.logic import project_rules

        challenge = _challenge(world, published_challenge_factory)
        project = _register(world.user, challenge)
        _with_code(world.user, project)
        call_as(world.user, "project_submit", id=project["id"])
        with Statements() as run:
            shown = helpers.call_action("package_show", id=project["id"])
            after_show = len(run.containing("datathon_project"))
            # CKAN 2.11 indexes package_show's dict; 2.12 its default-schema
            # copy, made before after_dataset_show, beside the validated dict
            as_211 = project_rules.before_index(dict(shown))
            bare = {k: v for k, v in shown.items() if k != "submission_status"}
            as_212 = project_rules.before_index(dict(bare, validated_data_dict=json.dumps(shown)))
        statements = run.containing("datathon_project")
        assert after_show == 1
        assert len(statements) == 1
        assert as_211["submission_status"] == as_212["submission_status"] == "submitted"


class TestDatasetChallengeList:
    def test_projects_using_the_dataset_per_viewer(self, world, published_challenge_factory):
        challenge = _challenge(world, published_challenge_factory)
        data = factories.Dataset(owner_org=world.org["id"])
        shown = _register(world.user, challenge, title="Shown")
        hidden = _register(factories.User(), challenge, title="Hidden")
        call_as(
            world.sysadmin,
            "package_patch",
            id=hidden["id"],
            datasets_used=[{"dataset": data["id"]}],
        )
        _with_code(world.user, shown, datasets_used=[{"dataset": data["id"]}])
        call_as(world.user, "project_submit", id=shown["id"])
        public = call_as(None, "dataset_challenge_list", id=data["id"])
        assert [p["id"] for p in public["projects"]] == [shown["id"]]
        organizer = call_as(world.editor, "dataset_challenge_list", id=data["id"])
        assert {p["id"] for p in organizer["projects"]} == {shown["id"], hidden["id"]}
