"""Actions of the challenge entity (JSON API: /api/3/action/<name>)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon import config
from ckanext.datathon.lib import activity, page_cache, timeline
from ckanext.datathon.logic import dictize, harvested, lookup, schema
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.logic.queries import used_by as used_by_queries
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import readable_dataset, viewer, visible_challenge
from ckanext.datathon.model import (
    CONTEST_DATES,
    STAGES,
    Ally,
    Challenge,
    ChallengeDataset,
    Prize,
    Stage,
)

__all__ = [
    "challenge_ally_create",
    "challenge_ally_delete",
    "challenge_ally_update",
    "challenge_create",
    "challenge_dataset_add",
    "challenge_dataset_list",
    "challenge_dataset_remove",
    "challenge_delete",
    "challenge_list",
    "challenge_patch",
    "challenge_show",
    "challenge_update",
    "dataset_challenge_counts",
    "dataset_challenge_list",
    "organization_delete",
]

_ = tk._

# A challenge links at most this many datasets (challenge_show lists them all).
MAX_DATASET_LINKS = 500

CHALLENGE_COLUMNS = (
    "name",
    "title",
    "owner_org",
    "problem_statement",
    "description",
    "image_url",
    "tags",
    "state",
    *CONTEST_DATES,
    "max_team_size",
    "min_team_size",
    "allowed_licences",
    "require_open_data",
    "require_rules_acceptance",
    "eligibility",
    "rules_text",
    "timezone",
)


# -- helpers ------------------------------------------------------------------


def _shapes(data_dict: DataDict, schema_: dict[str, Any]) -> dict[str, list[str]]:
    """Before navl: the nested lists are lists of objects, of bounded length."""
    shape_errors = {
        key: [_("Must be a list of objects")]
        for key in schema.NESTED_LISTS
        if key in schema_
        and key in data_dict
        and data_dict[key] is not None
        and not (
            isinstance(data_dict[key], list)
            and all(isinstance(item, dict) for item in data_dict[key])
        )
    }
    limits = {"prizes": config.MAX_PRIZES, "timeline": config.MAX_TIMELINE_ENTRIES}
    for key, option in limits.items():
        value = data_dict.get(key) if key in schema_ else None
        limit = config.list_limit(option)
        if key not in shape_errors and isinstance(value, list) and len(value) > limit:
            shape_errors[key] = [_("At most %(n)s entries") % {"n": limit}]
    return shape_errors


def _get_readable(context: Context, id_or_name: Any) -> Challenge:
    """The challenge, or ObjectNotFound when it does not exist *or* the user may
    not see it (drafts answer 404, not 403, to outsiders)."""
    challenge = lookup.challenge(context, id_or_name)
    if challenge is None:
        raise tk.ObjectNotFound(_("Challenge not found"))
    return challenge


def _cross_field_errors(data: dict[str, Any], invalid: dict[str, Any]) -> dict[str, list[str]]:
    """Rules that involve several fields: date order, team bounds, uniqueness,
    and the dates a published challenge must have.  Fields that already failed
    their own validation (``invalid``) are left out."""
    errors: dict[str, list[str]] = {}

    def valid(name: str) -> bool:
        return not invalid.get(name)

    previous: tuple[str, dt.datetime] | None = None
    for name in CONTEST_DATES:
        value = data.get(name)
        if not isinstance(value, dt.datetime) or not valid(name):
            continue
        if previous is not None and value < previous[1]:
            errors.setdefault(name, []).append(
                _("Must not be earlier than {other}").format(other=previous[0])
            )
        previous = (name, value)
    if data.get("state") == "active":
        for name in CONTEST_DATES:
            if data.get(name) is None and valid(name):
                errors.setdefault(name, []).append(_("Required to publish the challenge"))
    low, high = data.get("min_team_size"), data.get("max_team_size")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.setdefault("min_team_size", []).append(
            _("Must not be larger than the maximum team size")
        )
    if valid("prizes"):
        ranks = [p.get("rank") for p in data.get("prizes") or []]
        if len(ranks) != len(set(ranks)):
            errors.setdefault("prizes", []).append(_("Each prize needs a different rank"))
    if valid("timeline"):
        stage_errors: list[str] = []
        seen: set[str] = set()
        for entry in data.get("timeline") or []:
            if entry.get("stage") in seen:
                stage_errors.append(_("Stage {stage} appears twice").format(stage=entry["stage"]))
            seen.add(entry.get("stage"))
            starts, ends = entry.get("starts"), entry.get("ends")
            if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends < starts:
                stage_errors.append(
                    _("Stage {stage} ends before it starts").format(stage=entry["stage"])
                )
        if stage_errors:
            errors["timeline"] = stage_errors
    return errors


def _prize_terms(prizes: Any) -> set[tuple[Any, Any, Any]]:
    """What a published award refers to: each prize's rank, amount and
    currency (the currency as ``_replace_children`` stores it)."""
    terms = set()
    for prize in prizes or []:
        amount = prize.get("amount") if isinstance(prize, dict) else prize.amount
        currency = prize.get("currency") if isinstance(prize, dict) else prize.currency
        if isinstance(prize, dict) and not currency and amount is not None:
            currency = tk.config["ckanext.datathon.default_currency"]
        rank = prize.get("rank") if isinstance(prize, dict) else prize.rank
        terms.add((rank, None if amount is None else Decimal(str(amount)), currency or None))
    return terms


def _check_frozen_results(challenge: Challenge, data: dict[str, Any]) -> None:
    """Once the results are published (under the shared results lock, see
    ``logic.results``): no prize change (set, rank, amount, currency) and
    no change to a date already past, except ``results_date``."""
    frozen.lock(challenge.id)
    if frozen.results_published(challenge.id) is None:
        return
    errors: dict[str, list[str]] = {}
    now = timeline.now()
    for name in CONTEST_DATES:
        if name == "results_date":
            continue
        old = getattr(challenge, name)
        if old is not None and old <= now and data.get(name) != old:
            errors[name] = [
                _("The results are published: a date already past can no longer change")
            ]
    stored = model.Session.scalars(sa.select(Prize).where(Prize.challenge_id == challenge.id))
    if _prize_terms(stored) != _prize_terms(data.get("prizes")):
        errors["prizes"] = [
            _(
                "The results are published: the prizes (which ranks, their amounts and "
                "currencies) can no longer change"
            )
        ]
    if errors:
        raise tk.ValidationError(errors)


def _apply(challenge: Challenge, data: dict[str, Any]) -> None:
    for name in CHALLENGE_COLUMNS:
        setattr(challenge, name, data.get(name))


def _replace_children(challenge: Challenge, data: dict[str, Any]) -> None:
    model.Session.execute(sa.delete(Prize).where(Prize.challenge_id == challenge.id))
    model.Session.execute(sa.delete(Stage).where(Stage.challenge_id == challenge.id))
    for prize in data.get("prizes") or []:
        model.Session.add(
            Prize(
                challenge_id=challenge.id,
                rank=prize["rank"],
                title=prize["title"],
                amount=prize.get("amount"),
                currency=prize.get("currency")
                or (
                    tk.config["ckanext.datathon.default_currency"]
                    if prize.get("amount") is not None
                    else None
                ),
                description=prize.get("description", ""),
            )
        )
    for entry in data.get("timeline") or []:
        model.Session.add(
            Stage(
                challenge_id=challenge.id,
                stage=entry["stage"],
                position=STAGES.index(entry["stage"]) + 1,
                starts=entry["starts"],
                ends=entry["ends"],
                notes=entry.get("notes", ""),
            )
        )


def _check_owner(context: Context, data: dict[str, Any], challenge: Challenge | None) -> None:
    """The second stage of the owner check: authorize the organization as it
    will be written (the id the validator resolved), with the same auth
    function the first stage ran on the raw input."""
    check = {"owner_org": data["owner_org"]}
    if challenge is not None:
        check["id"] = challenge.id
    tk.check_access("datathon_permission_challenge_owner", context, check)


def _user_id(context: Context) -> str | None:
    return viewer(context).user_id


def _save(context: Context, challenge: Challenge, data: dict[str, Any], *, new: bool) -> None:
    was_active = challenge.state == "active" if not new else False
    _apply(challenge, data)
    now = timeline.now()
    challenge.modified = now
    if challenge.state == "active" and challenge.published is None:
        challenge.published = now
    if new:
        challenge.created = now
        model.Session.add(challenge)
    try:
        model.Session.flush()
        _replace_children(challenge, data)
        model.Session.flush()
    except IntegrityError:
        model.Session.rollback()
        raise tk.ValidationError({"name": [_("That URL is already in use.")]}) from None
    if new:
        kind = activity.NEW
    elif challenge.state == "active" and not was_active:
        kind = activity.PUBLISHED
    else:
        kind = activity.CHANGED
    # (drafts leave no activity: see ckanext.datathon.activity)
    activity.record(_user_id(context), challenge, kind)
    commit(context)
    lookup.forget(context)


# -- challenge ----------------------------------------------------------------


@validate(schema.challenge_create, shapes=_shapes, cross_field=_cross_field_errors)
def challenge_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Create a challenge (a draft unless ``state`` is ``active``).

    :param owner_org: organization id or name (its admins and editors organize)
    :type owner_org: string
    :param name: URL slug
    :type name: string
    :param title: the title (one line)
    :type title: string
    :param problem_statement: the problem to solve (markdown)
    :type problem_statement: string
    :param description: markdown
    :type description: string
    :param eligibility: who may take part (markdown)
    :type eligibility: string
    :param rules_text: the rules (markdown)
    :type rules_text: string
    :param registration_opens: ISO 8601 with a time zone; contest dates are in order and all
        five are needed to publish
    :type registration_opens: string
    :param registration_closes: ISO 8601 with a time zone
    :type registration_closes: string
    :param submission_deadline: ISO 8601 with a time zone
    :type submission_deadline: string
    :param judging_closes: ISO 8601 with a time zone
    :type judging_closes: string
    :param results_date: ISO 8601 with a time zone
    :type results_date: string
    :param max_team_size: largest team (1-50, default 6)
    :type max_team_size: int
    :param min_team_size: smallest team that may submit (default 1)
    :type min_team_size: int
    :param allowed_licences: SPDX ids of the licences a project's code may use (a list or a
        comma-separated string; default: the OSI-approved ones)
    :type allowed_licences: list of strings
    :param require_open_data: every dataset a project uses must be public (default true)
    :type require_open_data: bool
    :param require_rules_acceptance: registering a team needs ``accept_rules`` (default
        true)
    :type require_rules_acceptance: bool
    :param prizes: list of {rank, title, amount, currency, description}
    :type prizes: list of dicts
    :param timeline: list of {stage, starts, ends, notes}
    :type timeline: list of dicts
    :param image_url: an http(s) URL of an image
    :type image_url: string
    :param tags: keywords (a list, or a comma-separated string)
    :type tags: list of strings
    :param state: ``draft`` (default) or ``active`` (published: needs the five contest
        dates)
    :type state: string
    :param timezone: IANA time zone the pages show dates in (default ``UTC``)
    :type timezone: string
    :returns: the challenge, as ``challenge_show`` returns it
    :rtype: dict
    """
    _check_owner(context, data, None)
    challenge = Challenge(creator_user_id=_user_id(context))
    _save(context, challenge, data, new=True)
    return dictize.challenge_dict(challenge, viewer(context))


@validate(
    schema.challenge_update,
    shapes=_shapes,
    cross_field=_cross_field_errors,
    find=lambda context, data_dict: harvested.refuse_copy(
        context, _get_readable(context, data_dict.get("id"))
    ),
)
def challenge_update(context: Context, data: DataDict) -> dict[str, Any]:
    """Replace a challenge's fields, prizes and timeline (omitted ones are reset,
    as with package_update; use challenge_patch to change some fields only).
    Use challenge_delete to delete it.

    :param name: URL slug: lowercase letters, digits, ``-`` and ``_``; unique
    :type name: string
    :param title: the title (one line)
    :type title: string
    :param owner_org: organization id or name (its admins and editors organize)
    :type owner_org: string
    :param problem_statement: the problem to solve (markdown)
    :type problem_statement: string
    :param description: markdown
    :type description: string
    :param image_url: an http(s) URL of an image
    :type image_url: string
    :param tags: keywords (a list, or a comma-separated string)
    :type tags: list of strings
    :param state: ``draft`` (default) or ``active`` (published: needs the five contest
        dates)
    :type state: string
    :param registration_opens: ISO 8601 with a time zone; contest dates are in order and all
        five are needed to publish
    :type registration_opens: string
    :param registration_closes: ISO 8601 with a time zone
    :type registration_closes: string
    :param submission_deadline: ISO 8601 with a time zone
    :type submission_deadline: string
    :param judging_closes: ISO 8601 with a time zone
    :type judging_closes: string
    :param results_date: ISO 8601 with a time zone
    :type results_date: string
    :param max_team_size: largest team (1-50, default 6)
    :type max_team_size: int
    :param min_team_size: smallest team that may submit (default 1)
    :type min_team_size: int
    :param allowed_licences: SPDX ids of the licences a project's code may use (a list or a
        comma-separated string; default: the OSI-approved ones)
    :type allowed_licences: list of strings
    :param require_open_data: every dataset a project uses must be public (default true)
    :type require_open_data: bool
    :param require_rules_acceptance: registering a team needs ``accept_rules`` (default
        true)
    :type require_rules_acceptance: bool
    :param eligibility: who may take part (markdown)
    :type eligibility: string
    :param rules_text: the rules (markdown)
    :type rules_text: string
    :param timezone: IANA time zone the pages show dates in (default ``UTC``)
    :type timezone: string
    :param prizes: list of ``{rank, title, amount, currency, description}`` (``rank`` and
        ``title`` required; ``amount`` a decimal, ``currency`` ISO 4217)
    :type prizes: list of dicts
    :param timeline: list of ``{stage, starts, ends, notes}`` (``stage`` one of the 11
        stages; ``starts`` and ``ends`` ISO 8601 with a time zone)
    :type timeline: list of dicts
    :param id: the id or name of the challenge
    :type id: string
    :returns: the challenge, as ``challenge_show`` returns it
    :rtype: dict
    """
    challenge = _get_readable(context, data["id"])
    _check_owner(context, data, challenge)
    _check_frozen_results(challenge, data)
    _save(context, challenge, data, new=False)
    return dictize.challenge_dict(challenge, viewer(context))


@validate(schema.challenge_patch, passthrough=True)
def challenge_patch(context: Context, data: DataDict) -> dict[str, Any]:
    """Change only the given fields of a challenge.

    :param name: URL slug: lowercase letters, digits, ``-`` and ``_``; unique (optional:
        omitted fields keep their value)
    :type name: string
    :param title: the title (one line) (optional: omitted fields keep their value)
    :type title: string
    :param owner_org: organization id or name (its admins and editors organize) (optional:
        omitted fields keep their value)
    :type owner_org: string
    :param problem_statement: the problem to solve (markdown) (optional: omitted fields keep
        their value)
    :type problem_statement: string
    :param description: markdown (optional: omitted fields keep their value)
    :type description: string
    :param image_url: an http(s) URL of an image (optional: omitted fields keep their value)
    :type image_url: string
    :param tags: keywords (a list, or a comma-separated string) (optional: omitted fields
        keep their value)
    :type tags: list of strings
    :param state: ``draft`` (default) or ``active`` (published: needs the five contest
        dates) (optional: omitted fields keep their value)
    :type state: string
    :param registration_opens: ISO 8601 with a time zone; contest dates are in order and all
        five are needed to publish (optional: omitted fields keep their value)
    :type registration_opens: string
    :param registration_closes: ISO 8601 with a time zone (optional: omitted fields keep
        their value)
    :type registration_closes: string
    :param submission_deadline: ISO 8601 with a time zone (optional: omitted fields keep
        their value)
    :type submission_deadline: string
    :param judging_closes: ISO 8601 with a time zone (optional: omitted fields keep their
        value)
    :type judging_closes: string
    :param results_date: ISO 8601 with a time zone (optional: omitted fields keep their
        value)
    :type results_date: string
    :param max_team_size: largest team (1-50, default 6) (optional: omitted fields keep
        their value)
    :type max_team_size: int
    :param min_team_size: smallest team that may submit (default 1) (optional: omitted
        fields keep their value)
    :type min_team_size: int
    :param allowed_licences: SPDX ids of the licences a project's code may use (a list or a
        comma-separated string; default: the OSI-approved ones) (optional: omitted fields
        keep their value)
    :type allowed_licences: list of strings
    :param require_open_data: every dataset a project uses must be public (default true)
        (optional: omitted fields keep their value)
    :type require_open_data: bool
    :param require_rules_acceptance: registering a team needs ``accept_rules`` (default
        true) (optional: omitted fields keep their value)
    :type require_rules_acceptance: bool
    :param eligibility: who may take part (markdown) (optional: omitted fields keep their
        value)
    :type eligibility: string
    :param rules_text: the rules (markdown) (optional: omitted fields keep their value)
    :type rules_text: string
    :param timezone: IANA time zone the pages show dates in (default ``UTC``) (optional:
        omitted fields keep their value)
    :type timezone: string
    :param prizes: list of ``{rank, title, amount, currency, description}`` (``rank`` and
        ``title`` required; ``amount`` a decimal, ``currency`` ISO 4217) (optional: omitted
        fields keep their value)
    :type prizes: list of dicts
    :param timeline: list of ``{stage, starts, ends, notes}`` (``stage`` one of the 11
        stages; ``starts`` and ``ends`` ISO 8601 with a time zone) (optional: omitted fields
        keep their value)
    :type timeline: list of dicts
    :param id: the id or name of the challenge
    :type id: string
    :returns: the challenge, as ``challenge_show`` returns it
    :rtype: dict
    """
    challenge = _get_readable(context, data["id"])
    current = dictize.challenge_dict(challenge, viewer(context), include_datasets=False)
    merged = {key: current[key] for key in (*CHALLENGE_COLUMNS, "prizes")}
    merged["timeline"] = [
        {k: e[k] for k in ("stage", "starts", "ends", "notes")}
        for e in current["timeline"]
        if e["starts"] is not None
    ]
    merged.update(data)
    merged["id"] = challenge.id
    return tk.get_action("challenge_update")(context, merged)


@validate(schema.challenge_show)
def challenge_delete(context: Context, data: DataDict) -> None:
    """Mark a challenge deleted: it disappears for everyone but sysadmins.
    Its rows stay (like a deleted dataset) until its organization is purged.

    :param id: the id or name of the challenge
    :type id: string
    """
    challenge = _get_readable(context, data["id"])
    harvested.refuse_copy(context, challenge)
    if challenge.state == "deleted":
        return
    if challenge.state == "active":
        activity.record(_user_id(context), challenge, activity.DELETED)
    challenge.state = "deleted"
    challenge.modified = timeline.now()
    commit(context)
    lookup.forget(context)


@validate(schema.challenge_show, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def challenge_show(context: Context, data: DataDict) -> dict[str, Any]:
    """A challenge with its organization, rules, prizes, timeline (status and
    ``current_stage`` computed now), allies and the linked datasets the user
    may read.  Drafts are "not found" for those who may not see them.

    :param id: the id or name of the challenge
    :type id: string
    :returns: the challenge: its columns (``id``, ``name``, ``title``, ``owner_org``,
        ``state``, the contest dates, the rules...), ``organization`` ``{id, name, title,
        image_url}``, ``prizes`` ``[{rank, title, amount, currency, description}]``,
        ``prize_total`` ``[{currency, amount}]``, ``timeline`` (all 11 stages ``{stage,
        position, starts, ends, notes, status}``), ``current_stage``, ``next_stage``,
        ``allies``, ``datasets`` (the linked datasets the caller may read: ``{id, name,
        title, notes, private, owner_org, organization_title, role, note, num_resources}``),
        ``dataset_count`` and ``registration_open``; ``docs/openapi.json`` has the whole
        shape
    :rtype: dict
    """
    challenge = _get_readable(context, data["id"])
    return dictize.challenge_dict(challenge, viewer(context))


# a word of q: letters and digits, with inner hyphens or dots ("care-economy",
# "3.5") kept for PostgreSQL's parser, which indexed them the same way
_WORD = re.compile(r"\w+(?:[-.]\w+)*")
_MAX_WORDS = 16


def _words_query(q: str) -> Any:
    """A condition matching challenges that contain every word of ``q`` as a
    word or word prefix, case-insensitively (nothing if q has no word)."""
    words = _WORD.findall(q.lower())[:_MAX_WORDS]
    if not words:
        return sa.false()
    # the words hold no quote, backslash or operator: the tsquery parses
    tsquery = " & ".join(f"'{word}':*" for word in words)
    search_vector = Challenge.__table__.c.search_vector
    simple = sa.literal_column("'simple'::regconfig")
    return search_vector.op("@@")(sa.func.to_tsquery(simple, tsquery))


def _in_stage(stage: str, at: dt.datetime) -> Any:
    """Condition: the challenge's current stage is ``stage`` -- its window holds
    ``at`` and no other window holding ``at`` started later (same rule as
    ckanext.datathon.timeline), written as semi/anti-joins on the stage index."""
    s = Stage.__table__.alias("s")
    later = Stage.__table__.alias("later")
    c = Challenge.__table__
    other_current = sa.exists().where(
        later.c.challenge_id == s.c.challenge_id,
        later.c.starts <= at,
        later.c.ends >= at,
        sa.or_(
            later.c.starts > s.c.starts,
            sa.and_(later.c.starts == s.c.starts, later.c.position > s.c.position),
        ),
    )
    return c.c.id.in_(
        sa.select(s.c.challenge_id).where(
            s.c.stage == stage, s.c.starts <= at, s.c.ends >= at, ~other_current
        )
    )


_NOT_NULL_SORTS = {"created", "modified", "title", "name"}
_SORT_COLUMNS = {
    "created": Challenge.__table__.c.created,
    "modified": Challenge.__table__.c.modified,
    "title": sa.func.lower(Challenge.__table__.c.title),
    "name": Challenge.__table__.c.name,
    "registration_opens": Challenge.__table__.c.registration_opens,
    "registration_closes": Challenge.__table__.c.registration_closes,
    "submission_deadline": Challenge.__table__.c.submission_deadline,
}


@validate(schema.challenge_list)
@tk.side_effect_free
def challenge_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Challenges the user may see, newest first.

    :param q: words to find in the title, name or problem statement: each word must start a
        word of them (``transport`` finds "transporte")
    :type q: string
    :param owner_org: organization id or name
    :type owner_org: string
    :param state: ``active`` (default), ``draft`` (organizers) or ``deleted`` (sysadmins)
    :type state: string
    :param stage: only challenges whose current stage is this one
    :type stage: string
    :param phase: only challenges in this contest phase now: ``upcoming``, ``open``
        (registration open), ``development`` (registration closed, projects not yet due),
        ``judging`` or ``ended`` (judging closed or results published)
    :type phase: string
    :param sort: e.g. ``created desc`` (default), ``title asc``, ``registration_closes
        asc``, ``next_deadline asc`` (the first contest date still to come; challenges with
        none last)
    :type sort: string
    :param limit: page size (default 20, at most 100)
    :type limit: int
    :param offset: results to skip (default 0)
    :type offset: int
    :param facets: also count the matches per organization, per current stage and per phase
        (three more queries), as ``facets``
    :type facets: bool
    :returns: ``{"count": total, "results": [...]}`` (and ``facets``)
    :rtype: dict
    """
    who = viewer(context)
    kept = _kept_listing(data, who)
    if kept is not None and kept.text is not None:
        return json.loads(kept.text)
    result, rows = _challenge_list(data, who)
    if kept is not None:
        changes = [row.next_change for row in rows if row.next_change is not None]
        kept.keep(json.dumps(result), min(changes, default=None))
    return result


def _kept_listing(data: dict[str, Any], who: Any) -> page_cache.Kept | None:
    """Anonymous listings are the same for every anonymous viewer: kept like
    Solr keeps package_search's results, until the next write (or the next
    date that changes a listed challenge).  Facets and the stage filter
    count challenges beyond the page, whose dates are not at hand: not kept."""
    if who.user_id is not None or who.sysadmin or data["facets"] or data.get("stage"):
        return None
    # a phase or the next deadline changes with the dates of challenges not listed
    if data.get("phase") or data["sort"].startswith("next_deadline"):
        return None
    if page_cache.seconds() <= 0:
        return None
    return page_cache.Kept(f"challenge_list {json.dumps(data, sort_keys=True, default=str)}")


def _challenge_list(data: dict[str, Any], who: Any) -> tuple[dict[str, Any], list[Any]]:
    at = timeline.now()
    c = Challenge.__table__
    g = model.Group.__table__
    p = model.Package.__table__
    link = ChallengeDataset.__table__
    public_dataset_count = (
        sa.select(sa.func.count())
        .select_from(link.join(p, p.c.id == link.c.package_id))
        .where(link.c.challenge_id == c.c.id, p.c.state == "active", p.c.private.is_(False))
        .scalar_subquery()
    )
    conditions = [c.c.state == data["state"], visible_challenge(who)]
    if data.get("q"):
        conditions.append(_words_query(data["q"]))
    if data.get("owner_org"):
        conditions.append(
            c.c.owner_org.in_(
                sa.select(g.c.id).where(
                    sa.or_(g.c.id == data["owner_org"], g.c.name == data["owner_org"])
                )
            )
        )
    if data.get("stage"):
        conditions.append(_in_stage(data["stage"], at))
    if data.get("phase"):
        conditions.append(dictize.phase_column(at) == data["phase"])
    field, direction = data["sort"].split()
    column = dictize.next_deadline_column(at) if field == "next_deadline" else _SORT_COLUMNS[field]
    # ties broken by id in the same direction, so that (state, created, id)
    # serves the default sort from the index; dates may be unset: last
    order = [column, c.c.id]
    order = [o.desc() if direction == "desc" else o.asc() for o in order]
    if field not in _NOT_NULL_SORTS:
        order[0] = order[0].nulls_last()
    # the total rides along with the page: an uncorrelated subquery, which
    # PostgreSQL computes once (an InitPlan), from the index, in the same trip
    total = (
        sa.select(sa.func.count()).select_from(c).where(*conditions).scalar_subquery()
    ).correlate(None)
    query = (
        sa.select(
            *dictize.summary_columns(),
            g.c.name.label("org_name"),
            g.c.title.label("org_title"),
            public_dataset_count.label("dataset_count"),
            _submitted_projects_count().label("project_count"),
            *dictize.page_columns(at),
            total.label("total"),
        )
        .join(g, g.c.id == c.c.owner_org)
        .where(*conditions)
        .order_by(*order)
        .limit(data["limit"])
        .offset(data["offset"])
    )
    rows = model.Session.execute(query).all()
    if rows:
        count = rows[0].total
    elif not data["offset"]:
        count = 0
    else:  # past the last page
        count = model.Session.execute(
            sa.select(sa.func.count()).select_from(c).where(*conditions)
        ).scalar_one()
    result: dict[str, Any] = {"count": count, "results": dictize.summary_dicts(rows, at)}
    if data["facets"]:
        result["facets"] = _facets(conditions, at)
        # states the viewer may see, counted without the state filter
        result["facets"]["state"] = _state_facet(conditions[1:])
    return result, rows


def _submitted_projects_count() -> Any:
    """Submitted projects of each challenge row (public ones: no per-viewer part)."""
    from ckanext.datathon.model.project import Project

    pr = Project.__table__
    p = model.Package.__table__
    c = Challenge.__table__
    return (
        sa.select(sa.func.count())
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(
            pr.c.challenge_id == c.c.id,
            pr.c.submission_status == "submitted",
            p.c.state == "active",
        )
        .scalar_subquery()
    )


def _state_facet(conditions: list[Any]) -> list[dict[str, Any]]:
    c = Challenge.__table__
    rows = model.Session.execute(
        sa.select(c.c.state, sa.func.count()).where(*conditions).group_by(c.c.state)
    ).all()
    return [{"name": state, "display_name": state, "count": n} for state, n in rows]


def _facets(conditions: list[Any], at: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    c = Challenge.__table__
    g = model.Group.__table__
    orgs = model.Session.execute(
        sa.select(g.c.name, g.c.title, sa.func.count())
        .select_from(c.join(g, g.c.id == c.c.owner_org))
        .where(*conditions)
        .group_by(g.c.name, g.c.title)
    ).all()
    current = dictize.current_stage_column(at).label("stage")
    stages = model.Session.execute(
        sa.select(current, sa.func.count()).select_from(c).where(*conditions).group_by(current)
    ).all()
    return {
        "owner_org": [
            {"name": name, "display_name": title or name, "count": n} for name, title, n in orgs
        ],
        "stage": [
            {"name": stage, "display_name": stage, "count": n}
            for stage, n in stages
            if stage is not None
        ],
        "phase": _phase_facet(conditions, at),
    }


def _phase_facet(conditions: list[Any], at: dt.datetime) -> list[dict[str, Any]]:
    """Matches per contest phase, in the phases' order."""
    c = Challenge.__table__
    phase = dictize.phase_column(at).label("phase")
    counts = dict(
        model.Session.execute(
            sa.select(phase, sa.func.count()).select_from(c).where(*conditions).group_by(phase)
        ).all()
    )
    return [
        {"name": name, "display_name": name, "count": counts[name]}
        for name in dictize.PHASES
        if counts.get(name)
    ]


# -- dataset links ------------------------------------------------------------


@validate(schema.challenge_dataset_add, aliases={"dataset_id": "dataset"})
def challenge_dataset_add(context: Context, data: DataDict) -> dict[str, Any]:
    """Link a portal dataset to a challenge (or change the link's role/note).

    :param id: challenge id or name
    :type id: string
    :param dataset: dataset id or name (``dataset_id``: deprecated)
    :type dataset: string
    :param role: ``primary`` (default), ``supporting`` or ``context``
    :type role: string
    :param note: why this data matters to the problem
    :type note: string
    :returns: the link ``{challenge_id, dataset_id, role, note}``
    :rtype: dict
    """
    challenge = _get_readable(context, data["id"])
    harvested.refuse_copy(context, challenge)
    package = model.Package.get(data["dataset"])
    if package is None or package.state != "active" or package.type == "project":
        raise tk.ValidationError({"dataset": [_("Dataset not found")]})
    existing = model.Session.get(ChallengeDataset, (challenge.id, package.id))
    if existing is None:
        linked = model.Session.execute(
            sa.select(sa.func.count())
            .select_from(ChallengeDataset.__table__)
            .where(ChallengeDataset.challenge_id == challenge.id)
        ).scalar_one()
        if linked >= MAX_DATASET_LINKS:
            raise tk.ValidationError(
                {
                    "dataset": [
                        _("A challenge links at most {n} datasets").format(n=MAX_DATASET_LINKS)
                    ]
                }
            )
        existing = ChallengeDataset(challenge_id=challenge.id, package_id=package.id)
        model.Session.add(existing)
    existing.role = data["role"]
    existing.note = data["note"]
    challenge.modified = timeline.now()
    try:
        model.Session.flush()
    except IntegrityError:
        # a concurrent request linked it first: the link exists, which is what was asked
        model.Session.rollback()
    commit(context)
    return {
        "challenge_id": challenge.id,
        "dataset_id": package.id,
        "role": data["role"],
        "note": data["note"],
    }


@validate(schema.challenge_dataset_remove, aliases={"dataset_id": "dataset"})
def challenge_dataset_remove(context: Context, data: DataDict) -> None:
    """Unlink a dataset from a challenge (nothing happens if it was not linked).

    :param id: the id or name of the challenge
    :type id: string
    :param dataset: the id or name of the dataset (``dataset_id``: deprecated)
    :type dataset: string
    """
    challenge = _get_readable(context, data["id"])
    harvested.refuse_copy(context, challenge)
    package = model.Package.get(data["dataset"])
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    model.Session.execute(
        sa.delete(ChallengeDataset).where(
            ChallengeDataset.challenge_id == challenge.id,
            ChallengeDataset.package_id == package.id,
        )
    )
    commit(context)


@validate(schema.challenge_dataset_list, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def challenge_dataset_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Datasets linked to a challenge that the user may read, paged.

    :param id: the id or name of the challenge
    :type id: string
    :param limit: page size (default 20, at most 100)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :returns: ``{"count": total, "results": [...]}``
    :rtype: dict
    """
    challenge = _get_readable(context, data["id"])
    count, results = dictize.dataset_links(
        challenge.id, viewer(context), limit=data["limit"], offset=data["offset"]
    )
    return {"count": count, "results": results}


@validate(schema.dataset_challenge_counts)
@tk.side_effect_free
def dataset_challenge_counts(context: Context, data: DataDict) -> dict[str, Any]:
    """How many challenges use each of these datasets, for the current user:
    one query for a whole page of search results (the dataset search page's
    "used in N challenges" mark; ``package_search``'s output stays core's).
    Datasets the user may not read, and challenges they may not see, are not
    counted; a dataset no challenge uses is left out.

    :param ids: dataset ids (a list or a comma-separated string; at most 1000)
    :type ids: list of strings
    :returns: ``{"counts": {dataset id: number of challenges}}``
    :rtype: dict
    """
    if not data["ids"]:
        return {"counts": {}}
    who = viewer(context)
    c = Challenge.__table__
    p = model.Package.__table__
    link = ChallengeDataset.__table__
    rows = model.Session.execute(
        sa.select(link.c.package_id, sa.func.count(sa.distinct(c.c.id)))
        .select_from(
            link.join(c, c.c.id == link.c.challenge_id).join(p, p.c.id == link.c.package_id)
        )
        .where(
            link.c.package_id.in_(data["ids"]),
            c.c.state != "deleted",
            visible_challenge(who),
            p.c.state == "active",
            readable_dataset(who, p),
        )
        .group_by(link.c.package_id)
    ).all()
    return {"counts": dict(rows)}


@validate(schema.dataset_challenge_list, hide=lambda: _("Dataset not found"))
@tk.side_effect_free
def dataset_challenge_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Which challenges use this dataset, for the current user.

    Computed at read time from the links (never stored in the search index,
    where it would go stale and leak private challenges).

    :param id: dataset id or name
    :type id: string
    :param projects_limit: projects per page (default and most:
        ``ckanext.datathon.dataset_projects_max``, 20)
    :type projects_limit: int
    :param projects_offset: projects to skip (default 0)
    :type projects_offset: int
    :returns: ``{"challenges": [...], "projects": [...], "project_count": n,
        "impact": [...]}``: ``projects`` is one page of the ``project_count``
        projects the viewer may see, each ``{id, name, title, team_name,
        submission_status, submitted_at, challenge: {id, name, title} | None,
        award: {rank, title, citation, prize_title, amount, currency} | None}``
        (``award`` once the challenge's results are published).  One SQL
        statement.
    :rtype: dict
    """
    package = model.Package.get(data["id"])
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    # the four lists in one statement (the dataset page's budget, issue 21)
    return used_by_queries.used_by(
        package.id,
        viewer(context),
        data["projects_limit"],
        data["projects_offset"],
        timeline.now(),
    )


# -- allies ---------------------------------------------------------------------


@validate(schema.challenge_ally_create, aliases={"challenge_id": "challenge"})
def challenge_ally_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Name a strategic ally of a challenge.

    :param challenge: the id or name of the challenge (``challenge_id``: deprecated)
    :type challenge: string
    :param name: the ally's name (one line)
    :type name: string
    :param kind: ``government``, ``civil_society``, ``academia``, ``private`` or
        ``international``
    :type kind: string
    :param url: an http(s) URL
    :type url: string
    :param logo_url: an http(s) URL of the logo
    :type logo_url: string
    :param description: what the ally brings
    :type description: string
    :returns: the ally ``{id, challenge_id, name, kind, url, logo_url, description,
        created}``
    :rtype: dict
    """
    challenge = _get_readable(context, data["challenge"])
    harvested.refuse_copy(context, challenge)
    ally = Ally(
        challenge_id=challenge.id,
        name=data["name"],
        kind=data["kind"],
        url=data["url"],
        logo_url=data["logo_url"],
        description=data["description"],
        created=timeline.now(),
    )
    model.Session.add(ally)
    challenge.modified = timeline.now()
    model.Session.flush()
    commit(context)
    return dictize.ally_dict(ally)


@validate(schema.challenge_ally_update)
def challenge_ally_update(context: Context, data: DataDict) -> dict[str, Any]:
    """Change an ally of a challenge (organizers): every field is replaced.

    :param name: the ally's name (one line)
    :type name: string
    :param kind: ``government``, ``civil_society``, ``academia``, ``private`` or
        ``international``
    :type kind: string
    :param url: an http(s) URL
    :type url: string
    :param logo_url: an http(s) URL of the logo
    :type logo_url: string
    :param description: what the ally brings
    :type description: string
    :param id: the id of the ally
    :type id: string
    :returns: the ally, as ``challenge_show`` lists it
    :rtype: dict
    """
    ally = lookup.ally(data["id"])
    harvested.refuse_copy(context, ally.challenge_id if ally else None)
    if ally is None:
        raise tk.ObjectNotFound(_("Ally not found"))
    for key in ("name", "kind", "url", "logo_url", "description"):
        setattr(ally, key, data[key])
    commit(context)
    return dictize.ally_dict(ally)


@validate(schema.challenge_ally_delete)
def challenge_ally_delete(context: Context, data: DataDict) -> None:
    """Remove an ally from a challenge (organizers).

    :param id: the id of the ally
    :type id: string
    """
    ally = lookup.ally(data["id"])
    harvested.refuse_copy(context, ally.challenge_id if ally else None)
    if ally is None:
        raise tk.ObjectNotFound(_("Ally not found"))
    model.Session.delete(ally)
    commit(context)


# -- core actions ------------------------------------------------------------------


@tk.chained_action
def organization_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    """An organization that still owns challenges cannot be deleted (as CKAN
    refuses to delete one that still has datasets); purging one removes them."""
    lookup.require_refs(data_dict, "id")
    org = model.Group.get(data_dict.get("id")) if isinstance(data_dict, dict) else None
    if org is not None and isinstance(data_dict.get("id"), str):
        owned = model.Session.execute(
            sa.select(sa.func.count())
            .select_from(Challenge.__table__)
            .where(Challenge.owner_org == org.id, Challenge.state != "deleted")
        ).scalar_one()
        if owned:
            raise tk.ValidationError(
                {"id": [_("Organization cannot be deleted while it still has challenges")]}
            )
    return original(context, data_dict)
