"""Frozen results: a snapshot of what each publication made public.

One row per publication of a challenge's results (``version`` 1, 2, ...):
the ranking with per-criterion means, the awards with their prizes, the
winners' titles and the team members' user ids, as JSON.  No foreign key
points at the projects, so a purged project leaves its snapshot readable.
Results published before this revision get their snapshot from the
``results-snapshot`` step of ``ckan datathon upgrade`` (alembic cannot
compute a ranking).

Revision ID: c2d9e4a7b1f3
Revises: a4c6e1f9b3d2
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c2d9e4a7b1f3"
down_revision = "a4c6e1f9b3d2"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "datathon_results_snapshot",
        sa.Column("id", sa.UnicodeText, primary_key=True),
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
        sa.Column("published", _tz(), nullable=False),
        sa.Column(
            "published_by",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="SET NULL", name="datathon_results_snapshot_published_by_fkey"
            ),
            nullable=True,
        ),
        sa.Column("taken", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("origin", sa.UnicodeText, nullable=False, server_default="publication"),
        sa.Column("retracted", _tz(), nullable=True),
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


def downgrade() -> None:
    op.drop_table("datathon_results_snapshot")
