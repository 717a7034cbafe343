"""The challenge as JSON-LD: /challenge/<name>.jsonld and the copy in the page."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over
from ckanext.datathon.tests.views.conftest import browse, world

_FIXTURES = (browse, world)  # pytest finds them here

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def linked(world, published_challenge_factory):
    def build():
        challenge = published_challenge_factory(
            owner_org=world.org["id"],
            title="Care economy </script><script>alert(1)</script>",
            problem_statement="Who **cares** for the carers? & why",
            tags=["care", "gender"],
            timeline=[
                {
                    "stage": "mentorship",
                    "starts": "2024-08-28T09:00:00-06:00",
                    "ends": "2024-08-31T18:00:00-06:00",
                    "notes": "4 sessions",
                }
            ],
        )
        call_as(
            world.admin,
            "challenge_ally_create",
            challenge=challenge["id"],
            name="INMUJERES",
            kind="government",
            url="https://www.gob.mx/inmujeres",
        )
        public = factories.Dataset(owner_org=world.org["id"], title="Centros de cuidado")
        other = factories.Dataset(owner_org=world.org["id"], title="Uso del tiempo")
        private = factories.Dataset(
            owner_org=world.org["id"], title="Internal survey", private=True
        )
        for dataset in (public, other, private):
            call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
        return challenge, [public, other], private

    return built_over("world", "test_linked_data.linked", build)


def _get(client, name):
    return client.get(tk.url_for("datathon_open.jsonld", name=name))


def _dataset_urls(document):
    return {d["url"] for d in document.get("about", [])}


def _dataset_ids(document):
    return {d["@id"] for d in document.get("about", [])}


class TestEndpoint:
    def test_valid_json_ld_of_an_event(self, app, linked):
        challenge, _public, _private = linked
        response = _get(app, challenge["name"])
        assert response.status_code == 200
        assert response.mimetype == "application/ld+json"
        document = json.loads(response.get_data(as_text=True))
        assert document["@context"]["@vocab"] == "https://schema.org/"
        assert document["@type"] == "Event"
        url = tk.url_for("challenge.read", name=challenge["name"], qualified=True)
        assert document["@id"] == document["url"] == url
        assert document["name"] == challenge["title"]
        assert "Who cares for the carers?" in document["description"]
        # the whole contest: from its earliest date (here the stage) to its last
        assert document["startDate"] == "2024-08-28T15:00:00+00:00"
        assert document["endDate"] == challenge["results_date"]
        assert document["organizer"]["name"] == challenge["organization"]["title"]
        assert document["sponsor"] == [
            {"@type": "Organization", "name": "INMUJERES", "url": "https://www.gob.mx/inmujeres"}
        ]
        assert [s["name"] for s in document["subEvent"]] == [
            tk.h.datathon_stage_label("mentorship")
        ]
        prizes = {p["name"]: p["amount"] for p in document["funding"]}
        assert prizes["First prize"] == {
            "@type": "MonetaryAmount",
            "value": "2500.00",
            "currency": "USD",
        }

    def test_a_location_search_engines_accept(self, app, linked):
        challenge, _public, _private = linked
        document = json.loads(_get(app, challenge["name"]).get_data(as_text=True))
        url = tk.url_for("challenge.read", name=challenge["name"], qualified=True)
        assert document["location"] == {"@type": "VirtualLocation", "url": url}
        assert document["eventAttendanceMode"] == "OnlineEventAttendanceMode"
        assert document["inLanguage"] == "en"
        spanish = app.get("/es" + tk.url_for("datathon_open.jsonld", name=challenge["name"]))
        assert json.loads(spanish.get_data(as_text=True))["inLanguage"] == "es"

    def test_etag_and_304(self, app, linked):
        challenge, _public, _private = linked
        first = _get(app, challenge["name"])
        etag = first.headers["ETag"]
        assert etag
        again = app.get(
            tk.url_for("datathon_open.jsonld", name=challenge["name"]),
            headers={"If-None-Match": etag},
        )
        assert again.status_code == 304
        assert again.get_data() == b""

    def test_names_every_visible_dataset_with_its_portal_url(self, app, linked):
        challenge, public, _private = linked
        document = json.loads(_get(app, challenge["name"]).get_data(as_text=True))
        assert _dataset_urls(document) == {
            tk.url_for("dataset.read", id=d["name"], qualified=True) for d in public
        }
        # the IRI ckanext-dcat gives a dataset: <site_url>/dataset/<id>
        site = tk.config["ckan.site_url"].rstrip("/")
        assert _dataset_ids(document) == {f"{site}/dataset/{d['id']}" for d in public}
        for item in document["about"]:
            assert item["@type"] == ["Dataset", "dcat:Dataset"]
            assert item["includedInDataCatalog"]["@type"] == "DataCatalog"

    def test_is_linked_data(self, app, linked):
        # the document is RDF (JSON-LD 1.1), not only JSON: the graph says the
        # challenge is about each dataset, by the IRIs DCAT uses
        challenge, public, _private = linked
        body = _get(app, challenge["name"]).get_data(as_text=True)
        graph = Graph().parse(data=body, format="json-ld")
        event = URIRef(tk.url_for("challenge.read", name=challenge["name"], qualified=True))
        schema = "https://schema.org/"
        assert (event, RDF.type, URIRef(f"{schema}Event")) in graph
        assert (event, URIRef(f"{schema}eventStatus"), URIRef(f"{schema}EventScheduled")) in graph
        site = tk.config["ckan.site_url"].rstrip("/")
        for dataset in public:
            iri = URIRef(f"{site}/dataset/{dataset['id']}")
            assert (event, URIRef(f"{schema}about"), iri) in graph
            assert (iri, RDF.type, DCAT.Dataset) in graph
            assert (iri, RDF.type, URIRef(f"{schema}Dataset")) in graph
            page = tk.url_for("dataset.read", id=dataset["name"], qualified=True)
            assert (iri, URIRef(f"{schema}url"), URIRef(page)) in graph

    def test_private_datasets_only_for_those_who_can_read_them(self, app, browse, world, linked):
        challenge, _public, private = linked
        private_url = tk.url_for("dataset.read", id=private["name"], qualified=True)
        anonymous = json.loads(_get(app, challenge["name"]).get_data(as_text=True))
        assert private_url not in _dataset_urls(anonymous)
        assert private["title"] not in json.dumps(anonymous)
        outsider = json.loads(
            _get(browse(world.outsider_admin), challenge["name"]).get_data(as_text=True)
        )
        assert private_url not in _dataset_urls(outsider)
        member = json.loads(_get(browse(world.member), challenge["name"]).get_data(as_text=True))
        assert private_url in _dataset_urls(member)

    def test_drafts_and_unknown_answer_404(self, app, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        assert _get(app, draft["name"]).status_code == 404
        # not even its organizers publish a draft as linked data
        assert _get(browse(world.admin), draft["name"]).status_code == 404
        assert _get(app, "no-such-challenge").status_code == 404

    def test_the_page_route_is_not_shadowed(self, app, linked):
        challenge, _public, _private = linked
        page = app.get(tk.url_for("challenge.read", name=challenge["name"]))
        assert page.status_code == 200
        assert page.mimetype == "text/html"


class TestEmbedded:
    def _embedded(self, client, name):
        html = client.get(tk.url_for("challenge.read", name=name)).get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        scripts = soup.find_all("script", type="application/ld+json")
        return html, soup, scripts

    def test_embedded_copy_equals_the_endpoint(self, app, browse, world, linked):
        challenge, _public, _private = linked
        for client in (app, browse(world.member)):
            _html, soup, scripts = self._embedded(client, challenge["name"])
            assert len(scripts) == 1
            embedded = json.loads(scripts[0].string)
            served = json.loads(_get(client, challenge["name"]).get_data(as_text=True))
            assert embedded == served
            link = soup.find("link", rel="alternate", type="application/ld+json")
            assert link["href"].endswith(f"/challenge/{challenge['name']}.jsonld")

    def test_title_cannot_close_the_script_element(self, app, linked):
        challenge, _public, _private = linked
        html, _soup, scripts = self._embedded(app, challenge["name"])
        assert "</script><script>alert(1)" not in html
        assert json.loads(scripts[0].string)["name"] == challenge["title"]

    def test_not_embedded_in_drafts(self, browse, world, challenge_factory):
        draft = challenge_factory(owner_org=world.org["id"])
        _html, _soup, scripts = self._embedded(browse(world.admin), draft["name"])
        assert scripts == []
