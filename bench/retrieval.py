"""Retrieval latency at 100k chunks, query embedding included: the FAISS index
the tutor uses, an HNSW index, and brute-force NumPy as the reference.

    python -m bench.retrieval [--chunks 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import faiss
import numpy as np

from bench.common import percentiles
from knowledge.embedder import TransformerEmbedder
from knowledge.index import VectorIndex

QUESTIONS = [
    "Which extinguisher do I use on an electrical fire?", "How long do I cool a burn?",
    "What is the speed limit for forklifts in the yard?", "How heavy a box can I lift alone?",
    "Where is the assembly point?", "What angle should a ladder be at?",
    "When must I wear hearing protection?", "How soon must I report a near miss?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    embedder = TransformerEmbedder()
    rng = np.random.default_rng(0)
    # Corpus vectors: random unit vectors (embedding 100k real chunks takes an hour here),
    # mixed with real question embeddings so the searches have true near neighbours.
    corpus = rng.standard_normal((args.chunks, embedder.dimension)).astype(np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    ids = np.arange(args.chunks, dtype=np.int64)
    flat = VectorIndex(embedder.dimension)
    flat.add(ids, corpus)
    hnsw = faiss.IndexHNSWFlat(embedder.dimension, 32, faiss.METRIC_INNER_PRODUCT)
    started = time.perf_counter()
    hnsw.add(corpus)
    hnsw_build_s = time.perf_counter() - started
    hnsw.hnsw.efSearch = 64

    queries = [QUESTIONS[i % len(QUESTIONS)] for i in range(args.queries)]
    embedder.embed(queries[:4])  # warm up

    def measure(search: Callable[[np.ndarray], object]) -> list[float]:
        samples = []
        for question in queries:
            start = time.perf_counter()
            vector = embedder.embed([question])[0]
            search(vector)
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    results = {
        "tutor index (float16 scan)": measure(lambda v: flat.search(v, 5)),
        "hnsw M=32 ef=64": measure(lambda v: hnsw.search(v[None, :], 5)),
        "numpy brute force (reference)": measure(lambda v: np.argpartition(-(corpus @ v), 5)[:5]),
    }
    embed_only = measure(lambda v: None)
    report = {"chunks": args.chunks, "queries": args.queries,
              "hnsw_build_s": round(hnsw_build_s, 1)}
    for name, samples in {**results, "query embedding alone": embed_only}.items():
        p50, p95 = percentiles(samples)
        report[name] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
        print(f"{name:32s} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
