"""Mail that arrives: reminders sent (once per kind, challenge and user) and
organizers' announcements (history and rate limit).

Revision ID: e7b2c4f9a1d8
Revises: d5e8a1b3c7f2
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e7b2c4f9a1d8"
down_revision = "d5e8a1b3c7f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datathon_reminder",
        sa.Column("kind", sa.UnicodeText, primary_key=True),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id", ondelete="CASCADE", name="datathon_reminder_challenge_fkey"
            ),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="CASCADE", name="datathon_reminder_user_fkey"),
            primary_key=True,
        ),
        sa.Column("sent", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "kind IN ('registration', 'submission', 'judging')",
            name="datathon_reminder_kind_check",
        ),
    )
    op.create_table(
        "datathon_announcement",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_announcement_challenge_fkey",
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL", name="datathon_announcement_user_fkey"),
            nullable=True,
        ),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("message", sa.UnicodeText, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "created", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index(
        "datathon_announcement_challenge_idx", "datathon_announcement", ["challenge_id", "created"]
    )


def downgrade() -> None:
    op.drop_table("datathon_announcement")
    op.drop_table("datathon_reminder")
