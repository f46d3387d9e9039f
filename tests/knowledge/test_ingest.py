from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from knowledge.ingest import ingest, refresh_stale
from knowledge.library import (
    course_summaries,
    document_names,
    find_course,
    rebuild_index,
    remove_course,
    remove_document,
)
from knowledge.tables import Chunk, Document
from tests.conftest import SAMPLE_COURSE
from tutor.runtime import Runtime


def run_ingest(runtime: Runtime, *paths: Path, course: str = "safety"):
    return ingest(list(paths), course, engine=runtime.engine, embedder=runtime.embedder,
                  index_store=runtime.index_store, max_bytes=5_000_000)


def chunk_texts(runtime: Runtime) -> list[str]:
    with Session(runtime.engine) as session:
        return list(session.exec(select(Chunk.text)))


def test_sample_course_ingests_every_format(runtime: Runtime) -> None:
    stages: list[str] = []
    report = ingest([SAMPLE_COURSE], "safety", engine=runtime.engine, embedder=runtime.embedder,
                    index_store=runtime.index_store, max_bytes=5_000_000,
                    progress=lambda stage, done, total: stages.append(stage))
    assert not report.failed
    assert len(report.added) == 8
    assert {"read", "embed"} <= set(stages)
    index = runtime.index_store.get(find_course(runtime.engine, "safety").id)
    assert index is not None and len(index) == report.chunks_added > 40


def test_reingest_unchanged_does_nothing_and_changed_file_replaces(runtime: Runtime,
                                                                   tmp_path: Path) -> None:
    doc = tmp_path / "ladders.md"
    doc.write_text("# Ladders\nUse three points of contact.")
    run_ingest(runtime, doc)
    calls = runtime.embedder.calls
    again = run_ingest(runtime, doc)
    assert again.unchanged == ["ladders.md"] and runtime.embedder.calls == calls
    assert again.chunks_added == 0

    doc.write_text("# Ladders\nKeep the 1 in 4 angle.")
    changed = run_ingest(runtime, doc)
    assert changed.updated == ["ladders.md"] and changed.chunks_removed == 1
    assert chunk_texts(runtime) == ["Keep the 1 in 4 angle."]
    index = runtime.index_store.get(find_course(runtime.engine, "safety").id)
    assert index is not None and len(index) == 1


def test_bad_file_is_reported_and_the_rest_goes_in(runtime: Runtime, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Exits\nKeep fire exits clear.")
    run_ingest(runtime, good)
    good.write_bytes(b"")  # an emptied version must not wipe what is stored
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 junk")
    other = tmp_path / "other.md"
    other.write_text("# Spills\nUse the spill kit.")
    report = run_ingest(runtime, good, broken, other, tmp_path / "missing.md")
    reasons = dict(report.failed)
    assert set(reasons) == {str(good), str(broken), str(tmp_path / "missing.md")}
    assert "empty" in reasons[str(good)] and "PDF" in reasons[str(broken)]
    assert report.added == ["other.md"]
    assert sorted(chunk_texts(runtime)) == ["Keep fire exits clear.", "Use the spill kit."]


def test_remove_document_and_course(runtime: Runtime, tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(f"# {name}\nText of {name}.")
    run_ingest(runtime, tmp_path)
    assert remove_document(runtime.engine, runtime.index_store, "safety", "a.md") == 1
    assert document_names(runtime.engine, "safety") == ["b.md"]
    course_id = find_course(runtime.engine, "safety").id
    assert len(runtime.index_store.get(course_id)) == 1
    with pytest.raises(LookupError):
        remove_document(runtime.engine, runtime.index_store, "safety", "a.md")
    remove_course(runtime.engine, runtime.index_store, "safety")
    assert course_summaries(runtime.engine) == []
    assert not runtime.index_store.path(course_id).exists()


def test_rebuilt_index_answers_like_the_incremental_one(runtime: Runtime) -> None:
    run_ingest(runtime, SAMPLE_COURSE)
    course_id = find_course(runtime.engine, "safety").id
    query = runtime.embedder.embed(["which extinguisher for electrical fires"])[0]
    before = runtime.index_store.get(course_id).search(query, 5)
    runtime.index_store.path(course_id).unlink()
    assert rebuild_index(runtime.engine, runtime.index_store, course_id) > 0
    after = runtime.index_store.get(course_id).search(query, 5)
    assert [i for i, _ in before] == [i for i, _ in after]
    assert np.allclose([s for _, s in before], [s for _, s in after])
    assert not list(runtime.index_store.folder.glob("*.tmp"))


def test_documents_chunked_by_an_older_version_are_normalised_again(runtime: Runtime,
                                                                     tmp_path: Path) -> None:
    doc = tmp_path / "faq.txt"
    doc.write_text("Keep the fire exits clear at\n  all times.  Report blocked exits.\n")
    run_ingest(runtime, doc)
    assert chunk_texts(runtime) == ["Keep the fire exits clear at all times. Report blocked exits."]
    with Session(runtime.engine) as session:  # as a data dir made before normalising
        document = session.exec(select(Document)).one()
        document.chunking_version, document.text = 0, ""
        for chunk in session.exec(select(Chunk)):
            chunk.text = "Keep the fire exits clear at\n  all times."
            session.add(chunk)
        session.add(document)
        session.commit()
    report = refresh_stale(runtime.engine, runtime.embedder)
    assert report.rechunked == ["faq.txt"] and report.course_ids
    assert chunk_texts(runtime) == ["Keep the fire exits clear at all times. Report blocked exits."]
    again = run_ingest(runtime, doc)  # now current: the next ingest skips it
    assert again.unchanged == ["faq.txt"]


def test_a_passage_that_ends_by_introducing_code_carries_the_code(runtime: Runtime,
                                                                   tmp_path: Path) -> None:
    doc = tmp_path / "title.md"
    lead_in = ("You should use the special function chpwd, which is called when the "
               "directory changes. " * 5 + "The following puts the directory in the title bar:")
    code = "\n".join(f"print -Pn '\\e]2;%~\\a'  # line {i}" for i in range(30))
    doc.write_text(f"# Title bar\n\n{lead_in}\n\n```\n{code}\n```\n")
    run_ingest(runtime, doc)
    assert len(chunk_texts(runtime)) > 1  # the lead-in and the code are chunks of their own
    course_id = find_course(runtime.engine, "safety").id
    question = "How do I show the directory in the title bar?"
    vector = runtime.embedder.embed([question])[0]
    passages = runtime.retriever.search(course_id, vector, 5, question)
    first = next(p for p in passages if p.text.startswith("You should use"))
    assert first.text.startswith(lead_in)
    assert f"{lead_in}\n\n```\nprint -Pn '\\e]2;%~\\a'  # line 0\n" in first.text
