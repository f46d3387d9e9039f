"""One FAISS index per course: a cache derived from the chunk embeddings in the database.

Vectors are L2-normalised, so inner product is cosine similarity. Files are
written to a temporary name and renamed, so a reader never sees half an index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from knowledge.atomic import replace_atomically
from knowledge.lexical import LexicalIndex

SEARCH_THREADS = 1  # one query at a time is the tutor's load; the cores decode and embed


class VectorIndex:
    """Inner-product search over chunk ids, scanning every vector stored as float16:
    half the memory traffic of float32. HNSW would be faster still at large sizes but
    approximate, slow to build and unable to delete. bench/retrieval.py measures the
    scan against brute force and HNSW; its recall against float32 on real text is not
    measured yet (issue 10)."""

    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        self.dimension = dimension
        self.index = index or faiss.IndexIDMap2(faiss.IndexScalarQuantizer(
            dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(_as_matrix(vectors), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, cosine score) pairs, best first."""
        if len(self) == 0:
            return []
        scores, ids = _one_query_at_a_time(
            lambda: self.index.search(_as_matrix(query), min(k, len(self))))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, path: Path) -> None:
        replace_atomically(path, lambda name: faiss.write_index(self.index, name))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)


def _one_query_at_a_time(search: Callable[[], tuple[np.ndarray, np.ndarray]]
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Run `search` on SEARCH_THREADS OpenMP threads. The setting is the calling
    thread's and PyTorch reads the same one (both use the process's OpenMP), so it is
    put back after: set once at import, it held the main thread's decoding to one core."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(SEARCH_THREADS)
    try:
        return search()
    finally:
        faiss.omp_set_num_threads(before)


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


class IndexStore:
    """The per-course index files under one folder (the vector index and the lexical
    one), loaded once and reloaded when another process (say `tutorbot ingest`) has
    replaced a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[Path, tuple[float, VectorIndex | LexicalIndex]] = {}
        self._lock = threading.Lock()

    def path(self, course_id: int) -> Path:
        return self.folder / f"course-{course_id}.faiss"

    def lexical_path(self, course_id: int) -> Path:
        return self.folder / f"course-{course_id}.bm25.npz"

    def get(self, course_id: int) -> VectorIndex | None:
        index = self._cached(self.path(course_id), VectorIndex.load)
        assert index is None or isinstance(index, VectorIndex)
        return index

    def get_lexical(self, course_id: int) -> LexicalIndex | None:
        index = self._cached(self.lexical_path(course_id), LexicalIndex.load)
        assert index is None or isinstance(index, LexicalIndex)
        return index

    def put_lexical(self, course_id: int, index: LexicalIndex) -> None:
        with self._lock:
            path = self.lexical_path(course_id)
            index.save(path)
            self._loaded[path] = (path.stat().st_mtime, index)

    def _cached(self, path: Path, load: Callable[[Path], VectorIndex | LexicalIndex]
                ) -> VectorIndex | LexicalIndex | None:
        with self._lock:
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                self._loaded.pop(path, None)
                return None
            cached = self._loaded.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, load(path))
                self._loaded[path] = cached
            return cached[1]

    def load_copy(self, course_id: int, dimension: int) -> VectorIndex:
        """A private copy to modify (the cached one may be searched meanwhile)."""
        path = self.path(course_id)
        return VectorIndex.load(path) if path.exists() else VectorIndex(dimension)

    def put(self, course_id: int, index: VectorIndex) -> None:
        with self._lock:
            path = self.path(course_id)
            index.save(path)
            self._loaded[path] = (path.stat().st_mtime, index)

    def delete(self, course_id: int) -> None:
        with self._lock:
            for path in (self.path(course_id), self.lexical_path(course_id)):
                path.unlink(missing_ok=True)
                self._loaded.pop(path, None)
