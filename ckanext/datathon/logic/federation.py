"""Harvested copies of other portals' challenges: writing them, finding them,
removing them, and the guard that keeps them read-only.

The ``datathon_harvester`` plugin (``federation/plugin.py``) calls these; they
import nothing of ckanext-harvest, so the guard works whether or not it is
installed.  A copy is an ordinary ``datathon_challenge`` row (so every listing,
page and feed shows it) plus a ``datathon_harvested_challenge`` row; the
remote text goes through the validators of ``challenge_create``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import harvested, lookup, schema
from ckanext.datathon.logic.action import challenge as challenge_actions
from ckanext.datathon.logic.validate import validated
from ckanext.datathon.model import Challenge, HarvestedChallenge

_ = tk._

HARVEST_CONTEXT_KEY = harvested.HARVEST_CONTEXT_KEY

# the fields copied from the source's challenge_show (owner_org, name and
# state are the copy's own)
COPIED_FIELDS = tuple(
    f for f in challenge_actions.CHALLENGE_COLUMNS if f not in ("owner_org", "name", "state")
)
_SLUG = re.compile(r"[^a-z0-9_-]+")
_TEXT_MAX = 300
MAX_DATASETS = 500
MAX_RESULTS = 200


@dataclass(frozen=True)
class Source:
    """The harvest source a copy comes from."""

    id: str
    name: str
    site_url: str
    owner_org: str


# -- cleaning what the source sent ---------------------------------------------------


def _text(value: Any, limit: int = _TEXT_MAX) -> str:
    """A short display text from the source: text only, no control
    characters, cut to ``limit``."""
    if not isinstance(value, str):
        return ""
    cleaned = "".join(ch for ch in value if ch.isprintable() or ch == " ")
    return cleaned.strip()[:limit]


def _organization(value: Any) -> dict[str, str]:
    value = value if isinstance(value, dict) else {}
    return {"name": _text(value.get("name"), 100), "title": _text(value.get("title"))}


def _datasets(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    found = []
    for entry in value[:MAX_DATASETS]:
        if isinstance(entry, dict) and _text(entry.get("id"), 100):
            found.append(
                {
                    "id": _text(entry.get("id"), 100),
                    "name": _text(entry.get("name"), 100),
                    "title": _text(entry.get("title")),
                    "role": _text(entry.get("role"), 20),
                }
            )
    return found


def _results(value: Any) -> dict[str, Any] | None:
    """The published ranking the source serves (never recomputed here): who
    ranked where, with which award; ``None`` when none is published."""
    if not isinstance(value, dict) or not value.get("published"):
        return None
    entries = []
    for entry in (value.get("results") or [])[:MAX_RESULTS]:
        if not isinstance(entry, dict):
            continue
        project = entry.get("project") if isinstance(entry.get("project"), dict) else {}
        award = entry.get("award") if isinstance(entry.get("award"), dict) else {}
        rank = entry.get("rank")
        score = entry.get("score")
        entries.append(
            {
                "rank": rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
                "score": score
                if isinstance(score, (int, float)) and not isinstance(score, bool)
                else None,
                "project": {
                    "name": _text(project.get("name"), 100),
                    "title": _text(project.get("title")),
                },
                "award": {"title": _text(award.get("title"))} if award else None,
                "team": [_text(m, 100) for m in (entry.get("team") or [])[:50] if _text(m, 100)]
                if isinstance(entry.get("team"), list)
                else [],
            }
        )
    version = value.get("version")
    return {
        "version": version if isinstance(version, int) and not isinstance(version, bool) else None,
        "count": len(entries),
        "results": entries,
    }


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value[:40])
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def local_name(source: Source, remote_name: Any, remote_id: str) -> str:
    """``<source name>-<remote name>``: names are namespaced by source (a
    remote name is never matched: copies are found by remote id)."""
    prefix = _SLUG.sub("-", source.name.lower()).strip("-")[:40] or "source"
    remote = _SLUG.sub("-", remote_name.lower()).strip("-") if isinstance(remote_name, str) else ""
    return f"{prefix}-{remote or _SLUG.sub('-', remote_id.lower())}"[:100].rstrip("-_")


def _data_dict(source: Source, remote: dict[str, Any], name: str) -> dict[str, Any]:
    data = {key: remote.get(key) for key in COPIED_FIELDS if remote.get(key) is not None}
    data.update(owner_org=source.owner_org, name=name, state="active")
    prizes = remote.get("prizes")
    if isinstance(prizes, list):
        data["prizes"] = [
            {
                k: p.get(k)
                for k in ("rank", "title", "amount", "currency", "description")
                if p.get(k) is not None
            }
            for p in prizes
            if isinstance(p, dict)
        ]
    stages = remote.get("timeline")
    if isinstance(stages, list):
        data["timeline"] = [
            {k: e.get(k) for k in ("stage", "starts", "ends", "notes") if e.get(k) is not None}
            for e in stages
            if isinstance(e, dict) and e.get("starts") is not None
        ]
    return data


# -- writing copies ------------------------------------------------------------------


def find(source: Source, remote_id: str) -> HarvestedChallenge | None:
    return model.Session.scalars(
        sa.select(HarvestedChallenge).where(
            HarvestedChallenge.harvest_source_id == source.id,
            HarvestedChallenge.remote_id == remote_id,
        )
    ).first()


def save_copy(context: Context, source: Source, bundle: dict[str, Any]) -> str:
    """Create or update the copy of ``bundle["challenge"]`` (the source's
    challenge_show); returns ``"added"`` or ``"updated"``.  ``ValidationError``
    when the remote content is not acceptable here (the copy, if any, is left
    as it was)."""
    remote = bundle.get("challenge")
    if not isinstance(remote, dict) or not isinstance(remote.get("id"), str):
        raise tk.ValidationError({"challenge": [_("The source sent no challenge")]})
    remote_id = _text(remote["id"], 100)
    if not remote_id or remote_id != remote["id"]:
        raise tk.ValidationError({"id": [_("The source sent an invalid challenge id")]})
    taken = model.Session.scalars(
        sa.select(HarvestedChallenge).where(
            HarvestedChallenge.remote_site_url == source.site_url,
            HarvestedChallenge.remote_id == remote_id,
            HarvestedChallenge.harvest_source_id != source.id,
        )
    ).first()
    if taken is not None:
        raise tk.ValidationError(
            {"id": [_("Another harvest source already copies this challenge")]}
        )
    row = find(source, remote_id)
    challenge = model.Session.get(Challenge, row.challenge_id) if row is not None else None
    ctx: Context = {
        "user": context.get("user") or "",
        "ignore_auth": True,
        "defer_commit": True,
    }
    ctx[HARVEST_CONTEXT_KEY] = True  # type: ignore[literal-required]
    name = (
        challenge.name
        if challenge is not None
        else local_name(source, remote.get("name"), remote_id)
    )
    if challenge is None and lookup.challenge(ctx, name) is not None:
        name = local_name(source, remote_id, remote_id)
    validation_schema = schema.challenge_update() if challenge else schema.challenge_create()
    data_dict = _data_dict(source, remote, name)
    if challenge is not None:
        data_dict["id"] = challenge.id
    data = validated(
        data_dict,
        validation_schema,
        ctx,
        challenge_actions._shapes,
        challenge_actions._cross_field_errors,
    )
    new = challenge is None
    if challenge is None:
        challenge = Challenge(creator_user_id=None)
    challenge_actions._save(ctx, challenge, data, new=new)
    if row is None:
        row = HarvestedChallenge(
            challenge_id=challenge.id,
            harvest_source_id=source.id,
            remote_id=remote_id,
        )
        model.Session.add(row)
    row.remote_site_url = source.site_url
    row.remote_name = _text(remote.get("name"), 100)
    row.remote_organization = _organization(remote.get("organization"))
    row.remote_datasets = _datasets(remote.get("datasets"))
    row.remote_results = _results(bundle.get("results"))
    row.remote_modified = _when(remote.get("modified"))
    row.harvested = timeline.now()
    row.missing_since = None
    model.Session.flush()
    model.repo.commit()
    lookup.forget(context)
    return "added" if new else "updated"


# -- what a run no longer finds --------------------------------------------------------


def copies(source_id: str) -> list[HarvestedChallenge]:
    return list(
        model.Session.scalars(
            sa.select(HarvestedChallenge).where(HarvestedChallenge.harvest_source_id == source_id)
        )
    )


def plan_removals(source_id: str, found: set[str], max_percent: int) -> list[str]:
    """The remote ids of copies to remove after a run that found ``found``.

    Copies found again lose any mark.  When the run found nothing at all, or
    misses more than ``max_percent`` of the source's copies, the missing ones
    are only marked (``missing_since``): nothing is removed until a later run
    confirms them missing; copies marked by an earlier run are removed then."""
    rows = copies(source_id)
    missing = [r for r in rows if r.remote_id not in found]
    now = timeline.now()
    for row in rows:
        if row.remote_id in found:
            row.missing_since = None
    suspicious = bool(missing) and (not found or len(missing) * 100 > max_percent * len(rows))
    remove = []
    for row in missing:
        if not suspicious or row.missing_since is not None:
            remove.append(row.remote_id)
        else:
            row.missing_since = now
    model.repo.commit()
    return remove


def remove_copy(source_id: str, remote_id: str) -> bool:
    """Delete the copy of ``remote_id`` (its challenge, with everything under
    it, and its mapping row); whether there was one."""
    row = model.Session.scalars(
        sa.select(HarvestedChallenge).where(
            HarvestedChallenge.harvest_source_id == source_id,
            HarvestedChallenge.remote_id == remote_id,
        )
    ).first()
    if row is None:
        return False
    table = Challenge.__table__
    model.Session.execute(sa.delete(table).where(table.c.id == row.challenge_id))
    model.repo.commit()
    return True


def remove_source_copies(source_id: str) -> int:
    """Delete every copy of a harvest source (when it is cleared or deleted):
    no copy outlives the source that refreshes it."""
    ids = sa.select(HarvestedChallenge.challenge_id).where(
        HarvestedChallenge.harvest_source_id == source_id
    )
    # a Core delete: SQLAlchemy 1.4 (CKAN 2.11) cannot synchronise the
    # session on an IN (SELECT ...) criterion; the commit expires it anyway
    table = Challenge.__table__
    result = model.Session.execute(sa.delete(table).where(table.c.id.in_(ids)))
    model.repo.commit()
    return int(result.rowcount or 0)
