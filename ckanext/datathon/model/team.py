"""Team invitations: how a person joins a team with their consent.

A team member invites an existing user (``project_member_add``); the invitee
accepts or declines.  Pending invitees are not on the team (the dataset's
collaborators are) and do not count toward the team cap.  An invitation
lapses -- computed when it is read or accepted, never stored -- when the
submission deadline passes, the project is withdrawn or deleted, the inviter
left the team or the invitee became a juror or organizer of the challenge.

``accepted`` rows also record members who joined before invitations existed
(``ckan datathon upgrade``, step ``teams``), with no inviter.
"""

from __future__ import annotations

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from .base import new_uuid, utcnow

INVITATION_STATES = ("pending", "accepted", "declined", "revoked")


class TeamInvitation(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_team_invitation",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
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
            "created",
            sa.DateTime(timezone=True),
            nullable=False,
            default=utcnow,
            server_default=sa.func.now(),
        ),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("decided", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'accepted', 'declined', 'revoked')",
            name="datathon_team_invitation_state_check",
        ),
        sa.Index("datathon_team_invitation_project_idx", "project_id", "state"),
        sa.Index("datathon_team_invitation_invitee_idx", "invitee_user_id", "state"),
        sa.Index("datathon_team_invitation_inviter_idx", "inviter_user_id", "created"),
        # one open invitation of a person to a team
        sa.Index(
            "datathon_team_invitation_pending_idx",
            "project_id",
            "invitee_user_id",
            unique=True,
            postgresql_where=sa.text("state = 'pending'"),
        ),
    )
