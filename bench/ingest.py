"""Ingest throughput against the raw throughput of the same embedding model on the
same chunks (the floor ingest can approach: conversion, chunking and storage are
the overhead measured), and what storing the passages' sentence vectors adds
(knowledge/text_vectors.py), measured on the public sets' material too: copies of
the sample course share their sentences, so they embed them only once.

    python -m bench.ingest [--copies 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from bench.qa_sets import SETS
from knowledge.chunking import ChunkDraft
from knowledge.ingest import ingest
from knowledge.tables import Chunk
from tutor.runtime import Runtime
from tutor.settings import Settings

SAMPLE = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10, help="copies of the sample course")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        corpus = root / "corpus"
        for copy in range(args.copies):
            for file in SAMPLE.iterdir():
                target = corpus / f"{file.stem}-{copy}{file.suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(file, target)
        runtime = Runtime(Settings(data_dir=root / "data", _env_file=None))
        runtime.embedder.embed(["warm up"])
        started = time.perf_counter()
        report = ingest([corpus], "bench", engine=runtime.engine, embedder=runtime.embedder,
                        index_store=runtime.index_store, max_bytes=10**8)
        ingest_s = time.perf_counter() - started
        with Session(runtime.engine) as session:
            chunks = session.exec(select(Chunk)).all()
            texts = [ChunkDraft(c.text, c.heading, c.page).embedding_text() for c in chunks]
        started = time.perf_counter()
        runtime.embedder.embed(texts)
        raw_s = time.perf_counter() - started
        result: dict[str, object] = {
            "files": len(report.added), "chunks": len(texts),
            "ingest_chunks_per_s": round(len(texts) / ingest_s, 1),
            "raw_embedding_chunks_per_s": round(len(texts) / raw_s, 1),
            "ingest_vs_raw": round(raw_s / ingest_s, 3),
        }
        print(f"ingest {result['ingest_chunks_per_s']} chunks/s, raw embedding "
              f"{result['raw_embedding_chunks_per_s']} chunks/s: {result['ingest_vs_raw']:.0%}")
        for name, material in [("sample copies", None), *((n, s.material) for n, s in
                                                          SETS.items())]:
            course = "bench"
            if material is not None:
                course = name
                started = time.perf_counter()
                ingest([material], course, engine=runtime.engine, embedder=runtime.embedder,
                       index_store=runtime.index_store, max_bytes=10**8)
                chunks_s = time.perf_counter() - started
            else:
                chunks_s = ingest_s
            started = time.perf_counter()
            sentences = runtime.embed_passage_sentences(course)
            sentences_s = time.perf_counter() - started
            result[f"{name}: chunks s"] = round(chunks_s, 1)
            result[f"{name}: sentence texts"] = sentences
            result[f"{name}: sentences s"] = round(sentences_s, 1)
            print(f"{name}: chunks in {chunks_s:.1f} s, then {sentences} sentence texts in "
                  f"{sentences_s:.1f} s (+{sentences_s / chunks_s:.0%})")
        runtime.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
