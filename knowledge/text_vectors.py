"""Embeddings kept in the database by text (the TextVector table).

The quoted answer and the answer check embed every sentence of the retrieved
passages, each alone and with its neighbours: about 50 texts a question, which
under load cost more than the search. Ingest stores them once; questions read them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from knowledge.tables import TextVector, insert_ignoring_duplicates

LOOKUP_BATCH = 500  # keys per query: under SQLite's limit on bound parameters


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:40]


class TextVectors:
    """One embedding model's stored vectors."""

    def __init__(self, engine: Engine, model: str) -> None:
        self.engine = engine
        self.model = model

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those `texts` that have one."""
        keys = {text_key(self.model, text): text for text in texts}
        found: dict[str, np.ndarray] = {}
        with Session(self.engine) as session:
            for batch in _batches(list(keys), LOOKUP_BATCH):
                for key, vector in session.exec(select(TextVector.key, TextVector.vector)
                                                .where(col(TextVector.key).in_(batch))):
                    found[keys[key]] = np.frombuffer(vector, dtype=np.float32)
        return found

    def missing(self, texts: Iterable[str]) -> list[str]:
        """Those of `texts` (once each, in order) without a stored vector."""
        unique = list(dict.fromkeys(texts))
        stored = self.get(unique)
        return [text for text in unique if text not in stored]

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors; a text stored meanwhile (another worker) keeps its row."""
        rows = {text_key(self.model, t): np.asarray(v, dtype=np.float32).tobytes()
                for t, v in zip(texts, vectors, strict=True)}
        if not rows:
            return
        insert = insert_ignoring_duplicates(self.engine, TextVector)
        with Session(self.engine) as session:
            for batch in _batches(list(rows), LOOKUP_BATCH):
                session.execute(insert, [{"key": k, "model": self.model, "vector": rows[k]}
                                         for k in batch])
            session.commit()

    def drop_other_models(self) -> int:
        """Delete the vectors of embedding models other than this one."""
        with Session(self.engine) as session:
            dropped = session.execute(delete(TextVector).where(
                col(TextVector.model) != self.model)).rowcount
            session.commit()
        return int(dropped or 0)



def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
