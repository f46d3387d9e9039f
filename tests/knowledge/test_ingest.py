from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from knowledge.index import IndexStore
from knowledge.ingest import ingest, refresh_stale
from knowledge.library import (
    course_summaries,
    document_names,
    find_course,
    remove_course,
    remove_document,
)
from knowledge.tables import Chunk, Course, Document
from tests.conftest import SAMPLE_COURSE
from tutor.quiz.bank import retire_removed
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
    assert index is not None and len(index.vectors) == report.chunks_added > 40
    assert len(index.lexical) == len(index.vectors)


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
    assert index is not None and len(index.vectors) == 1


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
    assert remove_document(runtime.engine, runtime.index_store, "safety", "a.md",
                           on_removed=retire_removed) == 1
    assert document_names(runtime.engine, "safety") == ["b.md"]
    course_id = find_course(runtime.engine, "safety").id
    assert len(runtime.index_store.get(course_id).vectors) == 1
    with pytest.raises(LookupError):
        remove_document(runtime.engine, runtime.index_store, "safety", "a.md",
                        on_removed=retire_removed)
    remove_course(runtime.engine, runtime.index_store, "safety", on_removed=retire_removed)
    assert course_summaries(runtime.engine) == []
    assert runtime.index_store.get(course_id) is None
    assert not list(runtime.index_store.folder.glob(f"course-{course_id}-*"))


def test_rebuilt_index_answers_like_the_incremental_one(runtime: Runtime) -> None:
    run_ingest(runtime, SAMPLE_COURSE)
    course_id = find_course(runtime.engine, "safety").id
    query = runtime.embedder.embed(["which extinguisher for electrical fires"])[0]
    before = runtime.index_store.get(course_id).vectors.search(query, 5)
    for path in runtime.index_store.folder.iterdir():
        path.unlink()
    assert runtime.index_store.rebuild(course_id) > 0
    after = runtime.index_store.get(course_id).vectors.search(query, 5)
    assert [i for i, _ in before] == [i for i, _ in after]
    assert np.allclose([s for _, s in before], [s for _, s in after])
    assert not list(runtime.index_store.folder.glob("*.tmp"))


def course_chunk_ids(runtime: Runtime, course: str = "safety") -> set[int]:
    with Session(runtime.engine) as session:
        return set(session.exec(select(Chunk.id).join(Document).join(Course)
                                .where(Course.name == course)))


def indexed_ids(store: IndexStore, course_id: int) -> set[int]:
    index = store.get(course_id)
    assert index is not None
    vectors = index.vectors.index
    return {int(vectors.id_map.at(i)) for i in range(vectors.ntotal)} | set(
        index.lexical.ids.tolist())


def test_another_worker_follows_the_database(runtime: Runtime, tmp_path: Path) -> None:
    """A second worker with a disk of its own sees what the first ingested, at its
    next search: the database's version is ahead of what it holds."""
    other = IndexStore(tmp_path / "other-worker", runtime.engine)
    (tmp_path / "a.md").write_text("# Exits\nKeep fire exits clear.")
    run_ingest(runtime, tmp_path / "a.md")
    course_id = find_course(runtime.engine, "safety").id
    assert indexed_ids(other, course_id) == course_chunk_ids(runtime)
    (tmp_path / "b.md").write_text("# Spills\nUse the spill kit.")
    run_ingest(runtime, tmp_path / "b.md")
    assert indexed_ids(other, course_id) == course_chunk_ids(runtime)
    assert len(course_chunk_ids(runtime)) == 2
    assert other.get(course_id).version == runtime.index_store.get(course_id).version == 2


def test_two_workers_ingesting_into_one_course_lose_nothing(runtime: Runtime,
                                                             tmp_path: Path) -> None:
    """Each ingest changes the index of the version it committed after: a worker that
    holds an older one builds from the database instead of overwriting the other's."""
    other = IndexStore(tmp_path / "other-worker", runtime.engine)
    for number in range(4):
        (tmp_path / f"{number}.md").write_text(f"# Topic {number}\nRule number {number}.")
        store = other if number % 2 else runtime.index_store
        ingest([tmp_path / f"{number}.md"], "safety", engine=runtime.engine,
               embedder=runtime.embedder, index_store=store, max_bytes=10**6)
    course_id = find_course(runtime.engine, "safety").id
    assert len(course_chunk_ids(runtime)) == 4
    assert indexed_ids(runtime.index_store, course_id) == course_chunk_ids(runtime)
    assert indexed_ids(other, course_id) == course_chunk_ids(runtime)


def test_a_course_removed_elsewhere_is_forgotten(runtime: Runtime, tmp_path: Path) -> None:
    """SQLite gives a new course the id of the last one removed: the other worker must
    answer the new course from its own chunks, not from the old index it held."""
    other, away = (IndexStore(tmp_path / name, runtime.engine) for name in ("other", "away"))
    (tmp_path / "a.md").write_text("# Exits\nKeep fire exits clear.")
    (tmp_path / "b.md").write_text("# Spills\nUse the spill kit.")
    run_ingest(runtime, tmp_path / "a.md", tmp_path / "b.md", course="old")
    old_id = find_course(runtime.engine, "old").id
    assert len(other.get(old_id).vectors) == len(away.get(old_id).vectors) == 2
    remove_course(runtime.engine, runtime.index_store, "old", on_removed=retire_removed)
    assert other.get(old_id) is None  # `away` searches nothing meanwhile
    run_ingest(runtime, tmp_path / "a.md", course="new")
    new_id = find_course(runtime.engine, "new").id
    assert indexed_ids(other, new_id) == course_chunk_ids(runtime, "new")
    assert indexed_ids(away, new_id) == course_chunk_ids(runtime, "new")


def test_an_upload_racing_another_of_the_same_name_replaces_it(
        runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another worker stores the same new file name while this one embeds: this one
    then replaces it (planned before the course was locked, stored after)."""
    from knowledge import ingest as ingest_module

    (tmp_path / "a.md").write_text("# Exits\nKeep fire exits clear.")
    other_copy = tmp_path / "other" / "a.md"
    other_copy.parent.mkdir()
    other_copy.write_text("# Exits\nFire exits stay unlocked.")
    embed = ingest_module._embed

    def embed_while_another_worker_stores(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(ingest_module, "_embed", embed)
        run_ingest(runtime, other_copy)  # the other worker, first to commit
        return embed(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "_embed", embed_while_another_worker_stores)
    report = run_ingest(runtime, tmp_path / "a.md")
    assert report.updated == ["a.md"] and not report.failed
    assert chunk_texts(runtime) == ["Keep fire exits clear."]
    course_id = find_course(runtime.engine, "safety").id
    assert indexed_ids(runtime.index_store, course_id) == course_chunk_ids(runtime)


def test_another_writers_temporary_file_is_left_alone(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Exits\nKeep fire exits clear.")
    run_ingest(runtime, tmp_path / "a.md")
    course_id = find_course(runtime.engine, "safety").id
    stamp = runtime.index_store.get(course_id).stamp
    writing = runtime.index_store.folder / f"course-{course_id}-{stamp.name}.faissx1y2.tmp"
    writing.write_bytes(b"half an index")
    (tmp_path / "b.md").write_text("# Spills\nUse the spill kit.")
    run_ingest(runtime, tmp_path / "b.md")
    assert writing.exists()


def test_a_crash_between_commit_and_index_write_heals(runtime: Runtime, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_text("# Exits\nKeep fire exits clear.")
    run_ingest(runtime, tmp_path / "a.md")

    def crash(*args: object) -> None:
        raise SystemExit("killed after the commit")

    monkeypatch.setattr(IndexStore, "update", crash)
    (tmp_path / "b.md").write_text("# Spills\nUse the spill kit.")
    with pytest.raises(SystemExit):
        run_ingest(runtime, tmp_path / "b.md")
    monkeypatch.undo()
    course_id = find_course(runtime.engine, "safety").id
    restarted = IndexStore(runtime.index_store.folder, runtime.engine)
    assert indexed_ids(restarted, course_id) == course_chunk_ids(runtime)
    assert indexed_ids(runtime.index_store, course_id) == course_chunk_ids(runtime)
    assert run_ingest(runtime, tmp_path / "b.md").unchanged == ["b.md"]


def test_index_files_from_before_versions_are_replaced(runtime: Runtime,
                                                       tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Exits\nKeep fire exits clear.")
    run_ingest(runtime, tmp_path / "a.md")
    course_id = find_course(runtime.engine, "safety").id
    folder = runtime.index_store.folder
    legacy = [folder / f"course-{course_id}.faiss", folder / f"course-{course_id}.bm25.npz"]
    for path in legacy:
        path.write_bytes(b"old")
    (tmp_path / "b.md").write_text("# Spills\nUse the spill kit.")
    run_ingest(runtime, tmp_path / "b.md")
    assert not any(path.exists() for path in legacy)
    stamp = runtime.index_store.get(course_id).stamp
    assert sorted(p.name for p in folder.iterdir()) == [
        f"course-{course_id}-{stamp.born}-v2.bm25.npz", f"course-{course_id}-{stamp.born}-v2.faiss"]


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


def test_each_file_is_told_apart_and_a_named_document_is_chunked_again(
        runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\nText of a.")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.7 broken")
    events: list[tuple[str, str]] = []
    report = ingest([tmp_path / "a.md", tmp_path / "b.pdf"], "safety", engine=runtime.engine,
                    embedder=runtime.embedder, index_store=runtime.index_store,
                    max_bytes=5_000_000, on_file=lambda name, event, _: events.append(
                        (name, event)))
    assert events == [("a.md", "converting"), ("a.md", "converted"), ("b.pdf", "converting"),
                      ("b.pdf", "refused")]
    assert report.passages == {"a.md": 1}
    events.clear()
    ingest([tmp_path / "a.md"], "safety", engine=runtime.engine, embedder=runtime.embedder,
           index_store=runtime.index_store, max_bytes=5_000_000,
           on_file=lambda name, event, _: events.append((name, event)))
    assert events == [("a.md", "unchanged")]  # no conversion at all
    events.clear()
    course_id = find_course(runtime.engine, "safety").id
    refreshed = refresh_stale(runtime.engine, runtime.embedder, course_id=course_id,
                              documents=["a.md"], on_file=lambda n, e, _: events.append((n, e)))
    assert refreshed.rechunked == ["a.md"] and refreshed.passages == {"a.md": 1}
    assert events == [("a.md", "converting"), ("a.md", "converted")]
    assert refresh_stale(runtime.engine, runtime.embedder).rechunked == []  # none stale
