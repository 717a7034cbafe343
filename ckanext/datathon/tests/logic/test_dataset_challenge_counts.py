"""``dataset_challenge_counts`` and the "used in N challenges" mark of the
dataset search page (issue 21 §1): one query for the page, per viewer."""

from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.tests.helpers import Statements, call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def linked(world, published_challenge_factory, challenge_factory):
    def build():
        public = factories.Dataset(owner_org=world.org["id"], title="Zorblax buses")
        private = factories.Dataset(owner_org=world.org["id"], title="Zorblax vault", private=True)
        alone = factories.Dataset(owner_org=world.org["id"], title="Zorblax alone")
        first, second = (published_challenge_factory(owner_org=world.org["id"]) for _ in range(2))
        draft = challenge_factory(owner_org=world.org["id"])
        for challenge in (first, second, draft):
            for dataset in (public, private):
                call_as(
                    world.admin,
                    "challenge_dataset_add",
                    id=challenge["id"],
                    dataset=dataset["id"],
                )
        return public, private, alone

    return built_over("world", "test_dataset_challenge_counts.linked", build)


def test_counts_per_viewer(world, linked):
    public, private, alone = linked
    ids = [public["id"], private["id"], alone["id"], "no-such-dataset"]
    # anonymous: published challenges, public datasets only
    assert call_as(None, "dataset_challenge_counts", ids=ids)["counts"] == {public["id"]: 2}
    # an outsider as anonymous; the organizers also count the draft and read the private one
    assert call_as(world.user, "dataset_challenge_counts", ids=ids)["counts"] == {public["id"]: 2}
    assert call_as(world.admin, "dataset_challenge_counts", ids=ids)["counts"] == {
        public["id"]: 3,
        private["id"]: 3,
    }
    # a comma-separated string works too
    joined = ",".join(ids)
    assert call_as(None, "dataset_challenge_counts", ids=joined)["counts"] == {public["id"]: 2}


@pytest.mark.parametrize("junk", [7, [7], ["\x00"], ["x" * 200], {"a": 1}, ["a"] * 1001])
def test_hostile_ids(world, junk):
    with pytest.raises(tk.ValidationError):
        call_as(None, "dataset_challenge_counts", ids=junk)


def test_ids_are_required_and_empty_is_nothing(world):
    with pytest.raises(tk.ValidationError):
        call_as(None, "dataset_challenge_counts")
    assert call_as(None, "dataset_challenge_counts", ids=[])["counts"] == {}


@pytest.mark.usefixtures("linked")
def test_the_search_page_marks_each_dataset_in_one_query(app, world):
    html = app.get("/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
    assert "Used in 2 challenges" in html
    assert html.count("datathon-used-mark") == 1  # the private one is not listed, "alone" unused
    # the statements of the page do not grow with the datasets it lists
    with Statements() as few:
        app.get("/dataset/", query_string={"q": "Zorblax"})
    challenge = call_as(world.admin, "challenge_list", limit=1)["results"][0]
    for n in range(12):
        dataset = factories.Dataset(owner_org=world.org["id"], title=f"Zorblax {n}")
        call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
    with Statements() as many:
        page = app.get("/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
    assert page.count("datathon-used-mark") == 13
    ours = [s for s in many.run if "datathon_challenge_dataset" in s]
    assert len(ours) == len([s for s in few.run if "datathon_challenge_dataset" in s]) == 1
    spanish = app.get("/es/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
    assert "Usado en 2 retos" in spanish


@pytest.mark.usefixtures("linked")
def test_signed_in_with_invitations_the_page_costs_one_statement(
    app, world, published_challenge_factory
):
    """Issue 21: dataset search at most one extra statement per page, signed
    in too -- the header's invitation count is kept (``datathon_hub_counts``),
    and forgotten when the invitations change."""
    from ckanext.datathon.tests.factories import open_registration_dates
    from ckanext.datathon.tests.views.conftest import Browser

    guest, leader = factories.User(), factories.User()
    invitations = []
    for n in range(2):
        challenge = published_challenge_factory(
            owner_org=world.org["id"], **open_registration_dates()
        )
        project = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title=f"P{n}",
            team_name="T",
            accept_rules=True,
        )
        answer = call_as(leader, "project_member_add", id=project["id"], user=guest["name"])
        invitations.append(answer["invitation"])
    browser = Browser(app, guest)
    first = browser.get("/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
    assert 'badge bg-primary">2<' in first
    for _ in range(2):
        with Statements() as run:
            html = browser.get("/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
        assert 'badge bg-primary">2<' in html
        assert "Used in 2 challenges" in html
        # dataset_challenge_counts, and nothing else of ours
        assert len(run.ours) == 1, run.ours
        assert "datathon_challenge_dataset" in run.ours[0]
    # an answer shows on the next page (the kept count is forgotten)
    call_as(guest, "project_invitation_decline", id=invitations[0]["id"])
    html = browser.get("/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
    assert 'badge bg-primary">1<' in html
    # and a withdrawal
    call_as(leader, "project_invitation_revoke", id=invitations[1]["id"])
    html = browser.get("/dataset/", query_string={"q": "Zorblax"}).get_data(as_text=True)
    assert 'badge bg-primary"' not in html
