"""Harvested copies: which local challenge copies which challenge of which portal.

ckanext-harvest links a harvest object to a *dataset* (``package_id``); a
challenge is not one, so ``datathon_harvested_challenge`` keeps the link of a
copy to its harvest source and to the remote challenge it copies.  Copies are
matched by the remote challenge's id, never by its name (names change); one
remote challenge has at most one copy on this portal, whichever source reads it.
A row makes its challenge read-only (``logic/federation.py``'s guard).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class HarvestedChallenge(tk.BaseModel):
    __table__ = sa.Table(
        "datathon_harvested_challenge",
        tk.BaseModel.metadata,
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
        # the harvest source (a dataset of type "harvest"; no foreign key: its
        # tables belong to ckanext-harvest, which may be migrated later or not at all)
        sa.Column("harvest_source_id", sa.UnicodeText, nullable=False),
        # the source portal's root URL, normalised (scheme://host[:port][/path], no slash)
        sa.Column("remote_site_url", sa.UnicodeText, nullable=False),
        sa.Column("remote_id", sa.UnicodeText, nullable=False),
        sa.Column("remote_name", sa.UnicodeText, nullable=False),
        # what the copy shows of the source: {name, title} of its organization,
        # the datasets it links ([{id, name, title, role}]), the published results
        sa.Column("remote_organization", JSONB, nullable=False, server_default="{}"),
        sa.Column("remote_datasets", JSONB, nullable=False, server_default="[]"),
        sa.Column("remote_results", JSONB, nullable=True),
        sa.Column("remote_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("harvested", sa.DateTime(timezone=True), nullable=False, default=_now),
        # first run that did not find it at the source, when that run was not
        # trusted to delete (empty, or dropping more than the declared share)
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "harvest_source_id", "remote_id", name="datathon_harvested_challenge_source_key"
        ),
        sa.UniqueConstraint(
            "remote_site_url", "remote_id", name="datathon_harvested_challenge_remote_key"
        ),
    )
