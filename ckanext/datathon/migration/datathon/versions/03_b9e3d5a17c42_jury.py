"""Jury: jurors, criteria, scores, recusals, awards and results publication.

Revision ID: b9e3d5a17c42
Revises: 7c41e9a0d2b5
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b9e3d5a17c42"
down_revision = "7c41e9a0d2b5"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "datathon_juror",
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
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("datathon_juror_user_idx", "datathon_juror", ["user_id"])

    op.create_table(
        "datathon_criterion",
        sa.Column("id", sa.UnicodeText, primary_key=True),
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
        sa.Column("max_score", sa.Integer, nullable=False, server_default="5"),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("challenge_id", "name", name="datathon_criterion_name_key"),
        sa.UniqueConstraint("id", "challenge_id", name="datathon_criterion_id_challenge_key"),
        sa.CheckConstraint("weight > 0", name="datathon_criterion_weight_check"),
        sa.CheckConstraint(
            "max_score BETWEEN 1 AND 100", name="datathon_criterion_max_score_check"
        ),
        sa.CheckConstraint("position >= 0", name="datathon_criterion_position_check"),
    )
    op.create_index(
        "datathon_criterion_challenge_idx", "datathon_criterion", ["challenge_id", "position"]
    )

    op.create_table(
        "datathon_score",
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
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
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
    )
    op.create_index(
        "datathon_score_challenge_juror_idx", "datathon_score", ["challenge_id", "juror_user_id"]
    )
    op.create_index(
        "datathon_score_criterion_idx", "datathon_score", ["criterion_id", "challenge_id"]
    )

    op.create_table(
        "datathon_recusal",
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
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("datathon_recusal_juror_idx", "datathon_recusal", ["juror_user_id"])

    op.create_table(
        "datathon_award",
        sa.Column("id", sa.UnicodeText, primary_key=True),
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
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("challenge_id", "rank", name="datathon_award_rank_key"),
        sa.UniqueConstraint("challenge_id", "project_id", name="datathon_award_project_key"),
        sa.CheckConstraint("rank >= 1", name="datathon_award_rank_check"),
    )
    op.create_index("datathon_award_project_idx", "datathon_award", ["project_id"])

    op.create_table(
        "datathon_results",
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
        sa.Column("published", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column(
            "published_by",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL", name="datathon_results_user_fkey"),
            nullable=True,
        ),
    )
    op.create_index("datathon_results_user_idx", "datathon_results", ["published_by"])


def downgrade() -> None:
    op.drop_table("datathon_results")
    op.drop_table("datathon_award")
    op.drop_table("datathon_recusal")
    op.drop_table("datathon_score")
    op.drop_table("datathon_criterion")
    op.drop_table("datathon_juror")
