"""Retrieval quality on the public question sets: dense search alone against
lexical search and the fusions of both, over the same chunks, in the same run.

A passage counts as right when it holds the gold answer (tutor.evaluation.holds_answer);
hit@1, hit@5 and MRR are over passages, not documents (one set is a single PDF).

    python -m bench.search_quality [--sets zsh-faq debian-faq] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from bench.qa_sets import SETS, bench_runtime, off_topic_questions
from knowledge.chunking import embedding_text
from knowledge.lexical import LexicalIndex
from knowledge.retrieve import FusionPolicy, fuse_scores
from knowledge.sentences import passage_units
from knowledge.tables import Chunk, Document
from tutor.evaluation import holds_answer
from tutor.runtime import Runtime

DEPTH = 20  # MRR counts a right passage down to this rank


@dataclass
class Corpus:
    ids: np.ndarray
    documents: list[str]
    sections: list[str]
    texts: list[str]
    titled: list[str]  # title, heading and text: what the tutor embeds and indexes
    vectors: np.ndarray


def load_corpus(runtime: Runtime) -> Corpus:
    with Session(runtime.engine) as session:
        rows = session.exec(
            select(Chunk, Document).join(Document, col(Document.id) == Chunk.document_id)
            .order_by(col(Chunk.id))
        ).all()
    return Corpus(
        np.array([c.id for c, _ in rows]), [d.name for _, d in rows],
        [c.heading for c, _ in rows], [c.text for c, _ in rows],
        [embedding_text(d.title, c.heading, c.text) for c, d in rows],
        np.stack([c.vector() for c, _ in rows]),
    )


def ranking_scores(rankings: list[np.ndarray], relevant: list[set[int]]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@DEPTH of rankings of passage positions.

    >>> ranking_scores([np.array([2, 0, 1]), np.array([1, 2, 0])], [{0}, {1}])
    {'hit@1': 0.5, 'hit@5': 1.0, 'mrr': 0.75}
    """
    hit1 = hit5 = reciprocal = 0.0
    for ranking, right in zip(rankings, relevant, strict=True):
        ranks = [r for r, position in enumerate(ranking[:DEPTH], 1) if position in right]
        if ranks:
            hit1 += ranks[0] == 1
            hit5 += ranks[0] <= 5
            reciprocal += 1 / ranks[0]
    n = len(rankings)
    return {"hit@1": hit1 / n, "hit@5": hit5 / n, "mrr": reciprocal / n}


def rrf(dense: np.ndarray, lexical: np.ndarray, k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion, the usual fixed recipe (for comparison)."""
    def ranks(scores: np.ndarray) -> np.ndarray:
        order = np.argsort(-scores, kind="stable")
        result = np.empty(len(scores))
        result[order] = np.arange(1, len(scores) + 1)
        return result
    return 1 / (k + ranks(dense)) + 1 / (k + ranks(lexical))


@dataclass
class Questions:
    texts: list[str]
    vectors: np.ndarray
    relevant: list[set[int]]  # per question, the corpus positions holding its answer


def load_questions(runtime: Runtime, name: str, corpus: Corpus) -> Questions:
    items = SETS[name].items()
    texts = [item["question"] for item in items]
    relevant = [{i for i, text in enumerate(corpus.texts) if holds_answer(text, item["answer"])}
                for item in items]
    return Questions(texts, runtime.embedder.embed(texts), relevant)


def evaluate_set(name: str) -> dict[str, dict[str, float]]:
    runtime = bench_runtime(name)
    try:
        corpus = load_corpus(runtime)
        asked = load_questions(runtime, name, corpus)
        questions, relevant, query_vectors = asked.texts, asked.relevant, asked.vectors
        off_topic = runtime.embedder.embed(off_topic_questions())
        threshold = runtime.settings.relevance_threshold
        # Each chunk's sentences, embedded one by one: its best sentence is a score too.
        units = [[u.text for u in passage_units(text) if u.kind != "code"] or [text]
                 for text in corpus.texts]
        flat = runtime.embedder.embed([u for group in units for u in group])
        bounds = np.cumsum([0] + [len(group) for group in units])
        untitled = runtime.embedder.embed(
            [f"{h}\n{t}" if h else t for h, t in zip(corpus.sections, corpus.texts, strict=True)])
        bare = runtime.embedder.embed(corpus.texts)
    finally:
        runtime.close()
    lexical = LexicalIndex.build(list(range(len(corpus.ids))), corpus.titled)
    lexical_bare = LexicalIndex.build(list(range(len(corpus.ids))), corpus.texts)

    def dense_with(vectors: np.ndarray) -> Callable[[int], np.ndarray]:
        return lambda q: vectors @ query_vectors[q]

    dense = dense_with(corpus.vectors)

    def best_sentence(q: int) -> np.ndarray:
        cosines = flat @ query_vectors[q]
        return np.array([cosines[a:b].max() for a, b in itertools.pairwise(bounds)])

    def feedback(q: int, weight: float = 0.5, depth: int = 3) -> np.ndarray:
        """Rocchio: the question moved toward its first passages, searched again."""
        top = np.argsort(-dense(q), kind="stable")[:depth]
        moved = query_vectors[q] + weight * corpus.vectors[top].mean(axis=0)
        return corpus.vectors @ (moved / np.linalg.norm(moved))

    def fused(policy: FusionPolicy) -> Callable[[int], np.ndarray]:
        return lambda q: fuse_scores(dense(q), lexical.scores(questions[q]), corpus.documents,
                                     corpus.sections, policy)

    variants: dict[str, Callable[[int], np.ndarray]] = {
        "dense: text only": dense_with(bare),
        "dense: heading + text": dense_with(untitled),
        "dense: title + heading + text (shipped dense)": dense,
        "BM25 alone": lambda q: lexical.scores(questions[q]),
        "BM25 without title and heading": lambda q: lexical_bare.scores(questions[q]),
        "reciprocal rank fusion (k=60)": lambda q: rrf(dense(q), lexical.scores(questions[q])),
    }
    for weight in (0.1, 0.2, 0.3, 0.4, 0.6):
        variants[f"weighted fusion w={weight}"] = fused(FusionPolicy(lexical_weight=weight,
                                                                     section_weight=0.0))
    for section in (0.1, 0.2, 0.3):
        variants[f"shipped fusion, section weight {section}"] = fused(
            FusionPolicy(section_weight=section))
    variants["shipped fusion"] = fused(FusionPolicy())
    for weight in (0.2, 0.5):
        variants[f"shipped fusion + {weight} x best sentence"] = (
            lambda q, w=weight: fused(FusionPolicy())(q) + w * best_sentence(q))
    variants["shipped fusion on Rocchio feedback (0.5, top 3)"] = lambda q: fuse_scores(
        feedback(q), lexical.scores(questions[q]), corpus.documents, corpus.sections,
        FusionPolicy())
    results = {}
    for label, score in variants.items():
        rankings = [np.argsort(-score(q), kind="stable") for q in range(len(questions))]
        results[label] = ranking_scores(rankings, relevant)
    results["_"] = {"n": len(questions), "chunks": len(corpus.ids),
                    "answerable": sum(bool(r) for r in relevant),
                    # How the "not covered" threshold errs, each way (best cosine decides).
                    "threshold": threshold,
                    "refused_answerable": int(((corpus.vectors @ query_vectors.T).max(axis=0)
                                               < threshold).sum()),
                    "answered_off_topic": int(((corpus.vectors @ off_topic.T).max(axis=0)
                                               >= threshold).sum()),
                    "off_topic": len(off_topic)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {name: evaluate_set(name) for name in args.sets}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name, results in report.items():
        meta = results.pop("_")
        print(f"\n{name} ({SETS[name].shape}): {meta['n']} questions, {meta['chunks']} chunks, "
              f"{meta['answerable']} with a passage holding the answer")
        print(f"relevance threshold {meta['threshold']}: refused {meta['refused_answerable']} of "
              f"{meta['n']} answerable questions, answered {meta['answered_off_topic']} of "
              f"{meta['off_topic']} off-topic ones")
        print(f"{'method':48} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
        for label, figures in results.items():
            print(f"{label:48} {figures['hit@1']:6.3f} {figures['hit@5']:6.3f} "
                  f"{figures['mrr']:6.3f}")


if __name__ == "__main__":
    main()
