"""The impact record: CRUD, validation, the auth matrix, per-viewer visibility
of cited projects and datasets, and "this data informed ..." on datasets."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.helpers import auth_as, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

ORGANIZERS = {"sysadmin", "admin", "editor"}
EVERYONE = ORGANIZERS | {"member", "other_org_admin", "user", "anonymous", "team", "juror"}

ENTRY = {
    "date": "2024-03-08",
    "kind": "policy_adoption",
    "title": "Metro adopts safe-route lighting",
    "description": "The transport agency lit the stations the winning team mapped.",
    "url": "https://example.gob.mx/boletin/123",
}


def _submit(user, project):
    call_as(
        user,
        "package_patch",
        id=project["id"],
        repository_url="https://example.org/code",
        code_licence="MIT",
    )
    return call_as(user, "project_submit", id=project["id"])


@pytest.fixture
def s(world, published_challenge_factory, project_factory):
    """A published challenge of ``world.org`` with a submitted and a draft
    project, a project of another challenge, a team member, a juror and
    datasets: public, private of ``world.org``, private of ``world.other_org``."""

    def build():
        challenge = published_challenge_factory(owner_org=world.org["id"])
        other = published_challenge_factory(owner_org=world.org["id"])
        team = factories.User()
        submitted = project_factory(user=team, challenge=challenge["id"], title="Safe routes")
        _submit(team, submitted)
        draft = project_factory(challenge=challenge["id"], title="Unfinished draft")
        elsewhere = project_factory(challenge=other["id"])
        juror = factories.User()
        helpers.call_action("challenge_juror_add", id=challenge["id"], user=juror["name"])
        return SimpleNamespace(
            challenge=challenge,
            other=other,
            submitted=submitted,
            draft=draft,
            elsewhere=elsewhere,
            public=factories.Dataset(owner_org=world.org["id"], title="Public trips"),
            private=factories.Dataset(owner_org=world.org["id"], private=True, title="Org private"),
            foreign=factories.Dataset(
                owner_org=world.other_org["id"], private=True, title="Other org private"
            ),
            roles={**world.roles, "team": team, "juror": juror},
        )

    return built_over("world", "test_impact.s", build)


def _create(user, s, **extra):
    return call_as(
        user, "challenge_impact_create", challenge=s.challenge["id"], **{**ENTRY, **extra}
    )


def _titles(datasets):
    return sorted(d["title"] for d in datasets)


class TestCrud:
    def test_create_list_update_delete(self, world, s):
        created = _create(
            world.editor,
            s,
            project=s.submitted["name"],
            datasets=[s.public["name"], s.private["id"]],
        )
        assert created["challenge_id"] == s.challenge["id"]
        assert created["date"] == "2024-03-08"
        assert created["kind"] == "policy_adoption"
        assert created["project"]["id"] == s.submitted["id"]
        assert _titles(created["datasets"]) == ["Org private", "Public trips"]

        listed = call_as(world.admin, "challenge_impact_list", id=s.challenge["name"])
        assert listed["count"] == 1
        assert listed["results"][0] == created

        updated = call_as(
            world.admin,
            "challenge_impact_update",
            id=created["id"],
            kind="deployment",
            project="",
            datasets=[s.public["id"]],
        )
        assert updated["kind"] == "deployment"
        assert updated["title"] == ENTRY["title"]  # not given: kept
        assert updated["project"] is None
        assert _titles(updated["datasets"]) == ["Public trips"]

        call_as(world.admin, "challenge_impact_delete", id=created["id"])
        assert call_as(None, "challenge_impact_list", id=s.challenge["id"])["count"] == 0
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.admin, "challenge_impact_update", id=created["id"], title="Gone")

    def test_newest_first(self, world, s):
        for date in ("2024-01-10", "2025-06-01", "2024-09-30"):
            _create(world.admin, s, date=date, title=f"On {date}")
        listed = call_as(None, "challenge_impact_list", id=s.challenge["id"])
        assert [e["date"] for e in listed["results"]] == ["2025-06-01", "2024-09-30", "2024-01-10"]

    @pytest.mark.parametrize(
        "kind", ["policy_adoption", "deployment", "media", "funding", "dataset_release", "other"]
    )
    def test_every_kind(self, world, s, kind):
        assert _create(world.admin, s, kind=kind)["kind"] == kind

    def test_datasets_as_text_and_duplicates(self, world, s):
        created = _create(
            world.admin, s, datasets=f"{s.public['name']}, {s.public['id']}\n{s.private['name']}"
        )
        assert _titles(created["datasets"]) == ["Org private", "Public trips"]

    def test_a_deleted_dataset_or_project_disappears(self, world, s):
        created = _create(world.admin, s, project=s.submitted["id"], datasets=[s.public["id"]])
        call_as(world.sysadmin, "package_delete", id=s.public["id"])
        entry = call_as(None, "challenge_impact_list", id=s.challenge["id"])["results"][0]
        assert entry["id"] == created["id"]
        assert entry["datasets"] == []
        call_as(world.sysadmin, "package_delete", id=s.submitted["id"])
        entry = call_as(world.admin, "challenge_impact_list", id=s.challenge["id"])["results"][0]
        assert entry["project"] is None


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"kind": "party"}, "kind"),
            ({"kind": ""}, "kind"),
            ({"kind": ["media"]}, "kind"),
            ({"url": "javascript:alert(1)"}, "url"),
            ({"url": "not a url"}, "url"),
            ({"date": "yesterday"}, "date"),
            ({"date": "2024-02-30"}, "date"),
            ({"date": -1}, "date"),
            ({"date": "NaN"}, "date"),
            ({"date": "0001-01-01"}, "date"),
            ({"date": ""}, "date"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"description": "a\x00b"}, "description"),
            ({"datasets": [{"id": "x"}]}, "datasets"),
            ({"datasets": {"id": "x"}}, "datasets"),
            ({"datasets": [f"d{i}" for i in range(51)]}, "datasets"),
            ({"datasets": ["no-such-dataset"]}, "datasets"),
            ({"project": "no-such-project"}, "project"),
            ({"project": ["x"]}, "project"),
        ],
    )
    def test_junk_is_a_field_error(self, world, s, change, field):
        with pytest.raises(tk.ValidationError) as error:
            _create(world.admin, s, **change)
        assert field in error.value.error_dict, error.value.error_dict

    def test_project_of_another_challenge(self, world, s):
        with pytest.raises(tk.ValidationError) as error:
            _create(world.admin, s, project=s.elsewhere["id"])
        assert "project" in error.value.error_dict
        created = _create(world.admin, s)
        with pytest.raises(tk.ValidationError) as error:
            call_as(
                world.admin,
                "challenge_impact_update",
                id=created["id"],
                project=s.elsewhere["name"],
            )
        assert "project" in error.value.error_dict

    def test_a_dataset_is_not_a_project(self, world, s):
        with pytest.raises(tk.ValidationError) as error:
            _create(world.admin, s, project=s.public["id"])
        assert "project" in error.value.error_dict
        with pytest.raises(tk.ValidationError) as error:
            _create(world.admin, s, datasets=[s.submitted["id"]])
        assert "datasets" in error.value.error_dict

    def test_private_dataset_the_writer_cannot_read(self, world, s):
        with pytest.raises(tk.ValidationError) as error:
            _create(world.admin, s, datasets=[s.public["id"], s.foreign["id"]])
        assert "datasets" in error.value.error_dict
        # a deleted dataset is not citable either
        gone = factories.Dataset(owner_org=world.org["id"])
        call_as(world.sysadmin, "package_delete", id=gone["id"])
        with pytest.raises(tk.ValidationError):
            _create(world.admin, s, datasets=[gone["id"]])
        # a sysadmin reads it, so may cite it
        assert _titles(_create(world.sysadmin, s, datasets=[s.foreign["id"]])["datasets"]) == [
            "Other org private"
        ]

    def test_editing_keeps_the_citations_the_editor_cannot_see(self, world, s):
        created = _create(world.sysadmin, s, datasets=[s.foreign["id"], s.public["id"]])
        updated = call_as(
            world.admin, "challenge_impact_update", id=created["id"], datasets=[s.private["id"]]
        )
        assert _titles(updated["datasets"]) == ["Org private"]
        everything = call_as(world.sysadmin, "challenge_impact_list", id=s.challenge["id"])
        assert _titles(everything["results"][0]["datasets"]) == ["Org private", "Other org private"]

    @pytest.mark.parametrize("ref", ["", "nope", "a\x00b", -1, ["x"], "x" * 1000])
    def test_unknown_ids(self, world, ref):
        for action in ("challenge_impact_update", "challenge_impact_delete"):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call_as(world.admin, action, id=ref)
        with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
            call_as(world.admin, "challenge_impact_list", id=ref)
        with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
            call_as(world.admin, "challenge_impact_create", challenge=ref, **ENTRY)


class TestAuthMatrix:
    def _allowed(self, roles, auth, **data):
        return {role for role, user in roles.items() if auth_as(user, auth, **data)}

    def test_published_challenge(self, world, s):
        created = helpers.call_action(
            "challenge_impact_create", challenge=s.challenge["id"], **ENTRY
        )
        assert (
            self._allowed(s.roles, "challenge_impact_create", challenge=s.challenge["id"])
            == ORGANIZERS
        )
        assert self._allowed(s.roles, "challenge_impact_update", id=created["id"]) == ORGANIZERS
        assert self._allowed(s.roles, "challenge_impact_delete", id=created["id"]) == ORGANIZERS
        assert self._allowed(s.roles, "challenge_impact_list", id=s.challenge["id"]) == EVERYONE

    def test_draft_challenge(self, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        created = helpers.call_action("challenge_impact_create", challenge=draft["id"], **ENTRY)
        for auth, data in (
            ("challenge_impact_create", {"challenge": draft["id"]}),
            ("challenge_impact_update", {"id": created["id"]}),
            ("challenge_impact_delete", {"id": created["id"]}),
            ("challenge_impact_list", {"id": draft["id"]}),
        ):
            assert self._allowed(world.roles, auth, **data) == ORGANIZERS, auth
        for user in (None, world.user, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(user, "challenge_impact_list", id=draft["id"])
        # logged-in users writing on what they may not see: "not found"
        # (CKAN refuses anonymous writes before asking us)
        for user in (world.user, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(user, "challenge_impact_delete", id=created["id"])

    def test_writes_of_others_are_refused(self, world, s):
        created = _create(world.admin, s)
        for user in (s.roles["team"], s.roles["juror"], world.member, world.outsider_admin):
            with pytest.raises(tk.NotAuthorized):
                _create(user, s)
            with pytest.raises(tk.NotAuthorized):
                call_as(user, "challenge_impact_update", id=created["id"], title="Mine")
            with pytest.raises(tk.NotAuthorized):
                call_as(user, "challenge_impact_delete", id=created["id"])


class TestVisibility:
    @pytest.fixture
    def entries(self, world, s):
        cited = _create(
            world.sysadmin,
            s,
            title="Cites everything",
            project=s.submitted["id"],
            datasets=[s.public["id"], s.private["id"], s.foreign["id"]],
        )
        drafted = _create(world.admin, s, title="From a draft project", project=s.draft["id"])
        return cited, drafted

    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("anonymous", ["Public trips"]),
            ("user", ["Public trips"]),
            ("team", ["Public trips"]),
            ("juror", ["Public trips"]),
            ("member", ["Org private", "Public trips"]),
            ("editor", ["Org private", "Public trips"]),
            ("admin", ["Org private", "Public trips"]),
            ("other_org_admin", ["Other org private", "Public trips"]),
            ("sysadmin", ["Org private", "Other org private", "Public trips"]),
        ],
    )
    def test_cited_datasets_per_viewer(self, world, s, entries, role, expected):
        listed = call_as(s.roles[role], "challenge_impact_list", id=s.challenge["id"])
        by_title = {e["title"]: e for e in listed["results"]}
        assert _titles(by_title["Cites everything"]["datasets"]) == expected
        assert by_title["Cites everything"]["project"]["id"] == s.submitted["id"]

    @pytest.mark.parametrize(
        ("role", "sees"),
        [
            ("anonymous", False),
            ("user", False),
            ("member", False),
            ("admin", True),
            ("sysadmin", True),
        ],
    )
    def test_draft_project_per_viewer(self, world, s, entries, role, sees):
        listed = call_as(s.roles[role], "challenge_impact_list", id=s.challenge["id"])
        entry = {e["title"]: e for e in listed["results"]}["From a draft project"]
        assert (entry["project"] is not None) is sees

    def test_draft_project_is_seen_by_its_team(self, world, s, entries):
        team = model.Session.execute(
            sa.select(model.PackageMember.user_id).where(
                model.PackageMember.package_id == s.draft["id"]
            )
        ).scalar()
        leader = model.User.get(team)
        listed = call_as({"name": leader.name}, "challenge_impact_list", id=s.challenge["id"])
        entry = {e["title"]: e for e in listed["results"]}["From a draft project"]
        assert entry["project"]["id"] == s.draft["id"]

    def test_fixed_number_of_queries(self, world, s):
        def queries():
            statements = []

            def count(*args, **kwargs):
                statements.append(args[2])

            engine = model.meta.engine
            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                call_as(world.member, "challenge_impact_list", id=s.challenge["id"])
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
            return len(statements)

        _create(
            world.admin, s, project=s.submitted["id"], datasets=[s.public["id"], s.private["id"]]
        )
        one = queries()
        for i in range(15):
            _create(
                world.admin,
                s,
                title=f"Entry {i}",
                project=s.submitted["id"] if i % 2 else s.draft["id"],
                datasets=[s.public["id"], s.private["id"]],
            )
        assert queries() == one


class TestDatasetBlock:
    def test_dataset_challenge_list_names_the_impact(self, world, s, challenge_factory):
        entry = _create(world.admin, s, project=s.submitted["id"], datasets=[s.public["id"]])
        draft = challenge_factory(owner_org=world.org["id"], title="Secret draft")
        helpers.call_action(
            "challenge_impact_create",
            challenge=draft["id"],
            **{**ENTRY, "title": "Hidden impact"},
            datasets=[s.public["id"]],
        )
        for user in (None, world.user):
            used = call_as(user, "dataset_challenge_list", id=s.public["id"])
            assert [i["title"] for i in used["impact"]] == [ENTRY["title"]]
            assert used["impact"][0]["id"] == entry["id"]
            assert used["impact"][0]["challenge"]["name"] == s.challenge["name"]
        organizer = call_as(world.editor, "dataset_challenge_list", id=s.public["id"])
        assert sorted(i["title"] for i in organizer["impact"]) == sorted(
            [ENTRY["title"], "Hidden impact"]
        )
        # a deleted challenge's impact is gone for everyone but sysadmins
        call_as(world.sysadmin, "challenge_delete", id=s.challenge["id"])
        assert call_as(world.user, "dataset_challenge_list", id=s.public["id"])["impact"] == []

    def test_private_cited_dataset_is_only_shown_to_its_readers(self, world, s):
        _create(world.admin, s, datasets=[s.public["id"], s.private["id"]])
        for_member = call_as(world.member, "dataset_challenge_list", id=s.public["id"])
        assert _titles(for_member["impact"][0]["datasets"]) == ["Org private", "Public trips"]
        for_user = call_as(world.user, "dataset_challenge_list", id=s.public["id"])
        assert _titles(for_user["impact"][0]["datasets"]) == ["Public trips"]
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.user, "dataset_challenge_list", id=s.private["id"])
