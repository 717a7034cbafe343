"""Pages of the ideathon: the ``datathon_ideas`` blueprint.

``/challenge/<name>/ideas`` lists the ideas (most voted or most recent, a page
at a time), lets registered users propose ideas with the data they lack and
vote, organizers adopt ideas and see the data gaps, and
``/challenge/<name>/data-gaps.csv`` exports those gaps for organizers.

Every form works without JavaScript: votes, adoption and deletion are plain
POST forms (checked by ``csrf_guard``) that come back to the page they were
sent from.  The actions hold every rule; what the user may not see answers
404, what they may see but not change answers 401/403.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon.formats import csv_export
from ckanext.datathon.logic.schema.idea import GAP_LIMIT_MAX, MAX_DATA_GAPS, SORTS
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import deny as _deny
from ckanext.datathon.views.base import page_number as _page_number
from ckanext.datathon.views.base import page_url as _page_url
from ckanext.datathon.views.base import pager as _pager
from ckanext.datathon.views.base import show_challenge as _show
from ckanext.datathon.views.csrf import csrf_guard

__all__ = ["ideas"]

_ = tk._
ideas = Blueprint("datathon_ideas", __name__)
ideas.before_request(csrf_guard)

PAGE_SIZE = 20
# Empty data-gap rows of the proposal form (more on request, up to the maximum).
GAP_ROWS = 3
# Organizers see this many gaps on the page; the CSV has all of them.
GAPS_ON_PAGE = 50
GAP_FIELDS = ("title", "description", "holder")


def _may(action: str, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _sort() -> str:
    sort = tk.request.values.get("sort", "votes")
    return sort if sort in SORTS else "votes"


def _back(challenge: dict[str, Any], idea_id: str | None = None) -> Any:
    """Back to the page of ideas the form was sent from."""
    form = tk.request.form
    try:
        page = max(1, int(form.get("page", 1)))
    except ValueError:
        page = 1
    params: dict[str, Any] = {"name": challenge["name"], "sort": _sort()}
    if page > 1:
        params["page"] = page
    if idea_id:
        params["_anchor"] = f"idea-{idea_id}"
    return h.redirect_to("datathon_ideas.index", **params)


def _ideathon_end(challenge: dict[str, Any]) -> Any:
    """The end of the challenge's ideathon stage when it is over, else None."""
    for stage in challenge.get("timeline") or []:
        if stage.get("stage") == "ideathon" and stage.get("status") == "past":
            return stage.get("ends")
    return None


def _gap_rows(form: Any) -> tuple[list[dict[str, str]], int]:
    """The filled data-gap rows of the proposal form (rows left empty are
    dropped) and how many rows the form had."""
    rows = []
    count = 0
    for n in range(MAX_DATA_GAPS + 1):
        if not any(f"gap-{n}-{field}" in form for field in GAP_FIELDS):
            continue
        count += 1
        row = {field: form.get(f"gap-{n}-{field}", "") for field in GAP_FIELDS}
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows, count


def _render(
    challenge: dict[str, Any],
    data: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    gap_rows: int = GAP_ROWS,
) -> str:
    sort = _sort()
    page_number = _page_number()
    context = _context()
    try:
        result = tk.get_action("challenge_idea_list")(
            context,
            {
                "id": challenge["id"],
                "sort": sort,
                "limit": PAGE_SIZE,
                "offset": (page_number - 1) * PAGE_SIZE,
            },
        )
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))
    except tk.ValidationError:  # a page number beyond any offset
        return tk.abort(404, _("Page not found"))

    page = _pager(
        result["results"],
        page_number,
        result["count"],
        PAGE_SIZE,
        lambda number: _page_url("datathon_ideas.index", challenge, number, sort=sort),
    )
    organizer = _may("challenge_data_gap_list", {"id": challenge["id"]})
    gaps = None
    if organizer:
        gaps = tk.get_action("challenge_data_gap_list")(
            _context(), {"id": challenge["id"], "limit": GAPS_ON_PAGE}
        )
    data = data or {}
    rows = list(data.get("data_gaps") or [])
    rows += [{}] * max(0, min(MAX_DATA_GAPS, max(gap_rows, len(rows))) - len(rows))
    return tk.render(
        "challenge/ideas.html",
        {
            "challenge": challenge,
            "page": page,
            "sort": sort,
            "sorts": [("votes", _("Most voted")), ("recent", _("Most recent"))],
            "organizer": organizer,
            "gaps": gaps,
            "ideathon_ended": _ideathon_end(challenge),
            "may_propose": _may("challenge_idea_create", {"challenge": challenge["id"]}),
            "data": data,
            "gap_rows": rows,
            "more_rows": len(rows) < MAX_DATA_GAPS,
            "max_gaps": MAX_DATA_GAPS,
            "errors": errors or {},
        },
    )


@ideas.route("/challenge/<name>/ideas", methods=["GET", "POST"])
def index(name: str) -> Any:
    challenge = _show(name)
    if tk.request.method == "GET":
        return _render(challenge)
    if not tk.current_user.is_authenticated:
        return _deny()
    form = tk.request.form
    rows, count = _gap_rows(form)
    data = {
        "challenge": challenge["id"],
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "data_gaps": rows,
    }
    if "more_gaps" in form:  # the form asked for more rows; nothing is saved
        return _render(challenge, data, gap_rows=count + GAP_ROWS)
    try:
        idea = tk.get_action("challenge_idea_create")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))
    except tk.NotAuthorized:
        return _deny()
    except tk.ValidationError as error:
        return _render(challenge, data, error.error_dict, gap_rows=count)
    h.flash_success(_("Thank you: your idea is published."))
    return h.redirect_to(
        "datathon_ideas.index", name=challenge["name"], sort="recent", _anchor=f"idea-{idea['id']}"
    )


def _write(challenge: dict[str, Any], action: str, data: dict[str, Any], done: str) -> Any:
    """Run a vote/unvote/adopt action for the current user and go back."""
    if not tk.current_user.is_authenticated:
        return _deny()
    try:
        tk.get_action(action)(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Idea not found"))
    except tk.NotAuthorized:
        return _deny()
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                h.flash_error(str(message))
        return _back(challenge, data["id"])
    h.flash_success(done)
    return _back(challenge, data["id"])


@ideas.route("/challenge/<name>/ideas/<idea_id>/vote", methods=["POST"])
def vote(name: str, idea_id: str) -> Any:
    return _write(_show(name), "challenge_idea_vote", {"id": idea_id}, _("Your vote is counted."))


@ideas.route("/challenge/<name>/ideas/<idea_id>/unvote", methods=["POST"])
def unvote(name: str, idea_id: str) -> Any:
    return _write(
        _show(name), "challenge_idea_unvote", {"id": idea_id}, _("Your vote was removed.")
    )


@ideas.route("/challenge/<name>/ideas/<idea_id>/adopt", methods=["POST"])
def adopt(name: str, idea_id: str) -> Any:
    adopted = tk.request.form.get("adopted", "true")
    return _write(
        _show(name),
        "challenge_idea_adopt",
        {"id": idea_id, "adopted": adopted},
        _("The idea is marked as adopted.")
        if adopted == "true"
        else _("The idea is no longer marked as adopted."),
    )


@ideas.route("/challenge/<name>/ideas/<idea_id>/delete", methods=["GET", "POST"])
def delete(name: str, idea_id: str) -> Any:
    """GET asks for confirmation, POST deletes."""
    challenge = _show(name)
    try:
        idea = tk.get_action("challenge_idea_show")(_context(), {"id": idea_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, _("Idea not found"))
    if idea["challenge_id"] != challenge["id"]:
        return tk.abort(404, _("Idea not found"))
    try:
        tk.check_access("challenge_idea_delete", _context(), {"id": idea_id})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Idea not found"))
    except tk.NotAuthorized:
        return _deny()
    if tk.request.method == "GET":
        return tk.render(
            "challenge/idea_delete.html",
            {"challenge": challenge, "idea": idea, "sort": _sort()},
        )
    try:
        tk.get_action("challenge_idea_delete")(_context(), {"id": idea_id})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Idea not found"))
    except tk.NotAuthorized:
        return _deny()
    h.flash_success(_("The idea was deleted."))
    return _back(challenge)


@ideas.route("/challenge/<name>/data-gaps.csv")
def data_gaps_csv(name: str) -> Any:
    """Every data gap of the challenge (organizers), most voted ideas first;
    formula-safe cells (``csv_export``)."""
    challenge = _show(name)
    try:
        tk.check_access("challenge_data_gap_list", _context(), {"id": challenge["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))
    except tk.NotAuthorized:
        return _deny()
    return csv_export.csv_response(
        csv_export.safe_filename(challenge["name"], "data-gaps"),
        [_("Idea"), _("Data gap"), _("Description"), _("Who holds the data"), _("Votes")],
        _gap_batches(challenge["id"]),
        lambda gap: [
            gap["idea"]["title"],
            gap["title"],
            gap["description"],
            gap["holder"],
            gap["idea"]["vote_count"],
        ],
        private=True,
    )


def _gap_batches(challenge_id: str) -> Iterator[list[dict[str, Any]]]:
    """The challenge's data gaps, a batch per action call."""
    offset = 0
    while True:
        result = tk.get_action("challenge_data_gap_list")(
            _context(), {"id": challenge_id, "limit": GAP_LIMIT_MAX, "offset": offset}
        )
        if not result["results"]:
            return
        yield result["results"]
        offset += len(result["results"])
        if offset >= result["count"]:
            return
