"""Trigram indexes for challenge_list's ``q`` (title, name, problem statement).

challenge_list matches ``q`` as a case-insensitive substring (ILIKE), which
scans every challenge; GIN trigram indexes (PostgreSQL's pg_trgm) answer the
same ILIKE from the index, with the same results.  pg_trgm is a trusted
extension (PostgreSQL 13+): the database owner may create it.  Where it cannot
be created, the indexes are skipped with a warning and ILIKE scans as before.

Revision ID: f3b8d0e5a2c9
Revises: e2a7c9d41f86
Create Date: 2026-11-27
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "f3b8d0e5a2c9"
down_revision = "e2a7c9d41f86"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

COLUMNS = ("title", "name", "problem_statement")


def _trigrams_available() -> bool:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar():
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning("pg_trgm unavailable, challenge search stays unindexed: %s", error)
        return False
    return True


def upgrade() -> None:
    if not _trigrams_available():
        return
    for column in COLUMNS:
        op.create_index(
            f"datathon_challenge_{column}_trgm_idx",
            "datathon_challenge",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    # the extension stays: other tables may use it
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS datathon_challenge_{column}_trgm_idx")
