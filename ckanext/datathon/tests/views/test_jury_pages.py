"""The jury pages through Flask's test client, per role: the juror's queue and
scoring form (blind scoring, re-scoring in place, recusal, judging window),
the organizers' progress table and management forms, the results page
(gating, preview, publication, awards), winner badges on project pages and in
the gallery, links from the challenge page, and CSRF on every POST."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.model import Award, Challenge, Criterion, Juror, Recusal, Results, Score
from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.jury_scenario import scenario as _scenario
from ckanext.datathon.tests.logic.test_jury import _score

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = dt.timezone.utc
LOGIN = "/user/login"  # a page with a CSRF token for anyone


def body(response) -> str:
    return response.get_data(as_text=True)


def _shift(challenge_id: str, **days: float) -> None:
    """Move contest dates (bypassing validation, as time passing would)."""
    row = model.Session.get(Challenge, challenge_id)
    now = dt.datetime.now(UTC)
    for field, offset in days.items():
        setattr(row, field, now + dt.timedelta(days=offset))
    model.Session.commit()


def _count(table, **where) -> int:
    model.Session.expire_all()
    query = sa.select(sa.func.count()).select_from(table)
    for key, value in where.items():
        query = query.where(getattr(table, key) == value)
    return model.Session.execute(query).scalar_one()


@pytest.fixture
def s(world, challenge_factory):
    """Judging is open: 2 submitted projects (team: world.user), 2 jurors,
    criteria Impact (weight 2, 0-5) and Data use (weight 1, 0-10); a juror of
    another challenge; an outsider."""
    scenario = _scenario(world, challenge_factory, projects=2, jurors=2)
    other = _scenario(world, challenge_factory, projects=0, jurors=1)
    scenario.other_juror = other.jurors[0]
    scenario.outsider = factories.User()
    return scenario


def _url(endpoint: str, s, **kw) -> str:
    return tk.url_for(endpoint, name=s.challenge["name"], **kw)


def _roles(world, s) -> dict:
    return {
        "anonymous": None,
        "outsider": s.outsider,
        "team member": world.user,
        "juror": s.jurors[0],
        "other challenge's juror": s.other_juror,
        "organizer": world.admin,
        "editor": world.editor,
        "sysadmin": world.sysadmin,
    }


# -- the jury page -------------------------------------------------------------------------


class TestJuryPageAccess:
    EXPECTED = {
        "anonymous": 401,
        "outsider": 403,
        "team member": 403,
        "juror": 200,
        "other challenge's juror": 403,
        "organizer": 200,
        "editor": 200,
        "sysadmin": 200,
    }

    def test_every_role(self, browse, world, s):
        url = _url("datathon_jury.jury_page", s)
        got = {role: browse(user).get(url).status_code for role, user in _roles(world, s).items()}
        assert got == self.EXPECTED

    def test_draft_challenge_is_404_except_for_organizers(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        url = tk.url_for("datathon_jury.jury_page", name=draft["name"])
        assert browse(None).get(url).status_code == 404
        assert browse(world.user).get(url).status_code == 404
        assert browse(world.admin).get(url).status_code == 200

    def test_unknown_challenge(self, browse, world):
        assert browse(world.admin).get("/challenge/no-such-thing/jury").status_code == 404
