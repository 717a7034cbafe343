"""Optional ckanext-dcat integration: DCAT output names the challenges using a dataset."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.datathon.linked_data import dataset_uri
from ckanext.datathon.tests.helpers import call_as
from ckanext.datathon.tests.snapshots import built_over
from ckanext.datathon.tests.views.conftest import browse, world

_FIXTURES = (browse, world)  # pytest finds them here

SCHEMA = "http://schema.org/"  # ckanext-dcat's namespace for schema.org
PLUGINS = "datathon scheming_datasets activity dcat"
PROFILES = "euro_dcat_ap_3 datathon_challenges"

pytestmark = pytest.mark.usefixtures("with_plugins")
with_dcat = pytest.mark.ckan_config("ckan.plugins", PLUGINS)


@pytest.fixture
def linked(world, published_challenge_factory, challenge_factory):
    def build():
        dataset = factories.Dataset(owner_org=world.org["id"], title="Centros de cuidado")
        published = published_challenge_factory(owner_org=world.org["id"], title="Cuidados & datos")
        draft = challenge_factory(owner_org=world.org["id"], title="Secret draft")
        deleted = published_challenge_factory(owner_org=world.org["id"], title="Deleted one")
        for challenge in (published, draft, deleted):
            call_as(world.admin, "challenge_dataset_add", id=challenge["id"], dataset=dataset["id"])
        call_as(world.admin, "challenge_delete", id=deleted["id"])
        return dataset, published, draft, deleted

    return built_over("world", "test_dcat.linked", build)


def _graph(client, dataset, fmt="ttl", parse_as="turtle"):
    response = client.get(f"/dataset/{dataset['id']}.{fmt}")
    assert response.status_code == 200, response.status_code
    graph = Graph()
    graph.parse(data=response.get_data(as_text=True), format=parse_as)
    return graph


def _url(challenge):
    return URIRef(tk.url_for("challenge.read", name=challenge["name"], qualified=True))


def _referenced(graph, dataset):
    return set(graph.objects(URIRef(dataset_uri(dataset["id"])), DCTERMS.isReferencedBy))


@with_dcat
@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", PROFILES)
class TestProfile:
    def test_dataset_rdf_names_the_published_challenge(self, app, linked):
        dataset, published, _draft, _deleted = linked
        graph = _graph(app, dataset)
        challenge = _url(published)
        assert (URIRef(dataset_uri(dataset["id"])), DCTERMS.isReferencedBy, challenge) in graph
        assert (challenge, RDF.type, URIRef(f"{SCHEMA}Event")) in graph
        assert (challenge, URIRef(f"{SCHEMA}name"), Literal("Cuidados & datos")) in graph

    def test_only_published_challenges_whoever_asks(self, app, browse, world, linked):
        dataset, published, draft, _deleted = linked
        for client in (app, browse(world.admin)):
            graph = _graph(client, dataset)
            assert _referenced(graph, dataset) == {_url(published)}
            text = graph.serialize(format="turtle")
            assert "Secret draft" not in text
            assert "Deleted one" not in text
            assert str(_url(draft)) not in text

    def test_json_ld_and_rdf_xml_serialisations(self, app, linked):
        dataset, published, _draft, _deleted = linked
        assert _url(published) in _referenced(_graph(app, dataset, "jsonld", "json-ld"), dataset)
        assert _url(published) in _referenced(_graph(app, dataset, "rdf", "xml"), dataset)

    def test_same_iris_as_the_challenge_json_ld(self, app, linked):
        dataset, published, _draft, _deleted = linked
        document = json.loads(
            app.get(tk.url_for("datathon_open.jsonld", name=published["name"])).get_data()
        )
        graph = _graph(app, dataset)
        subject = URIRef(document["about"][0]["@id"])
        assert (subject, DCTERMS.isReferencedBy, URIRef(document["@id"])) in graph

    def test_dataset_without_challenges(self, app, world):
        dataset = factories.Dataset(owner_org=world.org["id"])
        assert _referenced(_graph(app, dataset), dataset) == set()


@with_dcat
@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3")
def test_nothing_added_unless_the_profile_is_configured(app, linked):
    dataset = linked[0]
    assert _referenced(_graph(app, dataset), dataset) == set()


def test_without_the_dcat_plugin(app, linked):
    # the test configuration's plugins (no dcat): no RDF routes, pages unharmed
    assert not p.plugin_loaded("dcat")
    dataset, published, _draft, _deleted = linked
    assert app.get(f"/dataset/{dataset['id']}.ttl").status_code == 404
    assert app.get(tk.url_for("dataset.read", id=dataset["name"])).status_code == 200
    assert app.get(tk.url_for("challenge.read", name=published["name"])).status_code == 200
