"""Smoke test of a portal served from the installed wheel (scripts/wheel-check.sh).

    python smoke.py BASE_URL ADMIN_TOKEN TEAM_TOKEN

Through HTTP only, as a portal's first visitors would: status_show names the
plugin; a sysadmin (ADMIN_TOKEN) creates an organization and a published
challenge whose registration is open, a plain user (TEAM_TOKEN) registers a
team; then the challenge page, the
challenge list in Spanish and Portuguese (the wheel's compiled translations), and
the team's project form answer 200 with their content.  Prints one line per
check; exits 1 at the first failure.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import urllib.error
import urllib.request
from typing import Any

BASE, ADMIN, TEAM = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]


def fail(message: str) -> None:
    print(f"smoke: FAIL {message}")
    sys.exit(1)


def request(path: str, data: dict[str, Any] | None = None, token: str = "") -> tuple[int, str]:
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = token
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(BASE + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def action(action_name: str, /, token: str = ADMIN, **data: Any) -> Any:
    status, text = request(f"/api/3/action/{action_name}", data, token=token)
    if status != 200:
        fail(f"{action_name}: HTTP {status}: {text[:500]}")
    return json.loads(text)["result"]


def page(path: str, *needles: str, token: str = "") -> None:
    status, text = request(path, token=token)
    if status != 200:
        fail(f"GET {path}: HTTP {status}")
    for needle in needles:
        if needle not in text:
            fail(f"GET {path}: {needle!r} not on the page")
    print(f"smoke: ok GET {path} ({len(text)} bytes)")


def iso(days: float) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat()


status = json.loads(request("/api/3/action/status_show")[1])["result"]
if "datathon" not in status["extensions"]:
    fail(f"status_show does not list datathon: {status['extensions']}")
print(f"smoke: ok CKAN {status['ckan_version']}, plugins {' '.join(status['extensions'])}")

org = action("organization_create", name="wheel-smoke-org", title="Wheel smoke")
challenge = action(
    "challenge_create",
    name="wheel-smoke-challenge",
    title="Movilidad segura",
    problem_statement="Transporte público, seguridad y mujeres.",
    owner_org=org["id"],
    state="active",
    registration_opens=iso(-1),
    registration_closes=iso(10),
    submission_deadline=iso(20),
    judging_closes=iso(30),
    results_date=iso(40),
)
print(f"smoke: ok challenge_create {challenge['name']} ({challenge['state']})")
project = action(
    "project_register",
    token=TEAM,
    challenge=challenge["name"],
    title="Rutas seguras",
    team_name="Equipo humo",
    accept_rules=True,
)
print(f"smoke: ok project_register {project['name']}")

page(f"/challenge/{challenge['name']}", "Movilidad segura", "Transporte público")
page("/es/challenge", "Retos", "Movilidad segura")
page("/pt_BR/challenge", "Desafios", "Movilidad segura")
page(f"/project/edit/{project['name']}", "Rutas seguras", 'name="repository_url"', token=TEAM)
print("smoke: all checks passed")
