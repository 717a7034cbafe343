"""Two challenges of the demo that are running now, so that every flow can be
tried in the browser without writing to the API.

Dates are relative to the moment of seeding (in Mexico City's zone, as the
institute's other datathons):

* **open for registration** (``DEMO_OPEN``): registration opened three days
  ago and closes in two weeks.  ``demo-equipo`` leads a draft and has invited
  ``demo-equipo-2``, whose "My invitations" page waits for an answer;
  ``demo-equipe-sp`` can register a team of their own; the jury
  (``demo-jurado``) and the criteria are already named.
* **in judging** (``DEMO_JUDGING``): the submission deadline passed two days
  ago and judging closes in twelve days.  Three teams submitted; the juror has
  scored one project, two wait for scores; the organizer
  (``demo-organizadora``) follows the progress, gives prizes and publishes the
  results once the jury is done.

People, projects and texts are illustrative.  Seeding again creates nothing
that exists (challenges are matched by name) and never moves the dates of a
challenge seeded earlier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckanext.datathon.model import CONTEST_DATES

ORGANIZER = "demo-organizadora"
JUROR = "demo-jurado"
DATASETS = ["afluencia-metro-por-sexo", "denuncias-en-transporte-publico", "luminarias-en-paradas"]
CRITERIA = [
    ("Uso de datos abiertos", "Los datos abiertos sostienen el análisis.", "2", 5),
    ("Propuesta de política pública", "Viable y dirigida a una autoridad.", "2", 5),
    ("Código abierto", "Repositorio documentado y reutilizable.", "1", 5),
]
COMMON: dict[str, Any] = {
    "timezone": "America/Mexico_City",
    "max_team_size": 5,
    "allowed_licences": ["MIT", "Apache-2.0", "GPL-3.0-or-later", "AGPL-3.0-or-later"],
    "require_open_data": True,
    "require_rules_acceptance": True,
    "eligibility": "Cualquier persona interesada; equipos de hasta cinco integrantes.",
    "rules_text": (
        "- Usar datos abiertos del portal.\n- Código abierto con licencia de software libre.\n"
        "- Presentar el proyecto antes de la fecha límite."
    ),
    "prizes": [
        {"rank": 1, "title": "Primer lugar", "amount": "20000", "currency": "MXN"},
        {"rank": 2, "title": "Segundo lugar", "amount": "10000", "currency": "MXN"},
    ],
    "tags": ["movilidad", "seguridad"],
    "state": "active",
}

DEMO_OPEN: dict[str, Any] = {
    **COMMON,
    "name": "movilidad-nocturna-abierto",
    "title": "Datatón abierto: movilidad nocturna segura",
    "problem_statement": (
        "¿Cómo hacer más seguros los viajes nocturnos en transporte público? Las "
        "inscripciones están abiertas: forma un equipo y propón una solución con datos "
        "abiertos."
    ),
    # days from the moment of seeding
    "days": (-3, 14, 28, 40, 42),
    "projects": [
        {
            "name": "rutas-nocturnas-demo",
            "title": "Rutas nocturnas",
            "team_name": "Búhos",
            "leader": "demo-equipo",
            "invite": ["demo-equipo-2"],
            "submit": False,
        }
    ],
    "scored": 0,
}

DEMO_JUDGING: dict[str, Any] = {
    **COMMON,
    "name": "agua-y-barrios-en-evaluacion",
    "title": "Datatón en evaluación: paradas iluminadas",
    "problem_statement": (
        "Las paradas sin luz son las más temidas. Los equipos ya entregaron sus "
        "proyectos y el jurado los está evaluando."
    ),
    "days": (-30, -16, -2, 12, 14),
    "projects": [
        {
            "name": "mapa-de-luz-demo",
            "title": "Mapa de luz",
            "team_name": "Faroles",
            "leader": "demo-equipo",
            "invite": [],
            "submit": True,
        },
        {
            "name": "parada-segura-demo",
            "title": "Parada segura",
            "team_name": "Vecinas",
            "leader": "demo-equipo-2",
            "invite": [],
            "submit": True,
        },
        {
            "name": "luz-y-datos-demo",
            "title": "Luz y datos",
            "team_name": "Linternas",
            "leader": "demo-equipe-sp",
            "invite": [],
            "submit": True,
        },
    ],
    "scored": 1,
}

LIVE = (DEMO_OPEN, DEMO_JUDGING)


def dates(days: tuple[float, ...], now: dt.datetime) -> dict[str, str]:
    """The contest dates, ``days`` (in order) from ``now``."""
    return {
        key: (now + dt.timedelta(days=offset)).isoformat()
        for key, offset in zip(CONTEST_DATES, days, strict=True)
    }


def seed(seeder: Any, org_id: str) -> None:
    """Create the running challenges that do not exist yet (``seeder`` is
    the demo's :class:`~ckanext.datathon.demo.Seeder`)."""
    for spec in LIVE:
        if seeder._exists("challenge_show", spec["name"]) is None:
            _challenge(seeder, spec, org_id)


def _challenge(seeder: Any, spec: dict[str, Any], org_id: str) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    base = {k: v for k, v in spec.items() if k not in ("days", "projects", "scored")}
    seeder.created += 1
    # registration open while the teams register and submit
    challenge = seeder.call(
        "challenge_create",
        ORGANIZER,
        owner_org=org_id,
        **base,
        **dates((-1, 1, 2, 3, 4), now),
    )
    cid = challenge["id"]
    for name in DATASETS:
        seeder.call("challenge_dataset_add", ORGANIZER, id=cid, dataset=name)
    seeder.call("challenge_juror_add", ORGANIZER, id=cid, user=JUROR)
    criteria = [
        seeder.call(
            "challenge_criterion_create",
            ORGANIZER,
            challenge=cid,
            name=name,
            description=description,
            weight=weight,
            max_score=top,
            position=position,
        )
        for position, (name, description, weight, top) in enumerate(CRITERIA)
    ]
    projects = []
    for project in spec["projects"]:
        seeder.created += 1
        made = seeder.call(
            "project_register",
            project["leader"],
            challenge=cid,
            name=project["name"],
            title=project["title"],
            team_name=project["team_name"],
            accept_rules=True,
        )
        for person in project["invite"]:
            seeder.call("project_member_add", project["leader"], id=made["id"], user=person)
        seeder.call(
            "package_patch",
            project["leader"],
            id=made["id"],
            repository_url=f"https://codeberg.org/datathon-demo/{project['name']}",
            code_licence="MIT",
            datasets_used=[{"dataset": DATASETS[len(projects) % len(DATASETS)]}],
        )
        if project["submit"]:
            seeder.call("project_submit", project["leader"], id=made["id"])
        projects.append(made)
    # the dates of the story: for the judging one, the deadline has passed
    seeder.call(
        "challenge_update",
        ORGANIZER,
        id=cid,
        owner_org=org_id,
        **base,
        **dates(spec["days"], now),
    )
    for made in projects[: spec["scored"]]:
        seeder.call(
            "project_score",
            JUROR,
            project=made["id"],
            scores=[{"criterion": c["id"], "score": 4} for c in criteria],
        )
