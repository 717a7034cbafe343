"""Word search for challenge_list's ``q``: a generated tsvector column with a
GIN index, in place of migration 06's trigram indexes.

Trigram indexes answered ILIKE '%word%' quickly only for rare words; a common
word made PostgreSQL read and recheck every matching problem statement to
count the matches.  The word index counts them from the index.  ``q`` now
matches words by prefix (``transport`` finds "transporte" and
"transportation"), with PostgreSQL's ``simple`` configuration: lower-cased,
no stemming and no stop words, so it works alike in every language.

Revision ID: a4c6e1f9b3d2
Revises: f3b8d0e5a2c9
Create Date: 2026-11-27
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "a4c6e1f9b3d2"
down_revision = "f3b8d0e5a2c9"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

SEARCH_VECTOR = "to_tsvector('simple'::regconfig, title || ' ' || name || ' ' || problem_statement)"
TRIGRAM_COLUMNS = ("title", "name", "problem_statement")


def upgrade() -> None:
    op.add_column(
        "datathon_challenge",
        sa.Column("search_vector", TSVECTOR, sa.Computed(SEARCH_VECTOR, persisted=True)),
    )
    op.create_index(
        "datathon_challenge_search_idx",
        "datathon_challenge",
        ["search_vector"],
        postgresql_using="gin",
    )
    for column in TRIGRAM_COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS datathon_challenge_{column}_trgm_idx")


def downgrade() -> None:
    op.drop_index("datathon_challenge_search_idx", table_name="datathon_challenge")
    op.drop_column("datathon_challenge", "search_vector")
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar():
        log.warning("pg_trgm missing: migration 06's trigram indexes are not restored")
        return
    for column in TRIGRAM_COLUMNS:
        op.create_index(
            f"datathon_challenge_{column}_trgm_idx",
            "datathon_challenge",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
