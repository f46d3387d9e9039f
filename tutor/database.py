"""The engine and schema creation. Any SQLAlchemy URL works; SQLite is the default."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Engine, event, inspect
from sqlalchemy.schema import CreateColumn
from sqlmodel import Session, SQLModel, col, create_engine, delete


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
    import knowledge.tables  # noqa: F401  (registers the tables)
    import tutor.tables  # noqa: F401

    SQLModel.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add columns that newer code declares to tables an older version created.
    Additive changes only (every new column has a default); returns what was added."""
    existing = inspect(engine)
    added: list[str] = []
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if not existing.has_table(table.name):
                continue
            present = {column["name"] for column in existing.get_columns(table.name)}
            new = [column for column in table.columns if column.name not in present]
            for column in new:
                definition = CreateColumn(column).compile(dialect=engine.dialect)
                connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {definition}"
                                           f"{_default_clause(column)}")
                added.append(f"{table.name}.{column.name}")
            for index in table.indexes:
                if any(column in new for column in index.columns):
                    index.create(connection, checkfirst=True)
    return added


def _default_clause(column: Column) -> str:
    """Existing rows need a value for a NOT NULL column: the Python default, as SQL."""
    default = column.default.arg if column.default is not None else None
    if isinstance(default, bool | int | float):
        return f" DEFAULT {int(default) if isinstance(default, bool) else default}"
    if isinstance(default, str):
        return " DEFAULT '" + default.replace("'", "''") + "'"
    return ""


def delete_rows(session: Session, columns: tuple, value: object) -> int:
    """Delete the rows whose column (one of `columns`, each of its own table) holds
    `value`; returns how many went. What /forget runs over a learner's tables."""
    removed = 0
    for column in columns:
        table = column.class_  # the model the column belongs to
        removed += int(session.exec(delete(table).where(col(column) == value)).rowcount or 0)
    return removed
