"""Open pages of the challenges: JSON-LD, the Atom feed, following; the
OpenAPI description of the actions (``/api/datathon/openapi.json``).

Blueprint ``datathon_open``.  Linked data describes published challenges only
(a draft answers 404 even to its organizers: drafts are not for crawlers).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon.formats import feeds, linked_data
from ckanext.datathon.logic import openapi
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import deny as _deny
from ckanext.datathon.views.base import page_number
from ckanext.datathon.views.base import show_challenge as _show
from ckanext.datathon.views.csrf import csrf_guard

_ = tk._
datathon_open = Blueprint("datathon_open", __name__)
datathon_open.before_request(csrf_guard)

JSONLD = "application/ld+json"
ATOM = "application/atom+xml"


@datathon_open.route("/challenge/<name>.jsonld")
def jsonld(name: str) -> Response:
    challenge = _show(name)
    if challenge["state"] != "active":
        return tk.abort(404, _("Challenge not found"))
    body = json.dumps(linked_data.challenge_document(challenge), ensure_ascii=False, indent=2)
    response = Response(body, mimetype=JSONLD)
    # as the feed and the calendar: an ETag of the content, 304 to If-None-Match
    response.add_etag()
    return response.make_conditional(tk.request)


@datathon_open.route("/challenge/feed.atom")
def feed() -> Response:
    # ?page=2...: older entries (RFC 5005); a page that is not one is a 400
    response = Response(feeds.atom_feed(page_number()), content_type=f"{ATOM}; charset=utf-8")
    # readers poll feeds: 304 Not Modified to If-None-Match.  An ETag of the
    # content, not Last-Modified: a renamed or unpublished challenge changes
    # the feed without a newer event.
    response.add_etag()
    return response.make_conditional(tk.request)


@datathon_open.route("/api/datathon/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of the plugin's actions (the same for
    every reader: no sign-in, cacheable, an ETag of the content)."""
    response = Response(openapi.document_json(), mimetype="application/json")
    response.add_etag()
    return response.make_conditional(tk.request)


def _follow(name: str, action: str, done: str) -> Any:
    challenge = _show(name)
    try:
        tk.get_action(action)(_context(), {"id": challenge["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))
    except tk.NotAuthorized:
        return _deny()
    h.flash_success(done % {"title": challenge["title"]})
    return h.redirect_to("challenge.read", name=challenge["name"])


@datathon_open.route("/challenge/<name>/follow", methods=["POST"])
def follow(name: str) -> Any:
    return _follow(name, "follow_challenge", _("You are now following %(title)s."))


@datathon_open.route("/challenge/<name>/unfollow", methods=["POST"])
def unfollow(name: str) -> Any:
    return _follow(name, "unfollow_challenge", _("You are no longer following %(title)s."))
