"""Teams by consent: team invitations, and a leader for every team.

``datathon_team_invitation`` holds the invitations of ``project_member_add``
(pending, accepted, declined, revoked; lapse is computed, not stored).  Projects
without a leader (created by organizers with ``package_create``, or whose
leader's account was purged) get one from the existing data: the dataset's
creator when they are on the team, otherwise the earliest active member.
Recording the existing members as accepted ones, exporting the free-text
``team_members`` field and the report of jurors on teams are done by
``ckan datathon upgrade`` (step ``teams``).

Revision ID: d5e8a1b3c7f2
Revises: c2d9e4a7b1f3
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d5e8a1b3c7f2"
down_revision = "c2d9e4a7b1f3"
branch_labels = None
depends_on = None

# Shared with the upgrade step (which runs it again: it changes only NULLs).
BACKFILL_LEADERS = """
UPDATE datathon_project AS pr
SET leader_user_id = COALESCE(
    (SELECT p.creator_user_id
       FROM package AS p
       JOIN package_member AS pm ON pm.package_id = p.id AND pm.user_id = p.creator_user_id
       JOIN "user" AS u ON u.id = pm.user_id AND u.state = 'active'
      WHERE p.id = pr.package_id),
    (SELECT pm.user_id
       FROM package_member AS pm
       JOIN "user" AS u ON u.id = pm.user_id AND u.state = 'active'
      WHERE pm.package_id = pr.package_id
      ORDER BY pm.modified, pm.user_id
      LIMIT 1))
WHERE pr.leader_user_id IS NULL
  AND EXISTS (SELECT 1 FROM package_member AS pm
               JOIN "user" AS u ON u.id = pm.user_id AND u.state = 'active'
              WHERE pm.package_id = pr.package_id)
"""


def upgrade() -> None:
    op.create_table(
        "datathon_team_invitation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="CASCADE",
                name="datathon_team_invitation_project_fkey",
            ),
            nullable=False,
        ),
        sa.Column(
            "invitee_user_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="CASCADE", name="datathon_team_invitation_invitee_fkey"
            ),
            nullable=False,
        ),
        sa.Column(
            "inviter_user_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="SET NULL", name="datathon_team_invitation_inviter_fkey"
            ),
            nullable=True,
        ),
        sa.Column(
            "created", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("decided", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'accepted', 'declined', 'revoked')",
            name="datathon_team_invitation_state_check",
        ),
    )
    op.create_index(
        "datathon_team_invitation_project_idx", "datathon_team_invitation", ["project_id", "state"]
    )
    op.create_index(
        "datathon_team_invitation_invitee_idx",
        "datathon_team_invitation",
        ["invitee_user_id", "state"],
    )
    op.create_index(
        "datathon_team_invitation_inviter_idx",
        "datathon_team_invitation",
        ["inviter_user_id", "created"],
    )
    op.create_index(
        "datathon_team_invitation_pending_idx",
        "datathon_team_invitation",
        ["project_id", "invitee_user_id"],
        unique=True,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.execute(BACKFILL_LEADERS)


def downgrade() -> None:
    # (the backfilled leaders stay: they are valid data of the old schema too)
    op.drop_table("datathon_team_invitation")
