"""``challenge_list``'s contest phase (filter, facet, each result's ``phase``)
and its sort by the next deadline (issue 21 §1)."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.datathon.model import CONTEST_DATES, Challenge, Results
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = dt.timezone.utc
DATES = CONTEST_DATES
# phase -> the contest dates, in days from now
PLAN = {
    "upcoming": (5, 10, 20, 30, 31),
    "open": (-5, 3, 20, 30, 31),
    "development": (-10, -5, 2, 30, 31),
    "judging": (-20, -15, -2, 8, 9),
    "ended": (-40, -30, -20, -10, -9),
}


def _dated(challenge: dict, days: tuple[float, ...]) -> None:
    """Move the dates (as time passing would; validation allows no past dates)."""
    row = model.Session.get(Challenge, challenge["id"])
    now = dt.datetime.now(UTC)
    for field, offset in zip(DATES, days, strict=True):
        setattr(row, field, now + dt.timedelta(days=offset))
    model.Session.commit()


@pytest.fixture
def phases(world, published_challenge_factory):
    """Two challenges in every phase, and one more whose results were published
    while judging was still open (ended)."""

    def build():
        made: dict[str, list[dict]] = {}
        for phase, days in PLAN.items():
            for n in range(2):
                challenge = published_challenge_factory(
                    owner_org=world.org["id"], title=f"{phase} {n}"
                )
                _dated(challenge, tuple(d + n for d in days))
                made.setdefault(phase, []).append(challenge)
        early = published_challenge_factory(owner_org=world.org["id"], title="published early")
        _dated(early, PLAN["judging"])
        model.Session.add(Results(challenge_id=early["id"], published_by=world.admin["id"]))
        model.Session.commit()
        made["ended"].append(early)
        return made

    return built_over("world", "test_challenge_phases.phases", build)


def _names(result) -> list[str]:
    return [c["name"] for c in result["results"]]


def test_filter_facet_and_phase_of_each_result(world, phases):
    for phase, expected in phases.items():
        found = call_as(None, "challenge_list", phase=phase, limit=100)
        assert sorted(_names(found)) == sorted(c["name"] for c in expected), phase
        assert {c["phase"] for c in found["results"]} == {phase}
    everything = call_as(None, "challenge_list", facets=True, limit=100)
    assert everything["facets"]["phase"] == [
        {"name": phase, "display_name": phase, "count": len(phases[phase])} for phase in PLAN
    ]
    # the phase combines with the other filters, and pages
    first = call_as(None, "challenge_list", phase="ended", limit=2, owner_org=world.org["name"])
    assert first["count"] == 3
    assert len(first["results"]) == 2
    second = call_as(None, "challenge_list", phase="ended", limit=2, offset=2)
    assert len(second["results"]) == 1


def test_sort_by_the_next_deadline(world, phases):
    found = call_as(None, "challenge_list", sort="next_deadline asc", limit=100)
    now = dt.datetime.now(UTC)

    def next_date(c):
        later = [dt.datetime.fromisoformat(c[d]) for d in DATES if c[d]]
        later = [d for d in later if d > now]
        return min(later) if later else None

    dates = [next_date(c) for c in found["results"]]
    known = [d for d in dates if d is not None]
    assert known == sorted(known)
    # those with nothing to come (the ended ones) last
    assert dates[len(known) :] == [None] * (len(dates) - len(known))
    assert len(dates) - len(known) == 2  # "published early" still has dates to come
    assert found["results"][0]["name"] == phases["development"][0]["name"]  # due in 2 days


@pytest.mark.parametrize("junk", ["opened", "\x00", 5, ["open"], {"a": 1}])
def test_junk_phase_is_a_validation_error(junk):
    with pytest.raises(tk.ValidationError) as excinfo:
        call_as(None, "challenge_list", phase=junk)
    assert "phase" in excinfo.value.error_dict


def test_an_empty_phase_filters_nothing(world, phases):
    assert call_as(None, "challenge_list", phase="", limit=100)["count"] == 11


def test_a_draft_has_no_phase_filter_leak(world, challenge_factory, phases):
    draft = challenge_factory(owner_org=world.org["id"], title="draft in judging")
    _dated(draft, PLAN["judging"])
    found = call_as(None, "challenge_list", phase="judging", limit=100)
    assert draft["name"] not in _names(found)
    facet = call_as(None, "challenge_list", phase="judging", facets=True)["facets"]["phase"]
    assert facet == [{"name": "judging", "display_name": "judging", "count": 2}]


def test_the_challenge_page_filters_and_sorts_by_phase(app, world, phases):
    page = app.get("/challenge", query_string={"phase": "open"})
    html = page.get_data(as_text=True)
    for challenge in phases["open"]:
        assert challenge["title"] in html
    for challenge in phases["judging"]:
        assert challenge["title"] not in html
    assert "Open for registration" in html  # the card's phase, and the facet
    assert "Contest phase" in html
    assert 'value="next_deadline asc"' in html
    everything = app.get("/challenge", query_string={"sort": "next_deadline asc"}).get_data(
        as_text=True
    )
    assert everything.index("development 0") < everything.index("open 0")
    assert app.get("/challenge", query_string={"phase": "nonsense"}, status=None).status_code == 200
    spanish = app.get("/es/challenge", query_string={"phase": "judging"}).get_data(as_text=True)
    assert "En evaluación" in spanish


def test_the_home_page_promotes_open_then_upcoming_challenges(
    app, world, phases, challenge_factory
):
    draft = challenge_factory(owner_org=world.org["id"], title="draft open")
    _dated(draft, PLAN["open"])
    html = app.get("/").get_data(as_text=True)
    assert "Challenges you can join" in html
    shown = [c["title"] for group in phases.values() for c in group if c["title"] in html]
    # three by default: the two open ones (next deadline first), then an upcoming one
    assert sorted(shown) == ["open 0", "open 1", "upcoming 0"]
    assert html.index("open 0") < html.index("open 1") < html.index("upcoming 0")
    assert "draft open" not in html
    assert '<h3><a href="/challenge/' in html  # under the block's own h2


@pytest.mark.ckan_config("ckanext.datathon.home_challenges", "0")
def test_the_home_block_can_be_turned_off(app, world, phases):
    html = app.get("/").get_data(as_text=True)
    assert "Challenges you can join" not in html
    assert "open 0" not in html


def test_no_block_when_nothing_is_open_or_upcoming(app, world):
    assert "Challenges you can join" not in app.get("/").get_data(as_text=True)
