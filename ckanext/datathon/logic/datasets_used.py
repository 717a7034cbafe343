"""``datasets_used`` of a project, per viewer, without losing data (issue 17 §5).

A project cites portal datasets (``datasets_used``: ``[{dataset, resource_ids}]``,
stored as a scheming field).  A team may cite a private dataset it can read
(when its challenge does not require open data); the project, once submitted,
is public.  So:

* ``package_show`` shows each viewer only the entries whose dataset they may
  read (the stored list is read from the database, not from the search index,
  which holds less), except for updates (``context["for_update"]``, which
  core's ``package_patch``, ``resource_*`` and ``package_revise`` set): they
  get the stored list, so that what they write back loses nothing;
* on ``package_update`` of a project, the stored entries the editor cannot read
  are merged back into what they send (an editor cannot remove or change what
  they cannot see) and are not validated again (the editor could not pass the
  "readable" check for them);
* the search index holds public datasets only: ``vocab_datathon_datasets_used``,
  ``extras_datasets_used`` and the copies of the dict CKAN stores in Solr
  (``data_dict``, ``validated_data_dict``), so search results show the public
  entries; projects citing a dataset are indexed again when its visibility
  changes (``package_update`` / ``package_patch`` flipping ``private``,
  ``package_delete``, ``bulk_update_*``).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

import ckan.lib.search as search
import ckan.model as model
from ckan.types import Context

from ckanext.datathon.logic.visibility import Viewer, readable_dataset, viewer
from ckanext.datathon.model import ProjectDataset

FIELD = "datasets_used"
# context key: dataset ids merged back by package_update (the validator keeps them)
KEPT = "datathon_kept_datasets"
ANONYMOUS = Viewer(user_id=None, sysadmin=False)

# set while a bulk update runs: the per-dataset updates leave the reindexing
# of citing projects to it (one pass at the end)
_bulk_changes: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "datathon_bulk_changes", default=None
)


def _entries(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str) and value[:1] == "[":
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, dict) and isinstance(e.get("dataset"), str)]


def stored(package_id: str) -> list[dict[str, Any]]:
    """The project's ``datasets_used`` as stored (one query)."""
    from ckanext.datathon.logic.project_rules import extras_of

    return _entries(extras_of([package_id], (FIELD,)).get(package_id, {}).get(FIELD))


def readable_ids(ids: Iterable[str], v: Viewer) -> set[str]:
    """Those of dataset ``ids`` the viewer may read (one query)."""
    wanted = sorted({i for i in ids if isinstance(i, str) and i and "\x00" not in i})
    if not wanted:
        return set()
    p = model.Package.__table__
    return set(
        model.Session.execute(
            sa.select(p.c.id).where(p.c.id.in_(wanted), readable_dataset(v, p))
        ).scalars()
    )


def after_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    """package_show of a project: the entries the viewer may read (all of them
    for updates and sysadmins), from the database."""
    entries = stored(pkg_dict["id"])
    if entries and not context.get("for_update"):
        v = viewer(context)
        if not v.sysadmin:
            readable = readable_ids((e["dataset"] for e in entries), v)
            entries = [e for e in entries if e["dataset"] in readable]
    if entries or FIELD in pkg_dict:
        pkg_dict[FIELD] = entries


def merge_unreadable(
    context: Context, package_id: str, data_dict: dict[str, Any]
) -> dict[str, Any]:
    """package_update of a project: the stored entries the editor cannot read
    replace whatever the request says about those datasets (nothing, or what
    package_patch read with ``for_update``), and are marked in the context so
    that the validator keeps them as they are."""
    v = viewer(context)
    if v.sysadmin:
        return data_dict
    entries = stored(package_id)
    if not entries:
        return data_dict
    readable = readable_ids((e["dataset"] for e in entries), v)
    hidden = [e for e in entries if e["dataset"] not in readable]
    if not hidden:
        return data_dict
    hidden_ids = {e["dataset"] for e in hidden}
    incoming = data_dict.get(FIELD)
    if incoming is None or incoming == "":
        incoming = []
    if not isinstance(incoming, list):
        return data_dict  # not a list: the validators answer
    kept = [e for e in incoming if not (isinstance(e, dict) and e.get("dataset") in hidden_ids)]
    context[KEPT] = hidden_ids  # type: ignore[literal-required]
    return {**data_dict, FIELD: [*kept, *hidden]}


def is_kept(context: Context, value: Any) -> bool:
    kept = context.get(KEPT) or ()  # type: ignore[misc]
    return isinstance(value, str) and value in kept


# -- the search index --------------------------------------------------------------------


def _public_copy(value: Any, public: set[str]) -> Any:
    """A dict CKAN stores in the index (a JSON string or a dict), with only
    the public entries of ``datasets_used`` (top-level or in ``extras``)."""
    as_json = isinstance(value, str)
    try:
        data = json.loads(value) if as_json else value
    except ValueError:
        return value
    if not isinstance(data, dict):
        return value
    if FIELD in data:
        data[FIELD] = _public_value(data[FIELD], public)
    for extra in data.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == FIELD:
            extra["value"] = _public_value(extra.get("value"), public)
    # CKAN 2.11 serialises ``data_dict`` after adding ``validated_data_dict``
    # to the package dict: the copy nested in it is reduced too
    if "validated_data_dict" in data:
        data["validated_data_dict"] = _public_copy(data["validated_data_dict"], public)
    return json.dumps(data) if as_json else data


def _public_value(value: Any, public: set[str]) -> Any:
    entries = [e for e in _entries(value) if e["dataset"] in public]
    return json.dumps(entries) if isinstance(value, str) else entries


def _ids_in(value: Any) -> list[str]:
    if isinstance(value, str) and value[:1] == "{":
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, dict):
        return [e["dataset"] for e in _entries(value)]
    ids = [e["dataset"] for e in _entries(value.get(FIELD))]
    for extra in value.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == FIELD:
            ids += [e["dataset"] for e in _entries(extra.get("value"))]
    if "validated_data_dict" in value:  # (nested by CKAN 2.11)
        ids += _ids_in(value["validated_data_dict"])
    return ids


def public_for_index(pkg_dict: dict[str, Any], used: Any) -> list[str]:
    """before_dataset_index of a project: the public ids among ``used`` (the
    flattened field), and the stored dict copies reduced to public entries."""
    ids = [e["dataset"] for e in _entries(used)]
    every = [
        *ids,
        *_ids_in(pkg_dict.get("data_dict")),
        *_ids_in(pkg_dict.get("validated_data_dict")),
    ]
    public = readable_ids(every, ANONYMOUS)
    for key in ("data_dict", "validated_data_dict"):
        if key in pkg_dict:
            pkg_dict[key] = _public_copy(pkg_dict[key], public)
    return [i for i in dict.fromkeys(ids) if i in public]


# -- reindexing the projects that cite a dataset ----------------------------------------


def citing_projects(dataset_ids: Iterable[str]) -> list[str]:
    ids = [i for i in dataset_ids if isinstance(i, str) and i]
    if not ids:
        return []
    link = ProjectDataset.__table__
    p = model.Package.__table__
    return list(
        model.Session.execute(
            sa.select(link.c.project_id)
            .join(p, p.c.id == link.c.project_id)
            .where(link.c.package_id.in_(ids), p.c.state == "active")
            .distinct()
        ).scalars()
    )


def reindex(package_ids: Iterable[str]) -> None:
    """Index the datasets again (one Solr commit at the end on CKAN 2.12)."""
    ids = list(dict.fromkeys(package_ids))
    if not ids:
        return
    from ckan import logic as ckan_logic

    index_one = getattr(ckan_logic, "index_update_package", None)  # CKAN 2.12
    for package_id in ids:
        if index_one is not None:
            index_one({"ignore_auth": True}, package_id, True)
        else:
            search.rebuild(package_id)
    if index_one is not None:
        search.commit()


def visibility(ids: Iterable[str]) -> dict[str, tuple[bool, str]]:
    """``{id: (private, state)}`` of datasets given by id or name."""
    refs = [r for r in ids if isinstance(r, str) and r and "\x00" not in r]
    if not refs:
        return {}
    p = model.Package.__table__
    rows = model.Session.execute(
        sa.select(p.c.id, p.c.private, p.c.state).where(
            sa.or_(p.c.id.in_(refs), p.c.name.in_(refs))
        )
    ).all()
    return {r.id: (r.private, r.state) for r in rows}


def changed(before: dict[str, tuple[bool, str]]) -> list[str]:
    after = visibility(list(before))
    return [i for i, seen in before.items() if after.get(i) != seen]


def after_visibility_change(context: Context, before: dict[str, tuple[bool, str]]) -> None:
    """After core changed datasets: the projects citing those whose visibility
    or state changed are indexed again (their public entries changed).  Inside
    a bulk update, the bulk action does it once at the end; with
    ``defer_commit``, the caller's commit has not happened: nothing to do yet."""
    if not before or context.get("defer_commit"):
        return
    pending = _bulk_changes.get()
    if pending is not None:
        return
    moved = changed(before)
    if moved:
        reindex(citing_projects(moved))


@contextlib.contextmanager
def bulk(context: Context, refs: Any) -> Iterator[None]:
    """Around core's bulk_update_*: one reindex of the citing projects at the
    end (CKAN 2.11 writes ``private`` with SQL, 2.12 patches each dataset)."""
    before = visibility(refs if isinstance(refs, list) else [])
    token = _bulk_changes.set(set())
    try:
        yield
    finally:
        _bulk_changes.reset(token)
    if before and not context.get("defer_commit"):
        moved = changed(before)
        if moved:
            reindex(citing_projects(moved))
