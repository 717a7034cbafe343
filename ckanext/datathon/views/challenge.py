"""Pages of the datathon plugin: the ``challenge`` blueprint.

Views are thin: they call actions with the current user's context and render
templates.  What the user may not see answers 404 (the actions raise
ObjectNotFound for it), what they may see but not change answers 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.views import MethodView

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon import config
from ckanext.datathon.lib import licences, page_cache
from ckanext.datathon.views import form_labels, forms
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import deny as _deny
from ckanext.datathon.views.base import page_number as _page_number
from ckanext.datathon.views.base import pager as _pager
from ckanext.datathon.views.base import show_challenge as _show
from ckanext.datathon.views.csrf import csrf_guard

__all__ = ["challenge"]

_ = tk._
challenge = Blueprint("challenge", __name__)


def _sorts() -> list[tuple[str, str]]:
    """The challenge list's sort options: (translated label, value)."""
    return [
        (_("Newest"), "created desc"),
        (_("Registration closing soonest"), "registration_closes asc"),
        (_("Next deadline first"), "next_deadline asc"),
        (_("Name ascending"), "title asc"),
        (_("Name descending"), "title desc"),
        (_("Last modified"), "modified desc"),
    ]


challenge.before_request(csrf_guard)


def _require(action: str, data: dict[str, Any]) -> None:
    """403 for users who may see the challenge but not do this; 404 otherwise
    (the auth functions raise ObjectNotFound for what the user may not see)."""
    try:
        tk.check_access(action, _context(), data)
    except tk.ObjectNotFound:
        tk.abort(404, _("Challenge not found"))
    except tk.NotAuthorized:
        _deny()


@challenge.route("/challenge")
def index() -> str:
    args = tk.request.args
    limit = config.challenge_list_limit()
    page_number = _page_number()
    query: dict[str, Any] = {
        "q": args.get("q", ""),
        "sort": args.get("sort") or "created desc",
        "limit": limit,
        "offset": (page_number - 1) * limit,
        "facets": True,
    }
    for key in ("owner_org", "stage", "state", "phase"):
        if args.get(key):
            query[key] = args[key]
    errors: dict[str, Any] = {}
    try:
        result = tk.get_action("challenge_list")(_context(), dict(query))
    except tk.ValidationError as error:
        errors = error.error_dict
        result = {"count": 0, "results": [], "facets": {}}
    facets = result.get("facets") or {}
    for item in facets.get("stage", []):
        item["display_name"] = tk.h.datathon_stage_label(item["name"])
    for item in facets.get("state", []):
        item["display_name"] = tk.h.datathon_status_label(item["name"])
    for item in facets.get("phase", []):
        item["display_name"] = tk.h.datathon_phase_label(item["name"])
    search_facets = {
        "owner_org": {"title": _("Organizations"), "items": facets.get("owner_org", [])},
        "phase": {"title": _("Contest phase"), "items": facets.get("phase", [])},
        "stage": {"title": _("Stage"), "items": facets.get("stage", [])},
        # only organizers (and sysadmins) see more than published challenges
        "state": {
            "title": _("State"),
            "items": facets.get("state", []) if len(facets.get("state", [])) > 1 else [],
        },
    }

    def page_url(number: int) -> str:
        """This listing (search, sort, facets) at page ``number``."""
        params = [(k, v) for k, v in args.items(multi=True) if k != "page"]
        if number > 1:
            params.append(("page", str(number)))
        base = h.url_for("challenge.index")
        return base + "?" + h.urlencode(params) if params else base  # type: ignore

    page = _pager(result["results"], page_number, result["count"], limit, page_url)
    return tk.render(
        "challenge/index.html",
        {
            "page": page,
            "q": query["q"],
            "sort_by_selected": query["sort"],
            "sorting": _sorts(),
            "search_facets": search_facets,
            "facet_titles": {k: v["title"] for k, v in search_facets.items()},
            "errors": errors,
            "state": query.get("state"),
        },
    )


@challenge.route("/challenge/<name>")
def read(name: str) -> str:
    kept = page_cache.Lookup() if page_cache.applies() else None
    if kept is not None and kept.page is not None:
        return kept.page
    data = _show(name)
    page = tk.render("challenge/read.html", {"challenge": data})
    if kept is not None:
        kept.keep_page(page, page_cache.challenge_dates(data))
    return page


class ChallengeFormView(MethodView):
    """New and edit forms (GET shows, POST saves)."""

    def _render(
        self, values: dict[str, Any], errors: dict[str, Any], rows: list[int], challenge=None
    ) -> str:
        return tk.render(
            "challenge/edit.html" if challenge else "challenge/new.html",
            {
                "data": values,
                "errors": errors,
                "error_summary": form_labels.error_summary(errors, form_labels.challenge()),
                "timeline_errors": forms.timeline_errors(errors, rows),
                "challenge": challenge,
                "timezones": forms.timezones(),
            },
        )

    def get(self, name: str | None = None) -> str:
        if name is None:
            _require("challenge_create", {"owner_org": tk.request.args.get("owner_org")})
            values = forms.form_values(
                {
                    "owner_org": tk.request.args.get("owner_org", ""),
                    "max_team_size": config.default_max_team_size(),
                    "min_team_size": 1,
                    "require_open_data": True,
                    "require_rules_acceptance": True,
                    # the usual set, not all ~140 OSI licences (the API's default)
                    "allowed_licences": list(licences.common_osi_ids()),
                    "timezone": config.default_timezone(),
                }
            )
            return self._render(values, {}, [])
        current = _show(name)
        _require("challenge_update", {"id": current["id"]})
        return self._render(forms.form_values(current), {}, [], current)

    def post(self, name: str | None = None) -> Any:
        current = None
        if name is not None:
            current = _show(name)
            _require(
                "challenge_update",
                {"id": current["id"], "owner_org": tk.request.form.get("owner_org")},
            )
        else:
            _require("challenge_create", {"owner_org": tk.request.form.get("owner_org")})
        data, rows = forms.challenge_from_form(tk.request.form, str(h.lang() or "en"))
        if "publish" in tk.request.form:
            data["state"] = "active"
        try:
            if current is None:
                saved = tk.get_action("challenge_create")(_context(), data)
                h.flash_success(_("Challenge created."))
            else:
                data["id"] = current["id"]
                saved = tk.get_action("challenge_update")(_context(), data)
                h.flash_success(_("Challenge saved."))
        except tk.ValidationError as error:
            values = forms.form_values(data, tk.request.form.get("timezone"))
            return self._render(values, error.error_dict, rows, current)
        except tk.NotAuthorized:
            # The organization as resolved by validation (the second stage
            # of the owner check) is not the user's.
            return _deny()
        return h.redirect_to("challenge.read", name=saved["name"])


challenge.add_url_rule(
    "/challenge/new", view_func=ChallengeFormView.as_view("new"), methods=["GET", "POST"]
)
challenge.add_url_rule(
    "/challenge/<name>/edit", view_func=ChallengeFormView.as_view("edit"), methods=["GET", "POST"]
)


@challenge.route("/challenge/<name>/delete", methods=["GET", "POST"])
def delete(name: str) -> Any:
    current = _show(name)
    _require("challenge_delete", {"id": current["id"]})
    if tk.request.method == "POST":
        tk.get_action("challenge_delete")(_context(), {"id": current["id"]})
        h.flash_success(_("Challenge deleted."))
        return h.redirect_to("challenge.index")
    return tk.render("challenge/confirm_delete.html", {"challenge": current})


@challenge.route("/challenge/<name>/datasets", methods=["GET", "POST"])
def datasets(name: str) -> Any:
    current = _show(name)
    _require("challenge_dataset_add", {"id": current["id"]})
    errors: dict[str, Any] = {}
    form = tk.request.form
    if tk.request.method == "POST":
        try:
            if form.get("remove"):
                tk.get_action("challenge_dataset_remove")(
                    _context(), {"id": current["id"], "dataset": form["remove"]}
                )
                h.flash_success(_("Dataset removed from the challenge."))
            else:
                tk.get_action("challenge_dataset_add")(
                    _context(),
                    {
                        "id": current["id"],
                        "dataset": form.get("dataset_id", ""),
                        "role": form.get("role", "primary"),
                        "note": form.get("note", ""),
                    },
                )
                h.flash_success(_("Dataset linked to the challenge."))
            return h.redirect_to("challenge.datasets", name=current["name"])
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized:
            errors = {"dataset": [_("You cannot read that dataset")]}
    return tk.render(
        "challenge/datasets.html",
        {"challenge": _show(name), "errors": errors, "data": dict(form)},
    )


@challenge.route("/challenge/<name>/allies", methods=["POST"])
def allies(name: str) -> Any:
    current = _show(name)
    form = tk.request.form
    try:
        if form.get("delete"):
            tk.get_action("challenge_ally_delete")(_context(), {"id": form["delete"]})
            h.flash_success(_("Ally removed."))
        else:
            tk.get_action("challenge_ally_create")(
                _context(),
                {
                    "challenge": current["id"],
                    "name": form.get("name", ""),
                    "kind": form.get("kind", ""),
                    "url": form.get("url", ""),
                    "logo_url": form.get("logo_url", ""),
                    "description": form.get("description", ""),
                },
            )
            h.flash_success(_("Ally added."))
    except tk.ValidationError as error:
        h.flash_error(
            _("The ally was not saved: {errors}").format(
                errors="; ".join(
                    f"{k}: {', '.join(map(str, v))}" for k, v in error.error_dict.items()
                )
            )
        )
    except tk.NotAuthorized:
        tk.abort(403, _("You are not allowed to do this"))
    return h.redirect_to("challenge.edit", name=current["name"], _anchor="allies")


@challenge.route("/dataset/<id>/challenges")
def dataset_challenges(id: str) -> str:
    """The challenges, projects and impact using a dataset; the projects are
    paged (``dataset_projects_max`` a page)."""
    context = _context()
    number = _page_number()
    limit = config.dataset_projects_max()
    try:
        pkg = tk.get_action("package_show")(context, {"id": id})
        used = tk.get_action("dataset_challenge_list")(
            _context(),
            {
                "id": pkg["id"],
                "projects_limit": limit,
                "projects_offset": (number - 1) * limit,
            },
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Dataset not found"))

    def page_url(n: int) -> str:
        return h.url_for("challenge.dataset_challenges", id=pkg["name"], page=n if n > 1 else None)

    page = _pager(used["projects"], number, used["project_count"], limit, page_url)
    return tk.render(
        "package/challenges.html",
        {
            "pkg": pkg,
            "pkg_dict": pkg,
            "dataset_type": pkg["type"],
            "used": used,
            "projects_page": page,
        },
    )
