"""Benchmark of what the plugin costs a portal's pages and actions.

Seeds the bench database once (plugin on), then measures the same calls in two
fresh processes, one with the ``datathon`` plugin and one without it, and
prints the ratios.  SQL statements are counted with SQLAlchemy events, Solr
requests by wrapping pysolr (scripts/bench/common.py).

    make bench-pages            # or: scripts/bench.sh scripts/bench/bench_pages.py

Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

IDS = common.REPO / ".artifacts" / "bench" / "pages.json"
# The "off" portal: same database and services, CKAN's own plugins only.
OFF_INI = """[app:main]
use = config:{base}
ckan.plugins = scheming_datasets activity
scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml
"""


def seed(n_linking: int, n_linked: int, n_projects: int) -> None:
    import ckan.model as model
    from ckan.cli.db import _run_migrations
    from ckan.tests import factories, helpers

    from ckanext.datathon.tests.factories import open_registration_dates

    model.repo.rebuild_db()
    for plugin in ("activity", "datathon"):
        _run_migrations(plugin)
    admin = factories.Sysadmin()
    ctx = {"user": admin["name"]}
    org = factories.Organization(user=admin)

    def call(action, **data):
        return helpers.call_action(action, context=dict(ctx), **data)

    def dataset(name):
        return call(
            "package_create",
            name=name,
            owner_org=org["id"],
            notes="Bench dataset about mobility",
            resources=[{"url": f"http://example.org/{name}.csv"}],
        )

    one, fifty = dataset("linked-once"), dataset("linked-fifty")
    dataset("plain")
    for i in range(n_linking):
        c = call(
            "challenge_create",
            owner_org=org["id"],
            name=f"linking-{i:03d}",
            title=f"C{i}",
            state="active",
            **open_registration_dates(),
        )
        call("challenge_dataset_add", id=c["id"], dataset_id=fifty["id"])
        if i == 0:
            call("challenge_dataset_add", id=c["id"], dataset_id=one["id"])
    big = call(
        "challenge_create",
        owner_org=org["id"],
        name="big-challenge",
        title="Big",
        state="active",
        **open_registration_dates(),
    )
    for i in range(n_linked):
        d = dataset(f"big-{i:04d}")
        call("challenge_dataset_add", id=big["id"], dataset_id=d["id"])
    for i in range(n_projects):
        user = factories.User()
        project = helpers.call_action(
            "project_register",
            context={"user": user["name"]},
            challenge=big["id"],
            title=f"Project {i}",
            team_name=f"Team {i}",
            accept_rules=True,
        )
        if i % 2 == 0:
            helpers.call_action(
                "package_patch",
                context={"user": user["name"]},
                id=project["id"],
                repository_url=f"https://example.org/team{i}/repo",
                code_licence="MIT",
                # the dataset page's block lists them, with their team names
                datasets_used=[{"dataset": one["id"]}],
            )
            helpers.call_action("project_submit", context={"user": user["name"]}, id=project["id"])
    IDS.parent.mkdir(parents=True, exist_ok=True)
    IDS.write_text(json.dumps({"admin": admin["name"]}))


def measure(repeat: int, ini: str | None) -> dict[str, dict[str, float]]:
    app = common.load_app(Path(ini) if ini else None)
    from ckan.plugins import plugin_loaded
    from ckan.tests import helpers

    client = app._wsgi_app.test_client()
    on = plugin_loaded("datathon")

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    cases = {
        # linked-once: 1 challenge, and the 50 submitted projects of the big one use it
        "dataset page, 1 linking challenge": get("/dataset/linked-once"),
        "dataset page, 50 linking challenges": get("/dataset/linked-fifty"),
        "dataset page, no challenge": get("/dataset/plain"),
        "dataset search page": get("/dataset/?q=mobility"),
        "package_show (action)": lambda: helpers.call_action("package_show", id="linked-fifty"),
        "package_search (action)": lambda: helpers.call_action("package_search", q="mobility"),
    }
    if on:
        cases["challenge page, 200 datasets + projects"] = get("/challenge/big-challenge")
        cases["project_list (action), 100 projects"] = lambda: helpers.call_action(
            "project_list", context={"user": ""}, challenge="big-challenge", limit=100
        )
    result = {}
    for label, call in cases.items():
        t = common.measure(call, repeat=repeat)
        result[label] = {"p50": t.p50_ms, "p95": t.p95_ms, "sql": t.sql, "solr": t.solr}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ini", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--linking", type=int, default=50)
    parser.add_argument("--linked", type=int, default=200)
    parser.add_argument("--projects", type=int, default=100)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.repeat, args.ini)))
        return
    print(
        f"seeding: {args.linking} challenges linking one dataset, a challenge with "
        f"{args.linked} datasets and {args.projects} projects ...",
        flush=True,
    )
    common.load_app()
    seed(args.linking, args.linked, args.projects)
    off_ini = IDS.with_name("plugins-off.ini")
    off_ini.write_text(OFF_INI.format(base=common.REPO / "test.ini"))
    runs = {}
    for label, ini in (("on", None), ("off", off_ini)):
        command = [sys.executable, __file__, "--measure", "--repeat", str(args.repeat)]
        if ini:
            command += ["--ini", str(ini)]
        out = subprocess.run(
            command, env=dict(os.environ), capture_output=True, text=True, check=True
        ).stdout
        runs[label] = json.loads(out.strip().splitlines()[-1])
    rows = []
    for case, on in runs["on"].items():
        off = runs["off"].get(case)
        ratio = f"{on['p50'] / off['p50']:.2f}x" if off else "-"
        rows.append(
            (
                case,
                f"{on['p50']:.1f}",
                f"{off['p50']:.1f}" if off else "-",
                ratio,
                str(on["sql"]),
                str(off["sql"]) if off else "-",
                str(on["solr"]),
                str(off["solr"]) if off else "-",
            )
        )
    # issue 21's budget: dataset page +2 statements at most, no extra Solr
    # request; dataset search page +1 statement at most
    for case, budget in (
        ("dataset page, 1 linking challenge", 2),
        ("dataset page, 50 linking challenges", 2),
        ("dataset page, no challenge", 2),
        ("dataset search page", 1),
    ):
        on, off = runs["on"][case], runs["off"][case]
        extra_sql, extra_solr = on["sql"] - off["sql"], on["solr"] - off["solr"]
        verdict = "ok" if extra_sql <= budget and extra_solr <= 0 else "OVER BUDGET"
        print(
            f"{case}: plugin on {on['sql']} SQL / {on['solr']} Solr, off {off['sql']} / "
            f"{off['solr']}: +{extra_sql} SQL (budget {budget}), +{extra_solr} Solr: {verdict}"
        )
    dataset_p50 = runs["on"]["dataset page, 1 linking challenge"]["p50"]
    challenge_p50 = runs["on"]["challenge page, 200 datasets + projects"]["p50"]
    common.print_table(
        f"plugin on vs off (same database, same process setup; p50 in ms over {args.repeat} calls)",
        rows,
        ("call", "on p50", "off p50", "on/off", "on SQL", "off SQL", "on Solr", "off Solr"),
    )
    print(
        f"\nchallenge page (200 datasets, {args.projects} projects) / dataset page: "
        f"{challenge_p50 / dataset_p50:.2f}x"
    )


if __name__ == "__main__":
    main()
