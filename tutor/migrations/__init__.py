"""Schema changes as Alembic migrations (tutor/migrations/versions), run at start.

A new table or column in knowledge/tables.py or tutor/tables.py needs a revision:
`python -m tutor.migrations revision "what changed"` writes one from the difference
between the models and a database at head; read it before committing.
tests/tutor/test_database.py checks that head matches the models.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema. A database from before migrations
    (tables, no version) is taken up by the baseline revision, which adds what the
    old column adder would have. Workers starting together take turns: the first
    migrates, the others find the schema at head (PostgreSQL: an advisory lock in
    env.py; an SQLite file: a lock file beside it)."""
    with _sqlite_file_lock(engine):
        command.upgrade(alembic_config(engine), "head")


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield
