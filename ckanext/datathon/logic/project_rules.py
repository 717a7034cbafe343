"""Rules and queries of project records shared by actions, auth and plugin hooks.

A project is a scheming dataset of type ``project``.  Its datathon state (the
submission status, the leader) is a ``datathon_project`` row; its team is the
dataset's collaborators (``package_member``).  The write rules -- registration
window, submission deadline, team cap, protected fields -- are checked here so
that our actions and CKAN's own (through the chained functions) apply the same
ones.

Nothing here runs a query for datasets of other types: the hooks return at
once unless ``type == "project"``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.datathon import config
from ckanext.datathon.lib import moments, timeline
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.logic.visibility import Viewer, _member_org_ids, visible_challenge
from ckanext.datathon.model import PROJECT_TYPE, Challenge, Juror, Project, ProjectDataset

_ = tk._

# Keys only the datathon actions change; package_update refuses other values.
STATUS_KEYS = ("submission_status", "submitted_at", "leader_user_id")
JURY_KEYS = ("awards", "scores")
PROTECTED_KEYS = (*STATUS_KEYS, *JURY_KEYS)
# The free-text team field of old schemas: package_show computes it from the
# team (deprecated), create and update ignore it.
DEPRECATED_KEY = "team_members"
# Capacity of team members among the dataset's collaborators.
TEAM_CAPACITY = "editor"


# -- loading --------------------------------------------------------------------


def is_project(pkg_dict_or_obj: Any) -> bool:
    kind = (
        pkg_dict_or_obj.get("type")
        if isinstance(pkg_dict_or_obj, dict)
        else getattr(pkg_dict_or_obj, "type", None)
    )
    return kind == PROJECT_TYPE


def package(id_or_name: Any) -> model.Package | None:
    if not isinstance(id_or_name, str) or not id_or_name or "\x00" in id_or_name:
        return None
    return model.Package.get(id_or_name)


def project_row(package_id: str, *, lock: bool = False) -> Project | None:
    """The project's row; ``lock`` takes a row lock (SELECT ... FOR UPDATE)
    that serialises team changes of this project until the transaction ends."""
    query = sa.select(Project).where(Project.package_id == package_id)
    if lock:
        query = query.with_for_update()
        return model.Session.scalars(query.execution_options(populate_existing=True)).first()
    return model.Session.scalars(query).first()


def challenge_of(project: Project) -> Challenge:
    challenge = model.Session.get(Challenge, project.challenge_id)
    if challenge is None:  # impossible: a foreign key
        raise tk.ObjectNotFound(_("Challenge not found"))
    return challenge


def challenge_by_ref(value: Any) -> Challenge | None:
    if not isinstance(value, str) or not value or "\x00" in value:
        return None
    return model.Session.scalars(
        sa.select(Challenge).where(sa.or_(Challenge.id == value, Challenge.name == value))
    ).first()


def user_obj(context: Context) -> model.User | None:
    name = context.get("user")
    user = context.get("auth_user_obj")
    if not isinstance(user, model.User) or (name and user.name != name):
        user = model.User.get(name) if name else None
    return user if user is not None and user.state == "active" else None


def field(pkg_dict: dict[str, Any], name: str) -> Any:
    """A scheming field of a dataset dict: top-level, or still in ``extras``
    (as in the validated dict the IPackageController hooks receive)."""
    if name in pkg_dict:
        return pkg_dict[name]
    for extra in pkg_dict.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == name:
            value = extra.get("value")
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    return json.loads(value)
                except ValueError:
                    return value
            return value
    return None


# -- rules ------------------------------------------------------------------------


def is_organizer(user: str | None, org_id: str | None) -> bool:
    """Admins and editors of the owner organization, and sysadmins."""
    if not user or not org_id:
        return False
    return authz.is_sysadmin(user) or authz.has_user_permission_for_group_or_org(
        org_id, user, "update_dataset"
    )


def is_team_member(user_id: str | None, package_id: str) -> bool:
    if not user_id:
        return False
    pm = model.PackageMember.__table__
    return (
        model.Session.execute(
            sa.select(pm.c.user_id).where(pm.c.package_id == package_id, pm.c.user_id == user_id)
        ).first()
        is not None
    )


def team_size(package_id: str) -> int:
    """Active users among the project's collaborators."""
    pm = model.PackageMember.__table__
    u = model.User.__table__
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(pm.join(u, u.c.id == pm.c.user_id))
        .where(pm.c.package_id == package_id, u.c.state == "active")
    ).scalar_one()


def registration_error(challenge: Challenge | None, at: dt.datetime | None = None) -> str | None:
    """Why a team cannot register for the challenge now (None: it can)."""
    at = at or timeline.now()
    if challenge is None or challenge.state != "active":
        return _("Projects can only be registered for published challenges")
    opens, closes = challenge.registration_opens, challenge.registration_closes
    if opens is None or closes is None:
        return _("Registration for this challenge has no dates yet")
    if at < opens:
        return _("Registration opens on {date}").format(
            date=moments.show(opens, challenge.timezone)
        )
    if at > closes:
        return _("Registration closed on {date}").format(
            date=moments.show(closes, challenge.timezone)
        )
    return None


def deadline_passed(challenge: Challenge, at: dt.datetime | None = None) -> bool:
    at = at or timeline.now()
    return challenge.submission_deadline is not None and at > challenge.submission_deadline


def team_edit_error(context: Context, pkg: model.Package) -> str | None:
    """Why the user may not change this project now (None: they may, as far
    as the datathon rules go).  Organizers are not bound by the deadline."""
    project = project_row(pkg.id)
    if project is None:
        return None
    if is_organizer(context.get("user"), pkg.owner_org):
        return None
    if deadline_passed(challenge_of(project)):
        return _("The submission deadline has passed: the project can no longer be changed")
    return None


def private_for(status: str) -> bool:
    """Drafts and withdrawn projects are private; submitted ones are public."""
    return status != "submitted"


def check_protected_fields(
    pkg: model.Package, data_dict: dict[str, Any], *, sysadmin: bool = False
) -> dict[str, Any]:
    """Validate a package_update of a project against its stored state and
    return the dict to hand to core (computed keys removed, owner_org,
    challenge and visibility pinned).  Raises ValidationError."""
    project = project_row(pkg.id)
    if project is None:  # a project dataset created before the plugin ran
        return data_dict
    challenge = challenge_of(project)
    current = status_dict(project)
    errors: dict[str, list[str]] = {}
    data = dict(data_dict)
    data.pop(DEPRECATED_KEY, None)  # computed from the team; ignored on input
    for key in PROTECTED_KEYS:
        if key not in data:
            continue
        value = data.pop(key)
        if key in JURY_KEYS:
            if value not in (None, "", [], {}):
                errors[key] = [_("Only the jury actions change this field")]
        elif value != current[key]:
            errors[key] = [_("Only project_submit and project_withdraw change this field")]
    new_org = data.get("owner_org")
    if new_org not in (None, ""):
        group = model.Group.get(new_org) if isinstance(new_org, str) else None
        if group is None or group.id != challenge.owner_org:
            errors["owner_org"] = [
                _("A project belongs to the organization that runs its challenge")
            ]
    data["owner_org"] = challenge.owner_org
    new_challenge = data.get("challenge")
    if new_challenge not in (None, ""):
        target = challenge_by_ref(new_challenge)
        if target is None or target.id != challenge.id:
            errors["challenge"] = [_("The challenge of a project cannot be changed")]
    data["challenge"] = challenge.id
    if data.get("type") not in (None, "", PROJECT_TYPE):
        errors["type"] = [_("The type of a project cannot be changed")]
    data["type"] = PROJECT_TYPE
    private = private_for(project.submission_status)
    if "private" in data and tk.asbool(data["private"]) != private:
        errors["private"] = [
            _("The visibility of a project follows its submission status (project_submit)")
        ]
    data["private"] = private
    # State changes are the plugin's transitions (sysadmins may delete: core's
    # bulk_update_delete does it with package_patch).
    if data.get("state") not in (None, "", pkg.state) and not (
        sysadmin and data.get("state") == "deleted"
    ):
        errors["state"] = [lifecycle_message()]
    if errors:
        raise tk.ValidationError(errors)
    return data


def register_only_message() -> str:
    return _(
        "Projects are created only by registering a team for a challenge "
        "(project_register, or the challenge's Register button)"
    )


def lifecycle_message() -> str:
    return _(
        "A project changes state only through project_submit and project_withdraw; "
        "a draft may be deleted by its team leader or an organizer"
    )


def check_delete(context: Context, pkg: model.Package) -> None:
    """Deleting a project (core's package_delete) is one of its lifecycle
    transitions only for a draft, by its team leader or an organizer.
    Sysadmins may delete any project (core records it in the activity
    stream)."""
    if authz.is_sysadmin(context.get("user")):
        return
    project = project_row(pkg.id)
    if project is None:
        return
    if project.submission_status != "draft":
        raise tk.ValidationError({"id": [lifecycle_message()]})
    if context.get("ignore_auth"):
        return
    user = user_obj(context)
    if user is not None and (
        project.leader_user_id == user.id or is_organizer(user.name, pkg.owner_org)
    ):
        return
    raise tk.NotAuthorized(_("Only the team leader or an organizer may delete a draft project"))


def projects_among(ids: Any) -> list[str]:
    """The ids of the projects among the datasets ``ids`` (ids or names)."""
    if not isinstance(ids, list):
        return []
    refs = [ref for ref in ids if isinstance(ref, str) and ref and "\x00" not in ref]
    if not refs:
        return []
    p = model.Package.__table__
    return list(
        model.Session.execute(
            sa.select(p.c.id).where(
                sa.or_(p.c.id.in_(refs), p.c.name.in_(refs)), p.c.type == PROJECT_TYPE
            )
        ).scalars()
    )


def check_new_project(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """package_create of a project: the registration window is open, the
    record is owned by the challenge's organization and starts private."""
    challenge = challenge_by_ref(field(data_dict, "challenge"))
    if challenge is None or challenge.state == "deleted":
        raise tk.ValidationError({"challenge": [_("Challenge not found")]})
    message = registration_error(challenge)
    if message:
        raise tk.ValidationError({"challenge": [message]})
    errors = {
        key: [_("Only the datathon actions set this field")]
        for key in PROTECTED_KEYS
        if data_dict.get(key) not in (None, "", [], {}, "draft")
    }
    if errors:
        raise tk.ValidationError(errors)
    data = {k: v for k, v in data_dict.items() if k not in PROTECTED_KEYS and k != DEPRECATED_KEY}
    data["challenge"] = challenge.id
    data["owner_org"] = challenge.owner_org
    data["private"] = True
    return data


def lock_person(challenge_id: str, user_id: str) -> None:
    """Serialise the team changes of one person in one challenge until the
    transaction ends (a PostgreSQL advisory lock: no row to lock exists yet
    when a team registers)."""
    model.Session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"ckanext-datathon:team:{challenge_id}:{user_id}"},
    )


def other_team(
    challenge_id: str, user_id: str, except_package_id: str | None = None
) -> model.Package | None:
    """A team of the challenge ``user_id`` is already on (the projects that
    are not deleted), or None."""
    pm = model.PackageMember.__table__
    p = model.Package.__table__
    pr = Project.__table__
    query = (
        sa.select(p.c.id)
        .select_from(pm.join(p, p.c.id == pm.c.package_id).join(pr, pr.c.package_id == p.c.id))
        .where(pm.c.user_id == user_id, pr.c.challenge_id == challenge_id, p.c.state != "deleted")
        .limit(1)
    )
    if except_package_id:
        query = query.where(p.c.id != except_package_id)
    package_id = model.Session.execute(query).scalar()
    return model.Session.get(model.Package, package_id) if package_id else None


def may_read(context: Context, pkg: model.Package) -> bool:
    """Whether the user of ``context`` may read dataset ``pkg`` (core's
    package_show auth with ours chained), whatever ``ignore_auth`` says: what
    a message may name depends on who reads it, not on how the action runs."""
    user = user_obj(context)
    sub: Any = {"user": user.name if user is not None else "", "model": model}
    try:
        tk.check_access("package_show", sub, {"id": pkg.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def check_one_team(
    context: Context,
    challenge_id: str,
    user_id: str,
    field_name: str,
    except_package_id: str | None = None,
) -> None:
    """A person is on one team per challenge (``ckanext.datathon.one_team_per_person``).
    The other team is named only to those who may read it."""
    if not config.one_team_per_person():
        return
    lock_person(challenge_id, user_id)
    team = other_team(challenge_id, user_id, except_package_id)
    if team is None:
        return
    if may_read(context, team):
        message = _("A person may be on one team of this challenge: already on {team}").format(
            team=team.title
        )
    else:
        message = _("A person may be on one team of this challenge: already on another team")
    raise tk.ValidationError({field_name: [message]})


def cannot_join_message() -> str:
    """What a team member who invites a juror or organizer of the challenge
    is told: not why (the jury is confidential)."""
    return _("This person cannot join this team")


def organizes(user_id: str | None, org_id: str | None) -> bool:
    """Admins and editors of the organization (by membership: sysadmins are
    not organizers of every challenge here)."""
    if not user_id or not org_id:
        return False
    return (
        model.Session.execute(
            _member_org_ids(user_id, ("admin", "editor")).where(
                model.Member.__table__.c.group_id == org_id
            )
        ).first()
        is not None
    )


def is_challenge_juror(user_id: str | None, challenge_id: str) -> bool:
    if not user_id:
        return False
    return model.Session.get(Juror, (challenge_id, user_id)) is not None


def join_conflict(challenge: Challenge, user_id: str, *, you: bool = False) -> str | None:
    """Why ``user_id`` may never join a team of ``challenge`` (None: no
    reason): its jurors and organizers stay out of its teams.  The message
    explains it; only the person and the organizers may be told."""
    if is_challenge_juror(user_id, challenge.id):
        return (
            _("You are a juror of this challenge: jurors never join its teams")
            if you
            else _("This person is a juror of this challenge: jurors never join its teams")
        )
    if organizes(user_id, challenge.owner_org):
        return (
            _("You organize this challenge: organizers never join its teams")
            if you
            else _("This person organizes this challenge: organizers never join its teams")
        )
    return None


def teams_in_challenge(
    challenge_id: str,
    user_id: str,
    *,
    led: bool = False,
    except_package_id: str | None = None,
) -> int:
    """How many teams of the challenge ``user_id`` is on (``led``: leads),
    projects that are not deleted."""
    p = model.Package.__table__
    pr = Project.__table__
    if led:
        query = (
            sa.select(sa.func.count())
            .select_from(pr.join(p, p.c.id == pr.c.package_id))
            .where(pr.c.leader_user_id == user_id)
        )
    else:
        pm = model.PackageMember.__table__
        query = (
            sa.select(sa.func.count())
            .select_from(pm.join(p, p.c.id == pm.c.package_id).join(pr, pr.c.package_id == p.c.id))
            .where(pm.c.user_id == user_id)
        )
    query = query.where(pr.c.challenge_id == challenge_id, p.c.state != "deleted")
    if except_package_id:
        query = query.where(p.c.id != except_package_id)
    return model.Session.execute(query).scalar_one()


def check_team_caps(
    challenge_id: str,
    user_id: str,
    field_name: str,
    *,
    leading: bool = False,
    except_package_id: str | None = None,
) -> None:
    """Teams a person may be on (``max_teams_per_challenge``) and lead
    (``max_teams_led_per_challenge``) in one challenge, counted under the
    person's lock."""
    lock_person(challenge_id, user_id)
    limit = config.max_teams()
    if limit and (
        teams_in_challenge(challenge_id, user_id, except_package_id=except_package_id) >= limit
    ):
        raise tk.ValidationError(
            {
                field_name: [
                    _("A person may be on at most {n} teams of this challenge").format(n=limit)
                ]
            }
        )
    led_limit = config.max_teams_led()
    if (
        leading
        and led_limit
        and teams_in_challenge(challenge_id, user_id, led=True, except_package_id=except_package_id)
        >= led_limit
    ):
        raise tk.ValidationError(
            {
                field_name: [
                    _("A person may lead at most {n} teams of this challenge").format(n=led_limit)
                ]
            }
        )


def lock_and_check_team_room(
    context: Context,
    package_id: str,
    user_id: str,
    *,
    field_name: str = "username",
    you: bool = False,
) -> None:
    """Before adding ``user_id`` to the team: lock the project row (so that
    concurrent additions wait for each other) and refuse a juror or organizer
    of the challenge, a person on too many teams, and a full team.  The
    messages say why: callers are the person (``you``) or an organizer."""
    project = project_row(package_id, lock=True)
    if project is None:
        return
    # frozen results: no one joins a team once the challenge's results are published
    frozen.ensure_not_published(project.challenge_id, field_name, frozen.TEAM)
    if is_team_member(user_id, package_id):
        return
    challenge = challenge_of(project)
    conflict = join_conflict(challenge, user_id, you=you)
    if conflict:
        raise tk.ValidationError({field_name: [conflict]})
    check_one_team(context, challenge.id, user_id, field_name, except_package_id=package_id)
    check_team_caps(challenge.id, user_id, field_name, except_package_id=package_id)
    if team_size(package_id) >= challenge.max_team_size:
        raise tk.ValidationError(
            {
                field_name: [
                    _("The team is full: a team has at most {n} members").format(
                        n=challenge.max_team_size
                    )
                ]
            }
        )


# -- plugin hooks -------------------------------------------------------------------


def after_create(context: Context, pkg_dict: dict[str, Any]) -> None:
    if not is_project(pkg_dict):
        return
    challenge = challenge_by_ref(field(pkg_dict, "challenge"))
    if challenge is None:
        raise tk.ValidationError({"challenge": [_("Challenge not found")]})
    leader = context.get("datathon_leader")  # type: ignore[misc]
    now = timeline.now()
    model.Session.add(
        Project(
            package_id=pkg_dict["id"],
            challenge_id=challenge.id,
            submission_status="draft",
            leader_user_id=leader,
            created=now,
            modified=now,
        )
    )
    model.Session.flush()
    sync_datasets(pkg_dict["id"], field(pkg_dict, "datasets_used"))


def after_update(context: Context, pkg_dict: dict[str, Any]) -> None:
    if not is_project(pkg_dict):
        return
    project = project_row(pkg_dict["id"])
    if project is None:
        return
    project.modified = timeline.now()
    sync_datasets(pkg_dict["id"], field(pkg_dict, "datasets_used"))


def sync_datasets(project_id: str, entries: Any) -> None:
    """Mirror ``datasets_used`` into datathon_project_dataset."""
    wanted: dict[str, list[str]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("dataset"), str):
            continue
        ids = entry.get("resource_ids") or []
        wanted[entry["dataset"]] = [i for i in ids if isinstance(i, str)]
    model.Session.execute(sa.delete(ProjectDataset).where(ProjectDataset.project_id == project_id))
    if wanted:
        existing = set(
            model.Session.scalars(
                sa.select(model.Package.id).where(model.Package.id.in_(list(wanted)))
            )
        )
        for package_id, resource_ids in wanted.items():
            if package_id in existing:
                model.Session.add(
                    ProjectDataset(
                        project_id=project_id, package_id=package_id, resource_ids=resource_ids
                    )
                )
    model.Session.flush()


def status_dict(project: Any) -> dict[str, Any]:
    """The submission fields of a project (a ``Project`` or a row of its
    columns), or of none."""
    if project is None:
        return {"submission_status": None, "submitted_at": None, "leader_user_id": None}
    return {
        "submission_status": project.submission_status,
        "submitted_at": project.submitted_at.astimezone(dt.timezone.utc).isoformat()
        if project.submitted_at
        else None,
        "leader_user_id": project.leader_user_id,
    }


def after_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    if not is_project(pkg_dict) or not pkg_dict.get("id"):
        return
    # three columns, not an instance (package_show runs this for every project
    # a search index rebuild reads); ORM attributes, so pending changes flush
    row = model.Session.execute(
        sa.select(Project.submission_status, Project.submitted_at, Project.leader_user_id).where(
            Project.package_id == pkg_dict["id"]
        )
    ).first()
    pkg_dict.update(status_dict(row))
    from ckanext.datathon.logic import datasets_used

    datasets_used.after_show(context, pkg_dict)
    # The free-text field went (issue 18): for one release the key is still
    # there, computed from the team (deprecated); a stored old value is not shown.
    from ckanext.datathon.logic.action.team import computed_team_members

    pkg_dict["team_members"] = computed_team_members(
        context, pkg_dict["id"], row.leader_user_id if row is not None else None
    )
    if isinstance(pkg_dict.get("extras"), list):
        pkg_dict["extras"] = [
            e
            for e in pkg_dict["extras"]
            if not (isinstance(e, dict) and e.get("key") == "team_members")
        ]


def _shown_status(pkg_dict: dict[str, Any]) -> Any:
    """The submission status ``after_show`` gave the package_show result being
    indexed: in the dict itself (CKAN 2.11) or in the validated dict indexed
    beside it (CKAN 2.12 indexes the default-schema dict, made before
    ``after_dataset_show``); ``None`` when neither has it."""
    if "submission_status" in pkg_dict:
        return pkg_dict["submission_status"]
    try:
        shown = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except (TypeError, ValueError):
        return None
    return shown.get("submission_status") if isinstance(shown, dict) else None


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Flatten the repeating fields of a project for Solr (CKAN's stock
    schema has no nested fields) and add facetable keys:
    ``challenge``, ``code_licence`` and ``submission_status`` (strings),
    ``vocab_datathon_datasets_used`` (multi-valued ids)."""
    if not is_project(pkg_dict):
        return pkg_dict
    members = pkg_dict.pop("team_members", None)
    if isinstance(members, str):
        try:
            members = json.loads(members)
        except ValueError:
            members = []
    members = [m for m in members or [] if isinstance(m, dict)]
    for sub in ("name", "role", "profile_url"):
        pkg_dict[f"extras_team_members__{sub}"] = " ".join(
            str(m.get(sub) or "") for m in members
        ).strip()
    from ckanext.datathon.logic import datasets_used

    # the index holds public datasets only (the stored dict copies included)
    ids = datasets_used.public_for_index(pkg_dict, pkg_dict.pop("datasets_used", None))
    pkg_dict["vocab_datathon_datasets_used"] = ids
    pkg_dict["extras_datasets_used"] = " ".join(ids)
    status = _shown_status(pkg_dict)
    for key in ("submitted_at", "leader_user_id"):
        pkg_dict.pop(key, None)
    if status is None:  # indexed without package_show's hooks: ask the table
        project = model.Session.get(Project, pkg_dict["id"])
        status = project.submission_status if project else None
    pkg_dict["submission_status"] = status or "draft"
    return pkg_dict


def before_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """The /dataset page lists datasets, not projects, unless the query asks
    for a type (CKAN's default ``ckan.search.show_all_types = dataset`` would
    mix every type in it)."""
    if not has_request_context() or request.endpoint != "dataset.search":
        return search_params
    query = f"{search_params.get('q') or ''} {search_params.get('fq') or ''}"
    if "dataset_type" not in query:
        search_params["fq"] = f"{search_params.get('fq') or ''} -dataset_type:{PROJECT_TYPE}"
    return search_params


# -- per-viewer listings --------------------------------------------------------------


def visible_project(v: Viewer) -> sa.ColumnElement[bool]:
    """SQL condition over datathon_project + package: the viewer may read it.

    Submitted projects are public; drafts and withdrawn ones are for the team,
    the organizers (admins/editors of the owner organization) and sysadmins.
    """
    pr = Project.__table__
    p = model.Package.__table__
    active = p.c.state == "active"
    if v.sysadmin:
        return active
    public = sa.and_(active, pr.c.submission_status == "submitted", p.c.private.is_(False))
    if v.anonymous:
        return public
    pm = model.PackageMember.__table__
    team = p.c.id.in_(sa.select(pm.c.package_id).where(pm.c.user_id == v.user_id))
    organizer = p.c.owner_org.in_(_member_org_ids(v.user_id, ("admin", "editor")))
    return sa.or_(public, sa.and_(active, sa.or_(team, organizer)))


def count_projects_using(package_id: str, v: Viewer) -> int:
    """How many projects the viewer may see use the dataset ``package_id``."""
    link = ProjectDataset.__table__
    pr = Project.__table__
    p = model.Package.__table__
    c = Challenge.__table__
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(
            link.join(pr, pr.c.package_id == link.c.project_id)
            .join(p, p.c.id == pr.c.package_id)
            .join(c, c.c.id == pr.c.challenge_id)
        )
        .where(link.c.package_id == package_id, c.c.state != "deleted", visible_project(v))
    ).scalar_one()


def projects_using_datasets(
    package_ids: Sequence[str], v: Viewer, limit: int | None = None, offset: int = 0
) -> dict[str, list[dict[str, Any]]]:
    """Projects the viewer may see that use each of ``package_ids``: one query
    (``limit`` and ``offset`` page the rows: meant for one dataset)."""
    if not package_ids:
        return {}
    link = ProjectDataset.__table__
    pr = Project.__table__
    p = model.Package.__table__
    c = Challenge.__table__
    rows = model.Session.execute(
        sa.select(
            link.c.package_id.label("used_id"),
            p.c.id,
            p.c.name,
            p.c.title,
            pr.c.submission_status,
            pr.c.submitted_at,
            c.c.id.label("challenge_id"),
            c.c.name.label("challenge_name"),
            c.c.title.label("challenge_title"),
            visible_challenge(v).label("challenge_visible"),
        )
        .select_from(
            link.join(pr, pr.c.package_id == link.c.project_id)
            .join(p, p.c.id == pr.c.package_id)
            .join(c, c.c.id == pr.c.challenge_id)
        )
        .where(link.c.package_id.in_(list(package_ids)), c.c.state != "deleted", visible_project(v))
        .order_by(pr.c.submitted_at.desc().nulls_last(), p.c.title, p.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        result[r.used_id].append(
            {
                "id": r.id,
                "name": r.name,
                "title": r.title or r.name,
                "submission_status": r.submission_status,
                "submitted_at": r.submitted_at.astimezone(dt.timezone.utc).isoformat()
                if r.submitted_at
                else None,
                # a challenge the viewer may not read is not named
                "challenge": {
                    "id": r.challenge_id,
                    "name": r.challenge_name,
                    "title": r.challenge_title,
                }
                if r.challenge_visible
                else None,
            }
        )
    return result


def extras_of(package_ids: Iterable[str], keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Selected extras (scheming fields) of many datasets: one query.

    CKAN 2.12 keeps extras in a JSONB column of ``package``; 2.11 in the
    ``package_extra`` table.
    """
    ids = list(package_ids)
    if not ids:
        return {}
    p = model.Package.__table__
    result: dict[str, dict[str, Any]] = defaultdict(dict)
    if "extras" in p.c:
        for pid, extras in model.Session.execute(
            sa.select(p.c.id, p.c.extras).where(p.c.id.in_(ids))
        ).all():
            for key in keys:
                if extras and key in extras:
                    result[pid][key] = _decoded(extras[key])
        return result
    e = model.package_extra_table  # type: ignore[attr-defined]
    rows = model.Session.execute(
        sa.select(e.c.package_id, e.c.key, e.c.value).where(
            e.c.package_id.in_(ids), e.c.key.in_(list(keys)), e.c.state == "active"
        )
    ).all()
    for r in rows:
        result[r.package_id][r.key] = _decoded(r.value)
    return result


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
