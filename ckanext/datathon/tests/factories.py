"""factory-boy factories of the datathon entities.

``conftest.py`` registers each one as pytest fixtures (``<name>`` and
``<name>_factory``) with pytest-factoryboy, the way CKAN registers its own.
Factories create through the actions (``Meta.action``), as a user would, so
they exercise validation and return API dicts.
"""

from __future__ import annotations

import datetime as dt

import factory

import ckan.model as ckan_model
from ckan.tests import factories

from ckanext.datathon import model as datathon_model

UTC = dt.timezone.utc


def _at(days: float) -> str:
    """An ISO timestamp ``days`` from now (UTC, second precision)."""
    moment = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(days=days)
    return moment.isoformat()


def open_registration_dates() -> dict[str, str]:
    """Contest dates of a challenge whose registration is open now."""
    return {
        "registration_opens": _at(-1),
        "registration_closes": _at(10),
        "submission_deadline": _at(20),
        "judging_closes": _at(30),
        "results_date": _at(35),
    }


class OrganizerOrganizationFactory(factories.Organization):
    """An organization that runs challenges."""

    title = factory.Faker("company")


class ChallengeFactory(factories.CKANFactory):
    """A draft challenge owned by a new organization (its creator is admin)."""

    class Meta:
        model = datathon_model.Challenge
        action = "challenge_create"

    name = factory.Sequence(lambda n: f"test-challenge-{n:04d}")
    title = factory.Faker("sentence", nb_words=5)
    problem_statement = factory.Faker("paragraph", nb_sentences=3)
    owner_org = factory.LazyFunction(lambda: factories.Organization()["id"])
    state = "draft"


class PublishedChallengeFactory(ChallengeFactory):
    """A published challenge whose registration is open."""

    state = "active"

    class Params:
        dates = factory.LazyFunction(open_registration_dates)

    registration_opens = factory.LazyAttribute(lambda o: o.dates["registration_opens"])
    registration_closes = factory.LazyAttribute(lambda o: o.dates["registration_closes"])
    submission_deadline = factory.LazyAttribute(lambda o: o.dates["submission_deadline"])
    judging_closes = factory.LazyAttribute(lambda o: o.dates["judging_closes"])
    results_date = factory.LazyAttribute(lambda o: o.dates["results_date"])
    prizes = factory.LazyFunction(
        lambda: [
            {"rank": 1, "title": "First prize", "amount": "2500", "currency": "USD"},
            {"rank": 2, "title": "Second prize", "amount": "2500", "currency": "USD"},
        ]
    )


class AllyFactory(factories.CKANFactory):
    class Meta:
        model = datathon_model.Ally
        action = "challenge_ally_create"

    challenge = factory.LazyFunction(lambda: ChallengeFactory()["id"])
    name = factory.Faker("company")
    kind = "civil_society"
    url = "https://example.org/"


class ProjectFactory(factories.CKANFactory):
    """A team's draft project, registered by ``user`` (the team leader) for a
    published challenge whose registration is open.

    ``ProjectFactory(members=2)`` adds two new users to the team;
    ``members=[user_dict, ...]`` adds those users.
    """

    class Meta:
        model = ckan_model.Package
        action = "project_register"

    user = factory.LazyFunction(factories.User)
    challenge = factory.LazyFunction(lambda: PublishedChallengeFactory()["id"])
    title = factory.Faker("sentence", nb_words=4)
    team_name = factory.Faker("company")
    accept_rules = True

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if not extracted:
            return
        users = (
            [factories.User() for _ in range(extracted)]
            if isinstance(extracted, int)
            else extracted
        )
        for user in users:
            add_team_member(obj, user)


def add_team_member(project: dict, user: dict | None = None) -> dict:
    """Add ``user`` (a new user by default) to the project's team, as a sysadmin would."""
    from ckan.tests import helpers

    user = user or factories.User()
    helpers.call_action("project_member_add", id=project["id"], user=user["name"])
    return user


def legacy_team_member(project: dict, user: dict) -> dict:
    """Put ``user`` on the team with a plain collaborator row, as the code
    before issue 18 let anyone do (a juror of the challenge included): data
    an upgraded portal may hold, which the rules must still handle."""
    import datetime as dt

    row = ckan_model.PackageMember(
        package_id=project["id"],
        user_id=user["id"],
        capacity="editor",
        modified=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    )
    ckan_model.Session.add(row)
    ckan_model.Session.commit()
    return user


def invite_and_accept(inviter: dict, project: dict, user: dict | None = None) -> dict:
    """``inviter`` (a team member) invites ``user`` (a new user by default),
    who accepts: the consent path of joining a team."""
    from ckanext.datathon.tests.helpers import call_as

    user = user or factories.User()
    answer = call_as(inviter, "project_member_add", id=project["id"], user=user["name"])
    assert answer["status"] == "invited", answer
    call_as(user, "project_invitation_accept", id=answer["invitation"]["id"])
    return user


class JurorFactory(factories.CKANFactory):
    """A new user appointed to the jury of a new published challenge
    (``JurorFactory(id=challenge_id, user=name)`` for given ones)."""

    class Meta:
        model = datathon_model.Juror
        action = "challenge_juror_add"
        primary_key = "user_id"

    id = factory.LazyFunction(lambda: PublishedChallengeFactory()["id"])
    user = factory.LazyFunction(lambda: factories.User()["name"])


class CriterionFactory(factories.CKANFactory):
    """A judging criterion (weight 1, scores 0-5) of a new published challenge."""

    class Meta:
        model = datathon_model.Criterion
        action = "challenge_criterion_create"

    challenge = factory.LazyFunction(lambda: PublishedChallengeFactory()["id"])
    name = factory.Sequence(lambda n: f"Criterion {n}")
    description = factory.Faker("sentence", nb_words=8)
    weight = 1
    max_score = 5
