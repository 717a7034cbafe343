"""Challenge, its dataset links, allies, prizes and method timeline.

Revision ID: 3f8a2c1d9b7e
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "3f8a2c1d9b7e"
down_revision = None
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "datathon_challenge",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column(
            "owner_org",
            sa.UnicodeText,
            sa.ForeignKey("group.id", ondelete="CASCADE", name="datathon_challenge_owner_org_fkey"),
            nullable=False,
        ),
        sa.Column("problem_statement", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("image_url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("tags", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="draft"),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("published", _tz(), nullable=True),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=True),
        sa.Column("registration_opens", _tz(), nullable=True),
        sa.Column("registration_closes", _tz(), nullable=True),
        sa.Column("submission_deadline", _tz(), nullable=True),
        sa.Column("judging_closes", _tz(), nullable=True),
        sa.Column("results_date", _tz(), nullable=True),
        sa.Column("max_team_size", sa.Integer, nullable=False, server_default="6"),
        sa.Column("min_team_size", sa.Integer, nullable=False, server_default="1"),
        sa.Column("allowed_licences", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("require_open_data", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("require_rules_acceptance", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("eligibility", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("rules_text", sa.UnicodeText, nullable=False, server_default=""),
        sa.UniqueConstraint("name", name="datathon_challenge_name_key"),
        sa.CheckConstraint(
            "state IN ('draft', 'active', 'deleted')", name="datathon_challenge_state_check"
        ),
        sa.CheckConstraint(
            "min_team_size >= 1 AND max_team_size <= 50 AND min_team_size <= max_team_size",
            name="datathon_challenge_team_size_check",
        ),
    )
    op.create_index("datathon_challenge_owner_org_idx", "datathon_challenge", ["owner_org"])
    op.create_index(
        "datathon_challenge_state_created_idx", "datathon_challenge", ["state", "created", "id"]
    )

    op.create_table(
        "datathon_challenge_dataset",
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "package.id", ondelete="CASCADE", name="datathon_challenge_dataset_package_fkey"
            ),
            primary_key=True,
        ),
        sa.Column("role", sa.UnicodeText, nullable=False, server_default="primary"),
        sa.Column("note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "role IN ('primary', 'supporting', 'context')",
            name="datathon_challenge_dataset_role_check",
        ),
    )
    op.create_index(
        "datathon_challenge_dataset_package_idx", "datathon_challenge_dataset", ["package_id"]
    )

    op.create_table(
        "datathon_ally",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("logo_url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "kind IN ('government', 'civil_society', 'academia', 'private', 'international')",
            name="datathon_ally_kind_check",
        ),
    )
    op.create_index("datathon_ally_challenge_idx", "datathon_ally", ["challenge_id"])

    op.create_table(
        "datathon_prize",
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("currency", sa.UnicodeText, nullable=True),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.CheckConstraint("rank >= 1", name="datathon_prize_rank_check"),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="datathon_prize_amount_check"),
    )

    op.create_table(
        "datathon_stage",
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("stage", sa.UnicodeText, primary_key=True),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("starts", _tz(), nullable=False),
        sa.Column("ends", _tz(), nullable=False),
        sa.Column("notes", sa.UnicodeText, nullable=False, server_default=""),
        sa.CheckConstraint("starts <= ends", name="datathon_stage_order_check"),
        sa.CheckConstraint("position BETWEEN 1 AND 11", name="datathon_stage_position_check"),
    )
    op.create_index("datathon_stage_window_idx", "datathon_stage", ["stage", "starts", "ends"])


def downgrade() -> None:
    op.drop_table("datathon_stage")
    op.drop_table("datathon_prize")
    op.drop_table("datathon_ally")
    op.drop_table("datathon_challenge_dataset")
    op.drop_table("datathon_challenge")
