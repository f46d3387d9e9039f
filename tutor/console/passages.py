"""Passages a trainer can cite: those an answer quoted, found again by their text (an
answer keeps its sources' text, not their ids, which change on every re-ingest), and
those that contain some words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.tables import Chunk, Course, Document
from tutor.answers.review import like_escaped

FOUND_AT_MOST = 8


@dataclass(frozen=True)
class PassageChoice:
    chunk_id: int
    document: str
    section: str
    text: str


def _choices(rows: Iterable) -> list[PassageChoice]:
    return [PassageChoice(chunk_id, document, section, text)
            for chunk_id, document, section, text in rows]


def _query(course: str):  # the course's passages, with where they come from
    return (select(Chunk.id, Document.name, Chunk.heading, Chunk.text)
            .join(Document, col(Document.id) == Chunk.document_id)
            .join(Course, col(Course.id) == Document.course_id)
            .where(Course.name == course))


def passages_quoted(engine: Engine, course: str, texts: list[str]) -> list[PassageChoice]:
    """The course's passages whose text is one of `texts`, in that order."""
    if not texts:
        return []
    with Session(engine) as session:
        found = _choices(session.exec(_query(course).where(col(Chunk.text).in_(texts))))
    order = {text: n for n, text in enumerate(texts)}
    return sorted(found, key=lambda choice: order[choice.text])


def passages_with(engine: Engine, course: str, words: str) -> list[PassageChoice]:
    """The course's passages that contain every one of `words` (any case), in the
    material's order; at most FOUND_AT_MOST."""
    terms = [word for word in words.split() if len(word) > 1][:6]
    if not terms:
        return []
    query = _query(course)
    for term in terms:
        query = query.where(col(Chunk.text).ilike(f"%{like_escaped(term)}%", escape="\\"))
    with Session(engine) as session:
        return _choices(session.exec(query.order_by(col(Document.name), col(Chunk.ordinal))
                                     .limit(FOUND_AT_MOST)))
