"""Challenge objects to API dicts, with the parts they own fetched in batches.

No function here issues a query per item: related rows of a page of
challenges come from one query per kind of row (or from subqueries of the
page query itself).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

import ckan.model as model

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic.visibility import Viewer, readable_dataset
from ckanext.datathon.model import (
    CONTEST_DATES,
    Ally,
    Challenge,
    ChallengeDataset,
    Prize,
    Results,
    Stage,
)

BASE_FIELDS = (
    "id",
    "name",
    "title",
    "owner_org",
    "problem_statement",
    "description",
    "image_url",
    "tags",
    "state",
    "created",
    "modified",
    "published",
    "creator_user_id",
    "registration_opens",
    "registration_closes",
    "submission_deadline",
    "judging_closes",
    "results_date",
    "max_team_size",
    "min_team_size",
    "allowed_licences",
    "require_open_data",
    "require_rules_acceptance",
    "eligibility",
    "rules_text",
    "timezone",
)


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _columns(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    return {n: jsonable(getattr(obj, n)) for n in names}


def _prize_dict(p: Any) -> dict[str, Any]:
    return {
        "rank": p.rank,
        "title": p.title,
        "amount": jsonable(p.amount),
        "currency": p.currency,
        "description": p.description,
    }


def prize_totals(prizes: Sequence[Any]) -> list[dict[str, Any]]:
    """Sum of prize amounts per currency (prizes without amount are skipped)."""
    totals: dict[str, decimal.Decimal] = defaultdict(decimal.Decimal)
    for p in prizes:
        if p.amount is not None and p.currency:
            totals[p.currency] += p.amount
    return [{"currency": cur, "amount": f"{amt:.2f}"} for cur, amt in sorted(totals.items())]


def _stages_by_challenge(ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    rows = model.Session.execute(
        sa.select(Stage.challenge_id, Stage.stage, Stage.starts, Stage.ends, Stage.notes).where(
            Stage.challenge_id.in_(ids)
        )
    ).all()
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        result[row.challenge_id].append(
            {"stage": row.stage, "starts": row.starts, "ends": row.ends, "notes": row.notes}
        )
    return result


def _prizes_by_challenge(ids: Sequence[str]) -> dict[str, list[Any]]:
    rows = model.Session.scalars(
        sa.select(Prize).where(Prize.challenge_id.in_(ids)).order_by(Prize.rank)
    ).all()
    result: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        result[row.challenge_id].append(row)
    return result


def timeline_dict(
    stages: Sequence[dict[str, Any]], at: dt.datetime | None = None
) -> dict[str, Any]:
    computed = timeline.stage_statuses(stages, at)
    computed["timeline"] = [
        {k: jsonable(v) for k, v in entry.items()} for entry in computed["timeline"]
    ]
    return computed


def organization_dicts(org_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    g = model.Group.__table__
    rows = model.Session.execute(
        sa.select(g.c.id, g.c.name, g.c.title, g.c.image_url).where(g.c.id.in_(set(org_ids)))
    ).all()
    return {
        r.id: {"id": r.id, "name": r.name, "title": r.title or r.name, "image_url": r.image_url}
        for r in rows
    }


def dataset_links(
    challenge_id: str, viewer: Viewer, limit: int | None = None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Linked datasets the viewer may read, with role, note and resource count."""
    p = model.Package.__table__
    r = model.Resource.__table__
    link = ChallengeDataset.__table__
    g = model.Group.__table__
    num_resources = (
        sa.select(sa.func.count())
        .select_from(r)
        .where(r.c.package_id == p.c.id, r.c.state == "active")
        .scalar_subquery()
    )
    query = (
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            p.c.notes,
            p.c.private,
            p.c.owner_org,
            g.c.title.label("organization_title"),
            link.c.role,
            link.c.note,
            num_resources.label("num_resources"),
            sa.func.count().over().label("total"),
        )
        .select_from(
            link.join(p, p.c.id == link.c.package_id).outerjoin(g, g.c.id == p.c.owner_org)
        )
        .where(link.c.challenge_id == challenge_id, readable_dataset(viewer, p))
        .order_by(
            sa.case({"primary": 0, "supporting": 1, "context": 2}, value=link.c.role),
            p.c.title,
            p.c.name,
        )
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = model.Session.execute(query).all()
    total = rows[0].total if rows else 0
    if not rows and offset:
        total = model.Session.execute(
            sa.select(sa.func.count())
            .select_from(link.join(p, p.c.id == link.c.package_id))
            .where(link.c.challenge_id == challenge_id, readable_dataset(viewer, p))
        ).scalar_one()
    return total, [
        {
            "id": row.id,
            "name": row.name,
            "title": row.title or row.name,
            "notes": row.notes or "",
            "private": row.private,
            "owner_org": row.owner_org,
            "organization_title": row.organization_title,
            "role": row.role,
            "note": row.note,
            "num_resources": row.num_resources,
        }
        for row in rows
    ]


def ally_dict(a: Any) -> dict[str, Any]:
    return _columns(
        a, ("id", "challenge_id", "name", "kind", "url", "logo_url", "description", "created")
    )


def challenge_dict(
    challenge: Challenge, viewer: Viewer, *, include_datasets: bool = True
) -> dict[str, Any]:
    """The full dict of one challenge, as challenge_show returns it."""
    data = _columns(challenge, BASE_FIELDS)
    data["organization"] = organization_dicts([challenge.owner_org]).get(challenge.owner_org)
    prizes = _prizes_by_challenge([challenge.id]).get(challenge.id, [])
    data["prizes"] = [_prize_dict(p) for p in prizes]
    data["prize_total"] = prize_totals(prizes)
    data.update(timeline_dict(_stages_by_challenge([challenge.id]).get(challenge.id, [])))
    allies = model.Session.scalars(
        sa.select(Ally).where(Ally.challenge_id == challenge.id).order_by(Ally.created, Ally.name)
    ).all()
    data["allies"] = [ally_dict(a) for a in allies]
    total, datasets = dataset_links(challenge.id, viewer) if include_datasets else (None, None)
    if include_datasets:
        data["datasets"] = datasets
        data["dataset_count"] = total
    data["registration_open"] = registration_open(challenge)
    return data


def registration_open(challenge: Any, at: dt.datetime | None = None) -> bool:
    at = at or timeline.now()
    return bool(
        challenge.state == "active"
        and challenge.registration_opens is not None
        and challenge.registration_closes is not None
        and challenge.registration_opens <= at <= challenge.registration_closes
    )


SUMMARY_FIELDS = tuple(
    f
    for f in BASE_FIELDS
    if f not in ("description", "eligibility", "rules_text", "allowed_licences")
)


def current_stage_column(at: dt.datetime) -> Any:
    """The current stage of each challenge row at ``at``, as a correlated
    subquery: of the windows holding ``at``, the one that started last, then
    the later in method order (the rule of ``timeline.stage_statuses``)."""
    s = Stage.__table__
    c = Challenge.__table__
    return (
        sa.select(s.c.stage)
        .where(s.c.challenge_id == c.c.id, s.c.starts <= at, s.c.ends >= at)
        .order_by(s.c.starts.desc(), s.c.position.desc())
        .limit(1)
        .scalar_subquery()
    )


def next_stage_column(at: dt.datetime) -> Any:
    """The next stage of each challenge row: the first to start after ``at``."""
    s = Stage.__table__
    c = Challenge.__table__
    return (
        sa.select(s.c.stage)
        .where(s.c.challenge_id == c.c.id, s.c.starts > at)
        .order_by(s.c.starts, s.c.position)
        .limit(1)
        .scalar_subquery()
    )


def next_change_column(at: dt.datetime) -> Any:
    """When each challenge row's listing changes by itself after ``at``: the
    first stage start or end, or registration date, still to come (NULL:
    never)."""
    s = Stage.__table__
    c = Challenge.__table__

    def first(column: Any, condition: Any) -> Any:
        return (
            sa.select(sa.func.min(column))
            .where(s.c.challenge_id == c.c.id, condition)
            .scalar_subquery()
        )

    return sa.func.least(
        first(s.c.starts, s.c.starts > at),
        first(s.c.ends, s.c.ends >= at),
        _after(c.c.registration_opens, at),
        _after(c.c.registration_closes, at),
        # the phase changes at these too
        _after(c.c.submission_deadline, at),
        _after(c.c.judging_closes, at),
    )


# The contest phases of a published challenge, in order (``phase_column``).
PHASES = ("upcoming", "open", "development", "judging", "ended")


def phase_column(at: dt.datetime) -> Any:
    """The contest phase of each challenge row at ``at``: ``upcoming`` before
    registration opens, ``open`` while it is open (both ends included, as
    :func:`registration_open`), ``development`` until the submission deadline,
    ``judging`` until judging closes, ``ended`` after it or once the results
    are published; NULL for a challenge without the dates."""
    c = Challenge.__table__
    published = sa.exists().where(Results.__table__.c.challenge_id == c.c.id)
    return sa.case(
        (sa.or_(published, c.c.judging_closes < at), "ended"),
        (c.c.submission_deadline < at, "judging"),
        (c.c.registration_closes < at, "development"),
        (c.c.registration_opens <= at, "open"),
        (c.c.registration_opens > at, "upcoming"),
        else_=None,
    )


def next_deadline_column(at: dt.datetime) -> Any:
    """The first contest date of each challenge row still to come after
    ``at`` (NULL: none), for sorting by the next deadline."""
    c = Challenge.__table__
    return sa.func.least(*(_after(c.c[d], at) for d in CONTEST_DATES))


def _after(column: Any, at: dt.datetime) -> Any:
    """``column`` when it is later than ``at``, else NULL (LEAST skips NULLs)."""
    return sa.case((column > at, column), else_=None)


def page_columns(at: dt.datetime) -> list[Any]:
    """Extra columns of a listing query: the prizes of each row as JSON and
    its current and next stage at ``at``, computed by PostgreSQL only for the
    rows of the page (it evaluates subqueries after ORDER BY/LIMIT)."""
    c = Challenge.__table__
    p = Prize.__table__
    prizes = (
        sa.select(
            sa.func.json_agg(
                aggregate_order_by(
                    sa.func.json_build_object(
                        "rank",
                        p.c.rank,
                        "title",
                        p.c.title,
                        "amount",
                        p.c.amount,
                        "currency",
                        p.c.currency,
                        "description",
                        p.c.description,
                    ),
                    p.c.rank,
                )
            )
        )
        .where(p.c.challenge_id == c.c.id)
        .scalar_subquery()
    )
    return [
        prizes.label("prizes_json"),
        current_stage_column(at).label("current_stage"),
        next_stage_column(at).label("next_stage"),
        next_change_column(at).label("next_change"),
        phase_column(at).label("phase"),
    ]


def summary_columns() -> list[Any]:
    """The challenge columns a listing shows, to select instead of the whole
    ``Challenge``: its long texts (description, rules, eligibility) stay in
    the table, and rows need no ORM instances."""
    c = Challenge.__table__
    return [c.c[name] for name in SUMMARY_FIELDS]


def summary_dicts(rows: Sequence[Any], at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Listing dicts for rows of (Challenge or ``summary_columns()``, org_name,
    org_title, dataset_count, project_count, ``page_columns(at)``): no
    further query."""
    result = []
    for row in rows:
        c = row.Challenge if "Challenge" in row._fields else row
        data = _columns(c, SUMMARY_FIELDS)
        data["organization"] = {"id": c.owner_org, "name": row.org_name, "title": row.org_title}
        prizes = [
            SimpleNamespace(
                rank=p["rank"],
                title=p["title"],
                amount=None if p["amount"] is None else decimal.Decimal(str(p["amount"])),
                currency=p["currency"],
                description=p["description"],
            )
            for p in row.prizes_json or []
        ]
        data["prizes"] = [_prize_dict(p) for p in prizes]
        data["prize_total"] = prize_totals(prizes)
        data["current_stage"] = row.current_stage
        data["next_stage"] = row.next_stage
        data["dataset_count"] = row.dataset_count
        data["project_count"] = row.project_count
        data["registration_open"] = registration_open(c, at)
        data["phase"] = getattr(row, "phase", None)
        result.append(data)
    return result
