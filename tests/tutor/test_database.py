import sqlite3
from pathlib import Path

from sqlmodel import Session, select

from tutor.database import add_missing_columns, create_db_and_tables, make_engine
from tutor.tables import Turn


def test_a_data_dir_from_an_older_version_gets_the_new_columns(tmp_path: Path) -> None:
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
    create_db_and_tables(engine)  # adds turn.conversation and the feedback table
    with Session(engine) as session:
        turn = session.exec(select(Turn)).one()
    assert (turn.question, turn.conversation) == ("Which?", "")
    assert add_missing_columns(engine) == []  # nothing left to add
    with sqlite3.connect(database) as check:
        indexes = {row[0] for row in check.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'index'")}
    assert "ix_turn_conversation" in indexes
