"""The engine and the schema. Any SQLAlchemy URL works; SQLite is the default."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import Session, col, create_engine, delete


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    engine = create_engine(url, connect_args=connect_args)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a chat process read while `tutorbot ingest` writes; FKs keep chunks tidy.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_db_and_tables(engine: Engine) -> None:
    """Bring the schema up to date (tutor/migrations)."""
    from tutor.migrations import migrate

    migrate(engine)


def delete_rows(session: Session, columns: tuple, value: object) -> int:
    """Delete the rows whose column (one of `columns`, each of its own table) holds
    `value`; returns how many went. What /forget runs over a learner's tables."""
    removed = 0
    for column in columns:
        table = column.class_  # the model the column belongs to
        removed += int(session.exec(delete(table).where(col(column) == value)).rowcount or 0)
    return removed
