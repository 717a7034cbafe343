"""Stages 2, 7 and 11 of the method, and following a challenge.

* ``datathon_mentorship``: the mentorship sessions of a challenge (stage 7);
* ``datathon_idea`` and ``datathon_idea_vote``: the ideathon (stage 2), where
  the problem is delimited collectively; one vote per user per idea is the
  primary key of a vote, so concurrent clicks cannot count twice;
* ``datathon_data_gap``: data an idea needs that the portal lacks, the seed of
  a documented data request;
* ``datathon_impact`` and ``datathon_impact_dataset``: the social and public
  impact recorded after the contest (stage 11), optionally citing a project
  and portal datasets;
* ``datathon_challenge_follower``: users who follow a challenge.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

import ckan.plugins.toolkit as tk

from .base import new_uuid, tz_datetime, utcnow

IMPACT_KINDS: tuple[str, ...] = (
    "policy_adoption",
    "deployment",
    "media",
    "funding",
    "dataset_release",
    "other",
)


def _challenge_fk(table: str) -> sa.Column:
    return sa.Column(
        "challenge_id",
        sa.UnicodeText,
        sa.ForeignKey("datathon_challenge.id", ondelete="CASCADE", name=f"{table}_challenge_fkey"),
        nullable=False,
    )


class Mentorship(tk.BaseModel):
    """A mentorship session: in a place, online (url) or both."""

    __table__ = sa.Table(
        "datathon_mentorship",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        _challenge_fk("datathon_mentorship"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("starts", tz_datetime(), nullable=False),
        sa.Column("ends", tz_datetime(), nullable=False),
        sa.Column("location", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("mentors", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column(
            "modified", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.CheckConstraint("ends >= starts", name="datathon_mentorship_dates_check"),
        sa.Index("datathon_mentorship_challenge_idx", "challenge_id", "starts"),
    )


class Idea(tk.BaseModel):
    """An idea proposed in the ideathon to delimit the challenge's problem."""

    __table__ = sa.Table(
        "datathon_idea",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        _challenge_fk("datathon_idea"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="SET NULL", name="datathon_idea_user_fkey"),
            nullable=True,
        ),
        sa.Column("adopted", tz_datetime(), nullable=True),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Index("datathon_idea_challenge_idx", "challenge_id", "created"),
        sa.Index("datathon_idea_user_idx", "user_id"),
    )


class IdeaVote(tk.BaseModel):
    """One user's vote for one idea (the primary key makes it one)."""

    __table__ = sa.Table(
        "datathon_idea_vote",
        tk.BaseModel.metadata,
        sa.Column(
            "idea_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_idea.id", ondelete="CASCADE", name="datathon_idea_vote_idea_fkey"
            ),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey("user.id", ondelete="CASCADE", name="datathon_idea_vote_user_fkey"),
            primary_key=True,
        ),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Index("datathon_idea_vote_user_idx", "user_id"),
    )


class DataGap(tk.BaseModel):
    """Data an idea needs that the portal does not publish (yet)."""

    __table__ = sa.Table(
        "datathon_data_gap",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        sa.Column(
            "idea_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_idea.id", ondelete="CASCADE", name="datathon_data_gap_idea_fkey"
            ),
            nullable=False,
        ),
        # denormalised so a challenge's gaps are one indexed read
        _challenge_fk("datathon_data_gap"),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        # who is believed to hold the data (an agency, a department)
        sa.Column("holder", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Index("datathon_data_gap_challenge_idx", "challenge_id"),
        sa.Index("datathon_data_gap_idea_idx", "idea_id", "position"),
    )


class Impact(tk.BaseModel):
    """Social and public impact of a challenge, optionally of one project."""

    __table__ = sa.Table(
        "datathon_impact",
        tk.BaseModel.metadata,
        sa.Column("id", sa.UnicodeText, primary_key=True, default=new_uuid),
        _challenge_fk("datathon_impact"),
        sa.Column(
            "project_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_project.package_id",
                ondelete="SET NULL",
                name="datathon_impact_project_fkey",
            ),
            nullable=True,
        ),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=True),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column(
            "modified", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in IMPACT_KINDS) + ")",
            name="datathon_impact_kind_check",
        ),
        sa.Index("datathon_impact_challenge_idx", "challenge_id", "date"),
        sa.Index("datathon_impact_project_idx", "project_id"),
    )


class ImpactDataset(tk.BaseModel):
    """A portal dataset an impact entry cites ("this data informed ...")."""

    __table__ = sa.Table(
        "datathon_impact_dataset",
        tk.BaseModel.metadata,
        sa.Column(
            "impact_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_impact.id", ondelete="CASCADE", name="datathon_impact_dataset_impact_fkey"
            ),
            primary_key=True,
        ),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "package.id", ondelete="CASCADE", name="datathon_impact_dataset_package_fkey"
            ),
            primary_key=True,
        ),
        sa.Index("datathon_impact_dataset_package_idx", "package_id"),
    )


class ChallengeFollower(tk.BaseModel):
    """A user following a challenge (CKAN's follow conventions)."""

    __table__ = sa.Table(
        "datathon_challenge_follower",
        tk.BaseModel.metadata,
        sa.Column(
            "challenge_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_challenge_follower_challenge_fkey",
            ),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.UnicodeText,
            sa.ForeignKey(
                "user.id", ondelete="CASCADE", name="datathon_challenge_follower_user_fkey"
            ),
            primary_key=True,
        ),
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Index("datathon_challenge_follower_user_idx", "user_id"),
    )
