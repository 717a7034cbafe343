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
Only published challenges are named (catalogue records are public, whoever
asks for them), read through ``dataset_published_challenges``.  Nothing here
runs unless ckanext-dcat loads the profile; without ckanext-dcat installed
this module imports but defines nothing.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.datathon.formats.linked_data import challenge_url

try:
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    from ckanext.dcat.profiles import DCT, SCHEMA, RDFProfile
except ImportError:  # ckanext-dcat is optional
    RDFProfile = None  # type: ignore[assignment,misc]


def published_challenges_using(dataset_id: str) -> list[dict[str, Any]]:
    """Published challenges linked to the dataset, oldest first
    (``dataset_published_challenges``, as the user reading the DCAT output:
    one indexed query).  A catalogue page asks once per dataset: ckanext-dcat
    builds each dataset's graph on its own, and hands a profile no list of
    the page's datasets to ask about at once."""
    result = tk.get_action("dataset_published_challenges")(_context(), {"ids": [dataset_id]})
    return result["results"].get(dataset_id, [])


def _context() -> Any:
    """The signed-in user's object rides along (no lookup per dataset);
    outside a request (ckanext-dcat's CLI), anonymous."""
    try:
        user = tk.current_user
        if user.is_authenticated:
            user = getattr(user, "_get_current_object", lambda: user)()
            return {"user": user.name, "auth_user_obj": user}
    except (RuntimeError, AttributeError):
        pass
    return {"user": ""}


if RDFProfile is not None:

    class ChallengeReferencesProfile(RDFProfile):
        """``dct:isReferencedBy`` from datasets to the challenges using them."""

        def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
            if not dataset_dict.get("id"):
                return
            for row in published_challenges_using(dataset_dict["id"]):
                challenge = URIRef(challenge_url(row["name"]))
                self.g.add((dataset_ref, DCT.isReferencedBy, challenge))
                self.g.add((challenge, RDF.type, SCHEMA.Event))
                self.g.add((challenge, SCHEMA.name, Literal(row["title"])))
                self.g.add((challenge, SCHEMA.url, challenge))
