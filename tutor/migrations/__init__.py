"""Schema changes as Alembic migrations (tutor/migrations/versions), run at start.

A new table or column in knowledge/tables.py or tutor/tables.py needs a revision:
`python -m tutor.migrations revision "what changed"` writes one from the difference
between the models and a database at head; read it before committing.
tests/tutor/test_database.py checks that head matches the models.
"""

from __future__ import annotations

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
    old column adder would have."""
    command.upgrade(alembic_config(engine), "head")
