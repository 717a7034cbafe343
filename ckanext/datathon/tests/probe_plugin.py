"""A plugin for the tests only: ``test.ini`` enables it, no portal ever should.

It adds one route that always fails (``/__datathon_test/fail``), so that a test
can make a served portal answer 500 and look for the traceback in its log.
"""

from __future__ import annotations

from flask import Blueprint

import ckan.plugins as p

FAIL_PATH = "/__datathon_test/fail"
FAIL_MESSAGE = "datathon log probe: this route always fails"


def _fail() -> str:
    raise ZeroDivisionError(FAIL_MESSAGE)


class ProbePlugin(p.SingletonPlugin):
    p.implements(p.IBlueprint)

    def get_blueprint(self) -> Blueprint:
        blueprint = Blueprint("datathon_test_probe", __name__)
        blueprint.add_url_rule(FAIL_PATH, "fail", _fail)
        return blueprint
