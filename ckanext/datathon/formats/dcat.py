"""Optional ckanext-dcat integration: a dataset's DCAT output names the
published challenges that use it.

An RDF profile (ckanext-dcat's extension mechanism), registered as the entry
point ``datathon_challenges`` of ``ckan.rdf.profiles``.  Add it after the
site's profiles::

    ckan.plugins = ... dcat
    ckanext.dcat.rdf.profiles = euro_dcat_ap_3 datathon_challenges

For each challenge it adds ``<dataset> dct:isReferencedBy <challenge page>``
and describes the challenge as a ``schema:Event`` with its ``schema:name``
and ``schema:url`` -- the IRI the challenge's own JSON-LD uses as ``@id``.
Only published challenges are named: catalogue records are public, whoever
asks for them.  Nothing here runs unless ckanext-dcat loads the profile;
without ckanext-dcat installed this module imports but defines nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.formats.linked_data import challenge_url
from ckanext.datathon.model import Challenge, ChallengeDataset

try:
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    from ckanext.dcat.profiles import DCT, SCHEMA, RDFProfile
except ImportError:  # ckanext-dcat is optional
    RDFProfile = None  # type: ignore[assignment,misc]


def published_challenges_using(dataset_id: str) -> list[Any]:
    """Published challenges linked to the dataset (one indexed query)."""
    c = Challenge.__table__
    link = ChallengeDataset.__table__
    return model.Session.execute(
        sa.select(c.c.name, c.c.title)
        .select_from(link.join(c, c.c.id == link.c.challenge_id))
        .where(link.c.package_id == dataset_id, c.c.state == "active")
        .order_by(c.c.created, c.c.id)
    ).all()


if RDFProfile is not None:

    class ChallengeReferencesProfile(RDFProfile):
        """``dct:isReferencedBy`` from datasets to the challenges using them."""

        def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
            if not dataset_dict.get("id"):
                return
            for row in published_challenges_using(dataset_dict["id"]):
                challenge = URIRef(challenge_url(row.name))
                self.g.add((dataset_ref, DCT.isReferencedBy, challenge))
                self.g.add((challenge, RDF.type, SCHEMA.Event))
                self.g.add((challenge, SCHEMA.name, Literal(row.title)))
                self.g.add((challenge, SCHEMA.url, challenge))
