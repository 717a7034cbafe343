"""Translations: the es and pt_BR catalogues are complete for the strings the
code has now (extracted afresh, as ``make i18n`` does), keep every
placeholder, and their committed .mo files are compiled from the current .po;
pages come out in the visitor's language, with dates and money in its format."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import ckan.plugins.toolkit as tk
from ckan.lib.i18n import build_js_translations
from ckan.tests import factories

from ckanext.datathon.tests.helpers import call_as, iso

REPO = Path(__file__).resolve().parents[3]
I18N = REPO / "ckanext" / "datathon" / "i18n"
DOMAIN = "ckanext-datathon"
LOCALES = ("es", "pt_BR")
# %(name)s, %s / %d, {name} / {} -- what gettext callers fill in
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]|\{(\w*)\}")


def placeholders(text: str) -> list[str]:
    """The sorted placeholders of a message (``%%`` is a literal percent)."""
    found = []
    for match in _PLACEHOLDER.finditer(text.replace("%%", "")):
        found.append(match.group(1) or match.group(2) or match.group(0))
    return sorted(found)


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _key(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(value)


def _catalogue(locale: str) -> Catalog:
    with (I18N / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The strings of the code as it is now: Babel with setup.py's extractors
    and setup.cfg's [extract_messages] options, into a temporary file."""
    pot = tmp_path_factory.mktemp("i18n") / f"{DOMAIN}.pot"
    result = subprocess.run(  # noqa: S603 (our own setup.py)
        [sys.executable, "setup.py", "-q", "extract_messages", "--output-file", str(pot)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as f:
        return read_po(f)


def test_extraction_sees_python_jinja_javascript_and_schema_strings(extracted):
    where = {loc[0].split("/")[-1] for m in extracted if m.id for loc in m.locations}
    # a Python module (views/challenge.py), a template, the script, a scheming schema
    assert {"challenge.py", "read.html", "datathon.js", "project.yaml"} <= where
    ids = {m.id for m in extracted}
    assert "Key dates" in ids  # {{ _() }} in a template
    assert ("{num} resource", "{num} resources") in ids  # ungettext in a template
    assert "Challenge not found" in ids  # tk._ in Python
    assert "Source code repository" in ids  # a scheming label


def test_jinja_extraction_reads_trans_blocks_and_ckan_tags():
    """setup.py maps templates to CKAN's extractor (CKAN's Jinja
    extensions, trimmed whitespace, as CKAN renders them)."""
    template = """{% ckan_extends %}
{% block primary %}
  {% snippet 'x.html', a=1 %}{% asset 'ckanext-datathon/main' %}
  {% trans num=3 %}{{ num }} open challenge{% pluralize %}{{ num }} open challenges{% endtrans %}
  {% trans title=c.title %}
    About “{{ title }}”
  {% endtrans %}
  {{ _('Key dates') }} {{ ungettext('{n} idea', '{n} ideas', 2) }}
{% endblock %}"""
    found = [
        message
        for _line, message, _comments, _context in extract(
            "ckan.lib.extract:extract_ckan",
            io.BytesIO(template.encode()),
            keywords=DEFAULT_KEYWORDS,
        )
    ]
    assert found == [
        ("%(num)s open challenge", "%(num)s open challenges"),
        "About “%(title)s”",
        "Key dates",
        ("{n} idea", "{n} ideas"),
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(extracted, locale):
    catalogue = _catalogue(locale)
    problems = []
    for wanted in extracted:
        if not wanted.id:
            continue
        message = catalogue.get(wanted.id)
        if message is None or _ids(message) != _ids(wanted):
            problems.append(f"missing: {wanted.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {wanted.id!r}")
        elif not all(_forms(message)) or (
            wanted.pluralizable and len(_forms(message)) != catalogue.num_plurals
        ):
            problems.append(f"untranslated: {wanted.id!r}")
    assert not problems, f"{len(problems)} problems in {locale} (run `make i18n`):\n" + "\n".join(
        problems[:40]
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale):
    problems = []
    for message in _catalogue(locale):
        if not message.id or not message.string:
            continue
        ids = _ids(message)
        forms = _forms(message)
        if len(ids) == 1:
            if placeholders(forms[0]) != placeholders(ids[0]):
                problems.append(f"{ids[0]!r} -> {forms[0]!r}")
            continue
        # plurals: every form may only use the English forms' placeholders,
        # and the last (plural) form all of the English plural's
        allowed = set(placeholders(ids[0])) | set(placeholders(ids[1]))
        for form in forms:
            if not set(placeholders(form)) <= allowed:
                problems.append(f"{ids!r} -> {form!r}")
        if placeholders(forms[-1]) != placeholders(ids[1]):
            problems.append(f"{ids!r} -> {forms[-1]!r}")
    assert not problems, f"placeholders differ in {locale}:\n" + "\n".join(problems)


def test_placeholder_finder():
    assert placeholders("%(b)s of %(a)d {c} {} %s 100%% done") == ["%s", "a", "b", "c", "{}"]
    assert placeholders("no placeholder") == []


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_po_file(locale):
    """The committed .mo (what CKAN loads) says what the .po says."""
    mo_path = I18N / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    assert mo_path.exists(), f"{mo_path} is missing (run `make i18n`)"
    with mo_path.open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    source = {
        _key(m.id): _key(m.string)
        for m in _catalogue(locale)
        if m.id and not m.fuzzy and all(_forms(m))
    }
    stale = sorted(str(k) for k in source.keys() ^ compiled.keys())
    stale += sorted(str(k) for k in source.keys() & compiled.keys() if source[k] != compiled[k])
    assert not stale, f"{locale} .mo is stale (run `make i18n`): " + ", ".join(stale[:20])


def test_a_fresh_clone_ships_the_compiled_catalogues():
    """The .mo files are committed, and packaged (MANIFEST.in, include_package_data)."""
    tracked = subprocess.run(
        ["git", "ls-files", "ckanext/datathon/i18n"],  # noqa: S607
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for locale in LOCALES:
        for suffix in ("po", "mo"):
            assert f"ckanext/datathon/i18n/{locale}/LC_MESSAGES/{DOMAIN}.{suffix}" in tracked
    assert "*.mo" in (REPO / "MANIFEST.in").read_text()


@pytest.mark.usefixtures("with_plugins")
def test_javascript_strings_reach_the_browser(app, ckan_config, monkeypatch, tmp_path):
    """``ckan translation js`` (run by ``ckan run`` and ``make demo``) takes the
    strings our JavaScript uses from the committed .pot and their translations
    from our catalogues; /api/i18n/<lang> serves them to ``this._()``."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    build_js_translations()
    assert app.get("/api/i18n/es").json["Closed"][1] == "Cerrado"
    assert app.get("/api/i18n/pt_BR").json["Closed"][1] == "Encerrado"


# -- pages in the visitor's language ---------------------------------------------------------


def _text(html: str) -> str:
    """Page text with the narrow/no-break spaces of CLDR formats as spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", html)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestLocalisedPages:
    @pytest.fixture
    def challenge(self, challenge_factory):
        import datetime as dt

        opens = dt.datetime(2023, 9, 25, 15, 0, tzinfo=dt.timezone.utc)  # 09:00 in CDMX
        day = dt.timedelta(days=1)
        return challenge_factory(
            name="cuidados",
            state="active",
            timezone="America/Mexico_City",
            registration_opens=iso(opens),
            registration_closes=iso(opens + 10 * day),
            submission_deadline=iso(opens + 20 * day),
            judging_closes=iso(opens + 30 * day),
            results_date=iso(opens + 31 * day),
            prizes=[{"rank": 1, "title": "Primer lugar", "amount": "12500.50", "currency": "USD"}],
        )

    @pytest.mark.parametrize(
        ("prefix", "heading", "date", "money"),
        [
            # "$" is also Mexico's peso: the code instead of the shared symbol
            ("", "Key dates", "Sep 25, 2023, 9:00 AM", "USD 12,500.50"),
            ("/es", "Fechas clave", "25 sept 2023, 9:00", "12.500,50 US$"),
            ("/pt_BR", "Datas importantes", "25 de set. de 2023 09:00", "US$ 12.500,50"),
        ],
    )
    def test_challenge_page(self, app, challenge, prefix, heading, date, money):
        response = app.get(f"{prefix}/challenge/cuidados")
        assert response.status_code == 200
        page = _text(response.body)
        assert heading in page
        assert f"{date} (America/Mexico_City)" in page
        assert money in page
        assert "$12,500.50" not in page

    @pytest.mark.parametrize(
        ("prefix", "found", "none"),
        [
            ("", "1 challenge found", "No challenges found for “nada”"),
            ("/es", "1 reto encontrado", "No se encontraron retos para “nada”"),
            ("/pt_BR", "1 desafio encontrado", "Nenhum desafio encontrado para “nada”"),
        ],
    )
    def test_challenge_count_is_a_whole_sentence(self, app, challenge, prefix, found, none):
        assert found in _text(app.get(f"{prefix}/challenge").body)
        assert none in _text(app.get(f"{prefix}/challenge?q=nada").body)

    @pytest.mark.usefixtures("clean_index")
    @pytest.mark.parametrize(
        ("prefix", "projects", "datasets"),
        [
            ("", "1 project found", "No datasets found"),
            ("/es", "1 proyecto encontrado", "Conjuntos de datos no encontrados"),
            ("/pt_BR", "1 projeto encontrado", "Não foram encontrados conjuntos de dados"),
        ],
    )
    def test_project_count_is_a_whole_sentence(
        self, app, published_challenge, project_factory, prefix, projects, datasets
    ):
        leader = factories.User()
        project = project_factory(user=leader, challenge=published_challenge["id"])
        call_as(
            leader,
            "package_patch",
            id=project["id"],
            repository_url="https://example.org/code",
            code_licence="MIT",
        )
        call_as(leader, "project_submit", id=project["id"])
        assert projects in _text(app.get(f"{prefix}/project/").body)
        # other dataset types keep core's sentences
        assert datasets in _text(app.get(f"{prefix}/dataset/").body)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(
    ("lang", "update", "search", "core"),
    [
        ("en", "Update Project", "Search Projects...", "Add Team group"),
        ("es", "Actualizar proyecto", "Buscar proyectos...", "Añadir Team group"),
        ("pt_BR", "Atualizar projeto", "Buscar projetos...", "Adicionar Team group"),
    ],
)
def test_core_labels_of_the_project_type_are_translated(app, lang, update, search, core):
    """Core glues "Update" and the capitalised type name in English; our
    chained humanize_entity_type gives whole sentences for projects only."""
    with app.flask_app.test_request_context("/", environ_base={"CKAN_LANG": lang}):
        humanize = tk.h.humanize_entity_type
        assert humanize("package", "project", "update label") == update
        assert humanize("package", "project", "search placeholder") == search
        assert humanize("package", "dataset", "update label") is None  # core's default text
        # other types: core's glued text, as before
        assert humanize("group", "team_group", "add link") == core
