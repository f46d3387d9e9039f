"""Retrieval quality on a question set: hit@1, hit@k and MRR, by document, and by
passage where the set gives each question's gold answer text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.runtime import Runtime


@dataclass(frozen=True)
class QAItem:
    question: str
    source: str  # file name of the document holding the answer
    answer: str = ""  # the gold answer's text, when the set has it


@dataclass
class RetrievalResult:
    n: int
    hits: dict[int, float]  # cut-off → share of questions whose document ranks within it
    mrr: float
    misses: list[str] = field(default_factory=list)
    # The same by passage (a passage holding the gold answer), for sets with answers.
    passage_hits: dict[int, float] = field(default_factory=dict)
    passage_mrr: float | None = None

    def as_dict(self) -> dict[str, object]:
        hits = {f"hit@{cut}": round(share, 4) for cut, share in sorted(self.hits.items())}
        result: dict[str, object] = {"n": self.n, **hits, "mrr": round(self.mrr, 4)}
        if self.passage_mrr is not None:
            by_passage = sorted(self.passage_hits.items())
            result["passage"] = {**{f"hit@{cut}": round(share, 4) for cut, share in by_passage},
                                 "mrr": round(self.passage_mrr, 4)}
        return {**result, "misses": self.misses}


def read_qa(path: Path) -> list[QAItem]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append(QAItem(str(row["question"]), Path(str(row["source"])).name,
                                str(row.get("answer") or "")))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"line {number} is not {{\"question\", \"source\"}} JSON "
                             f"({type(error).__name__})") from None
    if not items:
        raise ValueError("no questions in the file")
    return items


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def holds_answer(passage: str, answer: str, share: float = 0.5) -> bool:
    """Whether a passage holds (part of) a gold answer: at least `share` of the word
    triples of the shorter of the two are in the other. Layout, line breaks and
    hyphenation do not matter; a passage mostly about the next question does.

    >>> answer = "Cool the burn under running water for 20 minutes. Then cover it."
    >>> holds_answer("Burns: cool the burn under running water for 20 minutes.", answer)
    True
    >>> holds_answer("Report every burn to your first aider at once.", answer)
    False
    """
    passage_words, answer_words = _shingles(passage), _shingles(answer)
    if not passage_words or not answer_words:
        return False
    shared = len(passage_words & answer_words)
    return shared >= share * min(len(passage_words), len(answer_words))


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
    """hit@1, hit@5 and hit@k with the tutor's own search (passages searched: 4 per
    document cut-off); by passage too when every item has its answer text."""
    cutoffs = tuple(sorted({1, 5, k}))
    vectors = runtime.embedder.embed([item.question for item in items])
    depth = 4 * max(cutoffs)
    found = [runtime.retriever.search(course_id, vector, depth, item.question)
             for item, vector in zip(items, vectors, strict=True)]
    rankings = [document_ranking([p.document for p in passages]) for passages in found]
    hits, mrr = score_rankings(rankings, [item.source for item in items], cutoffs)
    misses = [f"{item.question} → expected {item.source}, got {ranking[:3]}"
              for item, ranking in zip(items, rankings, strict=True)
              if item.source not in ranking[:k]]
    result = RetrievalResult(len(items), hits, mrr, misses)
    if all(item.answer for item in items):
        # Each passage is named by its position; the right ones hold the gold answer.
        positions = [[str(i) for i in range(len(passages))] for passages in found]
        right = [next((str(i) for i, p in enumerate(passages)
                       if p.document == item.source and holds_answer(p.text, item.answer)), "-")
                 for item, passages in zip(items, found, strict=True)]
        result.passage_hits, result.passage_mrr = score_rankings(positions, right, cutoffs)
    return result
