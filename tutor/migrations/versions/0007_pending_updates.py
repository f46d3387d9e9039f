"""ReceivedEvent payloads: an update's JSON and learner kept while it is unanswered, so
the tutor can handle it again after a worker died (tutor/received.py).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receivedevent") as batch:
        batch.add_column(sa.Column("payload", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.create_index("ix_receivedevent_learner_id", ["learner_id"])


def downgrade() -> None:
    with op.batch_alter_table("receivedevent") as batch:
        batch.drop_index("ix_receivedevent_learner_id")
        batch.drop_column("learner_id")
        batch.drop_column("payload")
