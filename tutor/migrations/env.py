"""Alembic's entry point: migrations run on the engine `migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import knowledge.tables  # noqa: F401  (registers the tables)
import tutor.tables  # noqa: F401

MIGRATION_LOCK = 0x7475746F72  # "tutor": any number other applications do not use
engine = context.config.attributes["engine"]
with engine.connect() as connection:
    # SQLite alters a table by copying it: batch mode does that for every change.
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Workers starting at once migrate one after another (held until commit).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
    connection.commit()
