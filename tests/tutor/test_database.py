import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from knowledge.tables import Chunk, TextVector
from tests.conftest import ROOT
from tests.postgres import PostgresCluster
from tutor.database import create_db_and_tables, make_engine
from tutor.migrations import alembic_config
from tutor.tables import Turn

# Made by the version before migrations (commit 0407451): a course, a chunk, a
# learner and a turn.
OLD_DATA_DIR_DB = ROOT / "tests" / "data" / "data-dir-0407451.db"


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection),
                                     SQLModel.metadata))


def version(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head()


def test_a_new_database_is_made_by_the_migrations_and_matches_the_models(
        database_url: str) -> None:
    engine = make_engine(database_url)
    create_db_and_tables(engine)
    assert version(engine) == head()
    assert schema_differences(engine) == []  # a model change without its migration fails
    create_db_and_tables(engine)  # at every start: nothing to do
    assert version(engine) == head()
    engine.dispose()


def test_a_data_dir_made_before_migrations_is_upgraded_and_keeps_its_rows(
        tmp_path: Path) -> None:
    database = tmp_path / "tutorbot.db"
    shutil.copy(OLD_DATA_DIR_DB, database)
    engine = make_engine(f"sqlite:///{database}")
    create_db_and_tables(engine)
    assert version(engine) == head()
    assert schema_differences(engine) == []
    with Session(engine) as session:
        assert session.exec(select(Turn)).one().question == "Which extinguisher?"
        assert session.exec(select(Chunk)).one().text == "Use CO2 on electrical fires."
        assert session.exec(select(TextVector)).all() == []  # the new table, empty


def test_an_older_data_dir_gets_the_columns_added_since(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    with sqlite3.connect(database) as old:
        old.execute("CREATE TABLE learner (id VARCHAR PRIMARY KEY, course VARCHAR, "
                    "created_at DATETIME NOT NULL)")
        old.execute("CREATE TABLE turn (id INTEGER PRIMARY KEY, learner_id VARCHAR NOT NULL, "
                    "course VARCHAR NOT NULL, question VARCHAR NOT NULL, "
                    "answer VARCHAR NOT NULL, created_at DATETIME NOT NULL)")
        old.execute("INSERT INTO learner VALUES ('console:ana', 'fire', '2026-01-01 00:00:00')")
        old.execute("INSERT INTO turn VALUES (1, 'console:ana', 'fire', 'Which?', 'CO2.', "
                    "'2026-01-01 00:00:00')")
    engine = make_engine(f"sqlite:///{database}")
    create_db_and_tables(engine)  # adds turn.conversation, turn.gap and the other tables
    with Session(engine) as session:
        turn = session.exec(select(Turn)).one()
    assert (turn.question, turn.conversation, turn.gap) == ("Which?", "", "")
    assert version(engine) == head()
    with sqlite3.connect(database) as check:
        indexes = {row[0] for row in check.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'index'")}
    assert "ix_turn_conversation" in indexes


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_workers_starting_together_on_a_new_database_migrate_once(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Without the lock, three of five trials of three processes failed on SQLite
    ("table ... already exists")."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'tutorbot.db'}"
    else:
        cluster: PostgresCluster | None = request.getfixturevalue("postgres")
        if cluster is None:
            pytest.skip("PostgreSQL is not installed here")
        url = cluster.new_database(migrated=False)
    start = ("import sys; from tutor.database import create_db_and_tables, make_engine; "
             "create_db_and_tables(make_engine(sys.argv[1]))")
    workers = [subprocess.Popen([sys.executable, "-c", start, url], cwd=ROOT,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    failures = [error for worker in workers
                if (error := worker.communicate(timeout=120)[1]) and worker.returncode]
    assert not failures, failures[0][-1500:]
    engine = make_engine(url)
    assert version(engine) == head() and schema_differences(engine) == []
