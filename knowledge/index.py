"""One FAISS index (and one BM25 index) per course: a cache derived from the chunks
and their embeddings in the database, versioned by `Course.index_version`.

Vectors are L2-normalised, so inner product is cosine similarity. Files are
written to a temporary name and renamed, so a reader never sees half an index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from knowledge.atomic import replace_atomically
from knowledge.chunking import embedding_text
from knowledge.lexical import LexicalIndex
from knowledge.tables import Chunk, Course, Document, as_utc

log = logging.getLogger(__name__)
# bench/retrieval.py: one thread 9.2 ms a query at 100k chunks, two 24.7 ms
SEARCH_THREADS = 1


class VectorIndex:
    """Inner-product search over chunk ids, scanning every vector stored as float16:
    half the memory of float32, and as exact as a tutor needs. bench/retrieval.py on
    real text at 100k chunks: 9.2 ms a query, recall@5 0.999 against exact float32
    (NumPy 8.7 ms); HNSW (M=32, ef=256) takes 0.6 ms at recall@5 0.977, but loses a
    true passage in forty, cannot delete and takes 8 s to build, while the query's
    embedding alone takes 16 ms."""

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

    def copy(self) -> VectorIndex:
        """One to change while this one may be searched."""
        return VectorIndex(self.dimension, faiss.clone_index(self.index))

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


class Stamp(NamedTuple):
    """Which contents of a course an index holds: the course's version, and when the
    course was made (SQLite may give a new course the id of one removed)."""

    born: int  # the course's created_at, in microseconds
    version: int

    @property
    def name(self) -> str:
        return f"{self.born}-v{self.version}"


@dataclass(frozen=True)
class CourseIndex:
    """A course's two indexes as of one `Course.index_version`."""

    stamp: Stamp
    vectors: VectorIndex
    lexical: LexicalIndex

    @property
    def version(self) -> int:
        return self.stamp.version


def next_index_version(session: Session, course_id: int) -> int:
    """Count a change to the course's chunks, in the transaction that makes it; returns
    the new version. The update comes first so that it locks the course's row
    (PostgreSQL) or the database (SQLite) until commit: two ingests into one course
    from two processes take turns instead of each rewriting the index from its own copy."""
    session.exec(update(Course).where(col(Course.id) == course_id)  # type: ignore[call-overload]
                 .values(index_version=col(Course.index_version) + 1))
    version = session.exec(select(Course.index_version).where(Course.id == course_id)).one()
    return int(version)


def lock_course(session: Session, course_id: int) -> None:
    """Hold the course until this transaction ends (a write that changes nothing)."""
    session.exec(update(Course).where(col(Course.id) == course_id)  # type: ignore[call-overload]
                 .values(index_version=col(Course.index_version)))


def _stamp(born: datetime, version: int) -> Stamp:
    return Stamp(round(as_utc(born).timestamp() * 1_000_000), int(version))


def _stamp_in(session: Session, course_id: int) -> Stamp | None:
    """The course's stamp as the database has it; None if the course is gone."""
    row = session.exec(select(Course.created_at, Course.index_version)
                       .where(Course.id == course_id)).first()
    return None if row is None else _stamp(*row)


class IndexStore:
    """Every course's indexes, as of the database. `Course.index_version` counts the
    changes to a course's chunks; an index is kept (in memory and as files named by
    its stamp) for the version it was built at, and a search that finds the database
    at another (another worker or `tutorbot ingest` changed the course, or a crash
    came between a commit and the index write) loads or builds the current one from
    the chunks' stored embeddings. Workers need not share a disk, only the database."""

    def __init__(self, folder: Path, engine: Engine) -> None:
        self.folder = folder
        self.engine = engine
        self._loaded: dict[int, CourseIndex] = {}
        self._locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)

    def get(self, course_id: int) -> CourseIndex | None:
        """The course's index as the database has it; None if it has no chunks."""
        stamp = self._current(course_id)
        if stamp is None:
            self.delete(course_id)
            return None
        loaded = self._loaded.get(course_id)
        if loaded is not None and loaded.stamp == stamp:
            return loaded
        with self._locks[course_id]:  # one build per course, the others wait for it
            loaded = self._loaded.get(course_id)
            if loaded is not None and loaded.stamp == stamp:
                return loaded
            return self._remember(course_id, self._read(course_id, stamp)
                                  or self._build(course_id))

    def refresh(self) -> list[int]:
        """Bring every course's index to the database's version now, rather than at
        its next search (a course another worker changed); returns those brought."""
        with Session(self.engine) as session:
            stamps = {course_id: _stamp(born, version) for course_id, born, version in
                      session.exec(select(Course.id, Course.created_at, Course.index_version))}
        for gone in self._loaded.keys() - stamps.keys():  # removed by another process?
            if self._current(gone) is None:  # (or made since the query above)
                self.delete(gone)
        behind = [course_id for course_id, stamp in stamps.items() if course_id is not None
                  and getattr(self._loaded.get(course_id), "stamp", None) != stamp]
        for course_id in behind:
            self.get(course_id)
        return behind

    def update(self, course_id: int, version: int, removed: np.ndarray, added: np.ndarray,
               vectors: np.ndarray) -> None:
        """After a commit that took the course from `version - 1` to `version`, removing
        and adding these chunks: the index at `version - 1` changed the same way, or (if
        this process has none) built afresh from the database."""
        with self._locks[course_id]:
            current = self._current(course_id)
            base = self._loaded.get(course_id)
            if current is not None and base is not None and base.stamp.born == current.born \
                    and base.stamp.version >= version:
                return  # a search or `refresh` built it from the database already
            if current is not None and (base is None or base.stamp != (current.born,
                                                                        version - 1)):
                base = self._read(course_id, Stamp(current.born, version - 1))
            if current is None or base is None:
                self._remember(course_id, self._build(course_id))
                return
            changed = base.vectors.copy()
            # `added` too: an index built from the database may hold them already (its
            # version read a moment before its chunks).
            changed.remove(np.concatenate([removed, added]))
            changed.add(added, vectors)
            self._remember(course_id, self._save(course_id, CourseIndex(
                Stamp(current.born, version), changed, build_lexical(self.engine, course_id))))

    def rebuild(self, course_id: int) -> int:
        """Build the course's index afresh from the database; returns its size."""
        with self._locks[course_id]:
            index = self._remember(course_id, self._build(course_id))
        return 0 if index is None else len(index.vectors)

    def delete(self, course_id: int) -> None:
        with self._locks[course_id]:
            self._loaded.pop(course_id, None)
            self._delete_files(course_id)

    def paths(self, course_id: int, stamp: Stamp) -> tuple[Path, Path]:
        """The vector and lexical index files of one stamp."""
        stem = self.folder / f"course-{course_id}-{stamp.name}"
        return stem.with_suffix(".faiss"), stem.with_suffix(".bm25.npz")

    def _current(self, course_id: int) -> Stamp | None:
        with Session(self.engine) as session:
            return _stamp_in(session, course_id)

    def _remember(self, course_id: int, index: CourseIndex | None) -> CourseIndex | None:
        if index is None:
            self._loaded.pop(course_id, None)
        else:
            self._loaded[course_id] = index
        return index

    def _read(self, course_id: int, stamp: Stamp) -> CourseIndex | None:
        vector_path, lexical_path = self.paths(course_id, stamp)
        try:
            return CourseIndex(stamp, VectorIndex.load(vector_path),
                               LexicalIndex.load(lexical_path))
        except (OSError, RuntimeError, ValueError):
            # Not written (yet), replaced meanwhile or unreadable: built from the database.
            return None

    def _build(self, course_id: int) -> CourseIndex | None:
        """From the chunks in the database. The version is read first, so the index
        holds at least what that version holds: a later change shows as a newer
        version and is built in turn."""
        started = time.perf_counter()
        with Session(self.engine) as session:
            stamp = _stamp_in(session, course_id)
            rows = [] if stamp is None else session.exec(
                select(Chunk.id, Chunk.embedding, Document.title, Chunk.heading, Chunk.text)
                .join(Document, col(Document.id) == Chunk.document_id)
                .where(Document.course_id == course_id)).all()
        if stamp is None or not rows:
            self._delete_files(course_id)
            return None
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        index = VectorIndex(vectors.size // len(rows))
        index.add(ids, vectors.reshape(len(rows), -1))
        lexical = LexicalIndex.build(ids.tolist(), [
            embedding_text(title, heading, text) for _, _, title, heading, text in rows])
        log.info("built course %d's index at version %d from the database: %d chunks in "
                 "%.2f s", course_id, stamp.version, len(rows), time.perf_counter() - started)
        return self._save(course_id, CourseIndex(stamp, index, lexical))

    def _save(self, course_id: int, index: CourseIndex) -> CourseIndex:
        """Write the index's files, if the disk lets us: the database holds what they
        are built from, so a failed write costs a build at the next start, not data."""
        vector_path, lexical_path = self.paths(course_id, index.stamp)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            index.lexical.save(lexical_path)
            index.vectors.save(vector_path)
            for path in self._files(course_id, superseded_by=index.stamp):
                path.unlink(missing_ok=True)
        except (OSError, RuntimeError) as error:
            log.warning("could not write course %d's index files (%s); it is kept in memory "
                        "and built again at the next start", course_id, error)
        return index

    def _delete_files(self, course_id: int) -> None:
        for path in self._files(course_id):
            path.unlink(missing_ok=True)

    def _files(self, course_id: int, superseded_by: Stamp | None = None) -> list[Path]:
        """The course's index files (those `superseded_by` makes old, if given: another
        course's, or an older version's), and those of a data dir from before stamps
        (`course-N.faiss`)."""
        found = [self.folder / f"course-{course_id}.faiss",
                 self.folder / f"course-{course_id}.bm25.npz"]
        for path in self.folder.glob(f"course-{course_id}-*-v*"):
            stem = path.name.removesuffix(".faiss").removesuffix(".bm25.npz")
            born, _, version = stem.removeprefix(f"course-{course_id}-").partition("-v")
            if stem == path.name or not (born.isdigit() and version.isdigit()):
                continue  # not an index file (another writer's temporary one, say)
            if superseded_by is None or int(born) != superseded_by.born or (
                    int(version) < superseded_by.version):
                found.append(path)
        return found


def build_lexical(engine: Engine, course_id: int) -> LexicalIndex:
    """The course's BM25 index over what is embedded: title, heading path and text."""
    with Session(engine) as session:
        rows = session.exec(
            select(Chunk.id, Document.title, Chunk.heading, Chunk.text)
            .join(Document, col(Document.id) == Chunk.document_id)
            .where(Document.course_id == course_id)
        ).all()
    texts = [embedding_text(title, heading, text) for _, title, heading, text in rows]
    return LexicalIndex.build([row[0] for row in rows], texts)
