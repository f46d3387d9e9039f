"""Files in, searchable chunks out: convert → chunk → embed → store → index.

Each file is judged on its own: one bad file is reported and skipped, the rest
of the batch goes in, and nothing already ingested is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.chunking import ChunkDraft, chunk_markdown, document_title, embedding_text
from knowledge.convert import DEFAULT_LIMITS, SUPPORTED_SUFFIXES, ConversionError, to_markdown
from knowledge.embedder import Embedder
from knowledge.index import IndexStore, lock_course, next_index_version
from knowledge.isolated import ConversionLimits
from knowledge.library import (
    delete_chunks,
    get_or_create_course,
    refresh_skills,
    skills_by_heading,
)
from knowledge.normalize import SourceKind, normalize, source_kind
from knowledge.skills import SPEC_NAMES, SpecError, parse_spec
from knowledge.tables import Chunk, Document, Skill, utcnow
from knowledge.translation import gettext

# (stage, units done so far, total units); stages: "read", "embed".
ProgressReporter = Callable[[str, int, int], None]
# (file name, event, reason): what happens to each file, so that a page can show one
# progress per file (the stages above count all files together). Events: "converting"
# as its reading starts, then "converted" or "refused" (with the reason); "unchanged"
# when it is there already as it is.
FileReporter = Callable[[str, str, str], None]
CHUNK_TOKENS = 128  # what MiniLM was trained on; also keeps LLM prompts short
OVERLAP_TOKENS = 24
# Bump when normalising, chunking or the embedded text changes: documents chunked
# by an older version are chunked again by `tutorbot reindex` or their next ingest.
# 1: chunks of the raw text; 2: normalised text, titles embedded; 3: the sentences of
# one list item stay on one line when an item is cut; 4: "1. )" item markers read whole;
# 5: PDF lines with wide word spaces read whole (the file is read again where it is
# there), code at the indentation of its prose, a lead-in kept with what it introduces.
CHUNKING_VERSION = 5


@dataclass
class IngestReport:
    course: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    passages: dict[str, int] = field(default_factory=dict)  # chunks of each file stored
    skills: int = 0  # skills in the course's map after this ingest
    skill_problems: list[str] = field(default_factory=list)  # from the trainer's skills file
    # Filled by the tutor, which builds the question bank after each ingest.
    questions_added: int = 0
    questions_retired: int = 0  # their passage changed or went

    def as_dict(self) -> dict[str, object]:
        return {
            "course": self.course,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [{"file": f, "reason": r} for f, r in self.failed],
            "chunks_added": self.chunks_added,
            "chunks_removed": self.chunks_removed,
            "passages": self.passages,
            "skills": self.skills,
            "skill_problems": self.skill_problems,
            "questions_added": self.questions_added,
            "questions_retired": self.questions_retired,
        }


@dataclass
class _Pending:
    path: Path
    content_hash: str
    text: str  # as the reader extracted it
    kind: SourceKind
    title: str
    chunks: list[ChunkDraft]


def chunk_document(
    text: str, kind: SourceKind, name: str, embedder: Embedder
) -> tuple[str, list[ChunkDraft]]:
    """A document's title and chunks, from the text its reader extracted."""
    markdown = normalize(text, kind)
    title = document_title(markdown, name)
    chunks = chunk_markdown(
        markdown, embedder.count_tokens, max_tokens=min(CHUNK_TOKENS, embedder.max_tokens),
        overlap_tokens=OVERLAP_TOKENS, title=title,
    )
    return title, chunks


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest (folders walked recursively, hidden files skipped) and the
    named paths that do not exist."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            files.append(path)
        else:
            missing.append((str(path), "no such file or folder"))
    return files, missing


def ingest(
    paths: Iterable[Path],
    course: str,
    *,
    engine: Engine,
    embedder: Embedder,
    index_store: IndexStore,
    max_bytes: int,
    progress: ProgressReporter | None = None,
    limits: ConversionLimits = DEFAULT_LIMITS,
    on_file: FileReporter | None = None,
) -> IngestReport:
    report = IngestReport(course)
    tell = on_file or (lambda *_: None)
    files, report.failed = expand_paths(paths)
    files, spec = _skills_file(files, [Path(p) for p in paths], report)
    report_progress = progress or (lambda *_: None)
    with Session(engine) as session:
        course_row = get_or_create_course(session, course)
        if spec is not None:  # kept, so the next derivation of the map applies it too
            course_row.skills_spec_file, course_row.skills_spec = spec
            session.add(course_row)
        session.commit()
        course_id = course_row.id
        known = {
            d.name: d
            for d in session.exec(select(Document).where(Document.course_id == course_id))
        }
    assert course_id is not None

    to_read: list[tuple[Path, str]] = []  # (file, content hash)
    seen: set[str] = set()
    for path in files:
        if path.name in seen:
            report.failed.append((str(path), "another file in this batch has the same name"))
            continue
        seen.add(path.name)
        try:
            content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as error:
            report.failed.append((str(path), f"could not be read ({error.strerror or error})"))
            tell(path.name, "refused", report.failed[-1][1])
            continue
        previous = known.get(path.name)
        if (
            previous is not None
            and previous.content_hash == content_hash
            and previous.embedding_model == embedder.name
            and previous.chunking_version == CHUNKING_VERSION
        ):
            report.unchanged.append(path.name)
            tell(path.name, "unchanged", "")
            continue
        to_read.append((path, content_hash))

    pending = _read_and_chunk(to_read, embedder, max_bytes, limits, report, report_progress,
                              tell)
    vectors = _embed(pending, embedder, report_progress)
    _store(pending, vectors, course_id, embedder.name, engine, index_store, report)
    with Session(engine) as session:
        lock_course(session, course_id)  # two ingests into one course derive skills in turn
        report.skill_problems.extend(refresh_skills(session, course_id))
        session.commit()
        skills = session.exec(select(Skill.id).where(Skill.course_id == course_id)).all()
        report.skills = len(skills)
    return report


def _skills_file(files: list[Path], paths: list[Path],
                 report: IngestReport) -> tuple[list[Path], tuple[str, str] | None]:
    """The material without the trainer's skills file, and that file's (name, text):
    given by name, or lying at the top of a folder given. A file that cannot be
    parsed is reported (file and line) and not kept; the material still goes in."""
    candidates = [p for p in files if p.name.lower() in SPEC_NAMES]
    candidates += [folder / name for folder in paths if folder.is_dir() for name in SPEC_NAMES
                   if (folder / name).is_file()]
    material = [p for p in files if p.name.lower() not in SPEC_NAMES]
    if not candidates:
        return material, None
    chosen = candidates[0]
    try:
        text = chosen.read_text(encoding="utf-8")
        parse_spec(text, chosen.name)
    except (OSError, UnicodeDecodeError) as error:
        report.skill_problems.append(gettext("%(file)s: could not be read (%(error)s)") % {
            "file": chosen.name, "error": error})
        return material, None
    except SpecError as error:
        report.skill_problems.append(str(error))
        return material, None
    return material, (chosen.name, text)


def _read_and_chunk(
    to_read: list[tuple[Path, str]],
    embedder: Embedder,
    max_bytes: int,
    limits: ConversionLimits,
    report: IngestReport,
    report_progress: ProgressReporter,
    tell: FileReporter,
) -> list[_Pending]:
    pending: list[_Pending] = []
    report_progress("read", 0, len(to_read))
    for done, (path, content_hash) in enumerate(to_read, 1):
        tell(path.name, "converting", "")
        try:
            text = to_markdown(path, max_bytes=max_bytes, limits=limits)
        except (ConversionError, OSError) as error:
            report.failed.append((str(path), str(error)))
            tell(path.name, "refused", str(error))
        else:
            kind = source_kind(path.suffix)
            title, chunks = chunk_document(text, kind, path.name, embedder)
            pending.append(_Pending(path, content_hash, text, kind, title, chunks))
            tell(path.name, "converted", "")
        report_progress("read", done, len(to_read))
    return pending


def _embed(
    pending: list[_Pending], embedder: Embedder, report_progress: ProgressReporter
) -> np.ndarray:
    """All chunks in one call: sorted by length together they pad least. (Embedding
    each file's chunks while later files were parsed measured 15% slower on two
    cores: parsing gained nothing from the overlap, and small batches pad more.)"""
    texts = [chunk.embedding_text(item.title) for item in pending for chunk in item.chunks]
    return _embed_texts(texts, embedder, report_progress)


def _store(
    pending: list[_Pending],
    vectors: np.ndarray,
    course_id: int,
    embedding_model: str,
    engine: Engine,
    index_store: IndexStore,
    report: IngestReport,
) -> None:
    """One transaction for the whole batch; the index follows after the commit."""
    if not pending:
        return
    with Session(engine) as session:
        version = next_index_version(session, course_id)  # first: it takes the lock
        # The documents as they are now that the course is ours: another process may
        # have added or removed one of these names since they were read.
        names = [item.path.name for item in pending]
        current = {d.name: d for d in session.exec(select(Document).where(
            Document.course_id == course_id, col(Document.name).in_(names)))}
        replaced = [d.id for d in current.values() if d.id is not None]
        skill_of = skills_by_heading(session, replaced)
        removed = delete_chunks(session, replaced)
        rows: list[Chunk] = []
        offset = 0
        for item in pending:
            document = current.get(item.path.name)
            if document is not None:
                report.updated.append(item.path.name)
                document.ingested_at = utcnow()  # "last change" is this version's
            else:
                document = Document(course_id=course_id, name=item.path.name, source_path="",
                                    content_hash="", embedding_model="")
                report.added.append(item.path.name)
            document.source_path = str(item.path)
            document.content_hash = item.content_hash
            document.embedding_model = embedding_model
            document.title, document.kind, document.text = item.title, item.kind, item.text
            document.chunking_version = CHUNKING_VERSION
            session.add(document)
            session.flush()
            report.passages[item.path.name] = len(item.chunks)
            for ordinal, draft in enumerate(item.chunks):
                rows.append(Chunk(
                    document_id=document.id, ordinal=ordinal, heading=draft.heading,
                    page=draft.page, text=draft.text, embedding=vectors[offset].tobytes(),
                    skill_id=skill_of.get((document.id or 0, draft.heading)),
                ))
                offset += 1
        session.add_all(rows)
        session.flush()
        new_ids = [row.id for row in rows if row.id is not None]
        session.commit()
    index_store.update(course_id, version, np.array(removed, dtype=np.int64),
                       np.array(new_ids, dtype=np.int64), vectors)
    report.chunks_added = len(new_ids)
    report.chunks_removed = len(removed)


@dataclass
class RefreshReport:
    rechunked: list[str] = field(default_factory=list)  # documents normalised and chunked again
    reembedded: int = 0  # chunks embedded again by the current embedding model
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (document, why)
    passages: dict[str, int] = field(default_factory=dict)  # chunks of each document rechunked
    course_ids: set[int] = field(default_factory=set)  # courses whose index must be rebuilt


def refresh_stale(
    engine: Engine, embedder: Embedder, *, course_id: int | None = None,
    progress: ProgressReporter | None = None, documents: list[str] | None = None,
    on_file: FileReporter | None = None,
) -> RefreshReport:
    """Bring stored chunks up to date with this code and embedding model: documents
    chunked by an older version are normalised and chunked again from their stored
    text (or their file, if it is unchanged), and chunks embedded by another model
    are embedded again. Each course changed gets a new index version: its index is
    built again on its next search, or at once by `IndexStore.rebuild`. With
    `documents` (names in `course_id`), those are chunked again whatever version
    chunked them: the console's re-ingest."""
    report = RefreshReport()
    report_progress = progress or (lambda *_: None)
    tell = on_file or (lambda *_: None)
    with Session(engine) as session:
        query = select(Document)
        if documents is None:
            query = query.where(Document.chunking_version != CHUNKING_VERSION)
        else:
            query = query.where(col(Document.name).in_(documents))
        if course_id is not None:
            query = query.where(Document.course_id == course_id)
        stale = list(session.exec(query.order_by(col(Document.name))))
        for changed in sorted({document.course_id for document in stale}):
            next_index_version(session, changed)  # first, in one order: no deadlock
        redone: list[tuple[Document, str, list[ChunkDraft]]] = []
        for number, document in enumerate(stale, 1):
            report_progress("read", number - 1, len(stale))
            tell(document.name, "converting", "")
            # The file itself, where it is still there: a better reader reads it anew.
            text = _unchanged_source(document) or document.text
            if text is None or not text.strip():
                report.skipped.append((document.name, "its text was not stored and its file "
                                       "is gone or changed: ingest the file again"))
                tell(document.name, "refused", report.skipped[-1][1])
                continue
            kind = SourceKind(document.kind) if document.kind else source_kind(
                Path(document.name).suffix)
            title, chunks = chunk_document(text, kind, document.name, embedder)
            document.text, document.kind, document.title = text, kind, title
            redone.append((document, text, chunks))
            tell(document.name, "converted", "")
        report_progress("read", len(stale), len(stale))
        texts = [c.embedding_text(d.title) for d, _, chunks in redone for c in chunks]
        vectors = _embed_texts(texts, embedder, report_progress)
        replaced = [d.id for d, _, _ in redone if d.id is not None]
        skill_of = skills_by_heading(session, replaced)
        delete_chunks(session, replaced)
        offset = 0
        for document, _, chunks in redone:
            for ordinal, draft in enumerate(chunks):
                session.add(Chunk(document_id=document.id, ordinal=ordinal, heading=draft.heading,
                                  page=draft.page, text=draft.text,
                                  embedding=vectors[offset].tobytes(),
                                  skill_id=skill_of.get((document.id or 0, draft.heading))))
                offset += 1
            document.embedding_model = embedder.name
            document.chunking_version = CHUNKING_VERSION
            document.ingested_at = utcnow()  # its passages were made now
            session.add(document)
            report.rechunked.append(document.name)
            report.passages[document.name] = len(chunks)
            report.course_ids.add(document.course_id)
        session.flush()
        for changed in report.course_ids:
            refresh_skills(session, changed)
        session.commit()
    report.reembedded = _reembed(engine, embedder, course_id, report, report_progress)
    return report


def _unchanged_source(document: Document) -> str | None:
    """The document's file read again, if it is still there and unchanged (a
    document ingested before its text was stored)."""
    path = Path(document.source_path)
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() != document.content_hash:
            return None
        return to_markdown(path, max_bytes=1 << 62)
    except (OSError, ConversionError):
        return None


def _embed_texts(texts: list[str], embedder: Embedder,
                 report_progress: ProgressReporter) -> np.ndarray:
    done = 0

    def on_embedded(count: int) -> None:
        nonlocal done
        done += count
        report_progress("embed", done, len(texts))

    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    report_progress("embed", 0, len(texts))
    return embedder.embed(texts, on_progress=on_embedded)


def _reembed(engine: Engine, embedder: Embedder, course_id: int | None,
             report: RefreshReport, report_progress: ProgressReporter) -> int:
    """Re-embed chunks made by another embedding model (TUTORBOT_EMBEDDING_MODEL
    changed); returns how many chunks were re-embedded."""
    with Session(engine) as session:
        query = (select(Chunk, Document).join(Document, col(Document.id) == Chunk.document_id)
                 .where(Document.embedding_model != embedder.name))
        if course_id is not None:
            query = query.where(Document.course_id == course_id)
        stale = session.exec(query).all()
        if not stale:
            return 0
        for changed in sorted({document.course_id for _, document in stale}):
            next_index_version(session, changed)
        texts = [embedding_text(d.title, c.heading, c.text) for c, d in stale]
        vectors = _embed_texts(texts, embedder, report_progress)
        for (chunk, document), vector in zip(stale, vectors, strict=True):
            chunk.embedding = vector.tobytes()
            document.embedding_model = embedder.name
            session.add(chunk)
            session.add(document)
            report.course_ids.add(document.course_id)
        session.commit()
    return len(texts)
