"""Text that cannot be stored: lone surrogates, NUL and other control
characters, bidirectional controls in titles and names.

A JSON body holding a lone surrogate (``"\\ud800"``) is refused with a 400 for
the whole portal, before any action runs (our actions and core's crashed on
it); the ``datathon_text`` and ``datathon_one_line`` validators refuse the
same in the schemas, so callers that do not come through HTTP (the CLI,
imports, other plugins) are covered too."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.model import Challenge
from ckanext.datathon.tests.helpers import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")


def _post_json(app: Any, url: str, text: str, token: str) -> Any:
    return app.post(
        url,
        data=text.encode("ascii"),
        content_type="application/json",
        headers={"Authorization": token},
        status=None,
    )


@pytest.fixture
def sysadmin_token(clean_db: Any) -> str:
    return factories.APIToken(user=factories.Sysadmin()["name"])["token"]


def _challenges() -> int:
    return model.Session.query(Challenge).count()


class TestLoneSurrogateInABody:
    @pytest.mark.parametrize(
        "body",
        [
            '{"name": "c-1", "title": "\\ud800", "owner_org": "o"}',
            '{"name": "c-1", "title": "ok", "prizes": [{"rank": 1, "title": "a\\ud800b"}]}',
            '{"name": "c-1", "\\ud800": 1}',
            '{"name": "c-1", "title": "\\udfff"}',
        ],
    )
    def test_our_actions_answer_400(self, app, sysadmin_token, body):
        answer = _post_json(app, "/api/3/action/challenge_create", body, sysadmin_token)
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert answer.json["success"] is False
        assert "surrogate" in answer.json["error"]["message"]
        assert _challenges() == 0

    @pytest.mark.parametrize(
        ("action", "body"),
        [
            ("package_create", '{"name": "d-1", "notes": "\\ud800"}'),
            ("organization_create", '{"name": "o-1", "title": "\\ud800"}'),
        ],
    )
    def test_core_actions_answer_400(self, app, sysadmin_token, action, body):
        answer = _post_json(app, f"/api/3/action/{action}", body, sysadmin_token)
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert "surrogate" in answer.json["error"]["message"]
        assert model.Session.query(model.Package).count() == 0
        assert model.Session.query(model.Group).count() == 0

    def test_ckan_json_as_the_form_key(self, app, sysadmin_token):
        body = '{"name": "d-1", "notes": "\\ud800"}'
        answer = app.post(
            "/api/3/action/package_create",
            data=quote(body) + "=1",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": sysadmin_token},
            status=None,
        )
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert "surrogate" in answer.json["error"]["message"]
        assert model.Session.query(model.Package).count() == 0

    def test_a_pair_is_a_character(self, app, sysadmin_token):
        org = factories.Organization()
        body = json.dumps(
            {"name": "c-1", "title": "Agua \ud83d\udca7", "owner_org": org["id"]},
            ensure_ascii=True,
        )
        assert "\\ud83d\\udca7" in body
        answer = _post_json(app, "/api/3/action/challenge_create", body, sysadmin_token)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.json["result"]["title"] == "Agua \U0001f4a7"

    def test_html_pages_answer_400_too(self, app, sysadmin_token):
        answer = _post_json(app, "/challenge/new", '{"title": "\\ud800"}', sysadmin_token)
        assert answer.status_code == 400

    def test_reads_are_not_parsed(self, app, sysadmin_token):
        # a GET carries no body to check; the answer is the action's own
        answer = app.get("/api/3/action/challenge_list", query_string={"q": "a"}, status=None)
        assert answer.status_code == 200


@pytest.mark.usefixtures("clean_db")
class TestValidators:
    @pytest.fixture
    def org(self) -> dict[str, Any]:
        return factories.Organization()

    def _create(self, org: dict[str, Any], **data: Any) -> Any:
        data = {"name": "c-1", "title": "Agua", "owner_org": org["id"], **data}
        return call_as(factories.Sysadmin(), "challenge_create", **data)

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("title", "Agua\ud800"),
            ("problem_statement", "a\ud800"),
            ("title", "a\x00b"),
            ("problem_statement", "a\x07b"),
            ("description", "a\x1bb"),
            ("eligibility", "a\x85b"),
            ("title", "a\tb"),
            ("title", "a\nb"),
            ("title", "Agua \u202egnp.exe"),
            ("title", "a\u2066b"),
        ],
    )
    def test_refused_with_a_field_error(self, org, key, value):
        with pytest.raises(tk.ValidationError) as excinfo:
            self._create(org, **{key: value})
        assert key in excinfo.value.error_dict
        assert _challenges() == 0

    def test_long_text_keeps_tabs_and_line_ends_normalised(self, org):
        made = self._create(org, problem_statement="one\r\ntwo\rthree\n\tfour")
        assert made["problem_statement"] == "one\ntwo\nthree\n\tfour"

    def test_bidi_allowed_in_long_text(self, org):
        text = "\u202b\u0645\u0631\u062d\u0628\u0627\u202c"
        assert self._create(org, problem_statement=text)["problem_statement"] == text

    def test_team_name_and_project_title(self, org, published_challenge_factory):
        challenge = published_challenge_factory(owner_org=org["id"])
        user = factories.User()
        for key, value in (("team_name", "Owls\u202e"), ("title", "Ru\ntas")):
            data = {"title": "Rutas", "team_name": "Owls", key: value}
            with pytest.raises(tk.ValidationError) as excinfo:
                call_as(
                    user, "project_register", challenge=challenge["id"], accept_rules=True, **data
                )
            assert key in excinfo.value.error_dict
