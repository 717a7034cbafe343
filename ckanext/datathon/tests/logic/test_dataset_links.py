"""Links between challenges and portal datasets, seen per viewer."""

from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def linked(world, published_challenge_factory):
    """A published challenge linking a public and a private dataset of its org."""

    def build():
        challenge = published_challenge_factory(owner_org=world.org["id"])
        public = factories.Dataset(
            owner_org=world.org["id"],
            title="Viajes en metro",
            resources=[{"url": "http://x/a.csv"}],
        )
        private = factories.Dataset(
            owner_org=world.org["id"], private=True, title="Denuncias sin anonimizar"
        )
        call_as(
            world.editor,
            "challenge_dataset_add",
            id=challenge["id"],
            dataset=public["name"],
            role="primary",
            note="Where and when women travel",
        )
        call_as(
            world.editor,
            "challenge_dataset_add",
            id=challenge["id"],
            dataset=private["id"],
            role="supporting",
        )
        return challenge, public, private

    return built_over("world", "test_dataset_links.linked", build)


class TestLinks:
    def test_show_lists_links_with_role_note_and_resource_count(self, world, linked):
        challenge, public, private = linked
        shown = call_as(world.admin, "challenge_show", id=challenge["id"])
        assert shown["dataset_count"] == 2
        first, second = shown["datasets"]
        assert (first["id"], first["role"], first["note"]) == (
            public["id"],
            "primary",
            "Where and when women travel",
        )
        assert first["num_resources"] == 1
        assert (second["id"], second["role"]) == (private["id"], "supporting")

    @pytest.mark.parametrize("role", ["anonymous", "user", "other_org_admin"])
    def test_private_dataset_is_invisible_to_those_who_cannot_read_it(self, world, linked, role):
        challenge, public, private = linked
        who = world.roles[role]
        for result in (
            call_as(who, "challenge_show", id=challenge["id"]),
            call_as(who, "challenge_dataset_list", id=challenge["id"]),
        ):
            dumped = json.dumps(result)
            assert private["id"] not in dumped
            assert private["name"] not in dumped
            assert "Denuncias" not in dumped
            assert public["id"] in dumped
        assert call_as(who, "challenge_show", id=challenge["id"])["dataset_count"] == 1
        assert call_as(who, "challenge_dataset_list", id=challenge["id"])["count"] == 1

    @pytest.mark.parametrize("role", ["member", "editor", "admin", "sysadmin"])
    def test_private_dataset_is_visible_to_its_readers(self, world, linked, role):
        challenge, public, private = linked
        listed = call_as(world.roles[role], "challenge_dataset_list", id=challenge["id"])
        assert {d["id"] for d in listed["results"]} == {public["id"], private["id"]}

    def test_collaborator_sees_the_private_dataset(self, world, linked):
        challenge, _, private = linked
        helpers.call_action(
            "package_collaborator_create",
            context={"user": world.sysadmin["name"]},
            id=private["id"],
            user_id=world.user["id"],
            capacity="member",
        )
        listed = call_as(world.user, "challenge_dataset_list", id=challenge["id"])
        assert listed["count"] == 2

    def test_readd_updates_role_and_note(self, world, linked):
        challenge, public, _ = linked
        call_as(
            world.admin,
            "challenge_dataset_add",
            id=challenge["id"],
            dataset=public["id"],
            role="context",
            note="Background",
        )
        links = call_as(world.admin, "challenge_dataset_list", id=challenge["id"])["results"]
        link = next(d for d in links if d["id"] == public["id"])
        assert (link["role"], link["note"]) == ("context", "Background")
        assert len(links) == 2

    def test_remove(self, world, linked):
        challenge, public, _ = linked
        call_as(world.admin, "challenge_dataset_remove", id=challenge["id"], dataset=public["id"])
        assert call_as(None, "challenge_dataset_list", id=challenge["id"])["count"] == 0

    def test_paging(self, world, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=world.org["id"])
        for _ in range(5):
            dataset = factories.Dataset(owner_org=world.org["id"])
            call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
        page = call_as(None, "challenge_dataset_list", id=challenge["id"], limit=2, offset=4)
        assert page["count"] == 5
        assert len(page["results"]) == 1

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"dataset": "no-such-dataset"}, "dataset"),
            ({"dataset": ""}, "dataset"),
            ({"role": "star"}, "role"),
            ({"note": "n" * 2001}, "note"),
            ({"note": "\x00"}, "note"),
        ],
    )
    def test_validation(self, world, linked, data, field):
        challenge, public, _ = linked
        payload = {"id": challenge["id"], "dataset": public["id"], **data}
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_dataset_add", **payload)
        assert field in excinfo.value.error_dict

    def test_a_deleted_dataset_disappears_and_nothing_breaks(self, world, linked, app):
        challenge, public, _ = linked
        helpers.call_action(
            "package_delete", context={"user": world.sysadmin["name"]}, id=public["id"]
        )
        shown = call_as(None, "challenge_show", id=challenge["id"])
        assert shown["datasets"] == []
        # even its organizers do not list deleted data
        assert call_as(world.admin, "challenge_show", id=challenge["id"])["dataset_count"] == 1
        assert (
            app.get(
                "/api/3/action/challenge_show", query_string={"id": challenge["id"]}
            ).status_code
            == 200
        )

    def test_a_purged_dataset_leaves_no_link(self, world, linked):
        challenge, public, private = linked
        helpers.call_action(
            "dataset_purge", context={"user": world.sysadmin["name"]}, id=public["id"]
        )
        shown = call_as(world.admin, "challenge_show", id=challenge["id"])
        assert [d["id"] for d in shown["datasets"]] == [private["id"]]
        assert call_as(None, "challenge_list")["results"][0]["dataset_count"] == 0


class TestDatasetChallengeList:
    def test_lists_challenges_using_the_dataset(self, world, linked, challenge_factory):
        challenge, public, _ = linked
        draft = challenge_factory(owner_org=world.org["id"])
        call_as(world.admin, "challenge_dataset_add", id=draft["id"], dataset=public["id"])
        seen = call_as(None, "dataset_challenge_list", id=public["name"])
        assert [c["id"] for c in seen["challenges"]] == [challenge["id"]]
        assert seen["challenges"][0]["role"] == "primary"
        organizer_view = call_as(world.editor, "dataset_challenge_list", id=public["id"])
        assert {c["id"] for c in organizer_view["challenges"]} == {challenge["id"], draft["id"]}

    def test_private_dataset_is_not_found_for_outsiders(self, world, linked):
        _, _, private = linked
        for who in (None, world.user, world.outsider_admin):
            with pytest.raises(tk.ObjectNotFound):
                call_as(who, "dataset_challenge_list", id=private["id"])
        assert call_as(world.member, "dataset_challenge_list", id=private["id"])["challenges"]

    def test_unknown_dataset(self, world):
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.sysadmin, "dataset_challenge_list", id="nothing-here")

    def test_deleted_challenge_is_not_listed(self, world, linked):
        challenge, public, _ = linked
        call_as(world.admin, "challenge_delete", id=challenge["id"])
        assert (
            call_as(world.sysadmin, "dataset_challenge_list", id=public["id"])["challenges"] == []
        )

    def test_not_stored_in_the_search_index(self, world, linked):
        _, public, _ = linked
        indexed = helpers.call_action("package_search", q=f"id:{public['id']}")["results"][0]
        assert not any("challenge" in key for key in indexed)


class TestAllies:
    def test_crud(self, world, challenge_factory):
        challenge = challenge_factory(owner_org=world.org["id"])
        ally = call_as(
            world.editor,
            "challenge_ally_create",
            challenge=challenge["name"],
            name="Mujeres en Movimiento",
            kind="civil_society",
            url="https://example.org/mm",
            description="Red de colectivas",
        )
        assert ally["challenge_id"] == challenge["id"]
        updated = call_as(
            world.editor,
            "challenge_ally_update",
            id=ally["id"],
            name="Mujeres en Movimiento A.C.",
            kind="civil_society",
        )
        assert updated["name"] == "Mujeres en Movimiento A.C."
        assert updated["url"] == ""  # update replaces
        shown = call_as(world.admin, "challenge_show", id=challenge["id"])
        assert [a["name"] for a in shown["allies"]] == ["Mujeres en Movimiento A.C."]
        call_as(world.editor, "challenge_ally_delete", id=ally["id"])
        assert call_as(world.admin, "challenge_show", id=challenge["id"])["allies"] == []
        with pytest.raises(tk.ObjectNotFound):
            call_as(world.editor, "challenge_ally_delete", id=ally["id"])

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"kind": "friend"}, "kind"),
            ({"name": ""}, "name"),
            ({"url": "javascript:alert(1)"}, "url"),
            ({"logo_url": "vbscript:x"}, "logo_url"),
        ],
    )
    def test_validation(self, world, challenge_factory, data, field):
        challenge = challenge_factory(owner_org=world.org["id"])
        payload = {"challenge": challenge["id"], "name": "Ally", "kind": "academia", **data}
        with pytest.raises(tk.ValidationError) as excinfo:
            call_as(world.admin, "challenge_ally_create", **payload)
        assert field in excinfo.value.error_dict
