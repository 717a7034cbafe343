"""Mentorship sessions, ideathon (ideas, votes, data gaps), impact, followers.

Revision ID: e2a7c9d41f86
Revises: 5d1e8f2a6c30
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "e2a7c9d41f86"
down_revision = "5d1e8f2a6c30"
branch_labels = None
depends_on = None

IMPACT_KINDS = ("policy_adoption", "deployment", "media", "funding", "dataset_release", "other")


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _challenge_fk(table: str) -> sa.Column:
    return sa.Column(
        "challenge_id",
        sa.UnicodeText,
        sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE", name=f"{table}_challenge_fkey"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "datathon_mentorship",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _challenge_fk("datathon_mentorship"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("starts", _tz(), nullable=False),
        sa.Column("ends", _tz(), nullable=False),
        sa.Column("location", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("mentors", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("ends >= starts", name="datathon_mentorship_dates_check"),
    )
    op.create_index(
        "datathon_mentorship_challenge_idx", "datathon_mentorship", ["challenge_id", "starts"]
    )

    op.create_table(
        "datathon_idea",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _challenge_fk("datathon_idea"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL", name="datathon_idea_user_fkey"),
            nullable=True,
        ),
        sa.Column("adopted", _tz(), nullable=True),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("datathon_idea_challenge_idx", "datathon_idea", ["challenge_id", "created"])
    op.create_index("datathon_idea_user_idx", "datathon_idea", ["user_id"])

    op.create_table(
        "datathon_idea_vote",
        sa.Column(
            "idea_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_idea.id", ondelete="CASCADE", name="datathon_idea_vote_idea_fkey"
            ),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="CASCADE", name="datathon_idea_vote_user_fkey"),
            primary_key=True,
        ),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("datathon_idea_vote_user_idx", "datathon_idea_vote", ["user_id"])

    op.create_table(
        "datathon_data_gap",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "idea_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_idea.id", ondelete="CASCADE", name="datathon_data_gap_idea_fkey"
            ),
            nullable=False,
        ),
        _challenge_fk("datathon_data_gap"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("holder", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("datathon_data_gap_challenge_idx", "datathon_data_gap", ["challenge_id"])
    op.create_index("datathon_data_gap_idea_idx", "datathon_data_gap", ["idea_id", "position"])

    op.create_table(
        "datathon_impact",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _challenge_fk("datathon_impact"),
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="SET NULL",
                name="datathon_impact_project_fkey",
            ),
            nullable=True,
        ),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=True),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in IMPACT_KINDS) + ")",
            name="datathon_impact_kind_check",
        ),
    )
    op.create_index("datathon_impact_challenge_idx", "datathon_impact", ["challenge_id", "date"])
    op.create_index("datathon_impact_project_idx", "datathon_impact", ["project_id"])

    op.create_table(
        "datathon_impact_dataset",
        sa.Column(
            "impact_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_impact.id",
                ondelete="CASCADE",
                name="datathon_impact_dataset_impact_fkey",
            ),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "package.id", ondelete="CASCADE", name="datathon_impact_dataset_package_fkey"
            ),
            primary_key=True,
        ),
    )
    op.create_index(
        "datathon_impact_dataset_package_idx", "datathon_impact_dataset", ["package_id"]
    )

    op.create_table(
        "datathon_challenge_follower",
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_challenge_follower_challenge_fkey",
            ),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="CASCADE", name="datathon_challenge_follower_user_fkey"
            ),
            primary_key=True,
        ),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "datathon_challenge_follower_user_idx", "datathon_challenge_follower", ["user_id"]
    )


def downgrade() -> None:
    for table in (
        "datathon_challenge_follower",
        "datathon_impact_dataset",
        "datathon_impact",
        "datathon_data_gap",
        "datathon_idea_vote",
        "datathon_idea",
        "datathon_mentorship",
    ):
        op.drop_table(table)
