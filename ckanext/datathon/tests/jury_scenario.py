"""A judging scenario shared by the jury page, export and notification tests."""

from __future__ import annotations

from types import SimpleNamespace

from ckan.tests import factories

from ckanext.datathon.tests.helpers import call_as, now
from ckanext.datathon.tests.logic.test_jury import DAY, SECOND, _dates, _submitted


def scenario(world, challenge_factory, *, projects=2, jurors=2, deadline=None, **fields):
    """A published challenge of ``world.org`` whose submission deadline was 5
    days ago (judging is open), with ``projects`` submitted projects (the
    first led by ``world.user``, each other one by a new user), ``jurors``
    new jurors and the criteria "Impact" (weight 2, 0-5) and "Data use"
    (weight 1, 0-10); prizes 1 (1000 USD) and 2."""
    deadline = deadline or now() - 5 * DAY
    challenge = challenge_factory(
        owner_org=world.org["id"],
        state="active",
        prizes=[
            {"rank": 1, "title": "First prize", "amount": "1000", "currency": "USD"},
            {"rank": 2, "title": "Second prize"},
        ],
        **_dates(deadline),
        **fields,
    )
    leaders = [world.user, *(factories.User() for _ in range(projects - 1))][:projects]
    submitted = [
        _submitted(leader, challenge, f"Project {i}", deadline - 25 * DAY + i * SECOND)
        for i, leader in enumerate(leaders)
    ]
    people = [factories.User() for _ in range(jurors)]
    for person in people:
        call_as(world.admin, "challenge_juror_add", id=challenge["id"], username=person["name"])
    impact, data_use = (
        call_as(
            world.admin,
            "challenge_criterion_create",
            challenge_id=challenge["id"],
            name=name,
            description=description,
            weight=weight,
            max_score=top,
        )
        for name, description, weight, top in (
            ("Impact", "Does it change lives?", 2, 5),
            ("Data use", "How well does it use open data?", 1, 10),
        )
    )
    return SimpleNamespace(
        challenge=challenge,
        deadline=deadline,
        projects=submitted,
        project=submitted[0] if submitted else None,
        leaders=leaders,
        jurors=people,
        impact=impact,
        data_use=data_use,
    )
