"""Benchmark of the challenge entity: SQL queries and timings of challenge_show
(1 vs 200 linked datasets) and challenge_list (at 10,000 challenges).

Run through `make bench-challenge` (starts the services and prepares the bench
database), or directly with the services up:
    .venv/ckan-2.12.0/bin/python scripts/bench/bench_challenge.py [--challenges N]

Prints figures; asserts nothing (tests assert behaviour, benchmarks measure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common


def _seed(n_challenges: int, n_linked: int) -> dict[str, str]:
    import sqlalchemy as sa

    import ckan.model as model
    from ckan.tests import factories, helpers

    from ckanext.datathon.model import STAGES, Challenge, Prize, Stage

    sysadmin = factories.Sysadmin()
    ctx = {"user": sysadmin["name"]}
    org = factories.Organization(user=sysadmin)
    datasets = [
        helpers.call_action(
            "package_create",
            context=dict(ctx),
            name=f"bench-dataset-{i:04d}",
            owner_org=org["id"],
            private=bool(i % 10 == 0),
            resources=[{"url": f"http://example.org/{i}.csv"}],
        )["id"]
        for i in range(n_linked)
    ]
    one = helpers.call_action(
        "challenge_create", context=dict(ctx), owner_org=org["id"], name="bench-one", title="One"
    )
    many = helpers.call_action(
        "challenge_create", context=dict(ctx), owner_org=org["id"], name="bench-many", title="Many"
    )
    helpers.call_action(
        "challenge_dataset_add", context=dict(ctx), id=one["id"], dataset_id=datasets[0]
    )
    for dataset_id in datasets:
        helpers.call_action(
            "challenge_dataset_add", context=dict(ctx), id=many["id"], dataset_id=dataset_id
        )

    now = dt.datetime.now(dt.timezone.utc)
    rows, prizes, stages = [], [], []
    for i in range(n_challenges):
        cid = str(uuid.uuid4())
        opens = now + dt.timedelta(days=(i % 60) - 30)
        rows.append(
            {
                "id": cid,
                "name": f"bulk-{i:05d}",
                "title": f"Challenge {i} on {'transport' if i % 3 else 'care'} data",
                "owner_org": org["id"],
                "problem_statement": "Women's safety in public transport " * 5,
                "state": "active" if i % 5 else "draft",
                "created": now - dt.timedelta(minutes=i),
                "modified": now,
                "registration_opens": opens,
                "registration_closes": opens + dt.timedelta(days=21),
                "submission_deadline": opens + dt.timedelta(days=28),
                "judging_closes": opens + dt.timedelta(days=35),
                "results_date": opens + dt.timedelta(days=40),
                "allowed_licences": ["MIT", "Apache-2.0"],
                "tags": ["mobility"],
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
    for table, data in ((Challenge, rows), (Prize, prizes), (Stage, stages)):
        for start in range(0, len(data), 5000):
            model.Session.execute(sa.insert(table.__table__), data[start : start + 5000])
    model.Session.commit()
    with model.meta.engine.begin() as connection:  # fresh statistics for the planner
        connection.execute(sa.text("ANALYZE"))
    return {"one": one["id"], "many": many["id"], "user": sysadmin["name"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--challenges", type=int, default=10_000)
    parser.add_argument("--linked", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    common.load_app()
    import ckan.model as model
    from ckan.tests import helpers

    model.repo.rebuild_db()
    from ckan.cli.db import _run_migrations

    for plugin in ("activity", "datathon"):
        _run_migrations(plugin)
    print(f"seeding {args.challenges} challenges and {args.linked} linked datasets ...")
    ids = _seed(args.challenges, args.linked)

    def action(name: str, user: str = "", **data):
        return lambda: helpers.call_action(name, context={"user": user}, **data)

    cases = [
        ("challenge_show, 1 linked dataset (anonymous)", action("challenge_show", id="bench-one")),
        (
            "challenge_show, 200 linked datasets (anonymous)",
            action("challenge_show", id="bench-many"),
        ),
        (
            "challenge_show, 200 linked datasets (sysadmin)",
            action("challenge_show", ids["user"], id="bench-many"),
        ),
        ("challenge_list, default page (anonymous)", action("challenge_list")),
        ("challenge_list, limit=100", action("challenge_list", limit=100)),
        ("challenge_list, q=care", action("challenge_list", q="care")),
        ("challenge_list, stage=development", action("challenge_list", stage="development")),
        (
            "challenge_list, drafts (sysadmin)",
            action("challenge_list", ids["user"], state="draft", limit=100),
        ),
        ("challenge_dataset_list, 200 links", action("challenge_dataset_list", id="bench-many")),
        ("package_search, default", action("package_search")),
    ]
    rows = []
    for label, call in cases:
        t = common.measure(call, repeat=args.repeat)
        rows.append((label, f"{t.p50_ms:.1f}", f"{t.p95_ms:.1f}", str(t.sql), str(t.solr)))
    common.print_table(
        f"challenge entity, {args.challenges} challenges "
        f"(targets: challenge_show <= 10 queries whatever the links; challenge_list <= 3)",
        rows,
        ("call", "p50 ms", "p95 ms", "SQL", "Solr"),
    )


if __name__ == "__main__":
    main()
