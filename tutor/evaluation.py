"""Retrieval quality on a question set: hit@1, hit@k and MRR at document level."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.runtime import Runtime


@dataclass(frozen=True)
class QAItem:
    question: str
    source: str  # file name of the document holding the answer


@dataclass
class RetrievalResult:
    n: int
    hits: dict[int, float]  # cut-off → share of questions whose document ranks within it
    mrr: float
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        hits = {f"hit@{cut}": round(share, 4) for cut, share in sorted(self.hits.items())}
        return {"n": self.n, **hits, "mrr": round(self.mrr, 4), "misses": self.misses}


def read_qa(path: Path) -> list[QAItem]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append(QAItem(str(row["question"]), Path(str(row["source"])).name))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"line {number} is not {{\"question\", \"source\"}} JSON "
                             f"({type(error).__name__})") from None
    if not items:
        raise ValueError("no questions in the file")
    return items


def document_ranking(documents: list[str]) -> list[str]:
    """Documents in the order their first passage was retrieved.

    >>> document_ranking(["a.md", "b.pdf", "a.md", "c.html"])
    ['a.md', 'b.pdf', 'c.html']
    """
    return list(dict.fromkeys(documents))


def score_rankings(
    rankings: list[list[str]], expected: list[str], cutoffs: tuple[int, ...]
) -> tuple[dict[int, float], float]:
    """Hit rate at each cut-off, and the mean reciprocal rank.

    >>> score_rankings([["a", "b"], ["b", "a"], ["c"]], ["a", "a", "a"], (1, 2))
    ({1: 0.3333333333333333, 2: 0.6666666666666666}, 0.5)
    """
    hits = dict.fromkeys(cutoffs, 0.0)
    reciprocal = 0.0
    for ranking, source in zip(rankings, expected, strict=True):
        if source in ranking:
            rank = ranking.index(source) + 1
            reciprocal += 1 / rank
            for cut in cutoffs:
                hits[cut] += rank <= cut
    n = len(expected)
    return {cut: count / n for cut, count in hits.items()}, reciprocal / n


def evaluate_retrieval(runtime: Runtime, course_id: int, items: list[QAItem],
                       k: int) -> RetrievalResult:
    """Document-level hit@1, hit@5 and hit@k (passages searched: 4 per document cut-off)."""
    cutoffs = tuple(sorted({1, 5, k}))
    vectors = runtime.embedder.embed([item.question for item in items])
    depth = 4 * max(cutoffs)
    rankings = [
        document_ranking([p.document for p in runtime.retriever.search(course_id, v, depth)])
        for v in vectors
    ]
    hits, mrr = score_rankings(rankings, [item.source for item in items], cutoffs)
    misses = [f"{item.question} → expected {item.source}, got {ranking[:3]}"
              for item, ranking in zip(items, rankings, strict=True)
              if item.source not in ranking[:k]]
    return RetrievalResult(len(items), hits, mrr, misses)
