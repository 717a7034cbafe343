"""The reader x listing table of hidden projects (issue 18 §3), shared by the
permission-label tests and the upgrade test (issue 18 §4).

Readers by listings, each case checking three projects of one challenge: a
draft, a withdrawn one (submitted, changed while public, then withdrawn) and
a submitted one.  A draft or withdrawn project is for its team, the
organizers (editors and admins of the owner organization) and sysadmins;
the submitted one for everyone who may use the listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon import export
from ckanext.datathon.tests.factories import open_registration_dates
from ckanext.datathon.tests.helpers import call_as

TITLES = {
    "draft": "Labelled Zorblax",
    "withdrawn": "Labelled Quillon",
    "submitted": "Labelled Vantor",
}
HIDDEN = ("draft", "withdrawn")

READERS = (
    "anonymous",
    "outsider",
    "org member",
    "org editor",
    "org admin",
    "team member",
    "pending invitee",
    "former member",
    "other team member",
    "juror",
    "other org organizer",
    "sysadmin",
)
# who reads a draft or withdrawn project
HIDDEN_READERS = {"org editor", "org admin", "team member", "sysadmin"}


def build(*, invite: bool = True) -> SimpleNamespace:
    """The portal the table reads.  ``invite=False`` leaves out the pending
    invitations (a database from before invitations has none)."""
    sysadmin = factories.Sysadmin()
    people = {
        name: factories.User()
        for name in (
            "outsider",
            "org member",
            "org editor",
            "org admin",
            "team member",
            "pending invitee",
            "former member",
            "juror",
            "other org organizer",
        )
    }
    people["sysadmin"] = sysadmin
    org = factories.Organization(
        users=[
            {"name": people["org admin"]["name"], "capacity": "admin"},
            {"name": people["org editor"]["name"], "capacity": "editor"},
            {"name": people["org member"]["name"], "capacity": "member"},
        ]
    )
    factories.Organization(
        users=[{"name": people["other org organizer"]["name"], "capacity": "admin"}]
    )
    group = factories.Group(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    challenge = call_as(
        people["org admin"],
        "challenge_create",
        name="labels-challenge",
        title="Labels challenge",
        owner_org=org["id"],
        state="active",
        **open_registration_dates(),
    )
    call_as(sysadmin, "challenge_juror_add", id=challenge["id"], user=people["juror"]["name"])
    data = factories.Dataset(owner_org=org["id"], title="Labels open data")
    projects: dict[str, dict[str, Any]] = {}
    leaders: dict[str, dict[str, Any]] = {}
    for kind, title in TITLES.items():
        leader = factories.User()
        leaders[kind] = leader
        project = call_as(
            leader,
            "project_register",
            challenge=challenge["id"],
            title=title,
            team_name=f"{title} team",
            accept_rules=True,
        )
        call_as(
            leader,
            "package_patch",
            id=project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
            datasets_used=[{"dataset": data["id"]}],
        )
        resource = call_as(
            leader,
            "resource_create",
            package_id=project["id"],
            url="https://example.org/data.csv",
            name=f"{title} data",
        )
        helpers.call_action(
            "member_create",
            id=group["id"],
            object=project["id"],
            object_type="package",
            capacity="public",
        )
        if kind in HIDDEN:
            # an organizer adds people directly (a team member invites them)
            organizer = people["org admin"]
            for who in ("team member", "former member"):
                call_as(organizer, "project_member_add", id=project["id"], user=people[who]["name"])
            call_as(
                organizer,
                "project_member_remove",
                id=project["id"],
                user=people["former member"]["name"],
            )
            if invite:
                call_as(
                    leader,
                    "project_member_add",
                    id=project["id"],
                    user=people["pending invitee"]["name"],
                )
        else:
            people["other team member"] = leader
        if kind != "draft":
            call_as(leader, "project_submit", id=project["id"])
            # an activity written while the project is public
            call_as(leader, "package_patch", id=project["id"], notes="Changed while public")
        if kind == "withdrawn":
            call_as(leader, "project_withdraw", id=project["id"])
        projects[kind] = {**project, "resource_id": resource["id"]}
    for person in people.values():
        for leader in leaders.values():
            if person["id"] != leader["id"]:
                call_as(person, "follow_user", id=leader["id"])
    tokens = {
        name: factories.APIToken(user=person["name"])["token"] for name, person in people.items()
    }
    return SimpleNamespace(
        people=people,
        tokens=tokens,
        org=org,
        group=group,
        challenge=challenge,
        data=data,
        projects=projects,
        leaders=leaders,
    )


def invite_pending(portal: SimpleNamespace, kinds: tuple[str, ...] = HIDDEN) -> None:
    """The leaders of these projects invite the ``pending invitee``."""
    for kind in kinds:
        call_as(
            portal.leaders[kind],
            "project_member_add",
            id=portal.projects[kind]["id"],
            user=portal.people["pending invitee"]["name"],
        )


# -- the listings: each returns the kinds of project the reader finds in it -------


@dataclass(frozen=True)
class Reading:
    portal: SimpleNamespace
    reader: str
    app: Any

    @property
    def user(self) -> dict[str, Any] | None:
        return None if self.reader == "anonymous" else self.portal.people[self.reader]

    def call(self, action: str, **data: Any) -> Any:
        return call_as(self.user, action, **data)

    def page(self, url: str, follow_redirects: bool = True, **params: Any) -> Any:
        token = self.portal.tokens.get(self.reader)
        headers = {"Authorization": token} if token else {}
        return self.app.get(
            url,
            query_string=params or None,
            headers=headers,
            status=None,
            follow_redirects=follow_redirects,
        )

    def titles_in(self, url: str, **params: Any) -> set[str]:
        response = self.page(url, **params)
        if response.status_code != 200:
            return set()
        body = response.get_data(as_text=True)
        return {kind for kind, title in TITLES.items() if title in body}

    def kinds_of(self, ids: Any) -> set[str]:
        ids = set(ids)
        return {kind for kind, p in self.portal.projects.items() if p["id"] in ids}

    def per_project(self, check: Any) -> set[str]:
        found = set()
        for kind, project in self.portal.projects.items():
            try:
                if check(project):
                    found.add(kind)
            except (tk.NotAuthorized, tk.ObjectNotFound):
                pass
        return found


def _search(r: Reading, **extra: Any) -> set[str]:
    result = r.call("package_search", fq="+dataset_type:project", rows=100, **extra)
    return r.kinds_of(p["id"] for p in result["results"])


def _activities(r: Reading, action: str, **data: Any) -> set[str]:
    try:
        found = r.call(action, **data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return set()
    return r.kinds_of(a["object_id"] for a in found)


def _download(r: Reading, project: dict[str, Any]) -> bool:
    url = f"/dataset/{project['id']}/resource/{project['resource_id']}/download"
    return r.page(url, follow_redirects=False).status_code in (200, 302)


# name: (how to read it, lists hidden projects at all, lists public ones)
LISTINGS: dict[str, tuple[Any, bool, bool]] = {
    "package_search include_private": (
        lambda r: _search(r, include_private=True, include_drafts=True),
        True,
        True,
    ),
    "package_search": (lambda r: _search(r), False, True),
    "/dataset": (lambda r: r.titles_in("/dataset/", q="dataset_type:project"), True, True),
    "/project/": (lambda r: r.titles_in("/project/"), True, True),
    "organization page": (
        lambda r: r.titles_in(f"/organization/{r.portal.org['name']}"),
        True,
        True,
    ),
    "group page": (lambda r: r.titles_in(f"/group/{r.portal.group['name']}"), True, True),
    "organization_show": (
        lambda r: r.kinds_of(
            p["id"]
            for p in r.call("organization_show", id=r.portal.org["id"], include_datasets=True)[
                "packages"
            ]
        ),
        True,
        True,
    ),
    "group_show": (
        lambda r: r.kinds_of(
            p["id"]
            for p in r.call("group_show", id=r.portal.group["id"], include_datasets=True)[
                "packages"
            ]
        ),
        False,  # core lists only public datasets of a group, to everyone
        True,
    ),
    "package_autocomplete": (
        lambda r: r.kinds_of(
            model.Package.get(p["name"]).id
            for p in r.call("package_autocomplete", q="labelled", limit=20)
        ),
        True,
        True,
    ),
    "package_show": (
        lambda r: r.per_project(lambda p: r.call("package_show", id=p["id"])),
        True,
        True,
    ),
    "package page": (
        lambda r: r.per_project(lambda p: r.page(f"/project/{p['name']}").status_code == 200),
        True,
        True,
    ),
    "package activity": (
        lambda r: r.per_project(lambda p: bool(r.call("package_activity_list", id=p["id"]))),
        True,
        True,
    ),
    "organization activity": (
        lambda r: _activities(r, "organization_activity_list", id=r.portal.org["id"], limit=100),
        False,  # core streams only the public datasets of an organization, to everyone
        True,
    ),
    "user activity": (
        lambda r: set().union(
            *(
                _activities(r, "user_activity_list", id=leader["id"], limit=100)
                for leader in r.portal.leaders.values()
            )
        ),
        True,
        True,
    ),
    "dashboard activity": (
        lambda r: set() if r.user is None else _activities(r, "dashboard_activity_list", limit=100),
        True,
        True,
    ),
    "recently changed": (
        lambda r: _activities(r, "recently_changed_packages_activity_list", limit=100),
        True,
        True,
    ),
    "resource download": (lambda r: r.per_project(lambda p: _download(r, p)), True, True),
    "project_list": (
        lambda r: r.kinds_of(
            p["id"] for p in r.call("project_list", challenge=r.portal.challenge["id"])["results"]
        ),
        True,
        True,
    ),
    "project gallery": (
        lambda r: r.titles_in(f"/challenge/{r.portal.challenge['name']}/projects"),
        True,
        True,
    ),
    "challenge page": (
        lambda r: r.titles_in(f"/challenge/{r.portal.challenge['name']}"),
        False,
        True,
    ),
    "projects.csv": (
        lambda r: r.titles_in(f"/challenge/{r.portal.challenge['name']}/projects.csv"),
        False,
        True,
    ),
    "export": (
        lambda r: r.kinds_of(
            p["id"]
            for p in export.collect(
                r.portal.challenge["name"], r.user["name"] if r.user else None
            ).projects
        ),
        True,
        True,
    ),
    "dataset_challenge_list": (
        lambda r: r.kinds_of(
            p["id"] for p in r.call("dataset_challenge_list", id=r.portal.data["id"])["projects"]
        ),
        True,
        True,
    ),
    "/dataset/<id>/challenges": (
        lambda r: r.titles_in(f"/dataset/{r.portal.data['name']}/challenges"),
        True,
        True,
    ),
    "challenge feed": (lambda r: r.titles_in("/challenge/feed.atom"), False, False),
    "challenge JSON-LD": (
        lambda r: r.titles_in(f"/challenge/{r.portal.challenge['name']}.jsonld"),
        False,
        False,
    ),
}


def expected(reader: str, listing: str) -> set[str]:
    _read, lists_hidden, lists_public = LISTINGS[listing]
    if listing == "dashboard activity" and reader == "anonymous":
        return set()
    kinds = {"submitted"} if lists_public else set()
    if lists_hidden and reader in HIDDEN_READERS:
        kinds |= set(HIDDEN)
    return kinds


def mismatches(portal: SimpleNamespace, app: Any) -> list[tuple[str, str, set[str], set[str]]]:
    """Every (reader, listing, found, expected) where the table does not hold."""
    wrong = []
    for reader in READERS:
        for listing, (read, _hidden, _public) in LISTINGS.items():
            found = read(Reading(portal, reader, app))
            if found != expected(reader, listing):
                wrong.append((reader, listing, found, expected(reader, listing)))
    return wrong
