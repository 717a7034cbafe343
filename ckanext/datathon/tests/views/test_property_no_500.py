"""Property-based: generated junk for every action the plugin registers and
every page route of its blueprints never answers a server error, and a
refused request writes nothing.

- **Actions.** The list is the plugin's own ``get_actions()`` (chained core
  actions included), so a new action is covered as soon as it exists. The keys
  of each action are those of the navl schema the action validates with (seen
  by calling it once with nothing), plus the references core's chained actions
  read, plus unknown keys. For every action x key, ``FLOOR`` examples put junk
  or a typed value in that key (and maybe in others): typed values are drawn
  from the JSON Schema the OpenAPI document gives the key (``logic/openapi.py``,
  the same validator mapping), so that valid-looking input reaches past the
  first validator; the requests go over the API of CKAN's test app, as a
  sysadmin, a plain user and anonymously in turn; each answer is < 500, and an
  answer >= 400 leaves the row counts of the plugin's tables and CKAN's
  packages as they were.
- **Pages.** Every GET route of the plugin's blueprints gets junk query
  strings; every POST route gets junk forms from a signed-in user with a valid
  CSRF token.

Hypothesis runs derandomized (a fixed seed, no example database), so a run
is repeatable. ``HYPOTHESIS_PROFILE=long`` explores further (``FLOOR`` 25).
The floor per action x key is printed (``-s`` shows it)."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import sys
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.datathon.logic import openapi
from ckanext.datathon.tests import factories as ours

pytestmark = pytest.mark.usefixtures("with_plugins")

PROFILES = {
    # examples per action x key, per GET route, per POST route
    "default": {"floor": 3, "get": 4, "post": 3},
    "long": {"floor": 25, "get": 60, "post": 40},
}
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
if PROFILE not in PROFILES:
    PROFILE = "default"
FLOOR = PROFILES[PROFILE]["floor"]


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # a fixed seed: the same examples on every run
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),  # report every 500, do not shrink
        suppress_health_check=list(HealthCheck),
    )


ROLES = ("sysadmin", "user", "anonymous")
BLUEPRINTS = (
    "challenge.",
    "datathon_team.",
    "datathon_jury.",
    "datathon_ideas.",
    "datathon_engagement.",
    "datathon_open.",
    "datathon_hub.",
    "datathon_mail.",
)
# references core's actions read that the plugin's chains check
CORE_KEYS = (
    "id",
    "name",
    "type",
    "owner_org",
    "org_id",
    "datasets",
    "user_id",
    "organization_id",
    "capacity",
    "challenge",
    "private",
    "state",
    "package_id",
)
UNKNOWN = "<unknown keys>"

STRINGS = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "true",
        "false",
        "null",
        "1e309",
        "NaN",
        "99999999999999999999999",
        "x" * 5000,
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "'; DROP TABLE package; --",
        "2024-02-30T25:61",
        "\ud800",
        "a\x00b",
        "\u202egnp.exe",
        "a\r\nb\tc\x07",
        "é" * 300,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    STRINGS,
)


def _junk(refs: list[str]) -> st.SearchStrategy[Any]:
    """Anything JSON can carry, and now and then a real id or name."""
    leaf = st.one_of(SCALARS, st.sampled_from(refs))
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.one_of(st.text(max_size=10), STRINGS), inner, max_size=4)
        ),
        max_leaves=8,
    )


def typed(fragment: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the JSON Schema the OpenAPI document gives a key (what
    ``openapi.VALIDATORS`` maps its validators to): the right type and
    bounds, so the example reaches the validators after the type check."""
    if "enum" in fragment:
        return st.sampled_from(fragment["enum"])
    kinds = fragment.get("type", "string")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    options = []
    for kind in kinds:
        if kind == "null":
            options.append(st.none())
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "integer":
            options.append(
                st.integers(fragment.get("minimum", -(10**6)), fragment.get("maximum", 10**9))
            )
        elif kind == "number":
            options.append(
                st.decimals(0, fragment.get("maximum", 10**6), places=2).map(str)
                | st.integers(1, 1000)
            )
        elif kind == "array":
            options.append(
                st.lists(typed(fragment.get("items", {})), max_size=fragment.get("maxItems", 4))
            )
        elif kind == "object":
            properties = fragment.get("properties", {})
            options.append(
                st.fixed_dictionaries(
                    {
                        k: typed(v)
                        for k, v in properties.items()
                        if k in fragment.get("required", [])
                    },
                    optional={
                        k: typed(v)
                        for k, v in properties.items()
                        if k not in fragment.get("required", [])
                    },
                )
            )
        elif fragment.get("format") == "date-time":
            options.append(
                st.datetimes(timezones=st.just(dt.timezone.utc)).map(lambda d: d.isoformat())
            )
        elif fragment.get("format") == "date":
            options.append(st.dates().map(lambda d: d.isoformat()))
        elif "pattern" in fragment:
            options.append(
                st.from_regex(fragment["pattern"], fullmatch=True).map(lambda v: v[:100])
            )
        else:
            options.append(st.text(max_size=min(fragment.get("maxLength", 40), 40)))
    return st.one_of(options)


def _unknown_keys() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.one_of(st.text(min_size=1, max_size=20), STRINGS).filter(lambda k: k not in CORE_KEYS),
        SCALARS,
        min_size=1,
        max_size=3,
    )


# -- the portal ----------------------------------------------------------------------


@pytest.fixture
def portal(world: Any) -> dict[str, Any]:
    """A published challenge with a project, a juror, a criterion, an ally and
    an idea, so that junk sometimes meets real references."""
    challenge = ours.PublishedChallengeFactory(owner_org=world.org["id"])
    project = helpers.call_action(
        "project_register",
        context={"user": world.user["name"], "ignore_auth": False},
        challenge=challenge["id"],
        title="Rutas",
        team_name="Owls",
        accept_rules=True,
    )
    ours.add_team_member(project)
    juror = factories.User()
    ours.JurorFactory(id=challenge["id"], user=juror["name"])
    criterion = ours.CriterionFactory(challenge=challenge["id"])
    ally = ours.AllyFactory(challenge=challenge["id"])
    dataset = factories.Dataset(owner_org=world.org["id"])
    refs = [
        challenge["id"],
        challenge["name"],
        project["id"],
        project["name"],
        juror["name"],
        world.user["name"],
        str(criterion["id"]),
        str(ally["id"]),
        dataset["id"],
        world.org["id"],
        world.org["name"],
    ]
    try:
        idea = helpers.call_action(
            "challenge_idea_create",
            context={"user": world.user["name"], "ignore_auth": False},
            challenge=challenge["id"],
            title="Una idea",
            description="Cruzar datos de movilidad",
        )
        refs.append(str(idea["id"]))
    except (tk.ValidationError, tk.NotAuthorized):
        pass  # ideas may be closed for this challenge: the references above suffice
    tokens = {
        "sysadmin": factories.APIToken(user=world.sysadmin["name"])["token"],
        "user": factories.APIToken(user=world.user["name"])["token"],
    }
    return {"challenge": challenge, "project": project, "refs": refs, "tokens": tokens}


def _tables() -> list[str]:
    inspector = sa.inspect(model.meta.engine)
    return sorted(name for name in inspector.get_table_names() if name.startswith("datathon_"))


def _counts(tables: list[str]) -> dict[str, int]:
    """Rows of the plugin's tables and CKAN's packages, in one statement."""
    columns = [
        sa.select(sa.func.count()).select_from(sa.table(name)).scalar_subquery().label(name)
        for name in [*tables, "package"]
    ]
    row = model.Session.execute(sa.select(*columns)).one()
    model.Session.rollback()
    return dict(row._mapping)


# -- the keys of each action --------------------------------------------------------


class _Seen(Exception):
    pass


@pytest.fixture
def schema_keys(monkeypatch: pytest.MonkeyPatch, world: Any, portal: dict[str, Any]) -> Any:
    """``keys(action)``: the keys of the first navl schema the action
    validates with, seen by calling it as a sysadmin with nothing, then with
    real references (the call stops there: nothing runs past validation)."""
    seen: list[dict[str, Any]] = []

    def recording(data: Any, schema: dict[str, Any], *args: Any, **kw: Any) -> Any:
        seen.append(schema)
        raise _Seen

    challenge, project = portal["challenge"], portal["project"]
    attempts = (
        {},
        {"id": challenge["id"], "challenge": challenge["id"], "challenge_id": challenge["id"]},
        {"id": project["id"], "project": project["id"], "challenge": challenge["id"]},
    )

    registered = plugins.get_plugin("datathon").get_actions()

    def keys(action: str) -> list[str]:
        seen.clear()
        # core's actions validate with their own function: never call them
        # with real references (they would run)
        chained = getattr(registered[action], "chained_action", False)
        monkeypatch.setattr(tk, "navl_validate", recording)
        try:
            for data in attempts[:1] if chained else attempts:
                try:
                    helpers.call_action(
                        action,
                        context={"user": world.sysadmin["name"], "ignore_auth": False},
                        **data,
                    )
                except Exception:  # noqa: S110  (only the schema is wanted here)
                    pass
                finally:
                    model.Session.rollback()
                if seen:
                    break
        finally:
            monkeypatch.undo()
        if not seen:  # a chained core action: the references the chains read
            return list(CORE_KEYS)
        return sorted(key for key in seen[0] if not key.startswith("__"))

    return keys


def _registered_actions() -> list[str]:
    return sorted(plugins.get_plugin("datathon").get_actions())


# -- the tests ----------------------------------------------------------------------


def _print_floor(capsys: pytest.CaptureFixture[str], title: str, counts: dict) -> None:
    lines = [f"{title} (profile {PROFILE}):"]
    lines += [f"  {name}: {value}" for name, value in sorted(counts.items())]
    lines.append(f"  total: {sum(counts.values())} examples")
    with capsys.disabled():
        sys.stdout.write("\n" + "\n".join(lines) + "\n")


def test_every_action_with_junk(app, world, portal, schema_keys, capsys):
    actions = _registered_actions()
    assert "challenge_create" in actions
    assert "package_update" in actions  # chained core actions are there too
    tables = _tables()
    assert "datathon_challenge" in tables
    junk = _junk(portal["refs"])
    headers = {
        "sysadmin": {"Authorization": portal["tokens"]["sysadmin"]},
        "user": {"Authorization": portal["tokens"]["user"]},
        "anonymous": {},
    }
    failures: list[str] = []
    floor: dict[str, int] = collections.Counter()
    per_action: dict[str, int] = collections.Counter()

    fragments = {
        name: openapi.request_schema(schema)["properties"]
        for name, schema in openapi.action_schemas().items()
    }

    def value(action: str, key: str) -> st.SearchStrategy[Any]:
        """Junk, or a value of the key's JSON Schema (when the document has it)."""
        fragment = fragments.get(action, {}).get(key)
        return junk if fragment is None else st.one_of(typed(fragment), junk)

    def probe_for(action: str, key: str, keys: list[str]) -> Any:
        turn = iter(range(10**9))

        @_settings(FLOOR)
        @given(
            focus=_unknown_keys() if key == UNKNOWN else value(action, key),
            # an action without parameters (datathon_hub_counts): nothing to add
            others=st.lists(st.sampled_from(keys), max_size=3, unique=True).flatmap(
                lambda chosen: st.fixed_dictionaries({k: value(action, k) for k in chosen})
            )
            if keys
            else st.just({}),
        )
        def probe(focus: Any, others: dict[str, Any]) -> None:
            payload = dict(others)
            if key == UNKNOWN:
                payload.update(focus)
            else:
                payload[key] = focus
            role = ROLES[next(turn) % len(ROLES)]
            body = json.dumps(payload)
            before = _counts(tables)
            answer = app.post(
                f"/api/3/action/{action}",
                data=body,
                content_type="application/json",
                headers=headers[role],
                status=None,
            )
            floor[f"{action} x {key}"] += 1
            per_action[action] += 1
            where = f"{action} as {role} {body[:160]!s}"
            if answer.status_code >= 500:
                failures.append(f"{where}: {answer.status_code}")
            elif answer.status_code >= 400 and _counts(tables) != before:
                failures.append(f"{where}: {answer.status_code} but rows changed")

        return probe

    for action in actions:
        keys = schema_keys(action)
        for key in [*keys, UNKNOWN]:
            probe_for(action, key, keys)()
    _print_floor(capsys, "examples per action", per_action)
    assert min(floor.values()) >= FLOOR, min(floor.items(), key=lambda item: item[1])
    with capsys.disabled():
        sys.stdout.write(f"  floor per action x key: {min(floor.values())} ({len(floor)} pairs)\n")
    assert not failures, "\n".join(failures[:40])


def _routes(app: Any, method: str) -> list[Any]:
    with app.flask_app.test_request_context():
        rules = [
            rule
            for rule in current_app.url_map.iter_rules()
            if rule.endpoint.startswith(BLUEPRINTS) and method in rule.methods
        ]
    return sorted(rules, key=lambda rule: rule.rule)


def _path(rule: Any, portal: dict[str, Any]) -> str:
    names = {
        "name": portal["challenge"]["name"],
        "id": portal["project"]["name"],
        "challenge": portal["challenge"]["name"],
    }
    values = {arg: names.get(arg, portal["refs"][0]) for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


QUERY_KEYS = st.sampled_from(
    [
        *("page", "sort", "q", "limit", "offset", "stage", "state", "lang", "owner_org"),
        *("tags", "challenge", "status", "kind", "format", "ext_bbox", "_csrf_token", "after"),
    ]
)
TEXT = st.one_of(st.text(max_size=30), STRINGS.filter(lambda s: "\ud800" not in s))


def test_every_page_with_junk_query_strings(app, world, portal, browse, capsys):
    browsers = {role: browse(None if role == "anonymous" else world.user) for role in ROLES[1:]}
    browsers["sysadmin"] = browse(world.sysadmin)
    failures: list[str] = []
    counts: dict[str, int] = collections.Counter()

    def probe_for(rule: Any) -> Any:
        path = _path(rule, portal)
        turn = iter(range(10**9))

        @_settings(PROFILES[PROFILE]["get"])
        @given(
            query=st.lists(st.tuples(st.one_of(QUERY_KEYS, st.text(max_size=10)), TEXT), max_size=5)
        )
        def probe(query: list[tuple[str, str]]) -> None:
            role = ROLES[next(turn) % len(ROLES)]
            answer = browsers[role].get(path, query_string=MultiDict(query))
            counts[rule.rule] += 1
            if answer.status_code >= 500:
                failures.append(f"GET {path} {query!r:.160} as {role}: {answer.status_code}")

        return probe

    for rule in _routes(app, "GET"):
        probe_for(rule)()
    _print_floor(capsys, "examples per GET route", counts)
    assert not failures, "\n".join(failures[:40])


FORM_KEYS = st.sampled_from(
    [
        *("title", "name", "description", "starts", "ends", "date", "kind", "url", "score"),
        *("rank", "weight", "max_score", "username", "project", "dataset_id", "role"),
        *("adopted", "page", "comment", "team_name", "accept_rules", "criterion_id", "notes"),
    ]
)


def test_every_form_with_junk_fields(app, world, portal, browse, capsys):
    """Signed in, with a valid CSRF token (without one only the token check
    would be tested): the organizer and a team leader."""
    signed_in = {"organizer": browse(world.admin), "leader": browse(world.user)}
    form_page = f"/challenge/{portal['challenge']['name']}"
    tokens = {role: browser.token(form_page) for role, browser in signed_in.items()}
    failures: list[str] = []
    counts: dict[str, int] = collections.Counter()
    roles = sorted(signed_in)

    def probe_for(rule: Any) -> Any:
        path = _path(rule, portal)
        turn = iter(range(10**9))

        @_settings(PROFILES[PROFILE]["post"])
        @given(form=st.lists(st.tuples(st.one_of(FORM_KEYS, st.text(max_size=10)), TEXT)))
        def probe(form: list[tuple[str, str]]) -> None:
            role = roles[next(turn) % len(roles)]
            data = MultiDict([*form, ("_csrf_token", tokens[role])])
            answer = signed_in[role].client.post(path, data=data, follow_redirects=False)
            counts[rule.rule] += 1
            if answer.status_code >= 500:
                failures.append(f"POST {path} {form!r:.160} as {role}: {answer.status_code}")
            elif answer.status_code == 400 and "CSRF" in answer.get_data(as_text=True):
                failures.append(f"POST {path} as {role}: the CSRF token was refused")

        return probe

    for rule in _routes(app, "POST"):
        probe_for(rule)()
    _print_floor(capsys, "examples per POST route", counts)
    assert not failures, "\n".join(failures[:40])
