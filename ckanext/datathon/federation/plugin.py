"""The ``datathon_harvester`` plugin: ckanext-harvest's ``IHarvester`` for the
challenges of other portals running ckanext-datathon (type ``datathon_challenges``).

* gather: the source's published challenges (``challenge_list``, paged, read
  anonymously); one harvest object per challenge (guid: its remote id), and one
  per copy that the source no longer publishes (``status`` extra ``delete``),
  unless the run is not trusted to delete (``logic/federation.plan_removals``);
* fetch: ``challenge_show`` (with its linked datasets) and, once published,
  the results snapshot (``challenge_ranking``), as the object's JSON content;
* import: creates or updates the local read-only copy, or removes it.

``harvest_source_clear`` and ``harvest_source_delete`` are chained: the copies
of the source go with it.  This module is the only one importing
``ckanext.harvest``; without it the plugin cannot be enabled, and the rest of
ckanext-datathon works unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.datathon import config
from ckanext.datathon.federation.client import Client, SourceError, normalise_url
from ckanext.datathon.logic import federation

log = logging.getLogger(__name__)

HARVEST_TYPE = "datathon_challenges"
PAGE = 100
# source config keys; anything else (an API key above all) is refused
CONFIG_KEYS = ("max_delete_percent",)
_SECRET_WORDS = ("key", "token", "auth", "password", "secret", "cookie", "header")


def parse_config(text: Any) -> dict[str, Any]:
    """The source's configuration (JSON object, may be empty); ``ValueError``
    naming what is refused.  An API key is refused: sources are read
    anonymously, so that no draft is read, and republished, here."""
    if not text or not str(text).strip():
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        raise ValueError(tk._("The configuration must be a JSON object")) from None
    if not isinstance(found, dict):
        raise ValueError(tk._("The configuration must be a JSON object"))
    for key in found:
        if any(word in str(key).lower() for word in _SECRET_WORDS):
            raise ValueError(
                tk._(
                    "Sources are read anonymously: a configuration with credentials "
                    "({key}) is refused"
                ).format(key=str(key)[:50])
            )
        if key not in CONFIG_KEYS:
            raise ValueError(tk._("Unknown configuration option: {key}").format(key=str(key)[:50]))
    share = found.get("max_delete_percent")
    if share is not None and (
        not isinstance(share, int) or isinstance(share, bool) or not 0 <= share <= 100
    ):
        raise ValueError(tk._("max_delete_percent must be a whole number from 0 to 100"))
    return found


class DatathonHarvester(HarvesterBase):
    p.implements(IHarvester)
    p.implements(p.IActions)

    # IHarvester

    def info(self) -> dict[str, str]:
        return {
            "name": HARVEST_TYPE,
            "title": tk._("Challenges of a datathon portal"),
            "description": tk._(
                "Published challenges of another CKAN portal running ckanext-datathon, "
                "copied read-only"
            ),
        }

    def validate_config(self, config_text: Any) -> Any:
        parse_config(config_text)
        return config_text

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        if obj is None or obj.source is None:
            return None
        try:
            return f"{normalise_url(obj.source.url)}/challenge/{obj.guid}"
        except SourceError:
            return None

    def _source(self, harvest_source: Any) -> federation.Source:
        package = model.Package.get(harvest_source.id)
        if package is None or not package.owner_org:
            raise SourceError(tk._("The harvest source needs an organization to own its copies"))
        parse_config_or_error(harvest_source.config)
        return federation.Source(
            id=harvest_source.id,
            name=package.name,
            site_url=normalise_url(harvest_source.url),
            owner_org=package.owner_org,
        )

    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        try:
            source = self._source(harvest_job.source)
            found = self._remote_ids(Client(source.site_url))
        except SourceError as error:
            # nothing local changes when the source cannot be read
            self._save_gather_error(str(error), harvest_job)
            return None
        settings = parse_config(harvest_job.source.config)
        share = settings.get("max_delete_percent", config.harvest_max_delete_percent())
        gone = federation.plan_removals(source.id, set(found), share)
        ids = [self._object(harvest_job, guid, "change") for guid in found]
        ids += [self._object(harvest_job, guid, "delete") for guid in gone]
        return ids

    def _remote_ids(self, client: Client) -> list[str]:
        """Ids of the source's published challenges, every page of them."""
        cap = config.harvest_max_challenges()
        found: dict[str, None] = {}
        offset = 0
        while True:
            page = client.action(
                "challenge_list", {"limit": PAGE, "offset": offset, "sort": "created asc"}
            )
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise SourceError(tk._("The source's challenge_list answer is not a page"))
            count = page.get("count")
            if isinstance(count, int) and count > cap:
                raise SourceError(
                    tk._("The source lists {count} challenges, more than {cap}").format(
                        count=count, cap=cap
                    )
                )
            for entry in page["results"]:
                remote_id = entry.get("id") if isinstance(entry, dict) else None
                if not isinstance(remote_id, str) or not 0 < len(remote_id) <= 100:
                    raise SourceError(tk._("The source's challenge_list has an entry without id"))
                found[remote_id] = None
            offset += PAGE
            if not page["results"] or not isinstance(count, int) or offset >= count:
                return list(found)
            if offset >= cap:
                raise SourceError(
                    tk._("The source lists more than {cap} challenges").format(cap=cap)
                )

    def _object(self, harvest_job: Any, guid: str, status: str) -> str:
        obj = HarvestObject(
            guid=guid,
            job=harvest_job,
            extras=[HarvestObjectExtra(key="status", value=status)],
        )
        obj.save()
        return str(obj.id)

    def fetch_stage(self, harvest_object: Any) -> bool:
        if _status(harvest_object) == "delete":
            return True
        try:
            client = Client(harvest_object.source.url)
            challenge = client.action("challenge_show", {"id": harvest_object.guid})
            try:
                results = client.action("challenge_ranking", {"id": harvest_object.guid})
            except SourceError as error:
                if error.kind not in ("Authorization Error", "Not Found Error", "Validation Error"):
                    raise
                results = None  # nothing published
        except SourceError as error:
            self._save_object_error(str(error), harvest_object, "Fetch")
            return False
        harvest_object.content = json.dumps({"challenge": challenge, "results": results})
        harvest_object.save()
        return True

    def import_stage(self, harvest_object: Any) -> bool:
        try:
            source = self._source(harvest_object.source)
        except SourceError as error:
            self._save_object_error(str(error), harvest_object, "Import")
            return False
        if _status(harvest_object) == "delete":
            federation.remove_copy(source.id, harvest_object.guid)
            harvest_object.current = False
            harvest_object.save()
            return True
        try:
            bundle = json.loads(harvest_object.content or "null")
            if not isinstance(bundle, dict):
                raise ValueError
        except ValueError:
            self._save_object_error(tk._("No content to import"), harvest_object, "Import")
            return False
        context: Context = {"user": self._get_user_name()}
        try:
            federation.save_copy(context, source, bundle)
        except tk.ValidationError as error:
            model.Session.rollback()
            self._save_object_error(
                tk._("The challenge was not imported: {errors}").format(
                    errors=json.dumps(error.error_dict, default=str)[:2000]
                ),
                harvest_object,
                "Import",
            )
            return False
        harvest_object.current = True
        harvest_object.save()
        return True

    # IActions: the source's copies go with it

    def get_actions(self) -> dict[str, Any]:
        return {
            "harvest_source_clear": harvest_source_clear,
            "harvest_source_delete": harvest_source_delete,
            "harvest_source_reindex": harvest_source_reindex,
        }


def parse_config_or_error(text: Any) -> dict[str, Any]:
    try:
        return parse_config(text)
    except ValueError as error:
        raise SourceError(str(error)) from None


def _status(harvest_object: Any) -> str | None:
    for extra in harvest_object.extras:
        if extra.key == "status":
            return str(extra.value)
    return None


def _source_id(context: Context, data_dict: DataDict) -> str | None:
    ref = data_dict.get("id") if isinstance(data_dict, dict) else None
    if not isinstance(ref, str) or not ref:
        return None
    package = model.Package.get(ref)
    return package.id if package is not None else None


@tk.chained_action
def harvest_source_clear(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's, after which the source's challenge copies are removed
    (it removes the datasets of its harvest objects only)."""
    result = original(context, data_dict)
    source_id = _source_id(context, data_dict)
    if source_id:
        federation.remove_source_copies(source_id)
    return result


@tk.chained_action
def harvest_source_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's, after which the source's challenge copies are removed:
    without their source they can no longer be refreshed, nor edited here."""
    source_id = _source_id(context, data_dict)
    result = original(context, data_dict)
    if source_id:
        federation.remove_source_copies(source_id)
    return result


@tk.chained_action
def harvest_source_reindex(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest 1.6.3's, then (CKAN 2.12) the source indexed again with
    its *validated* dict as the cached one: the original gives CKAN 2.12's
    index the unvalidated dict (``validate=False``) as the validated one, so
    every later ``package_show`` of the source, served from that cache, lost
    ``source_type``, and the next ``ckan harvester run-test`` failed with
    ``KeyError: 'source_type'``."""
    tk.check_access("harvest_source_reindex", context, data_dict)
    result = original(context, data_dict)
    if not tk.check_ckan_version(min_version="2.12.0b0"):
        return result
    from ckan.lib.search import PackageSearchIndex

    source_id = tk.get_or_bust(data_dict, "id")
    show = tk.get_action("harvest_source_show")
    base: Context = {"ignore_auth": True, "use_cache": False}  # type: ignore[typeddict-item]
    raw = show(dict(base, validate=False), {"id": source_id})  # type: ignore[arg-type]
    validated = show(dict(base), {"id": source_id})  # type: ignore[arg-type]
    try:
        secret = json.loads(raw.get("config") or "{}")
    except ValueError:
        secret = {}
    secret = secret if isinstance(secret, dict) else {}
    indexed = {key: value for key, value in raw.items() if key not in secret}
    indexed["with_custom_schema"] = validated
    PackageSearchIndex().index_package(indexed, defer_commit=bool(context.get("defer_commit")))
    return result
