"""Actions of project records, and the core actions chained to keep their rules.

A project is a ckanext-scheming dataset of type ``project`` (edited with
package_update & co.); these actions do what package_update must not: register
a team, change the team, submit and withdraw.  The chained core actions make
the same rules hold when a client calls CKAN's own actions directly.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import sqlalchemy as sa

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import datasets_used, harvested, lookup, project_rules
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.logic.schema import project as project_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import readable_dataset, viewer
from ckanext.datathon.model import PROJECT_TYPE, Award, Challenge, Project, Results

__all__ = [
    "bulk_update_delete",
    "bulk_update_private",
    "bulk_update_public",
    "dataset_purge",
    "package_collaborator_create",
    "package_collaborator_delete",
    "package_create",
    "package_delete",
    "package_owner_org_update",
    "package_patch",
    "package_update",
    "project_list",
    "project_register",
    "project_submit",
    "project_withdraw",
]

_ = tk._

LIST_EXTRAS = ("team_name", "code_licence", "repository_url", "demo_url", "challenge")


# -- helpers ------------------------------------------------------------------------


def _project(id_or_name: Any, *, lock: bool = False) -> tuple[model.Package, Project]:
    pkg = project_rules.package(id_or_name)
    if pkg is None or not project_rules.is_project(pkg) or pkg.state == "deleted":
        raise tk.ObjectNotFound(_("Project not found"))
    project = project_rules.project_row(pkg.id, lock=lock)
    if project is None:
        raise tk.ObjectNotFound(_("Project not found"))
    return pkg, project


def _show(context: Context, package_id: str) -> dict[str, Any]:
    show_context: Any = {
        "user": context.get("user"),
        "model": model,
        "ignore_auth": True,
        "use_cache": False,
    }
    return tk.get_action("package_show")(show_context, {"id": package_id})


def _slug(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "project"
    return f"{base}-{uuid.uuid4().hex[:6]}"


def _user(username: str) -> model.User:
    user = model.User.get(username)
    if user is None or user.state != "active":
        raise tk.ValidationError({"user": [_("User not found")]})
    return user


# -- registration and team --------------------------------------------------------------


@validate(project_schema.project_register)
def project_register(context: Context, data: DataDict) -> dict[str, Any]:
    """Register a team for a challenge: creates its project record (a private
    draft owned by the challenge's organization) with the user as team leader.

    :param challenge: challenge id or name (published, registration open)
    :type challenge: string
    :param title: project title
    :type title: string
    :param team_name: the team's name (one line)
    :type team_name: string
    :param name: URL slug (optional; derived from the title)
    :type name: string
    :param notes: description (markdown, optional)
    :type notes: string
    :param accept_rules: must be true when the challenge requires it
    :type accept_rules: bool
    :returns: the project record, as ``package_show`` returns it (with ``datasets_used``:
        ``[{dataset, resource_ids}]``, the entries the caller may read)
    :rtype: dict
    """
    challenge = lookup.challenge(context, data["challenge"])
    harvested.refuse_copy(context, challenge)
    who = viewer(context)
    if challenge is None or (challenge.state != "active" and not who.sysadmin):
        raise tk.ObjectNotFound(_("Challenge not found"))
    message = project_rules.registration_error(challenge)
    if message:
        raise tk.ValidationError({"challenge": [message]})
    if challenge.require_rules_acceptance and not data["accept_rules"]:
        raise tk.ValidationError({"accept_rules": [_("You must accept the challenge's rules")]})
    user = project_rules.user_obj(context)
    if user is None:  # (auth lets only logged-in users through)
        raise tk.NotAuthorized(_("You must be logged in to register a team"))
    conflict = project_rules.join_conflict(challenge, user.id, you=True)
    if conflict:
        raise tk.ValidationError({"challenge": [conflict]})
    project_rules.check_one_team(context, challenge.id, user.id, "challenge")
    project_rules.check_team_caps(challenge.id, user.id, "challenge", leading=True)
    create_context: Any = {
        "user": context.get("user"),
        "model": model,
        "ignore_auth": True,
        "defer_commit": True,
        "return_id_only": True,
        "datathon_leader": user.id,
    }
    package_id = tk.get_action("package_create")(
        create_context,
        {
            "type": PROJECT_TYPE,
            "name": data.get("name") or _slug(data["title"]),
            "title": data["title"],
            "notes": data["notes"],
            "team_name": data["team_name"],
            "challenge": challenge.id,
            "owner_org": challenge.owner_org,
        },
    )
    model.Session.add(
        model.PackageMember(
            package_id=package_id,
            user_id=user.id,
            capacity=project_rules.TEAM_CAPACITY,
            modified=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        )
    )
    model.Session.flush()
    commit(context, reindex=package_id)
    return _show(context, package_id)


# -- submission ---------------------------------------------------------------------------


def _submission_errors(
    pkg_dict: dict[str, Any], challenge: Challenge, context: Context, team: int
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    validate_url = tk.get_validator("datathon_http_url")
    repo = pkg_dict.get("repository_url")
    if not repo:
        errors["repository_url"] = [_("A repository URL is required to submit")]
    else:
        try:
            validate_url(repo)
        except tk.Invalid as e:
            errors["repository_url"] = [str(e.error)]
    licence = pkg_dict.get("code_licence")
    if not licence:
        errors["code_licence"] = [_("A code licence is required to submit")]
    elif licence not in (challenge.allowed_licences or []):
        errors["code_licence"] = [_("The challenge's rules do not allow this licence")]
    # every stored entry, those the submitter may not read included (shown to
    # nobody who cannot read them, so not named to the submitter either)
    used = [e["dataset"] for e in datasets_used.stored(pkg_dict["id"])]
    if used:
        p = model.Package.__table__
        rows = {
            r.id: r
            for r in model.Session.execute(
                sa.select(
                    p.c.id,
                    p.c.private,
                    p.c.type,
                    p.c.state,
                    readable_dataset(viewer(context), p).label("readable"),
                ).where(p.c.id.in_(used))
            ).all()
        }
        problems = []
        for dataset_id in used:
            row = rows.get(dataset_id)
            if row is None or row.state != "active" or row.type == PROJECT_TYPE:
                problems.append(_("Dataset {id} not found").format(id=dataset_id))
            elif not row.readable:
                # cited by a team member who may read it: kept, not named
                if challenge.require_open_data:
                    problems.append(
                        _("The challenge requires open data: a dataset you may not read is cited")
                    )
            elif challenge.require_open_data and row.private:
                problems.append(
                    _("The challenge requires open data: dataset {id} is private").format(
                        id=dataset_id
                    )
                )
        if problems:
            errors["datasets_used"] = problems
    if not challenge.min_team_size <= team <= challenge.max_team_size:
        errors["team"] = [
            _("A team has between {low} and {high} members").format(
                low=challenge.min_team_size, high=challenge.max_team_size
            )
        ]
    return errors


@validate(project_schema.project_id)
def project_submit(context: Context, data: DataDict) -> dict[str, Any]:
    """Submit a project before the challenge's submission deadline: checks the
    repository URL, the licence, the datasets used and the team size, then
    makes the record public.  A withdrawn project may be submitted again.

    :param id: project id or name
    :type id: string
    :returns: the project record, as ``package_show`` returns it
    :rtype: dict
    """
    pkg, project = _project(data["id"], lock=True)
    frozen.ensure_not_published(project.challenge_id, "id", frozen.PROJECT_STATUS)
    challenge = project_rules.challenge_of(project)
    if challenge.state != "active":
        raise tk.ValidationError({"id": [_("The challenge is not published")]})
    if project_rules.deadline_passed(challenge):
        raise tk.ValidationError({"id": [_("The submission deadline has passed")]})
    if project.submission_status == "submitted":
        raise tk.ValidationError({"id": [_("The project is already submitted")]})
    errors = _submission_errors(
        _show(context, pkg.id), challenge, context, project_rules.team_size(pkg.id)
    )
    if errors:
        raise tk.ValidationError(errors)
    now = timeline.now()
    project.submission_status = "submitted"
    project.submitted_at = now
    project.withdrawn_at = None
    project.modified = now
    pkg.private = False
    pkg.metadata_modified = now.replace(tzinfo=None)
    model.Session.flush()
    commit(context, reindex=pkg.id)
    return _show(context, pkg.id)


@validate(project_schema.project_id)
def project_withdraw(context: Context, data: DataDict) -> dict[str, Any]:
    """Withdraw a project: it leaves the contest and becomes private again (the
    team and organizers still see it).  Teams may withdraw until the
    submission deadline, organizers at any time.

    :param id: project id or name
    :type id: string
    :returns: the project record, as ``package_show`` returns it
    :rtype: dict
    """
    pkg, project = _project(data["id"], lock=True)
    frozen.ensure_not_published(project.challenge_id, "id", frozen.PROJECT_STATUS)
    if project.submission_status == "withdrawn":
        raise tk.ValidationError({"id": [_("The project is already withdrawn")]})
    now = timeline.now()
    project.submission_status = "withdrawn"
    project.withdrawn_at = now
    project.modified = now
    pkg.private = True
    pkg.metadata_modified = now.replace(tzinfo=None)
    model.Session.flush()
    commit(context, reindex=pkg.id)
    return _show(context, pkg.id)


# -- listing ---------------------------------------------------------------------------------


@validate(project_schema.project_list, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def project_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Projects of a challenge that the user may see, newest submission first.

    Anonymous users see submitted projects; team members also their own
    drafts; organizers and sysadmins every project.

    :param challenge: challenge id or name
    :type challenge: string
    :param submission_status: ``draft``, ``submitted`` or ``withdrawn``
    :type submission_status: string
    :param limit: page size (default 20, at most 100)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :returns: ``{"count": total, "results": [...]}``: the latest submissions
        first; once the challenge's results are published, its winners first,
        by prize rank
    :rtype: dict
    """
    challenge = lookup.challenge(context, data["challenge"])
    if challenge is None:
        raise tk.ObjectNotFound(_("Challenge not found"))
    who = viewer(context)
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    u = model.User.__table__
    team_size = (
        sa.select(sa.func.count())
        .select_from(pm.join(u, u.c.id == pm.c.user_id))
        .where(pm.c.package_id == p.c.id, u.c.state == "active")
        .scalar_subquery()
    )
    # once the results are published, the winners come first, by prize rank
    aw = Award.__table__
    published = sa.exists().where(Results.__table__.c.challenge_id == challenge.id)
    award_rank = sa.select(aw.c.rank).where(aw.c.project_id == p.c.id, published).scalar_subquery()
    conditions = [pr.c.challenge_id == challenge.id, project_rules.visible_project(who)]
    if data.get("submission_status"):
        conditions.append(pr.c.submission_status == data["submission_status"])
    rows = model.Session.execute(
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            p.c.notes,
            p.c.private,
            p.c.metadata_modified,
            pr.c.submission_status,
            pr.c.submitted_at,
            pr.c.leader_user_id,
            team_size.label("team_size"),
            sa.func.count().over().label("total"),
        )
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(*conditions)
        .order_by(
            award_rank.asc().nulls_last(),
            pr.c.submitted_at.desc().nulls_last(),
            pr.c.created.desc(),
            p.c.id,
        )
        .limit(data["limit"])
        .offset(data["offset"])
    ).all()
    if rows:
        count = rows[0].total
    elif data["offset"]:
        count = model.Session.execute(
            sa.select(sa.func.count())
            .select_from(pr.join(p, p.c.id == pr.c.package_id))
            .where(*conditions)
        ).scalar_one()
    else:
        count = 0
    extras = project_rules.extras_of([r.id for r in rows], LIST_EXTRAS)
    results = []
    for r in rows:
        fields = extras.get(r.id, {})
        results.append(
            {
                "id": r.id,
                "name": r.name,
                "title": r.title or r.name,
                "notes": r.notes or "",
                "private": r.private,
                "metadata_modified": r.metadata_modified.isoformat()
                if r.metadata_modified
                else None,
                "challenge": challenge.id,
                "submission_status": r.submission_status,
                "submitted_at": r.submitted_at.astimezone(dt.timezone.utc).isoformat()
                if r.submitted_at
                else None,
                "leader_user_id": r.leader_user_id,
                "team_size": r.team_size,
                "team_name": fields.get("team_name") or "",
                "code_licence": fields.get("code_licence") or "",
                "repository_url": fields.get("repository_url") or "",
                "demo_url": fields.get("demo_url") or "",
            }
        )
    return {"count": count, "results": results}


def projects_using_dataset(context: Context, package_id: str) -> list[dict[str, Any]]:
    """For dataset_challenge_list: projects the viewer may see that use the
    dataset (one query)."""
    return project_rules.projects_using_datasets([package_id], viewer(context)).get(package_id, [])


# -- chained core actions ----------------------------------------------------------------------


def _project_access(action: str, context: Context, data_dict: DataDict, pkg: model.Package) -> None:
    """``check_access(action)`` on a project, before anything else looks at
    the request: callers who may not read the project get ObjectNotFound,
    so that they learn nothing about it (not even that it exists)."""
    try:
        tk.check_access(action, context, data_dict)
    except tk.NotAuthorized:
        if not project_rules.may_read(context, pkg):
            raise tk.ObjectNotFound(_("Project not found")) from None
        raise


def _chained_project(data_dict: DataDict, key: str = "id") -> model.Package | None:
    """The project a chained core action acts on, or None for anything else
    (other datasets go to core untouched: core answers them, exactly).
    Core looks the dataset up first too, so this lookup reveals nothing."""
    if not isinstance(data_dict, dict):
        return None
    pkg = project_rules.package(data_dict.get(key))
    return pkg if pkg is not None and project_rules.is_project(pkg) else None


@tk.chained_action
def package_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    """A project is created only by project_register (core's package_create
    of type ``project`` is refused, sysadmins included: a project needs its
    leader, team and status row), inside the registration window, owned by
    its challenge's organization, as a private draft."""
    lookup.require_refs(data_dict, "id", "name", "type", "owner_org")
    if isinstance(data_dict, dict) and data_dict.get("type") == PROJECT_TYPE:
        tk.check_access("package_create", context, data_dict)
        if not context.get("datathon_leader"):  # type: ignore[misc]
            raise tk.NotAuthorized(project_rules.register_only_message())
        data_dict = project_rules.check_new_project(context, data_dict)
    return original(context, data_dict)


@tk.chained_action
def package_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Projects keep their challenge, organization, visibility and the fields
    only datathon actions change (also through package_patch/revise), and the
    datasets they cite that the editor may not read.  Other datasets: core's
    answer; the projects citing one are indexed again when its visibility
    changes."""
    lookup.require_refs(data_dict, "id", "name", "type", "owner_org")
    target = _target(data_dict)
    if target is not None and project_rules.is_project(target):
        _project_access("package_update", context, data_dict, target)
        if isinstance(data_dict, dict) and data_dict.get("state") == "deleted":
            frozen.ensure_challenge_of_project_not_published(
                target.id, "state", frozen.PROJECT_STATUS
            )
        data_dict = project_rules.check_protected_fields(
            target, data_dict, sysadmin=authz.is_sysadmin(context.get("user"))
        )
        data_dict = datasets_used.merge_unreadable(context, target.id, data_dict)
        return original(context, data_dict)
    before = datasets_used.visibility([target.id]) if target is not None else {}
    result = original(context, data_dict)
    datasets_used.after_visibility_change(context, before)
    return result


def _target(data_dict: DataDict) -> model.Package | None:
    """The dataset package_update acts on (by ``id``, else by ``name``, as
    core finds it)."""
    if not isinstance(data_dict, dict):
        return None
    ref = data_dict.get("id") or data_dict.get("name")
    return project_rules.package(ref)


@tk.chained_action
def package_patch(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Callers who may not read a project get 404, as from package_update
    (core's package_patch checks its own auth before it calls that)."""
    if isinstance(data_dict, dict) and isinstance(data_dict.get("id"), sa.engine.Row):
        # CKAN 2.12's bulk_update_* pass the id as a one-column result row
        data_dict = {**data_dict, "id": data_dict["id"][0]}
    lookup.require_refs(data_dict, "id", "name")
    pkg = _chained_project(data_dict)
    if pkg is not None:
        _project_access("package_patch", context, data_dict, pkg)
    return original(context, data_dict)


@tk.chained_action
def package_collaborator_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    """No team above the challenge's cap: lock the project, count, then add
    (the original action commits, which releases the lock)."""
    pkg = _chained_project(data_dict)
    if pkg is not None:
        _project_access("package_collaborator_create", context, data_dict, pkg)
        user = (
            model.User.get(data_dict["user_id"])
            if lookup.is_ref(data_dict.get("user_id"))
            else None
        )
        if user is not None:
            if user.state != "active":
                raise tk.ValidationError({"user_id": [_("User not found")]})
            # frozen results: no team change (logic.results)
            frozen.ensure_challenge_of_project_not_published(pkg.id, "user_id", frozen.TEAM)
            project_rules.lock_and_check_team_room(context, pkg.id, user.id)
    return original(context, data_dict)


@tk.chained_action
def package_collaborator_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    """The team leader stays in the team."""
    pkg = _chained_project(data_dict)
    if pkg is not None:
        _project_access("package_collaborator_delete", context, data_dict, pkg)
        # frozen results: no team change (logic.results)
        frozen.ensure_challenge_of_project_not_published(pkg.id, "user_id", frozen.TEAM)
        ref = data_dict.get("user_id")
        user = model.User.get(ref) if lookup.is_ref(ref) and ref else None
        project = project_rules.project_row(pkg.id)
        if user is not None and project is not None and project.leader_user_id == user.id:
            raise tk.ValidationError({"user_id": [_("The team leader cannot be removed")]})
    return original(context, data_dict)


@tk.chained_action
def package_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    """A project is deleted only as a draft, by its leader or an organizer
    (sysadmins: any project); submitted ones are withdrawn instead."""
    lookup.require_refs(data_dict, "id")
    pkg = _chained_project(data_dict)
    if pkg is not None:
        _project_access("package_delete", context, data_dict, pkg)
        # also for sysadmins: a sysadmin retracts the results first
        frozen.ensure_challenge_of_project_not_published(pkg.id, "id", frozen.PROJECT_STATUS)
        project_rules.check_delete(context, pkg)
        return original(context, data_dict)
    # a dataset: the projects citing it are indexed again once it is gone
    ref = data_dict.get("id") if isinstance(data_dict, dict) else None
    before = datasets_used.visibility([ref])
    result = original(context, data_dict)
    datasets_used.after_visibility_change(context, before)
    return result


@tk.chained_action
def dataset_purge(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Core purges a dataset's group memberships but not its collaborators,
    whose rows then block the purge (a server error): a project's team rows
    go first.  Its published results keep it (``datathon_results_snapshot``
    has no foreign key to it)."""
    lookup.require_refs(data_dict, "id")
    pkg = _chained_project(data_dict)
    if pkg is not None:
        tk.check_access("dataset_purge", context, data_dict)
        model.Session.execute(
            sa.delete(model.PackageMember).where(model.PackageMember.package_id == pkg.id)
        )
    return original(context, data_dict)


@tk.chained_action
def package_owner_org_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    """A project stays with the organization that runs its challenge (core's
    package_update calls this with the pinned organization: that passes)."""
    lookup.require_refs(data_dict, "id", "organization_id")
    pkg = _chained_project(data_dict)
    if pkg is not None:
        _project_access("package_owner_org_update", context, data_dict, pkg)
        project = project_rules.project_row(pkg.id)
        ref = data_dict.get("organization_id")
        group = model.Group.get(ref) if lookup.is_ref(ref) and ref else None
        if project is not None and (
            group is None or group.id != project_rules.challenge_of(project).owner_org
        ):
            raise tk.ValidationError(
                {
                    "organization_id": [
                        _("A project belongs to the organization that runs its challenge")
                    ]
                }
            )
    return original(context, data_dict)


def _bulk(action: str, original: Any, context: Context, data_dict: DataDict) -> Any:
    """Core's bulk updates change visibility or state of many datasets at once
    (CKAN 2.11 with raw SQL, past package_update): projects are refused before
    anything changes; their status decides those (sysadmins may bulk-delete)."""
    lookup.require_refs(data_dict, "org_id")
    lookup.require_ref_list(data_dict, "datasets")
    tk.check_access(action, context, data_dict)
    sysadmin_delete = action == "bulk_update_delete" and authz.is_sysadmin(context.get("user"))
    projects = (
        project_rules.projects_among(data_dict.get("datasets"))
        if isinstance(data_dict, dict)
        else []
    )
    if projects and not sysadmin_delete:
        raise tk.ValidationError({"datasets": [project_rules.lifecycle_message()]})
    for package_id in projects:  # (CKAN 2.11 deletes with raw SQL)
        frozen.ensure_challenge_of_project_not_published(
            package_id, "datasets", frozen.PROJECT_STATUS
        )
    with datasets_used.bulk(
        context, data_dict.get("datasets") if isinstance(data_dict, dict) else None
    ):
        return original(context, data_dict)


@tk.chained_action
def bulk_update_public(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _bulk("bulk_update_public", original, context, data_dict)


@tk.chained_action
def bulk_update_private(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _bulk("bulk_update_private", original, context, data_dict)


@tk.chained_action
def bulk_update_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _bulk("bulk_update_delete", original, context, data_dict)
