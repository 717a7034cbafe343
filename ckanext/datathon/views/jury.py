"""Pages of the jury: the ``datathon_jury`` blueprint.

* ``/challenge/<name>/jury``: a juror's queue (projects to score, progress,
  one scoring form per project, recusal); for organizers, each juror's
  progress and the management of jurors and criteria.  Jurors only ever see
  their own scores.
* ``/challenge/<name>/results``: the winners and the ranking once published;
  before that a preview, the awards and the "Publish results" button for
  organizers, a notice for everyone else.
* ``/challenge/<name>/scores.csv`` (organizers) and ``/projects.csv`` (the
  submitted projects the viewer may read): streamed, formula-safe CSV.

Views are thin: the jury actions hold every rule (judging window, conflicts,
blind scoring, publication).  Drafts answer 404 to non-organizers
(``show_challenge``); pages the user may not use answer 401/403 (``deny``).
Every state change is a POST checked by ``csrf_guard``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Blueprint

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.formats import csv_export
from ckanext.datathon.logic.visibility import viewer
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import deny as _deny
from ckanext.datathon.views.base import page_number as _page_number
from ckanext.datathon.views.base import page_url as _page_url
from ckanext.datathon.views.base import pager as _pager
from ckanext.datathon.views.base import show_challenge as _show
from ckanext.datathon.views.csrf import csrf_guard

__all__ = ["jury"]

_ = tk._
jury = Blueprint("datathon_jury", __name__)
jury.before_request(csrf_guard)

_INTEGER = re.compile(r"-?\d{1,9}")
# Rows of the ranking per page of /challenge/<name>/results.
RESULTS_PAGE_SIZE = 100
# Column names of the exports: identifiers for the programs that read them,
# not translated.
SCORE_COLUMNS = ("project", "juror", "criterion", "score", "comment", "modified")
PROJECT_COLUMNS = (
    "title",
    "url",
    "team_name",
    "repository_url",
    "code_licence",
    "datasets_used",
    "submitted_at",
    "award",
)


# -- plumbing -------------------------------------------------------------------------


def _may(action: str, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _status(challenge: dict[str, Any]) -> dict[str, Any]:
    """Where the user stands in the challenge's judging (challenge_jury_status)."""
    return tk.get_action("challenge_jury_status")(_context(), {"id": challenge["id"]})


def _require_organizer(challenge: dict[str, Any]) -> None:
    if not _may("datathon_permission_manage_challenge", {"id": challenge["id"]}):
        _deny()


def _is_juror(challenge: dict[str, Any]) -> bool:
    return bool(_status(challenge)["juror"])


def _messages(errors: Any) -> list[str]:
    """The messages of a (nested) error dict of an action, flattened."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return []


def _flash_errors(error: tk.ValidationError, prefix: str) -> None:
    h.flash_error(" ".join([prefix, *_messages(error.error_dict)]))


def _back(endpoint: str, challenge: dict[str, Any], anchor: str | None = None) -> Any:
    page = tk.request.form.get("page", "")
    args: dict[str, Any] = {"name": challenge["name"]}
    if page.isdigit() and page != "1":
        args["page"] = page
    if anchor:
        args["_anchor"] = anchor
    return h.redirect_to(endpoint, **args)


def _score_value(raw: str) -> Any:
    """A whole number typed in the form; anything else goes to the action as
    text, which refuses it with a field error."""
    return int(raw) if _INTEGER.fullmatch(raw) else raw


# -- the jury page -------------------------------------------------------------------------


def _jury_page(
    challenge: dict[str, Any],
    page_number: int,
    status: dict[str, Any],
    refused: dict[str, Any] | None = None,
) -> str:
    """The jury page; ``refused``: a scoring form the action refused
    (``{project, typed: {criterion id: {score, comment}}, errors:
    {criterion id: message}, message}``), shown with every typed value."""
    organizer, juror = status["organizer"], status["juror"]
    criteria = tk.get_action("challenge_criterion_list")(_context(), {"id": challenge["id"]})
    # the page size challenge_juror_queue uses (it clamps to the maximum)
    limit = min(config.challenge_list_limit(), config.challenge_list_limit_max())
    queue = page = progress = None
    if juror:
        queue = tk.get_action("challenge_juror_queue")(
            _context(),
            {"id": challenge["id"], "limit": limit, "offset": (page_number - 1) * limit},
        )
        page = _pager(
            queue["results"],
            page_number,
            queue["count"],
            limit,
            lambda number: _page_url("datathon_jury.jury_page", challenge, number),
        )
    if refused is not None:
        # the message names the project as the card does
        shown = [
            p["title"] for p in (queue or {}).get("results", []) if p["name"] == refused["project"]
        ]
        title = shown[0] if shown else refused["project"]
        message = _("The scores of “%(project)s” were not saved.") % {"project": title}
        refused["message"] = " ".join([message, *refused["details"]])
    if organizer:
        progress = tk.get_action("challenge_jury_progress")(_context(), {"id": challenge["id"]})
    return tk.render(
        "jury/jury.html",
        {
            "challenge": challenge,
            "criteria": criteria["results"],
            "organizer": organizer,
            "juror": juror,
            "queue": queue,
            "page": page,
            "progress": progress,
            "completion": progress["jurors"] if progress else [],
            "window_message": status["scoring_closed"],
            "published": status["published"] is not None,
            "refused": refused,
        },
    )


@jury.route("/challenge/<name>/jury")
def jury_page(name: str) -> str:
    page_number = _page_number()  # a junk page number is a 400 for everyone
    challenge = _show(name)
    status = _status(challenge)
    if not (status["organizer"] or status["juror"]):
        return _deny()
    return _jury_page(challenge, page_number, status)


def _refusal(
    error: tk.ValidationError, entries: list[dict[str, Any]], criteria: list[dict[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    """Why a score was refused, each refused criterion named, and the message
    of each refused criterion's field."""
    names = {c["id"]: c["name"] for c in criteria}
    errors = error.error_dict or {}
    fields: dict[str, str] = {}
    listed = errors.get("scores")
    if isinstance(listed, list):
        for entry, problem in zip(entries, listed, strict=False):
            text = " ".join(_messages(problem))
            if text:
                fields[entry["criterion"]] = text
    parts = [
        _("%(criterion)s: %(message)s") % {"criterion": names.get(key, key), "message": text}
        for key, text in fields.items()
    ]
    parts += _messages({k: v for k, v in errors.items() if k != "scores"})
    return parts, fields


@jury.route("/challenge/<name>/jury/score", methods=["POST"])
def score(name: str) -> Any:
    challenge = _show(name)
    status = _status(challenge)
    if not status["juror"]:
        return _deny()
    form = tk.request.form
    project = form.get("project", "")
    criteria = tk.get_action("challenge_criterion_list")(_context(), {"id": challenge["id"]})
    entries = []
    typed: dict[str, dict[str, str]] = {}
    for criterion in criteria["results"]:
        raw = form.get(f"score-{criterion['id']}", "").strip()
        comment = form.get(f"comment-{criterion['id']}", "")
        typed[criterion["id"]] = {"score": raw, "comment": comment}
        if raw:
            entries.append(
                {"criterion": criterion["id"], "score": _score_value(raw), "comment": comment}
            )
    anchor = f"project-{project}" if project.isascii() and project.isprintable() else None
    if not entries:
        h.flash_error(_("Enter a score for at least one criterion."))
        return _back("datathon_jury.jury_page", challenge, anchor)
    try:
        tk.get_action("project_score")(_context(), {"project": project, "scores": entries})
    except tk.ValidationError as error:
        details, fields = _refusal(error, entries, criteria["results"])
        raw_page = form.get("page", "")
        page_number = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 6 else 1
        refused = {"project": project, "typed": typed, "errors": fields, "details": details}
        return _jury_page(challenge, page_number, status, refused)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Project not found"))
    except tk.NotAuthorized as error:
        h.flash_error(str(error) or _("You are not allowed to do this"))
    else:
        h.flash_success(_("Your scores are saved."))
    return _back("datathon_jury.jury_page", challenge, anchor)


@jury.route("/challenge/<name>/jury/recuse", methods=["POST"])
def recuse(name: str) -> Any:
    challenge = _show(name)
    if not _is_juror(challenge):
        return _deny()
    form = tk.request.form
    try:
        tk.get_action("project_recuse")(
            _context(), {"project": form.get("project", ""), "reason": form.get("reason", "")}
        )
    except tk.ValidationError as error:
        _flash_errors(error, _("The recusal was not saved:"))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Project not found"))
    except tk.NotAuthorized as error:
        h.flash_error(str(error) or _("You are not allowed to do this"))
    else:
        h.flash_success(_("You recused yourself from this project; your scores of it are deleted."))
    return _back("datathon_jury.jury_page", challenge)


@jury.route("/challenge/<name>/jury/jurors", methods=["POST"])
def jurors(name: str) -> Any:
    challenge = _show(name)
    _require_organizer(challenge)
    form = tk.request.form
    removing = bool(form.get("remove"))
    username = (form.get("remove") if removing else form.get("username", "")).strip()
    action = "challenge_juror_remove" if removing else "challenge_juror_add"
    try:
        tk.get_action(action)(_context(), {"id": challenge["id"], "user": username})
    except tk.ValidationError as error:
        _flash_errors(error, _("The jury was not changed:"))
    except tk.NotAuthorized:
        return _deny()
    else:
        h.flash_success(
            _("%(user)s is no longer a juror.") % {"user": username}
            if removing
            else _("%(user)s is now a juror.") % {"user": username}
        )
    return _back("datathon_jury.jury_page", challenge, "jurors")


@jury.route("/challenge/<name>/jury/criteria", methods=["POST"])
def criteria(name: str) -> Any:
    challenge = _show(name)
    _require_organizer(challenge)
    form = tk.request.form
    fields = {
        key: form.get(key, "")
        for key in ("name", "description", "weight", "max_score", "position")
        if key in form
    }
    if fields.get("position") == "":
        fields.pop("position")
    try:
        if form.get("delete"):
            tk.get_action("challenge_criterion_delete")(_context(), {"id": form["delete"]})
            done = _("Criterion deleted.")
        elif form.get("id"):
            tk.get_action("challenge_criterion_update")(_context(), {"id": form["id"], **fields})
            done = _("Criterion saved.")
        else:
            tk.get_action("challenge_criterion_create")(
                _context(), {"challenge": challenge["id"], **fields}
            )
            done = _("Criterion added.")
    except tk.ValidationError as error:
        _flash_errors(error, _("The criterion was not saved:"))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Criterion not found"))
    except tk.NotAuthorized:
        return _deny()
    else:
        h.flash_success(done)
    return _back("datathon_jury.jury_page", challenge, "criteria")


# -- results ---------------------------------------------------------------------------------


def _results_view_args(organizer: bool) -> tuple[bool, int | None]:
    """``?live=1`` (the ranking computed now) and ``?version=N`` (an earlier
    publication): organizers only; others get the published snapshot."""
    if not organizer:
        return False, None
    live = tk.request.args.get("live") in ("1", "true", "yes")
    version = tk.request.args.get("version", "")
    number = int(version) if version.isdigit() and 0 < len(version) < 8 else None
    return live, number


@jury.route("/challenge/<name>/results")
def results(name: str) -> str:
    page_number = _page_number()  # a junk page number is a 400 for everyone
    challenge = _show(name)
    status = _status(challenge)
    published = status["published"]
    organizer = status["organizer"]
    live, version = _results_view_args(organizer)
    ranking = awards = page = history = None
    if published is not None or organizer:
        limit = RESULTS_PAGE_SIZE
        query: dict[str, Any] = {
            "id": challenge["id"],
            "limit": limit,
            "offset": (page_number - 1) * limit,
            "live": live,
        }
        if version:
            query["version"] = version
        try:
            ranking = tk.get_action("challenge_ranking")(_context(), query)
        except tk.ValidationError:
            return tk.abort(404, _("No publication of this number"))
        awards = tk.get_action("challenge_award_list")(_context(), {"id": challenge["id"]})
        extra = {"live": 1} if live else ({"version": version} if version else {})

        page = _pager(
            ranking["results"],
            page_number,
            ranking["count"],
            limit,
            lambda number: _page_url("datathon_jury.results", challenge, number, **extra),
        )
    if organizer:
        history = tk.get_action("challenge_results_history")(_context(), {"id": challenge["id"]})
    given = {a["rank"] for a in awards["results"]} if awards else set()
    return tk.render(
        "jury/results.html",
        {
            "challenge": challenge,
            "published": published,
            "organizer": organizer,
            "sysadmin": viewer(_context()).sysadmin,
            "ranking": ranking,
            "awards": awards,
            "page": page,
            "history": history,
            "prizes_left": [p for p in challenge.get("prizes") or [] if p["rank"] not in given],
            # why "Publish results" cannot work yet (the form is not offered)
            "publish_blocked": status["publish_blocked"],
        },
    )


@jury.route("/challenge/<name>/results/retract", methods=["POST"])
def retract(name: str) -> Any:
    """Sysadmins take published results back (the action records it)."""
    challenge = _show(name)
    if not viewer(_context()).sysadmin:
        return _deny()
    if tk.request.form.get("confirm") not in ("on", "yes", "1", "true"):
        h.flash_error(_("Tick the confirmation box to retract the results."))
        return _back("datathon_jury.results", challenge)
    try:
        tk.get_action("challenge_results_retract")(
            _context(), {"id": challenge["id"], "reason": tk.request.form.get("reason", "")}
        )
    except tk.ValidationError as error:
        _flash_errors(error, _("The results were not retracted:"))
    except tk.NotAuthorized:
        return _deny()
    else:
        h.flash_success(_("The results are retracted."))
    return _back("datathon_jury.results", challenge)


@jury.route("/challenge/<name>/results/publish", methods=["POST"])
def publish(name: str) -> Any:
    challenge = _show(name)
    _require_organizer(challenge)
    if tk.request.form.get("confirm") not in ("on", "yes", "1", "true"):
        h.flash_error(_("Tick the confirmation box to publish the results."))
        return _back("datathon_jury.results", challenge)
    try:
        tk.get_action("challenge_results_publish")(_context(), {"id": challenge["id"]})
    except tk.ValidationError as error:
        _flash_errors(error, _("The results were not published:"))
    except tk.NotAuthorized:
        return _deny()
    else:
        h.flash_success(_("The results are published."))
    return _back("datathon_jury.results", challenge)


@jury.route("/challenge/<name>/results/awards", methods=["POST"])
def awards(name: str) -> Any:
    challenge = _show(name)
    _require_organizer(challenge)
    form = tk.request.form
    try:
        if form.get("delete"):
            tk.get_action("challenge_award_delete")(_context(), {"id": form["delete"]})
            done = _("Award withdrawn.")
        else:
            tk.get_action("challenge_award_create")(
                _context(),
                {
                    "challenge": challenge["id"],
                    "project": form.get("project", ""),
                    "rank": form.get("rank", ""),
                    "title": form.get("title", ""),
                    "citation": form.get("citation", ""),
                },
            )
            done = _("Award given.")
    except tk.ValidationError as error:
        _flash_errors(error, _("The award was not saved:"))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Award not found"))
    except tk.NotAuthorized:
        return _deny()
    else:
        h.flash_success(done)
    return _back("datathon_jury.results", challenge, "awards")


# -- exports ---------------------------------------------------------------------------------


def _batches(action: str, challenge: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Every row of an export action, batch after batch (``next`` / ``after``)."""
    query: dict[str, Any] = {"id": challenge["id"]}
    while True:
        batch = tk.get_action(action)(_context(), query)
        if batch["results"]:
            yield batch["results"]
        if batch["next"] is None:
            return
        query["after"] = batch["next"]


@jury.route("/challenge/<name>/scores.csv")
def scores_csv(name: str) -> Any:
    """Every score of the challenge (organizers only)."""
    challenge = _show(name)
    _require_organizer(challenge)
    return csv_export.csv_response(
        csv_export.safe_filename(challenge["name"], "scores"),
        SCORE_COLUMNS,
        _batches("challenge_scores_export", challenge),
        lambda r: [
            r["project"],
            r["juror"],
            r["criterion"],
            r["score"],
            r["comment"],
            r["modified"],
        ],
        private=True,
    )


@jury.route("/challenge/<name>/projects.csv")
def projects_csv(name: str) -> Any:
    """The public fields of the submitted projects the viewer may read; the
    award once the results are published."""
    challenge = _show(name)

    def row(r: dict[str, Any]) -> list[Any]:
        return [
            r["title"],
            h.url_for("project.read", id=r["name"], qualified=True),
            r["team_name"],
            r["repository_url"],
            r["code_licence"],
            r["datasets_used"],
            r["submitted_at"],
            r["award"],
        ]

    return csv_export.csv_response(
        csv_export.safe_filename(challenge["name"], "projects"),
        PROJECT_COLUMNS,
        _batches("challenge_projects_export", challenge),
        row,
        private=tk.current_user.is_authenticated,
    )
