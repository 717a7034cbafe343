"""The time zone a challenge's dates are shown in.

Revision ID: 5d1e8f2a6c30
Revises: b9e3d5a17c42
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5d1e8f2a6c30"
down_revision = "b9e3d5a17c42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "datathon_challenge",
        sa.Column("timezone", sa.UnicodeText, nullable=False, server_default="UTC"),
    )


def downgrade() -> None:
    op.drop_column("datathon_challenge", "timezone")
