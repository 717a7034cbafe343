"""A challenge as linked data: a schema.org JSON-LD document.

Type: ``schema:Event``.  A datathon challenge is something that *happens*: it
has a start and an end, an organizer, sponsors and a programme of stages
(sub-events), which are Event's own properties (``startDate``, ``endDate``,
``organizer``, ``sponsor``, ``subEvent``); ``about`` is defined on Event too.
``CreativeWork`` would fit the problem statement but not the dates nor the
people, and search engines read Event dates.

- ``@id`` and ``url``: the challenge page (the same IRI the DCAT profile
  uses as the object of ``dct:isReferencedBy``).
- ``organizer``: the CKAN organization; ``sponsor``: the strategic allies.
- ``about``: the linked datasets the viewer may read, typed both
  ``schema:Dataset`` and ``dcat:Dataset``, identified as ckanext-dcat
  identifies them (``<catalog uri>/dataset/<id>``), with the page URL as
  ``url``.  Private datasets the viewer cannot read are never named.
- ``subEvent``: the scheduled stages of the method.
- ``location``: a ``VirtualLocation`` (the challenge page) with
  ``eventAttendanceMode`` online: registration, submission and results happen
  on the portal (search engines reject Events without a location).
- Prizes: ``funding`` as ``schema:MonetaryGrant`` with an ``amount``.  The
  usual ``offers`` would tell search engines that taking part costs the prize
  money (an Offer is a price to pay); a grant of money is what a prize is.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.lib.helpers as core_h
import ckan.plugins.toolkit as tk

SCHEMA = "https://schema.org/"
CONTEXT = {
    "@vocab": SCHEMA,
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    # values that are IRIs, not text (as in schema.org's own context)
    "url": {"@type": "@id"},
    "image": {"@type": "@id"},
    "logo": {"@type": "@id"},
    "eventStatus": {"@type": "@vocab"},
    "eventAttendanceMode": {"@type": "@vocab"},
}
DESCRIPTION_LENGTH = 1000


def catalog_uri() -> str:
    """The base IRI of the portal, as ckanext-dcat computes it
    (``ckanext.dcat.base_uri``, else ``ckan.site_url``)."""
    return (tk.config.get("ckanext.dcat.base_uri", None) or tk.config["ckan.site_url"]).rstrip("/")


def dataset_uri(dataset_id: str) -> str:
    """The IRI ckanext-dcat gives a dataset (without a ``uri`` field of its own)."""
    return f"{catalog_uri()}/dataset/{dataset_id}"


def challenge_url(name: str) -> str:
    return tk.url_for("challenge.read", name=name, qualified=True)


def _text(markdown: str | None, length: int = DESCRIPTION_LENGTH) -> str | None:
    if not markdown:
        return None
    return core_h.markdown_extract(markdown, extract_length=length) or None


# Markdown links and images (kept: their text), emphasis/heading/quote/code
# marks and HTML tags (dropped)
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]*>|[*_`#>~|]+")


def _summary(markdown: str | None, length: int) -> str | None:
    """A short plain-text summary of a dataset's Markdown without rendering
    it: a challenge names up to hundreds of datasets, and rendering each
    description (``markdown_extract``) cost the page a millisecond apiece."""
    if not markdown:
        return None
    text = " ".join(_MARKUP.sub(lambda m: m.group(1) or " ", markdown).split())
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + "…"
    return text or None


def _compact(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values (JSON-LD ignores them; consumers read less)."""
    return {k: v for k, v in doc.items() if v not in (None, "", [], {})}


def _dates(challenge: dict[str, Any]) -> tuple[str | None, str | None]:
    """The whole contest: from the first date to the last one known."""
    starts = [challenge.get("registration_opens")]
    ends = [challenge.get("results_date")]
    for entry in challenge.get("timeline") or []:
        starts.append(entry.get("starts"))
        ends.append(entry.get("ends"))
    known_starts = sorted(s for s in starts if s)
    known_ends = sorted(e for e in ends if e)
    # ISO 8601 in UTC (as challenge_show returns them) sort as text
    return (known_starts[0] if known_starts else None, known_ends[-1] if known_ends else None)


def _organization(org: dict[str, Any] | None) -> dict[str, Any] | None:
    if not org:
        return None
    url = tk.url_for("organization.read", id=org["name"], qualified=True)
    return _compact(
        {
            "@type": "Organization",
            "@id": url,
            "url": url,
            "name": org.get("title") or org["name"],
            "logo": org.get("image_url"),
        }
    )


def _ally(ally: dict[str, Any]) -> dict[str, Any]:
    return _compact(
        {
            "@type": "Organization",
            "name": ally["name"],
            "url": ally.get("url"),
            "logo": ally.get("logo_url"),
            "description": ally.get("description"),
        }
    )


def _dataset_page_url() -> Any:
    """A function of a dataset name to its page's URL, with one ``url_for``:
    a challenge may name hundreds of datasets and ``url_for`` costs a good
    fraction of a millisecond (dataset names are URL-safe: a-z, 0-9, - and _)."""
    marker = "datathon-dataset-name"
    template = tk.url_for("dataset.read", id=marker, qualified=True)
    return lambda name: template.replace(marker, name)


def _dataset(dataset: dict[str, Any], catalog: dict[str, Any], page_url: Any) -> dict[str, Any]:
    return _compact(
        {
            "@type": ["Dataset", "dcat:Dataset"],
            "@id": f"{catalog['@id']}/dataset/{dataset['id']}",  # as dataset_uri()
            "url": page_url(dataset["name"]),
            "identifier": dataset["id"],
            "name": dataset.get("title") or dataset["name"],
            "description": _summary(dataset.get("notes"), 300),
            "includedInDataCatalog": catalog,
        }
    )


def _stage(entry: dict[str, Any]) -> dict[str, Any]:
    return _compact(
        {
            "@type": "Event",
            "name": tk.h.datathon_stage_label(entry["stage"]),
            "startDate": entry["starts"],
            "endDate": entry["ends"],
            "description": entry.get("notes"),
        }
    )


def _prize(prize: dict[str, Any], funder: dict[str, Any] | None) -> dict[str, Any]:
    amount = None
    if prize.get("amount") is not None:
        amount = {"@type": "MonetaryAmount", "value": prize["amount"]}
        if prize.get("currency"):
            amount["currency"] = prize["currency"]
    return _compact(
        {
            "@type": "MonetaryGrant",
            "identifier": f"prize-{prize['rank']}",
            "name": prize["title"],
            "description": prize.get("description"),
            "amount": amount,
            "funder": {"@id": funder["@id"]} if funder else None,
        }
    )


def _language() -> str:
    """The request's language as a BCP 47 tag (``pt_BR`` → ``pt-BR``)."""
    try:
        return str(tk.h.lang() or "en").replace("_", "-")
    except RuntimeError:  # outside a request
        return "en"


def challenge_document(challenge: dict[str, Any]) -> dict[str, Any]:
    """The JSON-LD document of a challenge dict from ``challenge_show``
    (whose ``datasets`` already hold only what the viewer may read)."""
    url = challenge_url(challenge["name"])
    start, end = _dates(challenge)
    organizer = _organization(challenge.get("organization"))
    page_url = _dataset_page_url()
    catalog = {
        "@type": "DataCatalog",
        "@id": catalog_uri(),
        "url": tk.config["ckan.site_url"],
        "name": tk.config.get("ckan.site_title") or tk.config["ckan.site_url"],
    }
    doc = {
        "@context": CONTEXT,
        "@type": "Event",
        "@id": url,
        "url": url,
        "identifier": challenge["id"],
        "name": challenge["title"],
        "description": _text(challenge.get("problem_statement")),
        "image": challenge.get("image_url"),
        "keywords": challenge.get("tags") or None,
        "startDate": start,
        "endDate": end,
        "eventStatus": "EventScheduled",
        # the contest itself happens on the portal (registration, submission,
        # results): an online event whose place is the challenge page
        "eventAttendanceMode": "OnlineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": url},
        # stage names and labels follow the page's language
        "inLanguage": _language(),
        "isAccessibleForFree": True,
        "organizer": organizer,
        "sponsor": [_ally(a) for a in challenge.get("allies") or []],
        "about": [_dataset(d, catalog, page_url) for d in challenge.get("datasets") or []],
        "subEvent": [_stage(e) for e in challenge.get("timeline") or [] if e.get("starts")],
        "funding": [_prize(p, organizer) for p in challenge.get("prizes") or []],
    }
    return _compact(doc)
