"""Retrieval on embeddings of real text at 100k chunks: the tutor's float16 scan,
FAISS's float32 scan, HNSW and NumPy's exact float32 search (the reference), each on
the same queries in turn (A B C, A B C, ...), with recall@k against the exact search
and the latency of the search alone; the query's embedding is timed on its own.

The corpus: MiniLM's vectors of the chunks and passage sentences of the public
zsh and Debian FAQ sets (bench/data, ingested as the tutor does), replicated with
noise to `--chunks` vectors (each copy keeps cosine ~0.9 to its original, so the
neighbourhoods stay those of real text, crowded). The queries: the sets' questions.
Also timed: building a course index of that size, as a worker does when the
database says another worker changed the course (vectors and BM25).

    python -m bench.retrieval [--chunks 100000] [--k 5]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import faiss
import numpy as np
from sqlmodel import Session, select

from bench.answer_quality import RESULTS
from bench.common import percentiles
from bench.qa_sets import SETS, bench_runtime
from knowledge import index as index_module
from knowledge.chunking import embedding_text
from knowledge.index import VectorIndex
from knowledge.lexical import LexicalIndex
from knowledge.tables import Chunk, Document, TextVector

COPY_COSINE = 0.9  # how close a replicated vector stays to its original


def real_vectors() -> tuple[np.ndarray, list[str], np.ndarray]:
    """(corpus vectors, chunk texts, query vectors) from the public sets."""
    vectors, texts, queries = [], [], []
    for name, qa_set in SETS.items():
        runtime = bench_runtime(name)
        with Session(runtime.engine) as session:
            rows = session.exec(select(Chunk, Document.title).join(Document)).all()
            vectors += [chunk.vector() for chunk, _ in rows]
            texts += [embedding_text(title, chunk.heading, chunk.text) for chunk, title in rows]
            vectors += [np.frombuffer(v, dtype=np.float32)
                        for v in session.exec(select(TextVector.vector))]
        queries.append(runtime.embedder.embed([item["question"] for item in qa_set.items()]))
        runtime.close()
    return np.stack(vectors), texts, np.concatenate(queries)


def replicate(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """`size` unit vectors: `base`, then noisy copies of it (cosine ~COPY_COSINE)."""
    copies = base[rng.integers(0, len(base), size - len(base))]
    # For a unit v and Gaussian noise of norm s, cos(v, v + noise) ~ 1 / sqrt(1 + s^2).
    scale = np.sqrt(1 / COPY_COSINE**2 - 1) / np.sqrt(base.shape[1])
    copies = copies + rng.standard_normal(copies.shape).astype(np.float32) * scale
    corpus = np.concatenate([base, copies]).astype(np.float32)
    return corpus / np.linalg.norm(corpus, axis=1, keepdims=True)


def exact_top(corpus: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = corpus @ query
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def tutor_search(index: VectorIndex, threads: int, k: int) -> Callable[[np.ndarray], list[int]]:
    def search(query: np.ndarray) -> list[int]:
        index_module.SEARCH_THREADS = threads
        return [chunk for chunk, _ in index.search(query, k)]
    return search


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    k = args.k
    rng = np.random.default_rng(0)
    base, texts, queries = real_vectors()
    corpus = replicate(base, args.chunks, rng)
    ids = np.arange(len(corpus), dtype=np.int64)

    started = time.perf_counter()
    tutor = VectorIndex(corpus.shape[1])
    tutor.add(ids, corpus)
    lexical = LexicalIndex.build(ids.tolist(), [texts[i % len(texts)] for i in range(len(ids))])
    course_build_s = time.perf_counter() - started
    hnsw = faiss.IndexHNSWFlat(corpus.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    started = time.perf_counter()
    hnsw.add(corpus)
    hnsw_build_s = time.perf_counter() - started
    assert len(lexical) == len(ids)
    flat32 = faiss.IndexFlatIP(corpus.shape[1])
    flat32.add(corpus)

    def one_thread(index: faiss.Index, ef: int | None = None) -> Callable[[np.ndarray], list[int]]:
        """A FAISS search on one OpenMP thread, as the tutor searches."""
        def search(query: np.ndarray) -> list[int]:
            if ef is not None:
                hnsw.hnsw.efSearch = ef
            before = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)
            try:
                return index.search(query[None, :], k)[1][0].tolist()
            finally:
                faiss.omp_set_num_threads(before)
        return search

    methods: dict[str, Callable[[np.ndarray], list[int]]] = {
        "numpy exact float32 (reference)": lambda q: exact_top(corpus, q, k).tolist(),
        "tutor float16 scan, 1 thread": tutor_search(tutor, 1, k),
        "tutor float16 scan, 2 threads": tutor_search(tutor, 2, k),
        "faiss flat float32, 1 thread": one_thread(flat32),
        "hnsw M=32 ef=64, 1 thread": one_thread(hnsw, 64),
        "hnsw M=32 ef=256, 1 thread": one_thread(hnsw, 256),
    }
    samples: dict[str, list[float]] = {name: [] for name in methods}
    recall: dict[str, list[float]] = {name: [] for name in methods}
    for query in queries:  # every method on each query in turn
        truth = set(exact_top(corpus, query, k).tolist())
        for name, search in methods.items():
            start = time.perf_counter()
            found = search(query)
            samples[name].append((time.perf_counter() - start) * 1000)
            recall[name].append(len(truth & set(found)) / k)
    index_module.SEARCH_THREADS = 1

    embed_ms = []
    embedder = bench_runtime("zsh-faq").embedder
    questions = [item["question"] for qa_set in SETS.values() for item in qa_set.items()]
    embedder.embed(questions[:4])
    for question in questions:
        start = time.perf_counter()
        embedder.embed([question])
        embed_ms.append((time.perf_counter() - start) * 1000)

    report: dict[str, object] = {
        "chunks": len(corpus), "real_vectors": len(base), "queries": len(queries), "k": k,
        "hnsw_build_s": round(hnsw_build_s, 1),
        "course_index_build_s": round(course_build_s, 1)}
    for name in methods:
        p50, p95 = percentiles(samples[name])
        report[name] = {"search_p50_ms": round(p50, 2), "search_p95_ms": round(p95, 2),
                        f"recall_at_{k}": round(float(np.mean(recall[name])), 3)}
        print(f"{name:34s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
              f"recall@{k} {np.mean(recall[name]):.3f}")
    p50, p95 = percentiles(embed_ms)
    report["query embedding alone"] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
    print(f"query embedding alone p50 {p50:.1f} ms, p95 {p95:.1f} ms; HNSW build "
          f"{hnsw_build_s:.1f} s; a {len(corpus)}-chunk course index (vectors and BM25) "
          f"{course_build_s:.1f} s")
    (RESULTS / "retrieval.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
