"""ReceivedEvent: chat event ids taken already, shared by every worker (tutor/received.py).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receivedevent",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "event_id"),
    )
    op.create_index("ix_receivedevent_received_at", "receivedevent", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_receivedevent_received_at", table_name="receivedevent")
    op.drop_table("receivedevent")
