"""Federation: the harvested copies of other portals' challenges.

Revision ID: a8f3d6b2c9e1
Revises: e7b2c4f9a1d8
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "a8f3d6b2c9e1"
down_revision = "e7b2c4f9a1d8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datathon_harvested_challenge",
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_harvested_challenge_challenge_fkey",
            ),
            primary_key=True,
        ),
        sa.Column("harvest_source_id", sa.UnicodeText, nullable=False),
        sa.Column("remote_site_url", sa.UnicodeText, nullable=False),
        sa.Column("remote_id", sa.UnicodeText, nullable=False),
        sa.Column("remote_name", sa.UnicodeText, nullable=False),
        sa.Column("remote_organization", JSONB, nullable=False, server_default="{}"),
        sa.Column("remote_datasets", JSONB, nullable=False, server_default="[]"),
        sa.Column("remote_results", JSONB, nullable=True),
        sa.Column("remote_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("harvested", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "harvest_source_id", "remote_id", name="datathon_harvested_challenge_source_key"
        ),
        sa.UniqueConstraint(
            "remote_site_url", "remote_id", name="datathon_harvested_challenge_remote_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("datathon_harvested_challenge")
