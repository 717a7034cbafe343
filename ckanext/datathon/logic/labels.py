"""Permission labels of project records, and what CKAN fixes with them.

CKAN decides who reads a dataset in ``package_show``, ``package_search``
(``/dataset``, ``/project``, organization and group pages, autocomplete) and
activity streams by *permission labels*: a dataset carries some, a user holds
some, and the user reads the dataset when they share one.  The dataset's
labels are computed when something is **written** -- into the Solr index when
the dataset is indexed, into each activity row when the activity is recorded
-- and the user's at every read.

Core's defaults (``ckan.lib.plugins.DefaultPermissionLabels``) give a private
dataset ``member-<org>``, which every member of its organization holds, in
any capacity.  A draft or withdrawn project is for its team and the
organizers only, so :class:`ProjectPermissionLabels` extends the defaults:

* a project that is not public (draft, withdrawn, deleted) carries
  ``collaborator-<id>`` (core's label of its collaborators, i.e. its team)
  and ``organizer-<org>`` instead of ``member-<org>``;
* a user holds ``organizer-<org>`` for every organization where they may
  ``update_dataset`` (editor or admin, with core's cascading roles);
* every other dataset, and every submitted project, gets core's labels,
  exactly.

What core does not do for us, done here:

* **Activities keep the labels they were written with.**  Every change of a
  project's visibility (submit, withdraw, submit again, deletion, by any code
  path: a session hook sees the row change) relabels the project's
  ``... package`` activities in the same transaction.  An activity is never
  more visible than the project is now, nor than the project was when the
  activity was written: while the project is public, the activities written
  while it was public carry ``public`` and the others the hidden labels;
  while it is hidden, all of them carry the hidden labels.
* **Core filters only activity types ending in "package".**  Other types
  about a project (core's resource view activities) would reach every
  reader of an organization or user stream, so they are not recorded
  (:func:`keeps_activity`, used by the chained ``activity_create``).
* **The index** is rebuilt for a project after its status changes (our
  actions do it) and after its team changes (:func:`team_changed`, a signal
  receiver); ``ckan datathon upgrade --step labels`` rebuilds every project
  once, when this scheme arrives.
* **Only the first IPermissionLabels plugin counts**:
  :func:`check_plugin_order` logs a warning at start-up otherwise.

A team change does not change any label: the dataset's labels name the
project, not people, and the user's are computed at read time, so a new
member reads the project's activities at once and a former member no longer
does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultPermissionLabels, get_permission_labels

from ckanext.datathon.model import PROJECT_TYPE, Project

log = logging.getLogger(__name__)

PUBLIC = "public"


def organizer_label(org_id: str) -> str:
    return f"organizer-{org_id}"


def is_project(dataset_obj: Any) -> bool:
    return getattr(dataset_obj, "type", None) == PROJECT_TYPE


class ProjectPermissionLabels(DefaultPermissionLabels):
    """Core's default labels, with ``organizer-<org>`` for hidden projects."""

    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        labels = super().get_dataset_labels(dataset_obj)
        if not is_project(dataset_obj) or labels == [PUBLIC] or not dataset_obj.owner_org:
            return labels
        member = f"member-{dataset_obj.owner_org}"
        return [organizer_label(dataset_obj.owner_org) if lb == member else lb for lb in labels]

    def get_user_dataset_labels(self, user_obj: model.User) -> list[str]:
        labels = super().get_user_dataset_labels(user_obj)
        if not user_obj or user_obj.is_anonymous:
            return labels
        orgs = tk.get_action("organization_list_for_user")(
            {"user": user_obj.id}, {"permission": "update_dataset"}
        )
        labels.extend(organizer_label(o["id"]) for o in orgs)
        return labels


# -- the plugin CKAN uses ------------------------------------------------------


def check_plugin_order(ours: Any) -> list[str]:
    """Warn (and return the warnings) when CKAN would not use our labels, or
    would ignore another plugin's: ``get_permission_labels`` takes the first
    plugin that implements ``IPermissionLabels`` and no other."""
    implementations = list(p.PluginImplementations(p.IPermissionLabels))
    others = [impl.name for impl in implementations if impl is not ours]
    warnings: list[str] = []
    if implementations and implementations[0] is not ours:
        warnings.append(
            f"ckanext-datathon: CKAN uses the permission labels of plugin "
            f"{implementations[0].name!r}, not datathon's: draft and withdrawn "
            f"projects are listed to whoever that plugin's labels allow (load "
            f"datathon before {implementations[0].name!r} in ckan.plugins, or "
            f"give projects the same labels there)"
        )
    elif others:
        warnings.append(
            f"ckanext-datathon: CKAN uses only the first IPermissionLabels "
            f"plugin (datathon); the labels of {', '.join(others)} are ignored"
        )
    for message in warnings:
        log.warning(message)
    return warnings


# -- activities ------------------------------------------------------------------


def _activity_table() -> sa.Table | None:
    if not p.plugin_loaded("activity"):
        return None
    from ckanext.activity.model.activity import Activity

    return Activity.__table__


def hidden_labels(pkg: Any) -> list[str]:
    """The labels ``pkg`` carries while it is not public (by the labels
    plugin CKAN uses)."""
    shadow = SimpleNamespace(
        id=pkg.id,
        type=pkg.type,
        owner_org=pkg.owner_org,
        creator_user_id=pkg.creator_user_id,
        private=True,
        state="active",
    )
    return list(get_permission_labels().get_dataset_labels(shadow))


def _relabel_statement(pkg: Any, table: sa.Table) -> sa.Update:
    """UPDATE of the package activities of ``pkg`` whose labels are not the
    ones they should carry now (see the module's docstring)."""
    current = list(get_permission_labels().get_dataset_labels(pkg))
    hidden = hidden_labels(pkg)
    labels_type = ARRAY(sa.Text)
    if current == [PUBLIC]:
        snapshot = sa.cast(table.c.data, JSONB)["package"]
        written_public = sa.and_(
            snapshot["private"].astext == "false", snapshot["state"].astext == "active"
        )
        wanted: Any = sa.case(
            (written_public, sa.cast(sa.literal([PUBLIC], labels_type), labels_type)),
            else_=sa.cast(sa.literal(hidden, labels_type), labels_type),
        )
    else:
        wanted = sa.cast(sa.literal(current, labels_type), labels_type)
    labels = sa.cast(table.c.permission_labels, labels_type)
    return (
        sa.update(table)
        .where(
            table.c.object_id == pkg.id,
            table.c.activity_type.like("%package"),
            labels.is_distinct_from(wanted),
        )
        .values(permission_labels=wanted)
    )


def relabel_activities(pkg: Any, connection: Any = None) -> int:
    """Give the activities of project ``pkg`` the labels they should carry
    now; returns how many changed (0 when the activity plugin is off)."""
    table = _activity_table()
    if table is None or not is_project(pkg):
        return 0
    statement = _relabel_statement(pkg, table)
    runner = connection if connection is not None else model.Session
    return runner.execute(statement).rowcount


def mislabelled_activities(pkg: Any) -> int:
    """How many activities of ``pkg`` :func:`relabel_activities` would change."""
    table = _activity_table()
    if table is None or not is_project(pkg):
        return 0
    update = _relabel_statement(pkg, table)
    query = sa.select(sa.func.count()).select_from(table).where(update.whereclause)
    return model.Session.execute(query).scalar_one()


def keeps_activity(data_dict: Any) -> bool:
    """Whether ``activity_create`` may record this activity: anything but an
    activity about a project whose type core does not filter by label."""
    if not isinstance(data_dict, dict):
        return True
    kind = data_dict.get("activity_type")
    object_id = data_dict.get("object_id")
    if not isinstance(object_id, str) or not object_id:
        return True
    if isinstance(kind, str) and kind.endswith("package"):
        return True
    pkg = model.Package.get(object_id)
    return pkg is None or not is_project(pkg)


def record_project_activity(
    user_id: str, package_id: str, extra: dict[str, Any] | None = None
) -> None:
    """Record a ``changed package`` activity of a project (for events core
    does not record, such as team changes), labelled as core labels its own:
    readable by whoever reads the project.  The caller commits."""
    table = _activity_table()
    pkg = model.Package.get(package_id)
    if table is None or pkg is None or not tk.config.get("ckan.activity_streams_enabled"):
        return
    from ckanext.activity.model.activity import Activity

    shown = tk.get_action("package_show")(
        {"ignore_auth": True, "for_view": False, "use_cache": False},  # type: ignore[typeddict-item]
        {"id": pkg.id},
    )
    actor = model.Session.get(model.User, user_id) if user_id else None
    model.Session.add(
        Activity(
            user_id=user_id or "",
            object_id=pkg.id,
            activity_type="changed package",
            data={"package": shown, "actor": actor.name if actor else None, **(extra or {})},
            permission_labels=get_permission_labels().get_dataset_labels(pkg),
        )
    )


# -- following visibility changes ---------------------------------------------------


_VISIBILITY = ("private", "state", "owner_org")


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def changed_projects(session: Any) -> set[str]:
    """Ids of the projects whose visibility this flush changes."""
    ids: set[str] = set()
    for obj in session.dirty:
        if isinstance(obj, model.Package) and is_project(obj) and _changed(obj, _VISIBILITY):
            ids.add(obj.id)
        elif isinstance(obj, Project) and _changed(obj, ("submission_status",)):
            ids.add(obj.package_id)
    return ids


def _after_flush(session: Any, flush_context: Any) -> None:
    if not p.plugin_loaded("datathon") or _activity_table() is None:
        return
    ids = changed_projects(session)
    if not ids:
        return
    with session.no_autoflush:
        for package_id in ids:
            pkg = session.get(model.Package, package_id)
            if pkg is not None:
                relabel_activities(pkg, session.connection())


def watch_visibility() -> None:
    """Relabel a project's activities in the transaction that changes its
    visibility (once per process)."""
    if not sa.event.contains(model.Session, "after_flush", _after_flush):
        sa.event.listen(model.Session, "after_flush", _after_flush)


# -- the search index -----------------------------------------------------------------


def reindex(package_id: str) -> None:
    search.rebuild(package_id)


def team_changed(sender: str, **kwargs: Any) -> None:
    """``action_succeeded`` receiver of the actions that change a team
    (core's collaborator actions, which ours call): the project is indexed
    again, so that what the index holds of it (its team) is current."""
    data_dict = kwargs.get("data_dict")
    ref = data_dict.get("id") if isinstance(data_dict, dict) else None
    if not isinstance(ref, str) or not ref or "\x00" in ref:
        return
    pkg = model.Package.get(ref)
    if pkg is not None and is_project(pkg) and pkg.state != "deleted":
        reindex(pkg.id)


TEAM_ACTIONS = ("package_collaborator_create", "package_collaborator_delete")
