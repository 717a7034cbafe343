"""What the plugin's mail remembers: reminders sent and announcements made.

``datathon_reminder`` makes ``ckan datathon send-reminders`` idempotent: a
reminder of one kind about one challenge reaches one user once (the primary
key is ``(kind, challenge_id, user_id)``).  ``datathon_announcement`` keeps
the organizers' announcements to the teams of a challenge (their history and
the rate limit).
"""

from __future__ import annotations

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from .base import new_uuid, utcnow

REMINDER_KINDS = ("registration", "submission", "judging")


class Reminder(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_reminder",
        tk.BaseModel.metadata,
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
        sa.Column(
            "sent",
            sa.DateTime(timezone=True),
            nullable=False,
            default=utcnow,
            server_default=sa.func.now(),
        ),
        sa.CheckConstraint(
            "kind IN ('registration', 'submission', 'judging')",
            name="datathon_reminder_kind_check",
        ),
    )


class Announcement(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_announcement",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
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
            "created",
            sa.DateTime(timezone=True),
            nullable=False,
            default=utcnow,
            server_default=sa.func.now(),
        ),
        sa.Index("datathon_announcement_challenge_idx", "challenge_id", "created"),
    )
