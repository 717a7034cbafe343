"""Seed a synthetic portal for `make bench`, fast.

A few records are made through the actions (a dataset, a project, the big
challenge, its jurors and criteria), so that they are exactly what the plugin
writes; the thousands of others are bulk SQL copies of them (package rows and
every row that hangs off a package, found by reflection, so CKAN 2.11's
``package_extra`` and 2.12's ``package.extras`` both work).  The copies are
not in Solr: run ``ckan search-index rebuild`` afterwards.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

CHILD_TABLES = ("resource", "package_extra", "package_tag", "package_member")
CHUNK = 2000


@dataclass
class Scale:
    datasets: int = 5000
    challenges: int = 500
    projects: int = 2000
    jurors: int = 30
    criteria: int = 5
    list_challenges: int = 10_000  # challenge_list is measured at this many
    linked: int = 200  # datasets of the big challenge
    big_projects: int = 100  # projects of the big challenge


def _uuid() -> str:
    return str(uuid.uuid4())


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    import ckan.model as model

    for start in range(0, len(rows), CHUNK):
        model.Session.execute(sa.insert(table), rows[start : start + CHUNK])


def _reflect(name: str) -> sa.Table | None:
    import ckan.model as model

    bind = model.Session.connection()
    if not sa.inspect(bind).has_table(name):
        return None
    return sa.Table(name, sa.MetaData(), autoload_with=bind)


def _swap(value: Any, swaps: dict[str, str]) -> Any:
    if isinstance(value, str):
        return swaps.get(value, value)
    if isinstance(value, dict):
        return {k: _swap(v, swaps) for k, v in value.items()}
    return value


def clone_packages(
    template_id: str, names: list[str], swaps: list[dict[str, str]] | None = None
) -> list[str]:
    """Copies of a package and its child rows, one per name; ``swaps[i]`` maps
    values of the template (e.g. its challenge's id) to those of copy i."""
    import ckan.model as model

    package = _reflect("package")
    assert package is not None
    template = dict(
        model.Session.execute(sa.select(package).where(package.c.id == template_id))
        .mappings()
        .one()
    )
    ids = [_uuid() for _ in names]
    rows = []
    for i, (new_id, name) in enumerate(zip(ids, names, strict=True)):
        row = {**template, "id": new_id, "name": name, "title": f"{template['title']} {i}"}
        if swaps and "extras" in row:
            row["extras"] = _swap(row["extras"], swaps[i])
        rows.append(row)
    _insert(package, rows)
    for child_name in CHILD_TABLES:
        child = _reflect(child_name)
        if child is None:
            continue
        children = [
            dict(r)
            for r in model.Session.execute(
                sa.select(child).where(child.c.package_id == template_id)
            )
            .mappings()
            .all()
        ]
        copies = []
        for i, new_id in enumerate(ids):
            for r in children:
                copy = {**r, "package_id": new_id}
                if "id" in copy:
                    copy["id"] = _uuid()
                if swaps and "value" in copy:
                    copy["value"] = _swap(copy["value"], swaps[i])
                copies.append(copy)
        _insert(child, copies)
    return ids


def _challenge_rows(
    org_id: str, count: int, prefix: str, drafts: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    from ckanext.datathon.model import STAGES

    now = dt.datetime.now(dt.timezone.utc)
    topics = ("transport", "care", "water", "education", "security", "health")
    rows, prizes, stages = [], [], []
    for i in range(count):
        cid = _uuid()
        opens = now + dt.timedelta(days=(i % 60) - 30)
        topic = topics[i % len(topics)]
        rows.append(
            {
                "id": cid,
                "name": f"{prefix}-{i:05d}",
                "title": f"Challenge {i} on {topic} data",
                "owner_org": org_id,
                "problem_statement": f"Open {topic} data for a better city, case {i}. " * 3,
                "state": "draft" if drafts and i % 5 == 0 else "active",
                "created": now - dt.timedelta(minutes=i),
                "modified": now,
                "published": now,
                "registration_opens": opens,
                "registration_closes": opens + dt.timedelta(days=21),
                "submission_deadline": opens + dt.timedelta(days=28),
                "judging_closes": opens + dt.timedelta(days=35),
                "results_date": opens + dt.timedelta(days=40),
                "allowed_licences": ["MIT", "Apache-2.0"],
                "tags": [topic],
            }
        )
        prizes += [
            {
                "challenge_id": cid,
                "rank": r,
                "title": f"Prize {r}",
                "amount": 2500,
                "currency": "USD",
            }
            for r in (1, 2, 3)
        ]
        stages += [
            {
                "challenge_id": cid,
                "stage": s,
                "position": p,
                "starts": opens + dt.timedelta(days=4 * p),
                "ends": opens + dt.timedelta(days=4 * p + 3),
                "notes": "",
            }
            for p, s in enumerate(STAGES, start=1)
        ]
    return rows, prizes, stages


def seed(scale: Scale) -> dict[str, Any]:
    """Seed the portal; returns the names the benchmark needs."""
    import ckan.model as model
    from ckan.tests import factories, helpers

    from ckanext.datathon.model import Challenge, ChallengeDataset, Prize, Stage
    from ckanext.datathon.model.project import Project
    from ckanext.datathon.tests.factories import open_registration_dates

    admin = factories.Sysadmin()
    org = factories.Organization(user=admin, title="Bench city")

    def call(action: str, user: str = admin["name"], **data: Any) -> Any:
        return helpers.call_action(action, context={"user": user}, **data)

    # datasets: one through the actions, the others copied
    template = call(
        "package_create",
        name="bench-dataset-00000",
        title="Bench dataset",
        owner_org=org["id"],
        notes="Bus stops, routes and ridership of the city, by month. " * 4,
        tags=[{"name": "mobility"}, {"name": "transport"}],
        license_id="cc-by",
        resources=[
            {"url": "http://example.org/stops.csv", "name": "Stops", "format": "CSV"},
            {"url": "http://example.org/routes.json", "name": "Routes", "format": "JSON"},
        ],
    )
    dataset_names = [f"bench-dataset-{i:05d}" for i in range(scale.datasets)]
    dataset_ids = [template["id"], *clone_packages(template["id"], dataset_names[1:])]

    # the big challenge: through the actions, with its jury
    big = call(
        "challenge_create",
        owner_org=org["id"],
        name="bench-big-challenge",
        title="Women's safety in public transport",
        problem_statement="Where and when do women feel unsafe on buses and trains? " * 5,
        description="A datathon on mobility data. " * 20,
        state="active",
        prizes=[
            {"rank": r, "title": f"Prize {r}", "amount": "5000", "currency": "USD"}
            for r in (1, 2, 3)
        ],
        **open_registration_dates(),
    )
    for i in range(scale.jurors):
        juror = factories.User(name=f"bench-juror-{i:02d}")
        call("challenge_juror_add", id=big["id"], username=juror["name"])
    for i in range(scale.criteria):
        call("challenge_criterion_create", challenge_id=big["id"], name=f"Criterion {i + 1}")

    # one project through the actions (register, fill in, submit), the others copied
    leader = factories.User(name="bench-team-leader")
    project = call(
        "project_register",
        leader["name"],
        challenge=big["id"],
        title="Safe routes",
        team_name="Team bench",
        accept_rules=True,
    )
    call(
        "package_patch",
        leader["name"],
        id=project["id"],
        notes="A map of reported incidents against lighting and stop density.",
        repository_url="https://example.org/team/safe-routes",
        code_licence="MIT",
    )
    call("project_submit", leader["name"], id=project["id"])

    # challenges: the portal's, then enough more for challenge_list's figure
    c_rows, p_rows, s_rows = _challenge_rows(org["id"], scale.challenges, "bench-challenge", False)
    extra = max(0, scale.list_challenges - scale.challenges - 1)
    e_rows, ep_rows, es_rows = _challenge_rows(org["id"], extra, "bench-list", True)
    _insert(Challenge.__table__, c_rows + e_rows)
    _insert(Prize.__table__, p_rows + ep_rows)
    _insert(Stage.__table__, s_rows + es_rows)

    # links: the big challenge has `linked` datasets; each portal challenge 3
    links = [
        {"challenge_id": big["id"], "package_id": pid, "role": ("primary", "supporting")[i % 2]}
        for i, pid in enumerate(dataset_ids[1 : scale.linked + 1])
    ]
    rest = dataset_ids[scale.linked + 1 :]
    for i, row in enumerate(c_rows):
        for k in range(3):
            links.append(
                {
                    "challenge_id": row["id"],
                    "package_id": rest[(3 * i + k) % len(rest)],
                    "role": "primary",
                }
            )
    _insert(ChallengeDataset.__table__, links)

    # projects: `big_projects` of the big challenge, the others spread over the portal's
    targets = [(big["id"], big["name"])] * (scale.big_projects - 1)
    others = max(0, scale.projects - scale.big_projects)
    targets += [
        (c_rows[i % len(c_rows)]["id"], c_rows[i % len(c_rows)]["name"]) for i in range(others)
    ]
    swaps = [{big["id"]: cid, big["name"]: cname} for cid, cname in targets]
    names = [f"bench-project-{i:05d}" for i in range(1, len(targets) + 1)]
    project_ids = clone_packages(project["id"], names, swaps)
    record = dict(
        model.Session.execute(
            sa.select(Project.__table__).where(Project.__table__.c.package_id == project["id"])
        )
        .mappings()
        .one()
    )
    _insert(
        Project.__table__,
        [
            {**record, "package_id": pid, "challenge_id": cid}
            for pid, (cid, _name) in zip(project_ids, targets, strict=True)
        ],
    )
    model.Session.commit()
    with model.meta.engine.begin() as connection:  # fresh statistics for the planner
        connection.execute(sa.text("ANALYZE"))
    return {
        "admin": admin["name"],
        "org": org["name"],
        "challenge": big["name"],
        # linked by one portal challenge, as most datasets of a portal would be
        "dataset": dataset_names[scale.linked + 1],
        "showcase_datasets": dataset_names[1 : scale.linked + 1],
        # a word of every dataset and of one challenge in six
        "query": "transport",
    }
