"""The challenge and the parts it owns: dataset links, allies, prizes, timeline.

The participation rules ("bases") are one-to-one with a challenge, so they are
columns of ``datathon_challenge`` rather than a table of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

import ckan.plugins.toolkit as tk

from .base import new_uuid, tz_datetime, utcnow

# The 11 stages of the datathon method, in order.
STAGES: tuple[str, ...] = (
    "identify",
    "ideathon",
    "rules",
    "preparation",
    "launch",
    "development",
    "mentorship",
    "jury",
    "submission",
    "awards",
    "impact",
)
CHALLENGE_STATES = ("draft", "active", "deleted")
DATASET_ROLES = ("primary", "supporting", "context")
ALLY_KINDS = ("government", "civil_society", "academia", "private", "international")
# Contest dates, in the order they must follow.
CONTEST_DATES = (
    "registration_opens",
    "registration_closes",
    "submission_deadline",
    "judging_closes",
    "results_date",
)


# challenge_list's q matches the words of this vector: a column PostgreSQL
# computes on every write (migration 07 holds its own frozen copy)
SEARCH_VECTOR = "to_tsvector('simple'::regconfig, title || ' ' || name || ' ' || problem_statement)"


class Challenge(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_challenge",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
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
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column(
            "modified", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column("published", tz_datetime(), nullable=True),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=True),
        # contest dates
        sa.Column("registration_opens", tz_datetime(), nullable=True),
        sa.Column("registration_closes", tz_datetime(), nullable=True),
        sa.Column("submission_deadline", tz_datetime(), nullable=True),
        sa.Column("judging_closes", tz_datetime(), nullable=True),
        sa.Column("results_date", tz_datetime(), nullable=True),
        # rules ("bases")
        sa.Column("max_team_size", sa.Integer, nullable=False, server_default="6"),
        sa.Column("min_team_size", sa.Integer, nullable=False, server_default="1"),
        sa.Column("allowed_licences", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("require_open_data", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("require_rules_acceptance", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("eligibility", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("rules_text", sa.UnicodeText, nullable=False, server_default=""),
        # IANA zone the dates are shown in (they are stored in UTC)
        sa.Column("timezone", sa.UnicodeText, nullable=False, server_default="UTC"),
        sa.UniqueConstraint("name", name="datathon_challenge_name_key"),
        sa.CheckConstraint(
            "state IN ('draft', 'active', 'deleted')", name="datathon_challenge_state_check"
        ),
        sa.CheckConstraint(
            "min_team_size >= 1 AND max_team_size <= 50 AND min_team_size <= max_team_size",
            name="datathon_challenge_team_size_check",
        ),
        sa.Index("datathon_challenge_owner_org_idx", "owner_org"),
        sa.Index("datathon_challenge_state_created_idx", "state", "created", "id"),
        # challenge_list's q: words of title, name and problem statement (migration 07)
        sa.Column("search_vector", TSVECTOR, sa.Computed(SEARCH_VECTOR, persisted=True)),
        sa.Index("datathon_challenge_search_idx", "search_vector", postgresql_using="gin"),
    )
    # only searched, never read: instances do not load it
    __mapper_args__ = {"exclude_properties": ["search_vector"]}


class ChallengeDataset(tk.BaseModel):
    """A portal dataset that describes a challenge's problem."""

    __table__ = sa.Table(
        "datathon_challenge_dataset",
        tk.BaseModel.metadata,
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            # Purging a dataset removes its links; a soft-deleted one is hidden.
            sa.ForeignKey(
                "package.id", ondelete="CASCADE", name="datathon_challenge_dataset_package_fkey"
            ),
            primary_key=True,
        ),
        sa.Column("role", sa.UnicodeText, nullable=False, server_default="primary"),
        sa.Column("note", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "role IN ('primary', 'supporting', 'context')",
            name="datathon_challenge_dataset_role_check",
        ),
        sa.Index("datathon_challenge_dataset_package_idx", "package_id"),
    )


class Ally(tk.BaseModel):
    """A strategic ally of a challenge: who brings data, reach or expertise."""

    __table__ = sa.Table(
        "datathon_ally",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
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
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "kind IN ('government', 'civil_society', 'academia', 'private', 'international')",
            name="datathon_ally_kind_check",
        ),
        sa.Index("datathon_ally_challenge_idx", "challenge_id"),
    )


class Prize(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_prize",
        tk.BaseModel.metadata,
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


class Stage(tk.BaseModel):
    """One dated stage of the challenge's method timeline."""

    __table__ = sa.Table(
        "datathon_stage",
        tk.BaseModel.metadata,
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("stage", sa.UnicodeText, primary_key=True),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("starts", tz_datetime(), nullable=False),
        sa.Column("ends", tz_datetime(), nullable=False),
        sa.Column("notes", sa.UnicodeText, nullable=False, server_default=""),
        sa.CheckConstraint("starts <= ends", name="datathon_stage_order_check"),
        sa.CheckConstraint("position BETWEEN 1 AND 11", name="datathon_stage_position_check"),
        sa.Index("datathon_stage_window_idx", "stage", "starts", "ends"),
    )
