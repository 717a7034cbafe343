"""Actions of the jury: jurors, criteria, scores, recusals, ranking, awards.

Scoring rules (checked here and, for who may score, in ``logic.auth.jury``):
only jurors of the challenge score, only submitted projects, only while
``submission_deadline < now <= judging_closes``, never a project whose team
the juror is on or one they recused from, integers ``0..max_score`` only.
Once the results are published, jurors, criteria, scores and recusals are
frozen, so the published ranking cannot change under the public's eyes.

Ranking (``challenge_ranking``, one SQL query):

* a score counts unless its juror is on the project's team or recused from
  it (also when that happened after scoring);
* for each (project, criterion): the mean of the jurors' scores, normalised
  by the criterion's ``max_score`` (so a 0-10 criterion and a 0-5 criterion
  of equal weight weigh the same);
* the project's ``score`` = 100 x the weighted mean of those means over the
  criteria that received at least one score (weights = criterion weights):
  ``100 * sum(w_c * mean_c / max_c) / sum(w_c)``; projects without any score
  come last with ``score`` null;
* an unscored criterion does **not** count as 0: a criterion no juror scored
  on a project is left out of that project's weighted mean (its weight leaves
  the denominator too).  A missing score is the jury's omission, not the
  team's failure, so it must not sink the project; the jury page shows the
  organizers each juror's completion so that gaps are closed before results
  are published;
* ties are broken, in order, by: more jurors who scored the project, earlier
  ``submitted_at``, title (case-insensitive), then package id.  ``rank`` is
  the position after the tie-break (1, 2, 3, ...); ``score_rank`` is the
  competition rank on the score alone (1, 1, 3, ...), to show ex aequo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datathon import config
from ckanext.datathon.lib import activity, moments, timeline
from ckanext.datathon.logic import harvested, jobs, lookup, project_rules
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.logic.auth import jury as rules
from ckanext.datathon.logic.dictize import jsonable
from ckanext.datathon.logic.queries import jury as jury_queries
from ckanext.datathon.logic.schema import jury as jury_schema
from ckanext.datathon.logic.validate import commit, validate
from ckanext.datathon.logic.visibility import viewer
from ckanext.datathon.model import (
    Award,
    Challenge,
    Criterion,
    Juror,
    Prize,
    Project,
    Recusal,
    Results,
    ResultsSnapshot,
    Score,
)

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


# -- helpers ---------------------------------------------------------------------------


def _scores(data_dict: DataDict, schema_: dict[str, Any]) -> dict[str, list[str]]:
    """Before navl: ``scores`` is a non-empty, bounded list of objects."""
    if "scores" not in schema_:
        return {}
    scores = data_dict.get("scores")
    if not isinstance(scores, list) or not scores or not all(isinstance(s, dict) for s in scores):
        return {"scores": [_("Must be a non-empty list of objects")]}
    if len(scores) > jury_schema.MAX_SCORES_PER_CALL:
        return {
            "scores": [_("At most {n} scores per call").format(n=jury_schema.MAX_SCORES_PER_CALL)]
        }
    return {}


def _challenge(context: Context, ref: Any) -> Challenge:
    challenge = lookup.challenge(context, ref)
    if challenge is None:
        raise tk.ObjectNotFound(_("Challenge not found"))
    return challenge


def _user(username: str) -> model.User:
    user = model.User.get(username)
    if user is None or user.state != "active":
        raise tk.ValidationError({"user": [_("User not found")]})
    return user


def _not_published(challenge_id: str, key: str = "id") -> None:
    """Refuse once the results are published, under the shared results lock
    (so a concurrent publication either sees this change or refuses it)."""
    frozen.ensure_not_published(challenge_id, key, frozen.JURY)


def _savepoint_flush(errors: dict[str, list[str]], *objects: Any) -> None:
    """Add and flush inside a savepoint; a unique violation becomes ``errors``
    (the caller's other pending work is kept)."""
    try:
        with model.Session.begin_nested():
            for obj in objects:
                model.Session.add(obj)
            model.Session.flush()
    except IntegrityError:
        raise tk.ValidationError(errors) from None


def judging_error(challenge: Challenge, at: dt.datetime | None = None) -> str | None:
    """Why projects of this challenge cannot be scored now (None: they can)."""
    at = at or timeline.now()
    if challenge.state != "active":
        return _("The challenge is not published")
    deadline, closes = challenge.submission_deadline, challenge.judging_closes
    if deadline is None or closes is None:
        return _("The challenge has no judging dates")
    if at <= deadline:
        return _("Judging opens after the submission deadline ({date})").format(
            date=moments.show(deadline, challenge.timezone)
        )
    if at > closes:
        return _("Judging closed on {date}").format(date=moments.show(closes, challenge.timezone))
    return None


def publish_error(challenge: Challenge, at: dt.datetime | None = None) -> str | None:
    """Why the results of this challenge cannot be published now (None: they can)."""
    at = at or timeline.now()
    if challenge.state != "active":
        return _("The challenge is not published")
    if challenge.submission_deadline is None or at <= challenge.submission_deadline:
        return _("Results are published after the submission deadline")
    return None


def _user_dict(user_id: str, name: str, fullname: str | None) -> dict[str, Any]:
    return {"user_id": user_id, "name": name, "display_name": fullname or name}


def _criterion_dict(c: Criterion) -> dict[str, Any]:
    return {
        "id": c.id,
        "challenge_id": c.challenge_id,
        "name": c.name,
        "description": c.description,
        "weight": float(c.weight),
        "max_score": c.max_score,
        "position": c.position,
    }


def _award_dict(a: Award, prize: Prize | None) -> dict[str, Any]:
    return {
        "id": a.id,
        "challenge_id": a.challenge_id,
        "project_id": a.project_id,
        "rank": a.rank,
        "title": a.title,
        "citation": a.citation,
        "prize": None
        if prize is None
        else {
            "rank": prize.rank,
            "title": prize.title,
            "amount": jsonable(prize.amount),
            "currency": prize.currency,
        },
    }


# -- jurors ----------------------------------------------------------------------------


@validate(jury_schema.juror_member, aliases={"username": "user"})
def challenge_juror_add(context: Context, data: DataDict) -> dict[str, Any]:
    """Appoint a user to the jury of a challenge (again: nothing changes).
    A new juror is e-mailed when mail is configured (a background job, ``logic.jobs``).

    :param id: challenge id or name
    :type id: string
    :param user: user name or id (``username``: deprecated)
    :type user: string
    :returns: the juror ``{challenge_id, user_id, name, display_name}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    harvested.refuse_copy(context, challenge)
    _not_published(challenge.id)
    user = _user(data["user"])
    if project_rules.teams_in_challenge(challenge.id, user.id):
        raise tk.ValidationError(
            {
                "user": [
                    _(
                        "This person is on a team of this challenge: "
                        "team members are never its jurors"
                    )
                ]
            }
        )
    appointed = model.Session.execute(
        pg_insert(Juror)
        .values(challenge_id=challenge.id, user_id=user.id, created=timeline.now())
        .on_conflict_do_nothing()
    ).rowcount
    commit(context)
    if appointed:
        jobs.juror_appointed(challenge.id, user.id)
    return {"challenge_id": challenge.id, **_user_dict(user.id, user.name, user.fullname)}


@validate(jury_schema.juror_member, aliases={"username": "user"})
def challenge_juror_remove(context: Context, data: DataDict) -> None:
    """Remove a juror; their scores of this challenge go with them.

    :param id: challenge id or name
    :type id: string
    :param user: user name or id (``username``: deprecated)
    :type user: string
    """
    challenge = _challenge(context, data["id"])
    harvested.refuse_copy(context, challenge)
    _not_published(challenge.id)
    user = model.User.get(data["user"])
    deleted = (
        model.Session.execute(
            sa.delete(Juror).where(Juror.challenge_id == challenge.id, Juror.user_id == user.id)
        ).rowcount
        if user is not None
        else 0
    )
    if not deleted:
        raise tk.ValidationError({"user": [_("Not a juror of this challenge")]})
    commit(context)


@validate(jury_schema.challenge_id)
@tk.side_effect_free
def challenge_juror_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The jury of a challenge (organizers and jurors).  Organizers also see
    each juror's progress: ``scored_projects`` out of ``projects``.

    :param id: challenge id or name
    :type id: string
    :returns: ``{"count", "projects", "results": [...]}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    organizer = project_rules.is_organizer(context.get("user"), challenge.owner_org)
    j = Juror.__table__
    u = model.User.__table__
    s = Score.__table__
    scored = (
        sa.select(sa.func.count(sa.distinct(s.c.project_id)))
        .where(s.c.challenge_id == j.c.challenge_id, s.c.juror_user_id == j.c.user_id)
        .scalar_subquery()
    )
    rows = model.Session.execute(
        sa.select(u.c.id, u.c.name, u.c.fullname, j.c.created, scored.label("scored"))
        .select_from(j.join(u, u.c.id == j.c.user_id))
        .where(j.c.challenge_id == challenge.id, u.c.state == "active")
        .order_by(u.c.name)
    ).all()
    results = []
    for r in rows:
        entry = {**_user_dict(r.id, r.name, r.fullname), "created": jsonable(r.created)}
        if organizer:
            entry["scored_projects"] = r.scored
        results.append(entry)
    result: dict[str, Any] = {"count": len(results), "results": results}
    if organizer:
        result["projects"] = _submitted_count(challenge.id)
    return result


def _submitted_count(challenge_id: str) -> int:
    pr = Project.__table__
    p = model.Package.__table__
    return model.Session.execute(
        sa.select(sa.func.count())
        .select_from(pr.join(p, p.c.id == pr.c.package_id))
        .where(
            pr.c.challenge_id == challenge_id,
            pr.c.submission_status == "submitted",
            p.c.state == "active",
        )
    ).scalar_one()


# -- criteria ---------------------------------------------------------------------------


@validate(jury_schema.criterion_create, aliases={"challenge_id": "challenge"})
def challenge_criterion_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Add a judging criterion to a challenge.

    :param challenge: challenge id or name (``challenge_id``: deprecated)
    :type challenge: string
    :param name: the criterion's name (one line)
    :type name: string
    :param description: what the jury looks for
    :type description: string
    :param weight: a number above 0 (default 1)
    :type weight: number
    :param max_score: the highest score, 1-100 (default 5)
    :type max_score: int
    :param position: display order (default: after the others)
    :type position: int
    :returns: the criterion ``{id, challenge_id, name, description, weight, max_score,
        position}``
    :rtype: dict
    """
    challenge = _challenge(context, data["challenge"])
    harvested.refuse_copy(context, challenge)
    _not_published(challenge.id, "challenge")
    position = data.get("position")
    if position is None:
        position = model.Session.execute(
            sa.select(sa.func.coalesce(sa.func.max(Criterion.position) + 1, 0)).where(
                Criterion.challenge_id == challenge.id
            )
        ).scalar_one()
    criterion = Criterion(
        challenge_id=challenge.id,
        name=data["name"],
        description=data["description"],
        weight=data["weight"],
        max_score=data["max_score"],
        position=position,
        created=timeline.now(),
    )
    _savepoint_flush(
        {"name": [_("This challenge already has a criterion of that name")]}, criterion
    )
    commit(context)
    return _criterion_dict(criterion)


def _criterion(ref: Any, *, lock: bool = False) -> Criterion:
    if not isinstance(ref, str) or not ref or "\x00" in ref:
        raise tk.ObjectNotFound(_("Criterion not found"))
    query = sa.select(Criterion).where(Criterion.id == ref)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    criterion = model.Session.scalars(query).first()
    if criterion is None:
        raise tk.ObjectNotFound(_("Criterion not found"))
    return criterion


@validate(jury_schema.criterion_update)
def challenge_criterion_update(context: Context, data: DataDict) -> dict[str, Any]:
    """Change a criterion; fields not given keep their value.  ``max_score``
    cannot go below a score already given on it.

    :param id: criterion id
    :type id: string
    :param name: the criterion's name (one line)
    :type name: string
    :param description: what the jury looks at
    :type description: string
    :param weight: a number above 0, at most 1000
    :type weight: number
    :param max_score: highest score (1-100)
    :type max_score: int
    :param position: order among the criteria (0-10000)
    :type position: int
    :returns: the criterion, as ``challenge_criterion_create`` returns it
    :rtype: dict
    """
    # the lock makes concurrent project_score calls (FOR SHARE) wait
    criterion = _criterion(data["id"], lock=True)
    harvested.refuse_copy(context, criterion.challenge_id)
    _not_published(criterion.challenge_id)
    new_max = data.get("max_score")
    if new_max is not None and new_max < criterion.max_score:
        highest = model.Session.execute(
            sa.select(sa.func.max(Score.score)).where(Score.criterion_id == criterion.id)
        ).scalar()
        if highest is not None and highest > new_max:
            raise tk.ValidationError(
                {
                    "max_score": [
                        _("A score of {n} was already given on this criterion").format(n=highest)
                    ]
                }
            )
    for key in ("name", "description", "weight", "max_score", "position"):
        if key in data:
            setattr(criterion, key, data[key])
    _savepoint_flush({"name": [_("This challenge already has a criterion of that name")]})
    commit(context)
    return _criterion_dict(criterion)


@validate(jury_schema.criterion_id)
def challenge_criterion_delete(context: Context, data: DataDict) -> None:
    """Delete a criterion and every score given on it.

    :param id: criterion id
    :type id: string
    """
    criterion = _criterion(data["id"], lock=True)
    harvested.refuse_copy(context, criterion.challenge_id)
    _not_published(criterion.challenge_id)
    model.Session.execute(sa.delete(Criterion).where(Criterion.id == criterion.id))
    commit(context)


@validate(jury_schema.challenge_id, hide=lambda: _("Challenge not found"))
@tk.side_effect_free
def challenge_criterion_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The judging criteria of a challenge, in display order (public with
    the challenge).

    :param id: challenge id or name
    :type id: string
    :returns: ``{"count", "results": [...]}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    results = [_criterion_dict(c) for c in _criteria(challenge.id)]
    return {"count": len(results), "results": results}


def _criteria(challenge_id: str) -> list[Criterion]:
    return list(
        model.Session.scalars(
            sa.select(Criterion)
            .where(Criterion.challenge_id == challenge_id)
            .order_by(Criterion.position, Criterion.name, Criterion.id)
        )
    )


# -- scoring ----------------------------------------------------------------------------


@validate(jury_schema.project_score, shapes=_scores)
def project_score(context: Context, data: DataDict) -> dict[str, Any]:
    """Score a project on one or more criteria (a juror of its challenge, in
    the judging window).  Scoring a criterion again replaces the score.

    :param project: project id or name
    :type project: string
    :param scores: list of ``{criterion: id, score: integer 0..max_score, comment: text}``
    :type scores: list of dicts
    :returns: the caller's scores of the project (``project_score_list``)
    :rtype: dict
    """
    _pkg, project, challenge = rules.readable_project(context, data["project"])
    juror_id = viewer(context).user_id
    # (also when the caller skipped auth: only jurors without conflict score)
    message = rules.judging_conflict(juror_id, project)
    if message:
        raise tk.NotAuthorized(message)
    if project.submission_status != "submitted":
        raise tk.ValidationError({"project": [_("Only submitted projects are scored")]})
    message = judging_error(challenge)
    if message:
        raise tk.ValidationError({"project": [message]})
    _not_published(challenge.id, "project")
    entries = data["scores"]
    wanted = [e["criterion"] for e in entries]
    # FOR SHARE: a concurrent change of max_score waits for this transaction
    criteria = {
        c.id: c
        for c in model.Session.scalars(
            sa.select(Criterion)
            .where(Criterion.id.in_(wanted), Criterion.challenge_id == challenge.id)
            .with_for_update(read=True)
        )
    }
    entry_errors: list[dict[str, list[str]]] = []
    seen: set[str] = set()
    for entry in entries:
        errors: dict[str, list[str]] = {}
        criterion = criteria.get(entry["criterion"])
        if criterion is None:
            errors["criterion"] = [_("Not a criterion of this challenge")]
        elif criterion.id in seen:
            errors["criterion"] = [_("Each criterion appears once")]
        elif entry["score"] > criterion.max_score:
            errors["score"] = [_("Must be between 0 and {n}").format(n=criterion.max_score)]
        seen.add(entry["criterion"])
        entry_errors.append(errors)
    if any(entry_errors):
        raise tk.ValidationError({"scores": entry_errors})
    now = timeline.now()
    insert = pg_insert(Score).values(
        [
            {
                "project_id": project.package_id,
                "juror_user_id": juror_id,
                "criterion_id": entry["criterion"],
                "challenge_id": challenge.id,
                "score": entry["score"],
                "comment": entry["comment"],
                "created": now,
                "modified": now,
            }
            for entry in entries
        ]
    )
    try:
        with model.Session.begin_nested():
            model.Session.execute(
                insert.on_conflict_do_update(
                    index_elements=["project_id", "juror_user_id", "criterion_id"],
                    set_={
                        "score": insert.excluded.score,
                        "comment": insert.excluded.comment,
                        "modified": insert.excluded.modified,
                    },
                )
            )
    except IntegrityError:
        # the juror was removed (or a criterion deleted) by a concurrent request
        raise tk.ValidationError(
            {"project": [_("The jury changed while you were scoring: try again")]}
        ) from None
    commit(context)
    return _score_list(project, juror_id, only_own=True)


@validate(jury_schema.project_ref, aliases={"project": "id"})
@tk.side_effect_free
def project_score_list(context: Context, data: DataDict) -> dict[str, Any]:
    """Scores of a project: a juror sees only their own, organizers all.

    :param id: project id or name (``project``: deprecated)
    :type id: string
    :returns: ``{"project_id", "count", "results": [{criterion_id,
        criterion_name, max_score, juror_user_id, juror_name, score, comment,
        created, modified}]}``
    :rtype: dict
    """
    pkg, project, _challenge = rules.readable_project(context, data["id"])
    organizer = project_rules.is_organizer(context.get("user"), pkg.owner_org)
    return _score_list(project, viewer(context).user_id, only_own=not organizer)


def _score_list(project: Project, juror_id: str | None, *, only_own: bool) -> dict[str, Any]:
    s = Score.__table__
    c = Criterion.__table__
    u = model.User.__table__
    conditions = [s.c.project_id == project.package_id]
    if only_own:
        conditions.append(s.c.juror_user_id == (juror_id or ""))
    rows = model.Session.execute(
        sa.select(
            s.c.criterion_id,
            c.c.name.label("criterion_name"),
            c.c.max_score,
            s.c.juror_user_id,
            u.c.name.label("juror_name"),
            s.c.score,
            s.c.comment,
            s.c.created,
            s.c.modified,
        )
        .select_from(s.join(c, c.c.id == s.c.criterion_id).join(u, u.c.id == s.c.juror_user_id))
        .where(*conditions)
        .order_by(u.c.name, c.c.position, c.c.name)
    ).all()
    return {
        "project_id": project.package_id,
        "count": len(rows),
        "results": [
            {
                "criterion_id": r.criterion_id,
                "criterion_name": r.criterion_name,
                "max_score": r.max_score,
                "juror_user_id": r.juror_user_id,
                "juror_name": r.juror_name,
                "score": r.score,
                "comment": r.comment,
                "created": jsonable(r.created),
                "modified": jsonable(r.modified),
            }
            for r in rows
        ],
    }


@validate(jury_schema.project_recuse)
def project_recuse(context: Context, data: DataDict) -> dict[str, Any]:
    """A juror declares a conflict of interest with a project: they may not
    score it any more and the scores they gave it are deleted.

    :param project: project id or name
    :type project: string
    :param reason: reason (optional)
    :type reason: string
    :returns: the recusal ``{project_id, juror_user_id, reason}``
    :rtype: dict
    """
    _pkg, project, challenge = rules.readable_project(context, data["project"])
    juror_id = viewer(context).user_id
    if not rules.is_juror(juror_id, challenge.id):
        raise tk.NotAuthorized(_("Only jurors of this challenge recuse themselves"))
    _not_published(challenge.id, "project")
    now = timeline.now()
    insert = pg_insert(Recusal).values(
        project_id=project.package_id, juror_user_id=juror_id, reason=data["reason"], created=now
    )
    model.Session.execute(
        insert.on_conflict_do_update(
            index_elements=["project_id", "juror_user_id"],
            set_={"reason": insert.excluded.reason},
        )
    )
    model.Session.execute(
        sa.delete(Score).where(
            Score.project_id == project.package_id, Score.juror_user_id == juror_id
        )
    )
    commit(context)
    recusal = model.Session.get(Recusal, (project.package_id, juror_id))
    return {
        "project_id": project.package_id,
        "juror_user_id": juror_id,
        "reason": recusal.reason if recusal else data["reason"],
        "created": jsonable(recusal.created if recusal else now),
    }


# -- ranking and results ------------------------------------------------------------------


def ranking_query(challenge_id: str, limit: int | None = None, offset: int = 0) -> sa.Select:
    """The ranking of a challenge's submitted projects, as ONE statement
    (see the module docstring for the formula and the tie-break)."""
    s = Score.__table__
    c = Criterion.__table__
    pr = Project.__table__
    p = model.Package.__table__
    pm = model.PackageMember.__table__
    rc = Recusal.__table__
    a = Award.__table__
    pz = Prize.__table__
    valid = (
        sa.select(
            s.c.project_id,
            s.c.juror_user_id,
            s.c.criterion_id,
            s.c.score,
        )
        .where(
            s.c.challenge_id == challenge_id,
            ~sa.exists().where(
                pm.c.package_id == s.c.project_id, pm.c.user_id == s.c.juror_user_id
            ),
            ~sa.exists().where(
                rc.c.project_id == s.c.project_id, rc.c.juror_user_id == s.c.juror_user_id
            ),
        )
        .cte("valid")
    )
    per_criterion = (
        sa.select(
            valid.c.project_id,
            valid.c.criterion_id,
            sa.func.avg(valid.c.score).label("mean"),
            (sa.func.avg(sa.cast(valid.c.score, sa.Numeric)) / c.c.max_score).label("normalised"),
            c.c.weight,
        )
        .select_from(valid.join(c, c.c.id == valid.c.criterion_id))
        .group_by(valid.c.project_id, valid.c.criterion_id, c.c.max_score, c.c.weight)
        .cte("per_criterion")
    )
    per_project = (
        sa.select(
            per_criterion.c.project_id,
            sa.func.round(
                100
                * sa.func.sum(per_criterion.c.weight * per_criterion.c.normalised)
                / sa.func.sum(per_criterion.c.weight),
                10,
            ).label("score"),
            sa.func.jsonb_object_agg(
                per_criterion.c.criterion_id, sa.func.round(per_criterion.c.mean, 4)
            ).label("criteria"),
        )
        .group_by(per_criterion.c.project_id)
        .cte("per_project")
    )
    jurors = (
        sa.select(
            valid.c.project_id,
            sa.func.count(sa.distinct(valid.c.juror_user_id)).label("jurors"),
        )
        .group_by(valid.c.project_id)
        .cte("jurors")
    )
    juror_count = sa.func.coalesce(jurors.c.jurors, 0)
    order = [
        per_project.c.score.desc().nulls_last(),
        juror_count.desc(),
        pr.c.submitted_at.asc().nulls_last(),
        sa.func.lower(p.c.title).asc(),
        p.c.id.asc(),
    ]
    query = (
        sa.select(
            p.c.id,
            p.c.name,
            p.c.title,
            pr.c.submitted_at,
            per_project.c.score,
            per_project.c.criteria,
            juror_count.label("jurors"),
            a.c.id.label("award_id"),
            a.c.rank.label("award_rank"),
            a.c.title.label("award_title"),
            a.c.citation.label("award_citation"),
            pz.c.title.label("prize_title"),
            pz.c.amount.label("prize_amount"),
            pz.c.currency.label("prize_currency"),
            sa.func.row_number().over(order_by=order).label("rank"),
            sa.func.rank()
            .over(order_by=per_project.c.score.desc().nulls_last())
            .label("score_rank"),
            sa.func.count().over().label("total"),
        )
        .select_from(
            pr.join(p, p.c.id == pr.c.package_id)
            .outerjoin(per_project, per_project.c.project_id == pr.c.package_id)
            .outerjoin(jurors, jurors.c.project_id == pr.c.package_id)
            .outerjoin(
                a, sa.and_(a.c.project_id == pr.c.package_id, a.c.challenge_id == challenge_id)
            )
            .outerjoin(pz, sa.and_(pz.c.challenge_id == challenge_id, pz.c.rank == a.c.rank))
        )
        .where(
            pr.c.challenge_id == challenge_id,
            pr.c.submission_status == "submitted",
            p.c.state == "active",
        )
        .order_by(*order)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return query


def _ranking_entry(r: Any) -> dict[str, Any]:
    """One row of ``ranking_query`` as ``challenge_ranking`` returns it."""
    return {
        "rank": r.rank,
        "score_rank": r.score_rank,
        "score": None if r.score is None else round(float(r.score), 4),
        "jurors": r.jurors,
        "criteria": {k: float(v) for k, v in (r.criteria or {}).items()},
        "project": {
            "id": r.id,
            "name": r.name,
            "title": r.title or r.name,
            "submitted_at": jsonable(r.submitted_at),
        },
        "award": None
        if r.award_id is None
        else {
            "id": r.award_id,
            "rank": r.award_rank,
            "title": r.award_title,
            "citation": r.award_citation,
            "prize": None
            if r.prize_title is None
            else {
                "title": r.prize_title,
                "amount": jsonable(r.prize_amount),
                "currency": r.prize_currency,
            },
        },
    }


def _teams(project_ids: list[str]) -> dict[str, list[str]]:
    """The user ids of each project's team (leader first), one query."""
    if not project_ids:
        return {}
    pm = model.PackageMember.__table__
    pr = Project.__table__
    rows = model.Session.execute(
        sa.select(pm.c.package_id, pm.c.user_id)
        .select_from(pm.join(pr, pr.c.package_id == pm.c.package_id))
        .where(pm.c.package_id.in_(project_ids))
        .order_by(pm.c.package_id, (pm.c.user_id != pr.c.leader_user_id), pm.c.user_id)
    ).all()
    teams: dict[str, list[str]] = {}
    for row in rows:
        teams.setdefault(row.package_id, []).append(row.user_id)
    return teams


def _live_awards(challenge_id: str) -> list[dict[str, Any]]:
    p = model.Package.__table__
    rows = model.Session.execute(
        sa.select(Award, Prize, p.c.name, p.c.title)
        .join(p, p.c.id == Award.project_id)
        .outerjoin(
            Prize, sa.and_(Prize.challenge_id == Award.challenge_id, Prize.rank == Award.rank)
        )
        .where(Award.challenge_id == challenge_id, p.c.state == "active")
        .order_by(Award.rank)
    ).all()
    results = []
    for award, prize, name, title in rows:
        entry = _award_dict(award, prize)
        entry["project"] = {"id": award.project_id, "name": name, "title": title or name}
        results.append(entry)
    return results


def snapshot_payload(challenge_id: str) -> dict[str, Any]:
    """What a publication freezes: the whole ranking (with per-criterion means
    and each team's user ids), the criteria, the awards with their prizes
    and the prizes.  Projects and users are named by id, titles are copied."""
    ranking = [_ranking_entry(r) for r in model.Session.execute(ranking_query(challenge_id)).all()]
    teams = _teams([entry["project"]["id"] for entry in ranking])
    for entry in ranking:
        entry["team"] = teams.get(entry["project"]["id"], [])
    prizes = model.Session.scalars(
        sa.select(Prize).where(Prize.challenge_id == challenge_id).order_by(Prize.rank)
    )
    return {
        "criteria": [_criterion_dict(c) for c in _criteria(challenge_id)],
        "ranking": ranking,
        "awards": _live_awards(challenge_id),
        "prizes": [
            {
                "rank": pz.rank,
                "title": pz.title,
                "amount": jsonable(pz.amount),
                "currency": pz.currency,
            }
            for pz in prizes
        ],
    }


def _with_teams(context: Context, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Snapshot entries with their teams rendered from the user ids, with
    the members' current display names."""
    names = frozen.team_entries((e.get("team") or [] for e in entries), context)
    return [{**e, "team": [names[i] for i in e.get("team") or [] if i in names]} for e in entries]


def snapshot_dict(snapshot: ResultsSnapshot, *, payload: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "version": snapshot.version,
        "published": jsonable(snapshot.published),
        "published_by": snapshot.published_by,
        "taken": jsonable(snapshot.taken),
        "origin": snapshot.origin,
        "retracted": jsonable(snapshot.retracted),
        "retracted_by": snapshot.retracted_by,
    }
    if payload:
        result["payload"] = snapshot.payload
    return result


def _snapshot_version(challenge_id: str, version: int) -> ResultsSnapshot:
    found = model.Session.scalars(
        sa.select(ResultsSnapshot).where(
            ResultsSnapshot.challenge_id == challenge_id, ResultsSnapshot.version == version
        )
    ).first()
    if found is None:
        raise tk.ValidationError({"version": [_("No publication of this number")]})
    return found


@validate(jury_schema.ranking)
@tk.side_effect_free
def challenge_ranking(context: Context, data: DataDict) -> dict[str, Any]:
    """The ranking of a challenge's submitted projects (organizers; everyone
    once the results are published).  Once published, everyone gets the
    snapshot stored at publication (``live`` false, ``version`` its number,
    teams rendered with current display names); organizers may ask for the
    ``live`` ranking (computed now, not the published one) or an earlier
    publication's snapshot (``version``).  See this module's docstring for
    the formula and the tie-break.

    :param id: challenge id or name
    :type id: string
    :param limit: page size (default 100, at most 1000)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :param live: organizers: the ranking computed now (default false)
    :type live: bool
    :param version: organizers: the snapshot of that publication
    :type version: int
    :returns: ``{"challenge_id", "published", "live", "version", "criteria",
        "count", "results": [{rank, score_rank, score (0-100 or null),
        jurors, criteria: {criterion id: mean score}, project: {id, name,
        title, submitted_at}, award, team}]}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    limit, offset = data["limit"], data["offset"]
    organizer = _may_manage(context, challenge.id)
    if (data["live"] or data.get("version")) and not organizer:
        raise tk.NotAuthorized(_("Only the organizers see the live ranking and earlier results"))
    published = rules.results_published(challenge.id)
    snapshot = None
    if data.get("version"):
        snapshot = _snapshot_version(challenge.id, data["version"])
    elif published is not None and not data["live"]:
        snapshot = frozen.current_snapshot(challenge.id)
    result: dict[str, Any] = {"challenge_id": challenge.id, "published": jsonable(published)}
    if snapshot is not None:
        entries = snapshot.payload.get("ranking") or []
        return {
            **result,
            "live": False,
            "version": snapshot.version,
            "retracted": jsonable(snapshot.retracted),
            "criteria": snapshot.payload.get("criteria") or [],
            "count": len(entries),
            "results": _with_teams(context, entries[offset : offset + limit]),
        }
    rows = model.Session.execute(ranking_query(challenge.id, limit, offset)).all()
    results = [_ranking_entry(r) for r in rows]
    teams = _teams([e["project"]["id"] for e in results])
    for entry in results:
        entry["team"] = teams.get(entry["project"]["id"], [])
    if rows:
        count = rows[0].total
    elif offset:
        count = _submitted_count(challenge.id)
    else:
        count = 0
    return {
        **result,
        "live": True,
        "version": None,
        "criteria": [_criterion_dict(c) for c in _criteria(challenge.id)],
        "count": count,
        "results": _with_teams(context, results),
    }


def _may_manage(context: Context, challenge_id: str) -> bool:
    """Does the caller organize the challenge (also when auth was skipped)?"""
    check: Any = {"user": context.get("user"), "model": model}
    try:
        tk.check_access("datathon_permission_manage_challenge", check, {"id": challenge_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


@validate(jury_schema.award_create, aliases={"challenge_id": "challenge"})
def challenge_award_create(context: Context, data: DataDict) -> dict[str, Any]:
    """Give one of the challenge's prizes (by rank) to one of its submitted
    projects.  Each prize is given once, each project receives one prize;
    once the results are published, awards no longer change.

    :param challenge: challenge id or name (``challenge_id``: deprecated)
    :type challenge: string
    :param project: project id or name
    :type project: string
    :param rank: the prize's rank
    :type rank: int
    :param title: the award's title (default: the prize's title)
    :type title: string
    :param citation: why the jury chose it
    :type citation: string
    :returns: the award ``{id, challenge_id, project_id, rank, title, citation, ...}``
    :rtype: dict
    """
    challenge = _challenge(context, data["challenge"])
    harvested.refuse_copy(context, challenge)
    _not_published(challenge.id, "rank")
    pkg = project_rules.package(data["project"])
    project = project_rules.project_row(pkg.id) if pkg is not None else None
    if (
        pkg is None
        or project is None
        or pkg.state != "active"
        or project.challenge_id != challenge.id
    ):
        raise tk.ValidationError({"project": [_("Not a project of this challenge")]})
    if project.submission_status != "submitted":
        raise tk.ValidationError({"project": [_("Only submitted projects receive awards")]})
    prize = model.Session.get(Prize, (challenge.id, data["rank"]))
    if prize is None:
        raise tk.ValidationError({"rank": [_("The challenge has no prize of this rank")]})
    award = Award(
        challenge_id=challenge.id,
        project_id=project.package_id,
        rank=prize.rank,
        title=data["title"] or prize.title,
        citation=data["citation"],
        created=timeline.now(),
    )
    _savepoint_flush(
        {"rank": [_("This prize was already awarded, or the project already has a prize")]},
        award,
    )
    commit(context)
    return _award_dict(award, prize)


@validate(jury_schema.award_id)
def challenge_award_delete(context: Context, data: DataDict) -> None:
    """Take an award back (until the results are published).

    :param id: award id
    :type id: string
    """
    award = model.Session.get(Award, data["id"])
    if award is None:
        raise tk.ObjectNotFound(_("Award not found"))
    harvested.refuse_copy(context, award.challenge_id)
    _not_published(award.challenge_id)
    model.Session.delete(award)
    commit(context)


@validate(jury_schema.challenge_id)
@tk.side_effect_free
def challenge_award_list(context: Context, data: DataDict) -> dict[str, Any]:
    """The awards of a challenge by prize rank (organizers; everyone once the
    results are published: then from the snapshot stored at publication).

    :param id: challenge id or name
    :type id: string
    :returns: ``{"count", "results": [{id, rank, title, citation, prize,
        project: {id, name, title}}]}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    snapshot = (
        frozen.current_snapshot(challenge.id)
        if rules.results_published(challenge.id) is not None
        else None
    )
    results = (snapshot.payload.get("awards") or []) if snapshot else _live_awards(challenge.id)
    return {"count": len(results), "results": results}


@validate(jury_schema.challenge_id)
def challenge_results_publish(context: Context, data: DataDict) -> dict[str, Any]:
    """Make the ranking and the awards public (after the submission deadline;
    publishing again while published keeps the first date).  The snapshot
    readers get from then on is stored in the same transaction, under the
    exclusive results lock (scores, awards and the other guarded changes
    take it in shared mode: see ``logic.results``).  The jury's work, the
    prizes, the teams, the projects' status and past dates are then frozen.
    After a retraction, publishing again stores the next version.  The
    publication e-mails the submitted teams (background jobs, ``logic.jobs``).

    :param id: challenge id or name
    :type id: string
    :returns: ``{"challenge_id", "published", "version"}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    harvested.refuse_copy(context, challenge)
    frozen.lock(challenge.id, exclusive=True)
    now = timeline.now()
    refused = publish_error(challenge, now)
    if refused:
        raise tk.ValidationError({"id": [refused]})
    user_id = viewer(context).user_id
    first = model.Session.execute(
        pg_insert(Results)
        .values(challenge_id=challenge.id, published=now, published_by=user_id)
        .on_conflict_do_nothing()
    ).rowcount
    if first:
        model.Session.add(
            ResultsSnapshot(
                challenge_id=challenge.id,
                version=frozen.next_version(challenge.id),
                published=now,
                published_by=user_id,
                taken=now,
                origin="publication",
                payload=snapshot_payload(challenge.id),
            )
        )
        model.Session.flush()
    commit(context)
    if first:
        jobs.results_published(challenge.id)
    current = frozen.current_snapshot(challenge.id)
    return {
        "challenge_id": challenge.id,
        "published": jsonable(rules.results_published(challenge.id)),
        "version": current.version if current is not None else None,
    }


@validate(jury_schema.results_retract)
def challenge_results_retract(context: Context, data: DataDict) -> dict[str, Any]:
    """Take published results back (sysadmins only): readers no longer see
    them, the jury and the organizers may change things again, and the
    retracted snapshot stays in the history.  Recorded in the organization's
    activity stream (with the reason).

    :param id: challenge id or name
    :type id: string
    :param reason: why (optional)
    :type reason: string
    :returns: ``{"challenge_id", "published": null, "retracted", "version"}``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    harvested.refuse_copy(context, challenge)
    frozen.lock(challenge.id, exclusive=True)
    if rules.results_published(challenge.id) is None:
        raise tk.ValidationError({"id": [_("The results of this challenge are not published")]})
    now = timeline.now()
    user_id = viewer(context).user_id
    snapshot = frozen.current_snapshot(challenge.id)
    if snapshot is not None:
        snapshot.retracted = now
        snapshot.retracted_by = user_id
    model.Session.execute(sa.delete(Results).where(Results.challenge_id == challenge.id))
    activity.record(
        user_id,
        challenge,
        activity.RESULTS_RETRACTED,
        extra={
            "reason": data["reason"],
            "version": snapshot.version if snapshot is not None else None,
        },
    )
    model.Session.flush()
    commit(context)
    return {
        "challenge_id": challenge.id,
        "published": None,
        "retracted": jsonable(now),
        "version": snapshot.version if snapshot is not None else None,
    }


@validate(jury_schema.results_history)
@tk.side_effect_free
def challenge_results_history(context: Context, data: DataDict) -> dict[str, Any]:
    """Every publication of a challenge's results, newest first (organizers):
    when, by whom, whether and when it was retracted.  With ``version``, that
    publication with its whole snapshot (``payload``).

    :param id: challenge id or name
    :type id: string
    :param version: version (optional)
    :type version: int
    :returns: ``{"count", "results": [{version, published, published_by,
        taken, origin, retracted, retracted_by}]}``, or one such entry with
        ``payload``
    :rtype: dict
    """
    challenge = _challenge(context, data["id"])
    if data.get("version"):
        return snapshot_dict(_snapshot_version(challenge.id, data["version"]), payload=True)
    results = [snapshot_dict(s) for s in frozen.snapshots(challenge.id)]
    return {"count": len(results), "results": results}


# -- reads of the jury pages and the exports -----------------------------------------------


@validate(jury_schema.challenge_id)
@tk.side_effect_free
def challenge_jury_status(context: Context, data: DataDict) -> dict[str, Any]:
    """Where the caller stands in a challenge's judging (whoever may read the
    challenge): whether they organize it or sit on its jury, whether the
    results are published, why scores cannot be given now and, for
    organizers, why the results cannot be published yet.

    :param id: challenge id or name
    :type id: string
    :returns: ``{"challenge_id", "organizer": bool, "juror": bool,
        "published": ISO 8601 date-time or null, "scoring_closed": the reason
        scores cannot be given or changed now (null: they can),
        "publish_blocked": the reason the results cannot be published now
        (null: they can, or the caller does not organize the challenge)}``
    :rtype: dictionary
    """
    challenge = _challenge(context, data["id"])
    organizer = _may_manage(context, challenge.id)
    published = rules.results_published(challenge.id)
    if published is not None:
        closed: str | None = _("The results are published: the jury's work can no longer change.")
    else:
        closed = judging_error(challenge)
    return {
        "challenge_id": challenge.id,
        "organizer": organizer,
        "juror": rules.is_juror(viewer(context).user_id, challenge.id),
        "published": jsonable(published),
        "scoring_closed": closed,
        "publish_blocked": publish_error(challenge) if organizer and published is None else None,
    }


@validate(jury_schema.juror_queue)
@tk.side_effect_free
def challenge_juror_queue(context: Context, data: DataDict) -> dict[str, Any]:
    """The caller's queue as a juror of the challenge: one page of the
    submitted projects they may read, in a stable order (title, then id), each
    with what its scoring card shows and the caller's own scores; and their
    progress, overall and per criterion.  Jurors only (sysadmins too must be
    appointed); nobody sees another juror's scores here.  Five queries
    whatever the page size.

    :param id: challenge id or name
    :type id: string
    :param limit: page size (default ``ckanext.datathon.challenge_list_limit``;
        1 to 1000, then at most ``ckanext.datathon.challenge_list_limit_max``)
    :type limit: int
    :param offset: rows to skip (default 0)
    :type offset: int
    :returns: ``{"challenge_id", "count": projects in the queue, "scorable":
        those the caller may score, "scored": those they scored on every
        criterion, "criteria": {criterion id: projects they scored on it},
        "results": [{id, name, title, notes, team_name, repository_url,
        demo_url, code_licence, datasets_used: [{name, title}] (only the
        datasets the caller may read), conflict (null, "team" or
        "recused"), recusal_reason, scores: {criterion id: {score, comment,
        modified}}}]}``
    :rtype: dictionary
    """
    challenge = _challenge(context, data["id"])
    limit = min(
        data.get("limit") or config.challenge_list_limit(), config.challenge_list_limit_max()
    )
    queue = jury_queries.juror_queue(challenge.id, viewer(context), limit, data["offset"])
    return {"challenge_id": challenge.id, **queue}


@validate(jury_schema.challenge_id)
@tk.side_effect_free
def challenge_jury_progress(context: Context, data: DataDict) -> dict[str, Any]:
    """The jury's progress on a challenge (organizers): each juror's projects
    scored on every criterion out of those they may score, and their last
    activity; for each criterion, how many submitted projects received at
    least one score.  Three queries whatever the size of the jury.

    :param id: challenge id or name
    :type id: string
    :returns: ``{"challenge_id", "projects": submitted projects, "jurors":
        [{user_id, name, display_name, scored, total, last_activity}],
        "criteria": [{id, name, max_score, scored_projects}]}``
    :rtype: dictionary
    """
    challenge = _challenge(context, data["id"])
    return {
        "challenge_id": challenge.id,
        "projects": jury_queries.submitted_count(challenge.id),
        "jurors": jury_queries.jury_completion(challenge.id),
        "criteria": jury_queries.criterion_progress(challenge.id),
    }


def _score_cursor(after: str | None) -> tuple[str, str, str] | None:
    if after is None:
        return None
    parts = after.split(",")
    if len(parts) != 3 or not all(parts):
        raise tk.ValidationError({"after": [_("Not a cursor of this export")]})
    return (parts[0], parts[1], parts[2])


@validate(jury_schema.export_page)
@tk.side_effect_free
def challenge_scores_export(context: Context, data: DataDict) -> dict[str, Any]:
    """One batch of every score of a challenge (organizers), as
    ``scores.csv`` has them: ask again with ``after`` set to the ``next`` of
    the answer until ``next`` is null.  One query per batch.

    :param id: challenge id or name
    :type id: string
    :param limit: rows per batch (default 500, at most 1000)
    :type limit: int
    :param after: the ``next`` of the previous batch (omit for the first)
    :type after: string
    :returns: ``{"challenge_id", "next": string or null, "results":
        [{project, project_name, juror, criterion, score, comment,
        modified, project_id, project_title, juror_user_id, criterion_id,
        criterion_position, max_score, created}]}`` (``project``: the title,
        or the name when it has none)
    :rtype: dictionary
    """
    challenge = _challenge(context, data["id"])
    rows, last = jury_queries.score_page(
        challenge.id, data["limit"], _score_cursor(data.get("after"))
    )
    return {
        "challenge_id": challenge.id,
        "next": ",".join(last) if last is not None else None,
        "results": rows,
    }


@validate(jury_schema.export_page)
@tk.side_effect_free
def challenge_projects_export(context: Context, data: DataDict) -> dict[str, Any]:
    """One batch of the submitted projects of a challenge that the caller may
    read (whoever may read the challenge), as ``projects.csv`` has them, with
    the datasets used the caller may read and, once the results are
    published, the award (from the published snapshot).  Ask again with
    ``after`` set to the ``next`` of the answer until ``next`` is null.
    Three queries per batch, four once published.

    :param id: challenge id or name
    :type id: string
    :param limit: rows per batch (default 500, at most 1000)
    :type limit: int
    :param after: the ``next`` of the previous batch (omit for the first)
    :type after: string
    :returns: ``{"challenge_id", "published": bool, "next": string or null,
        "results": [{id, name, title, team_name, repository_url,
        code_licence, datasets_used: [dataset name], submitted_at, award}]}``
    :rtype: dictionary
    """
    challenge = _challenge(context, data["id"])
    published = rules.results_published(challenge.id) is not None
    rows, last = jury_queries.project_page(
        challenge.id,
        viewer(context),
        with_awards=published,
        size=data["limit"],
        after=data.get("after"),
    )
    return {"challenge_id": challenge.id, "published": published, "next": last, "results": rows}


@validate(jury_schema.project_ids)
@tk.side_effect_free
def project_winner_awards(context: Context, data: DataDict) -> dict[str, Any]:
    """The awards of these projects in their challenge's published results
    (the winner badges of a whole list of projects: one query).  Awards of
    results not published, or retracted, are not returned: what this answers
    is public with the published ranking.

    :param ids: project ids (a list or a comma-separated string; at most 1000)
    :type ids: list of strings
    :returns: ``{"awards": {project id: {rank, title, citation, prize_title,
        amount, currency}}}`` (projects without a published award left out)
    :rtype: dictionary
    """
    return {"awards": jury_queries.winner_awards(data["ids"]) if data["ids"] else {}}
