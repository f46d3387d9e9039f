"""Which passages of a course are relevant to a question."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.index import IndexStore
from knowledge.sentences import is_lead_in, passage_units
from knowledge.tables import Chunk, Document

CANDIDATES = 50  # passages pooled from each of the two searches before fusing


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    document: str
    section: str
    page: int | None
    text: str
    score: float  # the fused score passages are ranked by
    vector: np.ndarray = field(compare=False, repr=False, default_factory=lambda: np.zeros(0))
    similarity: float | None = None  # cosine to the question; None: same as `score`

    @property
    def relevance(self) -> float:
        """How close in meaning to the question: what "the material covers it" is judged on."""
        return self.score if self.similarity is None else self.similarity


@dataclass(frozen=True)
class FusionPolicy:
    """How dense and lexical scores combine (weights chosen by bench/search_quality.py)."""

    lexical_weight: float = 0.2  # BM25, scaled to the query's best match, added to the cosine
    section_weight: float = 0.1  # the best other passage of the same section adds this much
    document_weight: float = 0.0  # the same for the same document


def fuse_scores(
    dense: np.ndarray, lexical: np.ndarray, documents: Sequence[str], sections: Sequence[str],
    policy: FusionPolicy,
) -> np.ndarray:
    """One score per passage: its cosine, plus its BM25 score scaled to the best BM25
    score of the query, plus evidence from the rest of its section and document
    (several close passages in one section make that section the likelier answer).

    >>> dense, lexical = np.array([0.5, 0.4, 0.45]), np.array([0.0, 6.0, 3.0])
    >>> fuse_scores(dense, lexical, ["a", "b", "b"], ["x", "y", "y"],
    ...             FusionPolicy(0.2, 0.0)).round(3).tolist()
    [0.5, 0.6, 0.55]
    >>> fuse_scores(dense, lexical, ["a", "b", "b"], ["x", "y", "y"],
    ...             FusionPolicy(0.2, 0.1)).round(3).tolist()
    [0.5, 0.655, 0.61]
    """
    best = float(lexical.max()) if len(lexical) else 0.0
    fused = dense + (policy.lexical_weight * lexical / best if best > 0 else 0.0)
    bonus = np.zeros_like(fused)
    for weight, keys in ((policy.section_weight, list(zip(documents, sections, strict=True))),
                         (policy.document_weight, list(documents))):
        if weight:
            bonus += weight * _best_other(fused, keys)
    return fused + bonus


def _best_other(scores: np.ndarray, keys: Sequence[object]) -> np.ndarray:
    """For each item, the best score among the other items with the same key (0 if none).

    >>> _best_other(np.array([0.3, 0.9, 0.5, 0.2]), ["a", "a", "a", "b"]).tolist()
    [0.9, 0.5, 0.9, 0.0]
    """
    first: dict[object, tuple[float, int]] = {}
    second: dict[object, float] = {}
    for index, (key, score) in enumerate(zip(keys, scores.tolist(), strict=True)):
        top = first.get(key)
        if top is None or score > top[0]:
            if top is not None:
                second[key] = top[0]
            first[key] = (score, index)
        elif score > second.get(key, float("-inf")):
            second[key] = score
    return np.array([
        (second.get(key, 0.0) if first[key][1] == index else first[key][0])
        for index, key in enumerate(keys)
    ], dtype=scores.dtype)


class Retriever:
    """Hybrid search of one course: the closest passages by embedding and the best
    by BM25 are pooled, and each is scored by `fuse_scores`."""

    def __init__(self, engine: Engine, index_store: IndexStore,
                 policy: FusionPolicy | None = None) -> None:
        self.engine = engine
        self.index_store = index_store
        self.policy = policy or FusionPolicy()

    def search(self, course_id: int, query: np.ndarray, k: int = 5,
               text: str = "") -> list[Passage]:
        """The `k` best passages for a question: `query` is its (normalised) vector,
        `text` its words (without them, the search is by embedding alone)."""
        index = self.index_store.get(course_id)
        if index is None:
            return []
        pool = max(CANDIDATES, k)
        candidates = dict(index.vectors.search(query, pool))
        word_scores: dict[int, float] = {}
        if text:
            word_scores = dict(index.lexical.search(text, pool))
            candidates.update(dict.fromkeys(word_scores.keys() - candidates.keys(), 0.0))
        rows = self._rows(list(candidates))
        if not rows:
            return []
        vectors = np.stack([chunk.vector() for chunk, _ in rows])
        similarity = vectors @ np.asarray(query, dtype=np.float32)
        words = np.array([word_scores.get(chunk.id or 0, 0.0) for chunk, _ in rows])
        fused = fuse_scores(similarity, words, [name for _, name in rows],
                            [chunk.heading for chunk, _ in rows], self.policy)
        best = np.argsort(-fused, kind="stable")[:k]
        return [
            Passage(chunk.id or 0, name, chunk.heading, chunk.page, self._completed(chunk),
                    float(fused[i]), vectors[i], float(similarity[i]))
            for i in best
            for chunk, name in (rows[i],)
        ]

    def course_passages(self, course_id: int) -> Iterator[str]:
        """The text of every passage the course's search can return."""
        with Session(self.engine) as session:
            chunks = session.exec(select(Chunk).join(Document).where(
                Document.course_id == course_id).order_by(
                col(Chunk.document_id), col(Chunk.ordinal))).all()
        for chunk in chunks:
            yield self._completed(chunk)

    def _completed(self, chunk: Chunk) -> str:
        """The chunk's text, and, when it ends by introducing what the next chunk of
        its section starts with ("The following checks…" before the code), that too:
        the passage holds what it promises."""
        units = passage_units(chunk.text)
        if not units or units[-1].kind == "code" or not is_lead_in(units[-1].text):
            return chunk.text
        with Session(self.engine) as session:
            following = session.exec(select(Chunk).where(
                Chunk.document_id == chunk.document_id, Chunk.ordinal == chunk.ordinal + 1,
                Chunk.heading == chunk.heading)).first()
        if following is None:
            return chunk.text
        return f"{chunk.text}\n\n{after_overlap(chunk.text, following.text)}".rstrip()

    def _rows(self, chunk_ids: list[int]) -> list[tuple[Chunk, str]]:
        """The chunks with their document names (an index a moment older than the
        database may name a chunk that is gone: it is left out)."""
        with Session(self.engine) as session:
            found = session.exec(
                select(Chunk, Document.name)
                .join(Document, col(Document.id) == Chunk.document_id)
                .where(col(Chunk.id).in_(chunk_ids))
            ).all()
        return [(chunk, name) for chunk, name in found]


def after_overlap(previous: str, following: str) -> str:
    """The text of a chunk after what it repeats of the chunk before it (chunks of
    one section overlap by a sentence or two).

    >>> after_overlap("Cool it. Check the following:", "Check the following:\\n\\n- Cover it.")
    '- Cover it.'
    >>> after_overlap("Cool it.", "Cover it.")
    'Cover it.'
    """
    tail = previous.rstrip()
    for end in range(min(len(following), len(tail)), 0, -1):
        if following[end - 1] in ".:!?" and tail.endswith(following[:end]):
            return following[end:].lstrip()
    return following
