"""ReceivedEvent leases: when a worker took an event, and when its reply was sent
(tutor/received.py). Rows from before were answered by the code that took them.

Revision ID: 0006
Revises: 0004 (0005 was not needed: quiz answers are claimed by re-checking the run's
position in their transaction, tutor/quiz/records.py)
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receivedevent") as batch:
        batch.add_column(sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                   nullable=True))
        batch.add_column(sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                   nullable=True))
    op.execute("UPDATE receivedevent SET taken_at = received_at, answered_at = received_at")
    with op.batch_alter_table("receivedevent") as batch:
        batch.alter_column("taken_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(),
                           nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("receivedevent") as batch:
        batch.drop_column("answered_at")
        batch.drop_column("taken_at")
