"""schemathesis against a served portal: every operation of the OpenAPI
document the portal serves (``/api/datathon/openapi.json``), with generated
bodies (valid ones and invalid ones), as a sysadmin and as a plain user, by
API token; 0 responses >= 500.

- The portal: the e2e gunicorn server (``ckan_server``), holding a published
  challenge with a project, a criterion, an ally and a linked dataset; a
  generated reference (``id``, ``challenge``, ``project``...) is replaced by a
  real one half of the time, so that requests get past "not found".
- Repeatable: a fixed seed, no example database; ``DATATHON_FUZZ_EXAMPLES``
  examples per operation and generation mode (valid, invalid): 3 in ``make
  test``; ``make fuzz-api`` runs 20 and schemathesis' coverage phase.
- The checks, listed: ``not_a_server_error`` (the one that matters),
  ``status_code_conformance`` (CKAN's contract: 200, 400 for a body that is
  not JSON, 403, 404 for what does not exist or is hidden, 409 for field
  errors), ``content_type_conformance`` and ``response_schema_conformance``
  (the envelope, and the deep shapes of the documented results).
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ckan.tests import factories, helpers

from ckanext.datathon.tests import factories as ours

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("DATATHON_FUZZ_EXAMPLES") or 3)
# `make fuzz-api` also runs schemathesis' coverage phase (boundary and
# type-confusion values of every key: about 50 requests per operation)
COVERAGE = os.environ.get("DATATHON_FUZZ_COVERAGE") == "1"
SEED = 20261207
CONFIG = {
    "seed": SEED,
    "generation": {"mode": "all"},  # valid bodies and invalid ones
    "phases": {
        "examples": {"enabled": False},  # the document has none
        "coverage": {"enabled": COVERAGE},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# keys whose generated value is swapped for a real reference now and then
REFERENCES = (
    "id",
    "challenge",
    "project",
    "user",
    "dataset",
    "owner_org",
    "criterion",
)


@pytest.fixture(scope="module")
def portal(e2e_db: None, ckan_server: Any) -> dict[str, Any]:
    import ckan.plugins as plugins

    plugins.load_all()
    try:
        sysadmin = factories.Sysadmin()
        user = factories.User()
        org = factories.Organization()
        challenge = ours.PublishedChallengeFactory(owner_org=org["id"])
        project = helpers.call_action(
            "project_register",
            context={"user": user["name"], "ignore_auth": False},
            challenge=challenge["id"],
            title="Rutas",
            team_name="Owls",
            accept_rules=True,
        )
        criterion = ours.CriterionFactory(challenge=challenge["id"])
        ally = ours.AllyFactory(challenge=challenge["id"])
        dataset = factories.Dataset(owner_org=org["id"])
        tokens = {
            "sysadmin": factories.APIToken(user=sysadmin["name"])["token"],
            "user": factories.APIToken(user=user["name"])["token"],
        }
    finally:
        plugins.unload_all()
    refs = [
        challenge["id"],
        challenge["name"],
        project["id"],
        project["name"],
        user["name"],
        str(criterion["id"]),
        str(ally["id"]),
        dataset["id"],
        org["name"],
    ]
    return {"url": ckan_server.url, "tokens": tokens, "refs": refs}


@pytest.fixture(scope="module")
def served_schema(portal: dict[str, Any]) -> Any:
    """The document as the portal serves it."""
    return schemathesis.openapi.from_url(
        portal["url"] + "/api/datathon/openapi.json",
        config=SchemathesisConfig.from_dict(CONFIG),
    )


schema = schemathesis.pytest.from_fixture("served_schema")
answers: dict[str, int] = {}
server_errors: list[str] = []


def _real_references(body: Any, refs: list[str]) -> tuple[Any, int]:
    """Half of the time, a reference key holds a real id or name (chosen from
    the body itself, so a run is repeatable)."""
    digest = zlib.crc32(json.dumps(body, sort_keys=True, default=str).encode())
    if isinstance(body, dict) and digest % 2:
        body = {
            key: (refs[(digest >> 3) % len(refs)] if key in REFERENCES else value)
            for key, value in body.items()
        }
    return body, digest


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # every 500 reported, none shrunk away
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: Any, portal: dict[str, Any]) -> None:
    case.body, digest = _real_references(case.body, portal["refs"])
    role = ("sysadmin", "user")[(digest >> 1) % 2]
    headers = {"Authorization": portal["tokens"][role]}
    response = case.call(base_url=portal["url"], headers=headers, timeout=60)
    answers[str(response.status_code)] = answers.get(str(response.status_code), 0) + 1
    if response.status_code >= 500:
        server_errors.append(
            f"{case.operation.label} as {role}: {response.status_code} "
            f"{json.dumps(case.body, default=str)[:300]}"
        )
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_zero_server_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the operations: the tally, and the assertion that matters."""
    with capsys.disabled():
        total = sum(answers.values())
        sys.stdout.write(f"\nschemathesis: {total} requests, by status {sorted(answers.items())}\n")
    assert sum(answers.values()) > 0
    assert not server_errors, "\n".join(server_errors[:40])
