"""Course.index_version: counts changes to a course's chunks (knowledge/index.py).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing courses start at 0: their index files (named without a version) are
    # taken as stale, and each is built once from the database on first search.
    with op.batch_alter_table("course") as batch_op:
        batch_op.add_column(sa.Column("index_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("course") as batch_op:
        batch_op.drop_column("index_version")
