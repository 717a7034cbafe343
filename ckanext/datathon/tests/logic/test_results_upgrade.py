"""Upgrade path of frozen results: a database whose results were published
before snapshots existed (the code of migration ``a4c6e1f9b3d2``), then
``ckan db upgrade -p datathon`` and ``ckan datathon upgrade``, in a real
shell."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon.model import Results, ResultsSnapshot
from ckanext.datathon.tests import jury_scenario
from ckanext.datathon.tests.helpers import call_as, ckan_ok

pytestmark = pytest.mark.usefixtures("with_plugins")

BEFORE = "a4c6e1f9b3d2"  # the alembic head before results snapshots


def _has_snapshot_table() -> bool:
    found = sa.inspect(model.Session.get_bind()).has_table("datathon_results_snapshot")
    model.Session.rollback()
    return found


def test_results_published_before_the_upgrade_get_a_snapshot(world, challenge_factory, tmp_path):
    published = jury_scenario.published(world, challenge_factory)
    pending = jury_scenario.scenario(world, challenge_factory, projects=1, jurors=1)
    cid = published.challenge["id"]

    # the database as the previous code left it: published results, no snapshot table
    ckan_ok("db", "downgrade", "-p", "datathon", "-v", BEFORE)
    assert not _has_snapshot_table()
    when = model.Session.get(Results, cid).published
    assert model.Session.get(Results, pending.challenge["id"]) is None

    ckan_ok("db", "upgrade", "-p", "datathon")
    assert _has_snapshot_table()
    # until the step runs, readers get the live ranking (there is no snapshot)
    assert call_as(None, "challenge_ranking", id=cid)["live"] is True

    out = tmp_path / "out"
    dry = ckan_ok(
        "datathon", "upgrade", "--step", "results-snapshot", "--dry-run", "--output-dir", str(out)
    )
    assert f"would snapshot the published results of {published.challenge['name']}" in dry
    model.Session.remove()
    assert model.Session.scalars(sa.select(ResultsSnapshot)).first() is None

    before = dt.datetime.now(dt.timezone.utc)
    done = ckan_ok("datathon", "upgrade", "--step", "results-snapshot", "--output-dir", str(out))
    assert f"snapshot of the published results of {published.challenge['name']}" in done
    snaps = list(model.Session.scalars(sa.select(ResultsSnapshot)))
    assert len(snaps) == 1  # only the published challenge
    snap = snaps[0]
    assert snap.challenge_id == cid
    assert snap.version == 1
    assert snap.origin == "upgrade"
    assert snap.published == when
    assert snap.published_by == world.admin["id"]
    assert snap.taken >= before - dt.timedelta(seconds=5)
    assert [e["project"]["id"] for e in snap.payload["ranking"]] == [
        p["id"] for p in published.projects
    ]
    assert snap.payload["awards"][0]["project"]["id"] == published.projects[0]["id"]

    ranking = call_as(None, "challenge_ranking", id=cid)
    assert ranking["live"] is False
    assert ranking["version"] == 1
    # and from now on the results are frozen
    with pytest.raises(tk.ValidationError):
        call_as(world.admin, "project_withdraw", id=published.projects[0]["id"])

    again = ckan_ok("datathon", "upgrade", "--step", "results-snapshot", "--output-dir", str(out))
    assert "every published result has its snapshot" in again
    model.Session.remove()
    assert (
        model.Session.execute(sa.select(sa.func.count()).select_from(ResultsSnapshot)).scalar_one()
        == 1
    )
