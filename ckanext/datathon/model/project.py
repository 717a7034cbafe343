"""Project records: the datathon state of a ``project`` dataset.

The record itself (title, repository, licence, ...) is a ckanext-scheming
dataset of type ``project``; its team is the dataset's collaborators.  What
only our actions may change -- the submission status, who leads the team --
lives here, one row per project dataset.  ``datathon_project_dataset`` mirrors
the schema field ``datasets_used`` so that "projects using this data" is a
plain join.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

import ckan.plugins.toolkit as tk

from .base import tz_datetime, utcnow

PROJECT_TYPE = "project"
SUBMISSION_STATUSES = ("draft", "submitted", "withdrawn")


class Project(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_project",
        tk.BaseModel.metadata,
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
                "datathon_challenge.id",
                ondelete="CASCADE",
                name="datathon_project_challenge_fkey",
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
        sa.Column(
            "created", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column(
            "modified", tz_datetime(), nullable=False, default=utcnow, server_default=sa.func.now()
        ),
        sa.Column("submitted_at", tz_datetime(), nullable=True),
        sa.Column("withdrawn_at", tz_datetime(), nullable=True),
        sa.CheckConstraint(
            "submission_status IN ('draft', 'submitted', 'withdrawn')",
            name="datathon_project_status_check",
        ),
        sa.Index("datathon_project_challenge_status_idx", "challenge_id", "submission_status"),
        sa.Index("datathon_project_leader_idx", "leader_user_id"),
    )


class ProjectDataset(tk.BaseModel):
    """A portal dataset a project uses (from its ``datasets_used`` field)."""

    __table__ = sa.Table(
        "datathon_project_dataset",
        tk.BaseModel.metadata,
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
        sa.Index("datathon_project_dataset_package_idx", "package_id"),
    )
