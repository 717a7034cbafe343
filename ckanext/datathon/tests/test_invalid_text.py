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


def _counts() -> tuple[int, int, int, int]:
    return (
        model.Session.query(model.Package).count(),
        model.Session.query(model.Group).count(),
        model.Session.query(model.User).count(),
        _challenges(),
    )


class TestNulAnywhere:
    """PostgreSQL refuses NUL in text: every way a NUL reaches an action, core's
    or ours, is a 400 before the action runs, and nothing is written."""

    @pytest.mark.parametrize(
        ("action", "body"),
        [
            ("package_create", '{"name": "d-1", "notes": "a\\u0000b"}'),
            ("package_create", '{"name": "d-1", "extras": [{"key": "k", "value": "\\u0000"}]}'),
            ("package_create", '{"name": "d-1", "tags": [{"name": "t\\u0000"}]}'),
            ("organization_create", '{"name": "o-1", "title": "\\u0000"}'),
            ("organization_create", '{"name": "o-1", "description": "x\\u0000"}'),
            ("user_create", '{"name": "u-1", "email": "a@b.c", "password": "a\\u0000bcdefgh1"}'),
            ("user_create", '{"name": "u-1", "email": "a@b.c", "fullname": "\\u0000"}'),
            ("challenge_create", '{"name": "c-1", "title": "a\\u0000"}'),
            ("challenge_create", '{"name": "c-1", "prizes": [{"title": "\\u0000"}]}'),
            ("challenge_list", '{"q": "\\u0000"}'),
            ("project_list", '{"challenge": "\\u0000"}'),
            ("package_show", '{"id": "\\u0000"}'),
            ("package_create", '{"name": "d-1", "\\u0000": "key"}'),
        ],
    )
    def test_json_bodies_answer_400(self, app, sysadmin_token, action, body):
        before = _counts()
        answer = _post_json(app, f"/api/3/action/{action}", body, sysadmin_token)
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert answer.json["success"] is False
        assert "NUL" in answer.json["error"]["message"]
        assert _counts() == before

    @pytest.mark.parametrize("action", ["package_create", "organization_create", "user_create"])
    def test_form_fields_answer_400(self, app, sysadmin_token, action):
        before = _counts()
        answer = app.post(
            f"/api/3/action/{action}",
            data={"name": "x-1", "title": "a\x00b", "email": "a@b.c", "password": "abcdefgh12"},
            headers={"Authorization": sysadmin_token},
            status=None,
        )
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert _counts() == before

    def test_ckan_json_as_the_form_key(self, app, sysadmin_token):
        answer = app.post(
            "/api/3/action/package_create",
            data=quote('{"name": "d-1", "notes": "\\u0000"}') + "=1",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": sysadmin_token},
            status=None,
        )
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert model.Session.query(model.Package).count() == 0

    def test_multipart_text_fields(self, app, sysadmin_token):
        import io

        answer = app.post(
            "/api/3/action/package_create",
            data={"name": "d-1", "notes": "a\x00b", "upload": (io.BytesIO(b"\x00\x01"), "f.bin")},
            content_type="multipart/form-data",
            headers={"Authorization": sysadmin_token},
            status=None,
        )
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert model.Session.query(model.Package).count() == 0

    def test_a_file_may_hold_nul(self, app, sysadmin_token):
        """Only text is looked at: a file's bytes are the file's business."""
        import io

        answer = app.post(
            "/api/3/action/package_create",
            data={"name": "d-1", "upload": (io.BytesIO(b"a\x00b"), "f.bin")},
            content_type="multipart/form-data",
            headers={"Authorization": sysadmin_token},
            status=None,
        )
        assert answer.status_code != 400 or "NUL" not in answer.get_data(as_text=True)
        assert answer.status_code < 500

    @pytest.mark.parametrize(
        "url",
        [
            "/api/3/action/package_show?id=%00",
            "/api/3/action/organization_show?id=a%00",
            "/api/3/action/user_show?id=%00",
            "/api/3/action/challenge_show?id=%00",
            "/api/3/action/group_list?q=%00",
            "/api/3/action/tag_show?id=%00",
            "/api/3/action/resource_show?id=%00",
            "/organization/?q=%00",
            "/user/?q=%00",
            "/dataset/?q=%00",
            "/challenge?q=a%00",
            "/challenge?%00=1",
        ],
    )
    def test_query_strings_answer_400(self, app, url):
        answer = app.get(url, status=None)
        assert answer.status_code == 400, answer.get_data(as_text=True)[:300]

    def test_html_forms_answer_400(self, app, sysadmin_token):
        answer = app.post(
            "/dataset/new",
            data={"name": "d-1", "title": "a\x00"},
            headers={"Authorization": sysadmin_token},
            status=None,
        )
        assert answer.status_code == 400
        assert model.Session.query(model.Package).count() == 0


BULK_JUNK: list[Any] = [
    {},
    {"datasets": None},
    {"datasets": "not-a-list", "org_id": "nope"},
    {"datasets": [None], "org_id": "nope"},
    {"datasets": [{"a": 1}], "org_id": "nope"},
    {"datasets": [[1, 2]], "org_id": "nope"},
    {"datasets": [10**30], "org_id": "nope"},
    {"datasets": ["x"], "org_id": None},
    {"datasets": ["x"], "org_id": ["a"]},
    {"datasets": ["x"], "org_id": {"a": 1}},
    {"datasets": ["x"], "org_id": 10**30},
    {"datasets": ["x" * 10_000], "org_id": "x" * 10_000},
    {"datasets": "", "org_id": ""},
    {"datasets": True, "org_id": True},
    {"datasets": {"a": "b"}, "org_id": "nope"},
]


@pytest.mark.usefixtures("clean_db")
class TestBulkUpdatesWithJunk:
    """CKAN's ``bulk_update_public|private|delete`` (chained by the plugin for
    projects) answer a field error, 403 or 404 for junk, never 500."""

    @pytest.mark.parametrize(
        "action", ["bulk_update_public", "bulk_update_private", "bulk_update_delete"]
    )
    @pytest.mark.parametrize("who", ["sysadmin", "organizer", "anonymous"])
    def test_never_500(self, app, action, who):
        org_admin = factories.User()
        org = factories.Organization(users=[{"name": org_admin["name"], "capacity": "admin"}])
        dataset = factories.Dataset(owner_org=org["id"])
        user = {"sysadmin": factories.Sysadmin(), "organizer": org_admin, "anonymous": None}[who]
        headers = {"Authorization": factories.APIToken(user=user["name"])["token"]} if user else {}
        failures = []
        for payload in [*BULK_JUNK, {"datasets": [dataset["id"]], "org_id": [org["id"]]}]:
            body = json.dumps(payload)
            answer = app.post(
                f"/api/3/action/{action}",
                data=body,
                content_type="application/json",
                headers=headers,
                status=None,
            )
            if answer.status_code >= 500:
                failures.append(f"{body[:80]}: {answer.status_code}")
        assert not failures, failures
        assert model.Session.query(model.Package).filter_by(state="active").count() == 1
