"""A judging scenario shared by the jury page, export and notification tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from freezegun import freeze_time

from ckan.tests import factories

from ckanext.datathon.tests.factories import add_team_member
from ckanext.datathon.tests.helpers import call_as, iso, now

SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)


def _dates(deadline: dt.datetime) -> dict[str, str]:
    """Registration 30 to 20 days before ``deadline``; judging for 10 days after it."""
    return {
        "registration_opens": iso(deadline - 30 * DAY),
        "registration_closes": iso(deadline - 20 * DAY),
        "submission_deadline": iso(deadline),
        "judging_closes": iso(deadline + 10 * DAY),
        "results_date": iso(deadline + 11 * DAY),
    }


def _submitted(user, challenge, title, at, members=()):
    """A project of ``user``'s team, registered and submitted at ``at``."""
    with freeze_time(at):
        project = call_as(
            user,
            "project_register",
            challenge=challenge["id"],
            title=title,
            team_name=f"Team {title}",
            accept_rules=True,
        )
        for member in members:
            add_team_member(project, member)
        call_as(
            user,
            "package_patch",
            id=project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
        )
        return call_as(user, "project_submit", id=project["id"])


def scenario(
    world, challenge_factory, *, projects=2, jurors=2, deadline=None, same_leader=False, **fields
):
    """A published challenge of ``world.org`` whose submission deadline was 5
    days ago (judging is open), with ``projects`` submitted projects (the
    first led by ``world.user``, each other one by a new user, or all by
    ``world.user`` with ``same_leader``), ``jurors`` new jurors and the
    criteria "Impact" (weight 2, 0-5) and "Data use" (weight 1, 0-10);
    prizes 1 (1000 USD) and 2."""
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
    others = (world.user if same_leader else factories.User() for _ in range(projects - 1))
    leaders = [world.user, *others][:projects]
    submitted = [
        _submitted(leader, challenge, f"Project {i}", deadline - 25 * DAY + i * SECOND)
        for i, leader in enumerate(leaders)
    ]
    people = [factories.User() for _ in range(jurors)]
    for person in people:
        call_as(world.admin, "challenge_juror_add", id=challenge["id"], user=person["name"])
    impact, data_use = (
        call_as(
            world.admin,
            "challenge_criterion_create",
            challenge=challenge["id"],
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


def published(world, challenge_factory):
    """:func:`scenario` with two projects and one juror, scored 5 and 2 on
    "Impact", the first awarded rank 1, and the results published."""
    done = scenario(world, challenge_factory, projects=2, jurors=1)
    for project, value in zip(done.projects, (5, 2), strict=True):
        call_as(
            done.jurors[0],
            "project_score",
            project=project["id"],
            scores=[{"criterion": done.impact["id"], "score": value}],
        )
    call_as(
        world.admin,
        "challenge_award_create",
        challenge=done.challenge["id"],
        project=done.projects[0]["id"],
        rank=1,
    )
    call_as(world.admin, "challenge_results_publish", id=done.challenge["id"])
    return done
