"""Project records: submission status and the datasets each project uses.

Revision ID: 7c41e9a0d2b5
Revises: 3f8a2c1d9b7e
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "7c41e9a0d2b5"
down_revision = "3f8a2c1d9b7e"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "datathon_project",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE", name="datathon_project_package_fkey"),
            primary_key=True,
        ),
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id", ondelete="CASCADE", name="datathon_project_challenge_fkey"
            ),
            nullable=False,
        ),
        sa.Column("submission_status", sa.UnicodeText, nullable=False, server_default="draft"),
        sa.Column(
            "leader_user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL", name="datathon_project_leader_fkey"),
            nullable=True,
        ),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("submitted_at", _tz(), nullable=True),
        sa.Column("withdrawn_at", _tz(), nullable=True),
        sa.CheckConstraint(
            "submission_status IN ('draft', 'submitted', 'withdrawn')",
            name="datathon_project_status_check",
        ),
    )
    op.create_index(
        "datathon_project_challenge_status_idx",
        "datathon_project",
        ["challenge_id", "submission_status"],
    )
    op.create_index("datathon_project_leader_idx", "datathon_project", ["leader_user_id"])

    op.create_table(
        "datathon_project_dataset",
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="CASCADE",
                name="datathon_project_dataset_project_fkey",
            ),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "package.id", ondelete="CASCADE", name="datathon_project_dataset_package_fkey"
            ),
            primary_key=True,
        ),
        sa.Column("resource_ids", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
    )
    op.create_index(
        "datathon_project_dataset_package_idx", "datathon_project_dataset", ["package_id"]
    )


def downgrade() -> None:
    op.drop_table("datathon_project_dataset")
    op.drop_table("datathon_project")
