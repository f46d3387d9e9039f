"""Which passages of a course are relevant to a question."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.index import IndexStore
from knowledge.tables import Chunk, Document


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    document: str
    section: str
    page: int | None
    text: str
    score: float
    vector: np.ndarray = field(compare=False, repr=False, default_factory=lambda: np.zeros(0))


class Retriever:
    def __init__(self, engine: Engine, index_store: IndexStore) -> None:
        self.engine = engine
        self.index_store = index_store

    def search(self, course_id: int, query: np.ndarray, k: int = 5) -> list[Passage]:
        """The `k` passages closest to the (normalised) query vector, best first."""
        index = self.index_store.get(course_id)
        if index is None:
            return []
        hits = index.search(query, k)
        if not hits:
            return []
        with Session(self.engine) as session:
            rows = session.exec(
                select(Chunk, Document.name)
                .join(Document, col(Document.id) == Chunk.document_id)
                .where(col(Chunk.id).in_([chunk_id for chunk_id, _ in hits]))
            ).all()
        by_id = {chunk.id: (chunk, name) for chunk, name in rows}
        passages = []
        for chunk_id, score in hits:
            if chunk_id in by_id:  # an index a moment older than the database
                chunk, name = by_id[chunk_id]
                passages.append(
                    Passage(
                        chunk_id, name, chunk.heading, chunk.page, chunk.text, score,
                        chunk.vector(),
                    )
                )
        return passages
