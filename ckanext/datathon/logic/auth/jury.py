"""Authorization of the jury: who manages it, who scores, who sees results.

* Organizers (admins/editors of the challenge's organization) and sysadmins
  appoint jurors, define criteria, give awards and publish the results.
* Jurors of a challenge score its submitted projects -- never one whose team
  they are on, nor one they recused from.  Sysadmins are held to this too
  (``auth_sysadmins_check``): only jurors score.
* Each juror sees only their own scores; organizers see every score.
* The ranking and the awards are for organizers until the results are
  published, then for everyone who may read the challenge.

The helpers at the top are shared with ``logic.action.jury``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.datathon.logic import lookup, project_rules
from ckanext.datathon.model import Award, Challenge, Criterion, Juror, Project, Recusal, Results

__all__ = [
    "challenge_award_create",
    "challenge_award_delete",
    "challenge_award_list",
    "challenge_criterion_create",
    "challenge_criterion_delete",
    "challenge_criterion_list",
    "challenge_criterion_update",
    "challenge_juror_add",
    "challenge_juror_list",
    "challenge_juror_queue",
    "challenge_juror_remove",
    "challenge_jury_progress",
    "challenge_jury_status",
    "challenge_projects_export",
    "challenge_ranking",
    "challenge_results_history",
    "challenge_results_publish",
    "challenge_results_retract",
    "challenge_scores_export",
    "project_recuse",
    "project_score",
    "project_score_list",
    "project_winner_awards",
]

_ = tk._


def _ok() -> AuthResult:
    return {"success": True}


def _no(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


# -- shared rules -------------------------------------------------------------------


def is_juror(user_id: str | None, challenge_id: str) -> bool:
    if not user_id:
        return False
    return model.Session.get(Juror, (challenge_id, user_id)) is not None


def is_recused(user_id: str | None, project_id: str) -> bool:
    if not user_id:
        return False
    return model.Session.get(Recusal, (project_id, user_id)) is not None


def results_published(challenge_id: str) -> dt.datetime | None:
    """When the current results were published (see ``logic.results``)."""
    return model.Session.execute(
        sa.select(Results.published).where(Results.challenge_id == challenge_id)
    ).scalar()


def project_of(ref: Any) -> tuple[model.Package, Project]:
    """The project dataset and its row, or ObjectNotFound."""
    pkg = project_rules.package(ref)
    if pkg is None or not project_rules.is_project(pkg) or pkg.state != "active":
        raise tk.ObjectNotFound(_("Project not found"))
    project = project_rules.project_row(pkg.id)
    if project is None:
        raise tk.ObjectNotFound(_("Project not found"))
    return pkg, project


def may_read_project(context: Context, pkg: model.Package, project: Project) -> bool:
    """Submitted projects are public; others are for the team and organizers."""
    if project.submission_status == "submitted" and not pkg.private:
        return True
    user = project_rules.user_obj(context)
    return user is not None and (
        user.sysadmin
        or project_rules.is_organizer(user.name, pkg.owner_org)
        or project_rules.is_team_member(user.id, pkg.id)
    )


def readable_project(context: Context, ref: Any) -> tuple[model.Package, Project, Challenge]:
    """The project (ObjectNotFound when the user may not see it) and its challenge."""
    pkg, project = project_of(ref)
    if not may_read_project(context, pkg, project):
        raise tk.ObjectNotFound(_("Project not found"))
    challenge = project_rules.challenge_of(project)
    if challenge.state == "deleted":
        raise tk.ObjectNotFound(_("Project not found"))
    return pkg, project, challenge


def judging_conflict(user_id: str | None, project: Project) -> str | None:
    """Why this user may not score this project (None: they may)."""
    if not user_id or not is_juror(user_id, project.challenge_id):
        return _("Only jurors of this challenge score its projects")
    if project_rules.is_team_member(user_id, project.package_id):
        return _("Conflict of interest: you are on this project's team")
    if is_recused(user_id, project.package_id):
        return _("You recused yourself from this project")
    return None


def _user_id(context: Context) -> str | None:
    user = project_rules.user_obj(context)
    return user.id if user is not None else None


def _manage(context: Context, challenge_ref: Any) -> AuthResult:
    return authz.is_authorized(
        "datathon_permission_manage_challenge", context, {"id": challenge_ref}
    )


def _manage_challenge_of(context: Context, obj: Any, not_found: str) -> AuthResult:
    if obj is None:
        raise tk.ObjectNotFound(not_found)
    return _manage(context, obj.challenge_id)


def _get(model_class: Any, ref: Any) -> Any:
    if not isinstance(ref, str) or not ref or "\x00" in ref:
        return None
    return model.Session.get(model_class, ref)


# -- jurors -------------------------------------------------------------------------------


def challenge_juror_add(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("id"))


def challenge_juror_remove(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("id"))


def challenge_juror_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Organizers, and the challenge's jurors (who see who else judges)."""
    result = _manage(context, data_dict.get("id"))
    if result["success"]:
        return result
    challenge = lookup.challenge(context, data_dict.get("id"))
    if challenge is not None and is_juror(_user_id(context), challenge.id):
        return _ok()
    return result


# -- criteria -------------------------------------------------------------------------------


def challenge_criterion_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("challenge"))


def challenge_criterion_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage_challenge_of(
        context, _get(Criterion, data_dict.get("id")), _("Criterion not found")
    )


def challenge_criterion_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return challenge_criterion_update(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_criterion_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Criteria are published with the challenge.
    return authz.is_authorized(
        "datathon_permission_read_challenge", context, {"id": data_dict.get("id")}
    )


# -- scoring ----------------------------------------------------------------------------------


@tk.auth_sysadmins_check
def project_score(context: Context, data_dict: DataDict) -> AuthResult:
    """Jurors of the project's challenge, not on its team, not recused."""
    _pkg, project, _challenge = readable_project(context, data_dict.get("project"))
    message = judging_conflict(_user_id(context), project)
    return _no(message) if message else _ok()


@tk.auth_sysadmins_check
def project_recuse(context: Context, data_dict: DataDict) -> AuthResult:
    """A juror of the project's challenge declares a conflict of interest."""
    _pkg, project, _challenge = readable_project(context, data_dict.get("project"))
    if not is_juror(_user_id(context), project.challenge_id):
        return _no(_("Only jurors of this challenge recuse themselves"))
    return _ok()


def project_score_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Organizers (every score) and jurors of the challenge (their own)."""
    pkg, project, _challenge = readable_project(context, data_dict.get("id"))
    if project_rules.is_organizer(context.get("user"), pkg.owner_org):
        return _ok()
    if is_juror(_user_id(context), project.challenge_id):
        return _ok()
    return _no(_("Only the jury and the organizers see scores"))


# -- results ----------------------------------------------------------------------------------


def _results(context: Context, data_dict: DataDict) -> AuthResult:
    challenge = lookup.challenge(context, data_dict.get("id"))
    if (
        challenge is not None
        and challenge.state == "active"
        and results_published(challenge.id) is not None
    ):
        return authz.is_authorized(
            "datathon_permission_read_challenge", context, {"id": challenge.id}
        )
    result = _manage(context, data_dict.get("id"))
    if not result["success"]:
        return _no(_("The results of this challenge are not published yet"))
    return result


@tk.auth_allow_anonymous_access
def challenge_ranking(context: Context, data_dict: DataDict) -> AuthResult:
    return _results(context, data_dict)


@tk.auth_allow_anonymous_access
def challenge_award_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _results(context, data_dict)


def challenge_award_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("challenge"))


def challenge_award_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage_challenge_of(context, _get(Award, data_dict.get("id")), _("Award not found"))


def challenge_results_publish(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("id"))


def challenge_results_retract(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins only (who pass every auth function but those marked
    ``auth_sysadmins_check``)."""
    return _no(_("Only a sysadmin may retract published results"))


def challenge_results_history(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("id"))


# -- reads of the jury pages and the exports ----------------------------------------------


def _read(context: Context, data_dict: DataDict) -> AuthResult:
    """A challenge the caller may not read does not exist for them (404)."""
    result = authz.is_authorized(
        "datathon_permission_read_challenge", context, {"id": data_dict.get("id")}
    )
    if not result["success"]:
        raise tk.ObjectNotFound(_("Challenge not found"))
    return result


@tk.auth_allow_anonymous_access
def challenge_jury_status(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the challenge (the answer is about the caller)."""
    return _read(context, data_dict)


@tk.auth_sysadmins_check
def challenge_juror_queue(context: Context, data_dict: DataDict) -> AuthResult:
    """Jurors of the challenge only (sysadmins too must be appointed)."""
    _read(context, data_dict)
    challenge = lookup.challenge(context, data_dict.get("id"))
    if challenge is None:
        raise tk.ObjectNotFound(_("Challenge not found"))
    if not is_juror(_user_id(context), challenge.id):
        return _no(_("Only jurors of this challenge have a queue of projects to score"))
    return _ok()


def challenge_jury_progress(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("id"))


def challenge_scores_export(context: Context, data_dict: DataDict) -> AuthResult:
    return _manage(context, data_dict.get("id"))


@tk.auth_allow_anonymous_access
def challenge_projects_export(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the challenge (each sees the projects they may read)."""
    return _read(context, data_dict)


@tk.auth_allow_anonymous_access
def project_winner_awards(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: only awards of published results, public with the ranking."""
    return _ok()
