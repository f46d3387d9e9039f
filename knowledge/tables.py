"""Course material tables: the source of truth the FAISS index is derived from."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, UniqueConstraint
from sqlalchemy.sql.expression import Executable
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def insert_ignoring_duplicates(engine: Engine, table: type[SQLModel]) -> Executable:
    """An INSERT that skips rows whose key is there already (another worker's)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Course(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    # The trainer's skills.yaml/.json as last ingested: applied whenever the skill map
    # is derived again (a new document, a removed one).
    skills_spec: str = ""
    skills_spec_file: str = ""
    # Counts the changes to the course's chunks: each worker's index follows it.
    index_version: int = 0


class Skill(SQLModel, table=True):
    """What there is to learn in a course (knowledge/skills.py derives the map)."""

    # Ids never come back: attempts name their skill by id, and outlive a removed course.
    __table_args__ = (UniqueConstraint("course_id", "name"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    name: str
    position: int  # the order the material teaches it in
    prerequisites: str = "[]"  # JSON list of skill names

    def prerequisite_names(self) -> list[str]:
        return list(json.loads(self.prerequisites or "[]"))


class Document(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    name: str  # the file name; what citations and evaluations refer to
    source_path: str
    content_hash: str
    embedding_model: str
    ingested_at: datetime = Field(default_factory=utcnow)
    title: str = ""  # embedded with every chunk: it gives a bare paragraph its topic
    kind: str = ""  # how its text is normalised: "markdown", "text", "pdf" or "slides"
    # The text as the reader extracted it, before normalising: `tutorbot reindex` can
    # normalise and chunk it again after the normaliser improves, without the file.
    text: str = ""
    chunking_version: int = 0  # knowledge.ingest.CHUNKING_VERSION it was chunked with


class Chunk(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    ordinal: int
    heading: str
    page: int | None = None
    text: str
    embedding: bytes  # float32, L2-normalised; kept so the index rebuilds without re-embedding
    skill_id: int | None = Field(default=None, foreign_key="skill.id", index=True)

    def vector(self) -> np.ndarray:
        return np.frombuffer(self.embedding, dtype=np.float32)


class TextVector(SQLModel, table=True):
    """A text's embedding, by the text's hash: the sentences of every passage are
    embedded once, at ingest, and read back by each question in every process."""

    key: str = Field(primary_key=True)  # knowledge.text_vectors.text_key
    model: str = Field(index=True)  # the embedding model's name; rows of another are stale
    vector: bytes  # float32, as the model gave it
