"""Federation end to end: a real source portal over HTTP (``source_portal``),
harvested by this process through ckanext-harvest's own ``ckan harvester
run-test`` command (every stage, no queue consumers)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import subprocess
import sys
import threading
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories as ckan_factories
from ckan.tests import helpers

from ckanext.datathon.model import Challenge, HarvestedChallenge
from ckanext.datathon.tests.federation.conftest import HARVEST_PLUGINS, free_port

pytest.importorskip("ckanext.harvest")

from ckanext.harvest.model import HarvestGatherError, HarvestObjectError, HarvestSource

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", HARVEST_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _at(days: int) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).isoformat()


def published(portal: Any, name: str, **extra: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "title": f"Challenge {name}",
        "owner_org": portal.org["id"],
        "problem_statement": "Water *quality* in the city's rivers",
        "state": "active",
        "registration_opens": _at(-1),
        "registration_closes": _at(10),
        "submission_deadline": _at(20),
        "judging_closes": _at(30),
        "results_date": _at(35),
        "prizes": [{"rank": 1, "title": "First prize", "amount": "1000", "currency": "MXN"}],
    }
    data.update(extra)
    return portal.call("challenge_create", **data)


@pytest.fixture
def sysadmin() -> dict[str, Any]:
    return ckan_factories.Sysadmin()


@pytest.fixture
def remote(source_portal: Any) -> Any:
    source_portal.clear_challenges()
    return source_portal


def make_source(sysadmin: dict[str, Any], url: str, config: str = "", name: str = "") -> Any:
    org = ckan_factories.Organization(user=sysadmin)
    return helpers.call_action(
        "harvest_source_create",
        {"user": sysadmin["name"]},
        name=name or f"city-{uuid.uuid4().hex[:6]}",
        title="City portal",
        url=url,
        source_type="datathon_challenges",
        owner_org=org["id"],
        frequency="MANUAL",
        config=config,
    )


@pytest.fixture
def harvest_run(app: Any) -> Any:
    """``ckan harvester run-test SOURCE``'s body (ckanext-harvest's
    ``utils.run_test_harvester``: job, gather, fetch, import, job closed)
    in this process; the command itself runs in ``test_the_command``."""
    from ckanext.harvest import utils

    def run(source: dict[str, Any]) -> None:
        with app.flask_app.test_request_context():
            utils.run_test_harvester(source["id"], None)
        model.Session.remove()

    return run


def copies(source: dict[str, Any]) -> dict[str, Challenge]:
    rows = model.Session.execute(
        sa.select(HarvestedChallenge.remote_id, Challenge)
        .join(Challenge, Challenge.id == HarvestedChallenge.challenge_id)
        .where(HarvestedChallenge.harvest_source_id == source["id"])
    ).all()
    return {row[0]: row[1] for row in rows}


def object_errors() -> list[str]:
    return [e.message for e in model.Session.scalars(sa.select(HarvestObjectError))]


def gather_errors() -> list[str]:
    return [e.message for e in model.Session.scalars(sa.select(HarvestGatherError))]


class TestHarvest:
    def test_create_update_and_rerun_without_duplicates(self, harvest_run, remote, sysadmin):
        first = published(remote, "rivers")
        second = published(remote, "air", title="Clean air")
        remote.call(
            "challenge_create", name="secret-draft", title="Draft", owner_org=remote.org["id"]
        )
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        found = copies(source)
        assert set(found) == {first["id"], second["id"]}, object_errors() + gather_errors()
        copy = found[first["id"]]
        assert copy.name == f"{source['name']}-rivers"  # namespaced by source
        assert copy.state == "active"
        assert copy.owner_org == source["owner_org"]
        shown = helpers.call_action("challenge_show", {"user": ""}, id=copy.name)
        assert shown["title"] == "Challenge rivers"
        assert [p["title"] for p in shown["prizes"]] == ["First prize"]
        copy_id = copy.id
        row = model.Session.get(HarvestedChallenge, copy.id)
        assert row.remote_site_url == remote.url
        assert row.remote_organization == {"name": "city-hall", "title": "City Hall"}

        # update at the source (a rename too): the same copy changes, matched by id
        remote.call("challenge_patch", id=first["id"], title="Rivers, again", name="rivers-2")
        harvest_run(source)
        again = copies(source)
        assert set(again) == {first["id"], second["id"]}
        assert again[first["id"]].id == copy_id
        assert again[first["id"]].title == "Rivers, again", object_errors()
        # re-runs never duplicate
        harvest_run(source)
        total = model.Session.scalar(sa.select(sa.func.count()).select_from(Challenge))
        assert total == 2

    def test_unpublished_and_deleted_at_source_are_removed(self, harvest_run, remote, sysadmin):
        keep = [published(remote, f"keep-{n}") for n in range(3)]
        gone = published(remote, "gone")
        hidden = published(remote, "hidden")
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        assert len(copies(source)) == 5
        remote.call("challenge_delete", id=gone["id"])
        remote.call("challenge_patch", id=hidden["id"], state="draft")
        harvest_run(source)  # 2 of 5 missing: within the declared share (50%)
        assert set(copies(source)) == {c["id"] for c in keep}
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(Challenge)) == 3

    def test_empty_run_deletes_nothing_until_confirmed(self, harvest_run, remote, sysadmin):
        made = [published(remote, f"c-{n}") for n in range(2)]
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        assert len(copies(source)) == 2
        remote.clear_challenges()
        harvest_run(source)  # the source lists nothing: suspicious, nothing deleted
        kept = model.Session.scalars(sa.select(HarvestedChallenge)).all()
        assert {r.remote_id for r in kept} == {c["id"] for c in made}
        assert all(r.missing_since is not None for r in kept)
        harvest_run(source)  # the next run confirms
        assert copies(source) == {}

    def test_large_drop_waits_for_confirmation_and_reappearing_copy_is_kept(
        self, harvest_run, remote, sysadmin
    ):
        made = [published(remote, f"d-{n}") for n in range(4)]
        source = make_source(sysadmin, remote.url, config=json.dumps({"max_delete_percent": 25}))
        harvest_run(source)
        for challenge in made[:2]:
            remote.call("challenge_patch", id=challenge["id"], state="draft")
        harvest_run(source)  # 50% missing > 25%: kept, marked
        assert len(copies(source)) == 4
        remote.call("challenge_patch", id=made[0]["id"], state="active")
        harvest_run(source)  # made[1] confirmed missing; made[0] is back
        assert set(copies(source)) == {made[0]["id"], made[2]["id"], made[3]["id"]}
        assert (
            model.Session.get(HarvestedChallenge, copies(source)[made[0]["id"]].id).missing_since
            is None
        )

    def test_unreachable_source_reports_and_keeps_copies(self, harvest_run, remote, sysadmin):
        made = published(remote, "stays")
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        # the source goes away (its URL now answers nothing)
        harvest_source = HarvestSource.get(source["id"])
        harvest_source.url = f"http://127.0.0.1:{free_port()}"
        harvest_source.save()
        harvest_run(source)
        harvest_run(source)
        assert set(copies(source)) == {made["id"]}
        assert any("could not be reached" in message for message in gather_errors())

    def test_clear_and_delete_source_leave_no_copy(self, harvest_run, remote, sysadmin):
        published(remote, "one")
        published(remote, "two")
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        assert len(copies(source)) == 2
        helpers.call_action("harvest_source_clear", {"user": sysadmin["name"]}, id=source["id"])
        assert copies(source) == {}
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(Challenge)) == 0
        harvest_run(source)  # harvested again after a clear: the same two, once
        assert len(copies(source)) == 2
        helpers.call_action("harvest_source_delete", {"user": sysadmin["name"]}, id=source["id"])
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(HarvestedChallenge)) == 0
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(Challenge)) == 0

    def test_more_than_a_page_of_challenges(self, harvest_run, remote, sysadmin):
        made = {published(remote, f"p-{n:03d}")["id"] for n in range(105)}
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        assert set(copies(source)) == made


def test_the_command(harvest_ini, remote, sysadmin):
    """``ckan harvester run-test`` itself, in its own process (as a cron job or
    an operator runs it)."""
    made = published(remote, "by-command")
    source = make_source(sysadmin, remote.url)
    done = subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).parent / "ckan"),
            "-c",
            str(harvest_ini),
            "harvester",
            "run-test",
            source["id"],
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    model.Session.remove()
    assert set(copies(source)) == {made["id"]}


class TestSafety:
    def test_source_with_an_api_key_is_refused(self, remote, sysadmin):
        with pytest.raises(Exception, match="anonymously"):
            make_source(sysadmin, remote.url, config=json.dumps({"api_key": remote.token}))

    def test_drafts_are_never_read(self, harvest_run, remote, sysadmin):
        remote.call(
            "challenge_create", name="only-draft", title="Draft", owner_org=remote.org["id"]
        )
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        assert copies(source) == {}

    def test_copies_are_read_only(self, harvest_run, remote, sysadmin):
        published(remote, "locked")
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        (copy,) = copies(source).values()
        context = {"user": sysadmin["name"]}
        for action, data in [
            ("challenge_update", {"id": copy.id, "title": "Mine now", "owner_org": copy.owner_org}),
            ("challenge_patch", {"id": copy.id, "title": "Mine now"}),
            ("challenge_delete", {"id": copy.id}),
            (
                "challenge_ally_create",
                {"challenge": copy.id, "name": "Ally", "kind": "academia"},
            ),
            (
                "challenge_criterion_create",
                {"challenge": copy.id, "name": "Impact", "weight": 1},
            ),
            (
                "challenge_mentorship_create",
                {
                    "challenge": copy.id,
                    "title": "Office hours",
                    "location": "Online",
                    "starts": _at(2),
                    "ends": _at(3),
                },
            ),
            (
                "challenge_impact_create",
                {
                    "challenge": copy.id,
                    "title": "Adopted",
                    "kind": "other",
                    "date": _at(-1)[:10],
                },
            ),
        ]:
            with pytest.raises(Exception, match="harvested") as raised:
                helpers.call_action(action, dict(context), **data)
            assert "read-only" in str(raised.value), action
        model.Session.remove()
        assert model.Session.get(Challenge, copy.id).title == "Challenge locked"

    def test_hostile_remote_text_is_refused_not_a_500(self, harvest_run, remote, sysadmin):
        published(remote, "fine")
        hostile = published(
            remote,
            "hostile",
            problem_statement='<script>alert("x")</script> **bold**',
        )
        source = make_source(sysadmin, remote.url)
        harvest_run(source)
        found = copies(source)
        assert set(found) >= {hostile["id"]}
        shown = helpers.call_action("challenge_show", {"user": ""}, id=found[hostile["id"]].id)
        # stored as the source's text; rendered through the markdown sanitiser like local text
        assert "<script>" in shown["problem_statement"]

    def test_redirect_to_a_private_address_is_refused(self, remote):
        from ckanext.datathon.federation.client import Client, SourceError

        client = Client(remote.url)
        with pytest.raises(SourceError, match="private address"):
            client._redirect_target(remote.url, "http://10.0.0.1/api/3/action/challenge_list")
        with pytest.raises(SourceError, match="not http"):
            client._redirect_target(remote.url, "file:///etc/passwd")

    def test_response_size_cap(self, remote):
        from ckanext.datathon.federation.client import Client, SourceError

        client = Client(remote.url)
        client.max_bytes = 50
        with pytest.raises(SourceError, match="larger than"):
            client.action("status_show", {})


class _Hostile(http.server.BaseHTTPRequestHandler):
    """A malicious source: oversized fields, bad dates, HTML, an answer past
    the size cap, a redirect to a private address."""

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        action = url.path.rsplit("/", 1)[-1]
        wanted = urllib.parse.parse_qs(url.query).get("id", [""])[0]
        ids = ["long-title", "bad-dates", "too-big", "redirect", "html"]
        if action == "challenge_list":
            results = [{"id": i} for i in ids]
            self._json(200, {"success": True, "result": {"count": len(ids), "results": results}})
        elif action == "challenge_ranking":
            self._json(403, {"success": False, "error": {"__type": "Authorization Error"}})
        elif wanted == "too-big":
            self._json(200, {"success": True, "result": {"id": wanted, "title": "x" * 300_000}})
        elif wanted == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        else:
            challenge = {
                "id": wanted,
                "name": wanted,
                "title": "Fine title",
                "problem_statement": "text",
                "state": "active",
                "registration_opens": _at(-1),
                "registration_closes": _at(10),
                "submission_deadline": _at(20),
                "judging_closes": _at(30),
                "results_date": _at(35),
                "organization": {"name": "evil", "title": "Evil\x00<b>org</b>" * 100},
            }
            if wanted == "long-title":
                challenge["title"] = "t" * 5000
            elif wanted == "bad-dates":
                challenge["registration_opens"] = "not a date"
                challenge["results_date"] = _at(-400)
            elif wanted == "html":
                challenge["title"] = '<script>alert("title")</script>'
            self._json(200, {"success": True, "result": challenge})


@pytest.fixture
def hostile_source() -> Any:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.ckan_config("ckanext.datathon.harvest.max_response_bytes", "100000")
def test_malicious_source_is_refused_or_escaped(harvest_run, hostile_source, sysadmin, app):
    source = make_source(sysadmin, hostile_source)
    harvest_run(source)
    found = copies(source)
    assert set(found) == {"html"}, object_errors()
    errors = " ".join(object_errors())
    assert "title" in errors  # the 5000-character title
    assert "registration_opens" in errors  # the date that is not one
    assert "larger than 100000 bytes" in errors
    assert "private address" in errors
    (copy,) = found.values()
    row = model.Session.get(HarvestedChallenge, copy.id)
    assert "\x00" not in row.remote_organization["title"]
    assert len(row.remote_organization["title"]) <= 300
    page = app.get(f"/challenge/{copy.name}")
    assert page.status_code == 200
    assert '<script>alert("title")</script>' not in page.get_data(as_text=True)
