"""`make bench`: the plugin on a synthetic portal, beside stock CKAN and
ckanext-showcase, served by gunicorn (2 workers each) and measured over HTTP.

    make bench                      # default scale (5,000 datasets, ...)
    make bench BENCH_ARGS=--small   # or BENCH_SMALL=1: a quick run

scripts/bench.sh prepares the bench database (ckan_datathon_bench), Solr core
(ckan_bench) and Redis db (7), then runs this script, which:

1. seeds the portal (scripts/bench/seed_portal.py) and times it;
2. installs ckanext-showcase from PyPI in its own virtualenv
   (.venv/showcase-$CKAN_VERSION, same CKAN pin) and makes a showcase of the
   big challenge's datasets in the same database;
3. times ``ckan search-index rebuild`` with the plugin on and off (A B A);
4. serves three portals on 127.0.0.1: plugin on (5051), off (5052) and
   ckanext-showcase (5053); every response says how many SQL statements and
   Solr requests it took (scripts/bench/counted_wsgi.py);
5. requests every page in rounds, in a different order each round, so that
   the machine's noise falls on all of them alike; every figure is a ratio
   of two measurements of the same run;
6. loads the challenge page and the dataset page with wrk (A B B A);
7. prints one table, and writes it with the raw figures to
   .artifacts/bench/results.json.

Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import seed_portal

REPO = common.REPO
ART = REPO / ".artifacts" / "bench"
CKAN_VERSION = os.environ.get("CKAN_VERSION", "2.12.0")
VENV = REPO / ".venv" / f"ckan-{CKAN_VERSION}"
SHOWCASE_VENV = REPO / ".venv" / f"showcase-{CKAN_VERSION}"
# PyPI's newest ckanext-showcase, 1.5.1 (2022), cannot start on CKAN 2.11+
# (SQLAlchemy 2: orm.mapper, Table.exists); its maintainers' newest release,
# v1.8.3 (2025), is only on GitHub.  SHOWCASE_SPEC may name another source
# (e.g. a local checkout of that tag).
SHOWCASE_SPEC = os.environ.get(
    "SHOWCASE_SPEC", "ckanext-showcase @ git+https://github.com/ckan/ckanext-showcase@v1.8.3"
)
PORTS = {"on": 5051, "off": 5052, "showcase": 5053}
CONFIGS = {
    # test.ini's own plugins: datathon scheming_datasets activity; no mail server
    # (and the shipped default of the page cache, written out)
    "on": "ckanext.datathon.notifications = false\nckanext.datathon.page_cache_seconds = 60\n",
    "off": (
        "ckan.plugins = scheming_datasets activity\n"
        "scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml\n"
    ),
    # CKAN 2.12 asks each upload kind for a storage; showcase images are one
    "showcase": (
        "ckan.plugins = showcase activity\nckan.files.default_storages.showcase = default\n"
    ),
}
WRK_LUA = """-- stop a thread after WRK_MAX_REQUESTS responses (wrk itself bounds time)
local done, max = 0, tonumber(os.getenv("WRK_MAX_REQUESTS") or "5000")
function response(status, headers, body)
  done = done + 1
  if done >= max then wrk.thread:stop() end
end
"""


def ini(name: str) -> Path:
    return ART / f"{name}.ini"


def write_configs() -> None:
    ART.mkdir(parents=True, exist_ok=True)
    for name, extra in CONFIGS.items():
        ini(name).write_text(f"[app:main]\nuse = config:{REPO / 'test.ini'}\n{extra}")
    (ART / "limit.lua").write_text(WRK_LUA)


def timed(command: list[str], **kwargs: Any) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, check=True, env=dict(os.environ), **kwargs)
    return time.perf_counter() - t0


# -- showcase -------------------------------------------------------------------


def showcase_venv() -> Path:
    python = SHOWCASE_VENV / "bin" / "python"
    stamp = SHOWCASE_VENV / ".installed"
    wanted = [f"ckan[requirements]=={CKAN_VERSION}", "gunicorn==23.0.0", SHOWCASE_SPEC]
    if stamp.exists() and stamp.read_text() == "\n".join(wanted):
        return SHOWCASE_VENV
    print(f"installing {SHOWCASE_SPEC} in {SHOWCASE_VENV} ...", flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(SHOWCASE_VENV)])
        subprocess.run([str(python), "-m", "ensurepip", "-q"], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "pip==26.3", "setuptools==84.2.1", "wheel==0.48.0"], check=True)
    subprocess.run([*pip, *wanted], check=True)
    stamp.write_text("\n".join(wanted))
    return SHOWCASE_VENV


def seed_showcase(ids_path: Path) -> float:
    venv = showcase_venv()
    t0 = time.perf_counter()
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            str(REPO / "scripts" / "bench" / "seed_showcase.py"),
            str(ini("showcase")),
            str(ids_path),
        ],
        check=True,
        env=dict(os.environ),
    )
    return time.perf_counter() - t0


# -- servers --------------------------------------------------------------------


class Servers:
    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        for name, port in PORTS.items():
            venv = SHOWCASE_VENV if name == "showcase" else VENV
            log = open(ART / f"gunicorn-{name}.log", "wb")  # noqa: SIM115
            self.procs[name] = subprocess.Popen(
                [
                    str(venv / "bin" / "gunicorn"),
                    "--workers=2",
                    f"--bind=127.0.0.1:{port}",
                    "--timeout=300",
                    f"--pythonpath={REPO / 'scripts' / 'bench'}",
                    "counted_wsgi:application",
                ],
                env={**os.environ, "CKAN_INI": str(ini(name))},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        import requests

        deadline = time.monotonic() + 180
        for name, port in PORTS.items():
            while True:
                if self.procs[name].poll() is not None:
                    raise SystemExit(f"gunicorn {name} died: see {ART}/gunicorn-{name}.log")
                try:
                    requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=60)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"gunicorn {name} did not answer on {port}") from None
                    time.sleep(0.5)

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


# -- measurements ---------------------------------------------------------------


def interleaved(urls: dict[str, str], repeat: int, warmup: int = 3) -> dict[str, dict[str, Any]]:
    """Request every URL once per round, rotating the order each round."""
    import requests

    session = requests.Session()
    keys = list(urls)
    samples: dict[str, list[float]] = {k: [] for k in keys}
    counts: dict[str, tuple[int, int]] = {}
    for r in range(warmup + repeat):
        shift = r % len(keys)
        order = keys[shift:] + keys[:shift]
        if r % 2:
            order.reverse()
        for key in order:
            t0 = time.perf_counter()
            response = session.get(urls[key], timeout=300)
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{urls[key]}: HTTP {response.status_code}")
            if r >= warmup:
                samples[key].append(elapsed)
            counts[key] = (
                int(response.headers.get("X-Bench-SQL", -1)),
                int(response.headers.get("X-Bench-Solr", -1)),
            )
    result = {}
    for key, values in samples.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        result[key] = {
            "p50": statistics.median(values),
            "p95": p95,
            "sql": counts[key][0],
            "solr": counts[key][1],
            "n": len(values),
        }
    return result


def wrk(urls: dict[str, str], seconds: int, connections: int, max_requests: int) -> dict[str, Any]:
    """Requests per second of each URL under wrk, in A B B A order."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    keys = list(urls)
    order = keys + keys[::-1]
    done: dict[str, list[float]] = {k: [] for k in keys}
    errors: dict[str, int] = dict.fromkeys(keys, 0)
    for key in order:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout=30s",
                "-s",
                str(ART / "limit.lua"),
                urls[key],
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "WRK_MAX_REQUESTS": str(max_requests)},
        ).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        done[key].append(float(match.group(1)) if match else 0.0)
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors[key] += int(bad.group(1)) if bad else 0
    return {k: {"rps": statistics.mean(v), "runs": v, "errors": errors[k]} for k, v in done.items()}


def rebuild_times(rounds: int) -> dict[str, dict[str, list[float]]]:
    """`ckan search-index rebuild`: first the seeded portal's own indexing
    (plugin on, into an index of another portal: not compared, it was 4x
    slower than the rebuilds that follow), then plugin on and off in
    A B B A order; wall time, and the CPU time of the ckan process (less
    sensitive to what else the machine runs; PostgreSQL's and Solr's work is
    not in it)."""
    ckan = str(VENV / "bin" / "ckan")
    times: dict[str, dict[str, list[float]]] = {
        "first": {"wall": [], "cpu": []},
        "on": {"wall": [], "cpu": []},
        "off": {"wall": [], "cpu": []},
    }
    order = ["first"] + ["on", "off", "off", "on"] * rounds
    for key in order:
        name = "on" if key == "first" else key
        print(f"  search-index rebuild, plugin {name} ({key}) ...", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [ckan, "-c", str(ini(name)), "search-index", "rebuild"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"search-index rebuild ({name}) failed: {proc.returncode}")
        times[key]["wall"].append(time.perf_counter() - t0)
        times[key]["cpu"].append(usage.ru_utime + usage.ru_stime)
    return times


# -- report ---------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on (they mean little elsewhere)."""
    import platform

    import sqlalchemy

    import ckan

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "ckan": ckan.__version__,
        "sqlalchemy": sqlalchemy.__version__,
    }


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def verdict(value: float, op: str, target: float) -> str:
    ok = value <= target if op == "<=" else value >= target
    return "met" if ok else "NOT met"


def report(r: dict[str, Any], scale: seed_portal.Scale) -> list[tuple[str, ...]]:
    h = r["http"]
    rows: list[tuple[str, ...]] = []

    def pair(label: str, a: str, b: str, op: str, target: float | None, extra: bool = True) -> None:
        value = h[a]["p50"] / h[b]["p50"]
        rows.append(
            (
                label,
                f"{h[a]['p50']:.1f} / {h[b]['p50']:.1f}",
                f"{h[a]['p95']:.1f} / {h[b]['p95']:.1f}",
                f"{value:.2f}x",
                f"{h[a]['sql']} / {h[b]['sql']}"
                + (f" ({h[a]['sql'] - h[b]['sql']:+d})" if extra else ""),
                f"{h[a]['solr']} / {h[b]['solr']}"
                + (f" ({h[a]['solr'] - h[b]['solr']:+d})" if extra else ""),
                f"{op} {target:g}x" if target else "-",
                verdict(value, op, target) if target else "",
            )
        )

    pair("dataset page: plugin on / off", "dataset_on", "dataset_off", "<=", 1.05)
    pair("package_show: plugin on / off", "package_show_on", "package_show_off", "<=", 1.05)
    big = f"{scale.linked} datasets, {scale.big_projects} projects"
    pair(
        f"challenge page ({big}; kept page) / dataset page",
        "challenge",
        "dataset_on",
        "<=",
        1.0,
        extra=False,
    )
    pair(
        f"challenge page ({big}; rendered, ?render=1) / dataset page",
        "challenge_rendered",
        "dataset_on",
        "<=",
        1.0,
        extra=False,
    )
    pair(
        f"showcase page / challenge page ({scale.linked} datasets each; kept page)",
        "showcase",
        "challenge",
        ">=",
        10.0,
        extra=False,
    )
    pair(
        f"showcase page / challenge page ({scale.linked} datasets each; rendered)",
        "showcase",
        "challenge_rendered",
        ">=",
        None,
        extra=False,
    )
    pair(
        "showcase page / CKAN's /about page (what rendering any page costs)",
        "showcase",
        "about",
        ">=",
        None,
        extra=False,
    )
    pair(
        f"challenge_list (kept) / package_search, 20 a page ({scale.list_challenges} challenges)",
        "challenge_list",
        "package_search",
        "<=",
        1.0,
        extra=False,
    )
    pair(
        f"challenge_list q={r['ids']['query']} (kept) / package_search q={r['ids']['query']}",
        "challenge_list_q",
        "package_search_q",
        "<=",
        1.0,
        extra=False,
    )
    for kind, label in (("wall", "wall time"), ("cpu", "CPU time of the ckan process")):
        on = statistics.mean(r["rebuild"]["on"][kind])
        off = statistics.mean(r["rebuild"]["off"][kind])
        rows.append(
            (
                f"search-index rebuild, {label}: plugin on / off",
                f"{on:.1f}s / {off:.1f}s",
                "-",
                f"{on / off:.2f}x",
                "-",
                "-",
                "<= 1.1x",
                verdict(on / off, "<=", 1.10),
            )
        )
    w = r["wrk"]
    for key, label in (("challenge", "kept"), ("challenge_rendered", "rendered")):
        value = w[key]["rps"] / w["dataset"]["rps"]
        rows.append(
            (
                f"wrk req/s: challenge page ({label}) / dataset page "
                f"({r['wrk_connections']} connections)",
                f"{w[key]['rps']:.1f} / {w['dataset']['rps']:.1f} req/s",
                "-",
                f"{value:.2f}x",
                "-",
                "-",
                ">= 1x",
                verdict(value, ">=", 1.0),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--small", action="store_true", default=bool(os.environ.get("BENCH_SMALL")))
    parser.add_argument("--datasets", type=int)
    parser.add_argument("--challenges", type=int)
    parser.add_argument("--projects", type=int)
    parser.add_argument("--jurors", type=int)
    parser.add_argument("--criteria", type=int)
    parser.add_argument("--list-challenges", type=int)
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--wrk-seconds", type=int)
    parser.add_argument("--wrk-connections", type=int, default=2)
    parser.add_argument("--wrk-max-requests", type=int, default=5000)
    parser.add_argument("--rebuild-rounds", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the portal of the previous run, unseeded"
    )
    args = parser.parse_args()
    scale = (
        seed_portal.Scale(datasets=500, challenges=50, projects=200, jurors=5, list_challenges=1000)
        if args.small
        else seed_portal.Scale()
    )
    for field in ("datasets", "challenges", "projects", "jurors", "criteria", "list_challenges"):
        if getattr(args, field) is not None:
            setattr(scale, field, getattr(args, field))
    repeat = args.repeat or (10 if args.small else 40)
    wrk_seconds = args.wrk_seconds or (3 if args.small else 10)
    write_configs()
    results: dict[str, Any] = {"scale": scale.__dict__, "repeat": repeat, "machine": machine()}

    ids_path = ART / "ids.json"
    if args.reuse:
        previous = json.loads((ART / "results.json").read_text())
        for key in ("scale", "seed_sql_s", "showcase_seed_s", "rebuild", "seed_total_s"):
            results[key] = previous[key]
        scale = seed_portal.Scale(**previous["scale"])
        ids = results["ids"] = json.loads(ids_path.read_text())
    else:
        print(f"seeding {scale} ...", flush=True)
        common.load_app(ini("on"))
        t0 = time.perf_counter()
        ids = seed_portal.seed(scale)
        results["seed_sql_s"] = time.perf_counter() - t0
        results["ids"] = ids
        ids_path.write_text(json.dumps(ids))
        print(f"  seeded in {results['seed_sql_s']:.1f}s; showcase ...", flush=True)
        results["showcase_seed_s"] = seed_showcase(ids_path)
        print("search-index rebuild (the first one indexes the seeded portal) ...", flush=True)
        results["rebuild"] = rebuild_times(args.rebuild_rounds)
        results["seed_total_s"] = results["seed_sql_s"] + results["rebuild"]["first"]["wall"][0]

    servers = Servers()
    print("gunicorn: plugin on :5051, off :5052, showcase :5053 ...", flush=True)
    servers.start()
    try:
        on, off, sc = (f"http://127.0.0.1:{PORTS[k]}" for k in ("on", "off", "showcase"))
        ds, ch, q = ids["dataset"], ids["challenge"], ids["query"]
        urls = {
            "dataset_on": f"{on}/dataset/{ds}",
            "dataset_off": f"{off}/dataset/{ds}",
            "package_show_on": f"{on}/api/3/action/package_show?id={ds}",
            "package_show_off": f"{off}/api/3/action/package_show?id={ds}",
            # anonymous visitors get the kept page (ckanext.datathon.page_cache_seconds);
            # a query string bypasses it: the page rendered for each request
            "challenge": f"{on}/challenge/{ch}",
            "challenge_rendered": f"{on}/challenge/{ch}?render=1",
            "showcase": f"{sc}/showcase/bench-showcase",
            "about": f"{on}/about",
            "challenge_list": f"{on}/api/3/action/challenge_list",
            # the same page size as challenge_list's default (20)
            "package_search": f"{on}/api/3/action/package_search?rows=20",
            "challenge_list_q": f"{on}/api/3/action/challenge_list?q={q}",
            "package_search_q": f"{on}/api/3/action/package_search?q={q}&rows=20",
        }
        print(f"requests: {repeat} rounds of {len(urls)} URLs ...", flush=True)
        results["http"] = interleaved(urls, repeat)
        print(f"wrk: {wrk_seconds}s x 6 runs ...", flush=True)
        results["wrk"] = wrk(
            {
                "dataset": urls["dataset_on"],
                "challenge": urls["challenge"],
                "challenge_rendered": urls["challenge_rendered"],
            },
            wrk_seconds,
            args.wrk_connections,
            args.wrk_max_requests,
        )
        results["wrk_connections"] = args.wrk_connections
    finally:
        servers.stop()

    results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = report(results, scale)
    results["table"] = rows
    (ART / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(
        f"\nseeding: {results['seed_sql_s']:.1f}s SQL + "
        f"{results['rebuild']['first']['wall'][0]:.1f}s index = {results['seed_total_s']:.1f}s; "
        f"showcase {results['showcase_seed_s']:.1f}s"
    )
    m = results["machine"]
    print(
        f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM; load average "
        f"{m['load']} at the start, {results['load_after']} at the end; CKAN {m['ckan']}, "
        f"SQLAlchemy {m['sqlalchemy']}, Python {m['python']}"
    )
    common.print_table(
        f"make bench: {scale.datasets} datasets, {scale.challenges} challenges "
        f"(+{max(0, scale.list_challenges - scale.challenges)} for challenge_list), "
        f"{scale.projects} projects, {scale.jurors} jurors, {scale.criteria} criteria; "
        f"gunicorn 2 workers; p50/p95 in ms over {repeat} interleaved rounds",
        rows,
        ("measure", "p50 A / B", "p95 A / B", "A/B", "SQL A / B", "Solr A / B", "target", ""),
    )


if __name__ == "__main__":
    main()
