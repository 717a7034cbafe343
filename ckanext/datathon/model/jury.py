"""The jury: jurors, criteria, scores, recusals, awards and publication.

Integrity is kept by the database where it can be:

* a score refers to its juror through ``(challenge_id, juror_user_id)`` and to
  its criterion through ``(criterion_id, challenge_id)``, so a score can only
  exist for a juror *of that challenge* on a criterion *of that challenge*;
  removing a juror (or deleting the user, or the criterion) removes their
  scores;
* ``(project_id, juror_user_id, criterion_id)`` is the primary key of a score:
  re-scoring is an upsert on it (INSERT ... ON CONFLICT DO UPDATE);
* an award names a prize by its rank; there is no foreign key to
  ``datathon_prize`` because challenge_update replaces the prize rows, so the
  rank is checked by challenge_award_create and read with a LEFT JOIN.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk

from .base import new_uuid, tz_datetime, utcnow

DEFAULT_MAX_SCORE = 5
MAX_MAX_SCORE = 100


class Juror(tk.BaseModel):
    """A user appointed to the jury of a challenge."""

    __table__ = sa.Table(
        "datathon_juror",
        tk.BaseModel.metadata,
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id", ondelete="CASCADE", name="datathon_juror_challenge_fkey"
            ),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="CASCADE", name="datathon_juror_user_fkey"),
            primary_key=True,
        ),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Index("datathon_juror_user_idx", "user_id"),
    )


class Criterion(tk.BaseModel):
    """A published, weighted criterion the jury scores projects on."""

    __table__ = sa.Table(
        "datathon_criterion",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_criterion_challenge_fkey",
            ),
            nullable=False,
        ),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("weight", sa.Numeric(7, 3), nullable=False, server_default="1"),
        sa.Column("max_score", sa.Integer, nullable=False, server_default=str(DEFAULT_MAX_SCORE)),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("challenge_id", "name", name="datathon_criterion_name_key"),
        # target of the scores' (criterion_id, challenge_id) foreign key
        sa.UniqueConstraint("id", "challenge_id", name="datathon_criterion_id_challenge_key"),
        sa.CheckConstraint("weight > 0", name="datathon_criterion_weight_check"),
        sa.CheckConstraint(
            f"max_score BETWEEN 1 AND {MAX_MAX_SCORE}", name="datathon_criterion_max_score_check"
        ),
        sa.CheckConstraint("position >= 0", name="datathon_criterion_position_check"),
        sa.Index("datathon_criterion_challenge_idx", "challenge_id", "position"),
    )


class Score(tk.BaseModel):
    """One juror's score of one project on one criterion."""

    __table__ = sa.Table(
        "datathon_score",
        tk.BaseModel.metadata,
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="CASCADE",
                name="datathon_score_project_fkey",
            ),
            primary_key=True,
        ),
        sa.Column("juror_user_id", sa.UnicodeText, primary_key=True),
        sa.Column("criterion_id", sa.UnicodeText, primary_key=True),
        sa.Column("challenge_id", sa.UnicodeText, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("comment", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column(
            "modified", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id", "juror_user_id"],
            ["datathon_juror.challenge_id", "datathon_juror.user_id"],
            ondelete="CASCADE",
            name="datathon_score_juror_fkey",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id", "challenge_id"],
            ["datathon_criterion.id", "datathon_criterion.challenge_id"],
            ondelete="CASCADE",
            name="datathon_score_criterion_fkey",
        ),
        sa.CheckConstraint("score >= 0", name="datathon_score_score_check"),
        sa.Index("datathon_score_challenge_juror_idx", "challenge_id", "juror_user_id"),
        sa.Index("datathon_score_criterion_idx", "criterion_id", "challenge_id"),
    )


class Recusal(tk.BaseModel):
    """A juror's declared conflict of interest with a project."""

    __table__ = sa.Table(
        "datathon_recusal",
        tk.BaseModel.metadata,
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="CASCADE",
                name="datathon_recusal_project_fkey",
            ),
            primary_key=True,
        ),
        sa.Column(
            "juror_user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="CASCADE", name="datathon_recusal_user_fkey"),
            primary_key=True,
        ),
        sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Index("datathon_recusal_juror_idx", "juror_user_id"),
    )


class Award(tk.BaseModel):
    """A prize of the challenge (by rank) given to one of its projects."""

    __table__ = sa.Table(
        "datathon_award",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id", ondelete="CASCADE", name="datathon_award_challenge_fkey"
            ),
            nullable=False,
        ),
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="CASCADE",
                name="datathon_award_project_fkey",
            ),
            nullable=False,
        ),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("citation", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("challenge_id", "rank", name="datathon_award_rank_key"),
        sa.UniqueConstraint("challenge_id", "project_id", name="datathon_award_project_key"),
        sa.CheckConstraint("rank >= 1", name="datathon_award_rank_check"),
        sa.Index("datathon_award_project_idx", "project_id"),
    )


class Results(tk.BaseModel):
    """When a challenge's results (ranking and awards) were made public."""

    __table__ = sa.Table(
        "datathon_results",
        tk.BaseModel.metadata,
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_results_challenge_fkey",
            ),
            primary_key=True,
        ),
        sa.Column(
            "published", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column(
            "published_by",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL", name="datathon_results_user_fkey"),
            nullable=True,
        ),
        sa.Index("datathon_results_user_idx", "published_by"),
    )


class ResultsSnapshot(tk.BaseModel):
    """What one publication of a challenge's results made public, frozen.

    Readers get the ``payload`` of the current snapshot (the newest one not
    retracted, while a ``datathon_results`` row says the results are
    published), never the live ranking.  The payload names projects and team
    members by id and copies the titles: there is deliberately no foreign key
    to the projects, so purging a project leaves the row readable.  A
    retraction stamps ``retracted``; publishing again adds the next
    ``version``, and the earlier rows stay as history.
    """

    __table__ = sa.Table(
        "datathon_results_snapshot",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_results_snapshot_challenge_fkey",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("published", tz_datetime(), nullable=False),
        sa.Column(
            "published_by",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="SET NULL", name="datathon_results_snapshot_published_by_fkey"
            ),
            nullable=True,
        ),
        # when the payload was computed: the publication, or the upgrade step
        # for results published before snapshots existed (``origin``)
        sa.Column(
            "taken", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column("origin", sa.UnicodeText, nullable=False, server_default="publication"),
        sa.Column("retracted", tz_datetime(), nullable=True),
        sa.Column(
            "retracted_by",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="SET NULL", name="datathon_results_snapshot_retracted_by_fkey"
            ),
            nullable=True,
        ),
        sa.Column("payload", JSONB, nullable=False),
        sa.UniqueConstraint(
            "challenge_id", "version", name="datathon_results_snapshot_version_key"
        ),
        sa.CheckConstraint("version >= 1", name="datathon_results_snapshot_version_check"),
        sa.CheckConstraint(
            "origin IN ('publication', 'upgrade')", name="datathon_results_snapshot_origin_check"
        ),
    )
