"""The course pages and uploads in the console: per-file progress and result lines,
removal and re-ingest, rights, file names and the audit log."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from bot.web.app import create_app
from knowledge.library import course_names, document_names
from knowledge.tables import Chunk, Document
from tests.bot.web.uploads_support import GatedEmbedder, signed_in
from tests.conftest import SAMPLE_COURSE
from tutor.console.upload_jobs import receive_files
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime
from tutor.tables import AuditEntry, Question

LADDERS = b"# Ladders\n\nCheck the ladder feet before you climb. Keep three points of contact."
SPILLS = b"# Spills\n\nCover a chemical spill with the absorbent pads from the spill kit."
BROKEN = b"%PDF-1.7 truncated before its first object"


@pytest.fixture
def app(runtime: Runtime) -> Iterator[FastAPI]:
    runtime._embedder = GatedEmbedder()
    console = create_app(runtime)
    yield console
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    console.state.uploads.close()


@pytest.fixture
def admin(app: FastAPI) -> tuple[TestClient, str]:
    return signed_in(app, "boss@example.org")


def three_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", ("ladders.md", LADDERS, "text/markdown")),
            ("files", ("broken.pdf", BROKEN, "application/pdf")),
            ("files", ("spills.md", SPILLS, "text/markdown"))]


def upload(client: TestClient, csrf: str, course: str,
           files: list[tuple[str, tuple[str, bytes, str]]], **headers: str) -> str:
    """The job's id, from a plain form post (no JavaScript): a redirect to the page."""
    answer = client.post(f"/courses/{course}/uploads", data={"csrf": csrf}, files=files,
                         headers=headers, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("upload=")[1].split("#")[0]


def status(client: TestClient, job_id: str) -> dict:
    answer = client.get(f"/api/uploads/{job_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def until(client: TestClient, job_id: str, done: object = None, timeout_s: float = 60
          ) -> dict:
    """The job's JSON once `done(json)` holds (default: once it is finished)."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = status(client, job_id)
        if (done(now) if callable(done) else now["finished"]):
            return now
        assert time.monotonic() < deadline, now
        time.sleep(0.05)


def test_three_files_one_corrupt_two_go_in_with_progress_per_file(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    embedder: GatedEmbedder = runtime.embedder  # type: ignore[assignment]
    embedder.holding = True
    job_id = upload(client, csrf, "safety", three_files())
    # Mid-embedding: the corrupt file is refused already, the others embed.
    held = until(client, job_id, lambda now: now["stage"] == "embedding")
    states = {f["name"]: (f["state"], f["progress"]) for f in held["files"]}
    assert not held["finished"] and held["lines"] == []
    assert states["broken.pdf"][0] == "refused" and states["broken.pdf"][1] == 1.0
    for name in ("ladders.md", "spills.md"):
        assert states[name][0] == "embedding" and 0 < states[name][1] < 1
    page = client.get(f"/courses/safety?upload={job_id}").text
    assert 'http-equiv="refresh"' in page  # no JavaScript: the page reloads itself
    assert "Embedding" in page and "<progress" in page
    embedder.holding = False
    embedder.gate.set()
    done = until(client, job_id)
    assert [f["state"] for f in done["files"]] == ["done", "refused", "done"]  # as sent
    assert all(f["progress"] == 1.0 for f in done["files"])
    summary, *per_file = done["lines"]
    assert summary.startswith("Course safety: 2 added, 0 updated, 0 unchanged, 1 failed;")
    assert per_file[:2] == ["✓ ladders.md: added, 1 passage", "✓ spills.md: added, 1 passage"]
    assert per_file[2].startswith("✗ broken.pdf: could not be read as PDF")
    assert len(per_file) == 3
    assert document_names(runtime.engine, "safety") == ["ladders.md", "spills.md"]
    page = client.get(f"/courses/safety?upload={job_id}").text
    assert 'http-equiv="refresh"' not in page
    assert "✗ broken.pdf: could not be read as PDF" in page and "ladders.md" in page


def test_htmx_gets_a_fragment_that_polls_until_done(app: FastAPI,
                                                    admin: tuple[TestClient, str]) -> None:
    client, csrf = admin
    answer = client.post("/courses/safety/uploads", data={"csrf": csrf},
                         files=three_files()[:1], headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert 'hx-trigger="every 1s"' in answer.text and "ladders.md" in answer.text
    job_id = answer.text.split('id="job-')[1].split('"')[0]
    until(client, job_id)
    done = client.get(f"/courses/safety/uploads/{job_id}", headers={"HX-Request": "true"})
    assert "every 1s" not in done.text  # the finished fragment stops the polling
    assert done.headers["hx-trigger"] == "material-changed"
    assert "✓ ladders.md: added, 1 passage" in done.text
    assert "No documents yet" not in client.get("/courses/safety").text


async def test_a_question_right_after_an_upload_is_answered_from_it(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    until(client, upload(client, csrf, "safety", three_files()))
    manager = DialogueManager(runtime)  # the bots of this process: the only course is theirs
    replies = [r async for r in manager.handle(IncomingMessage(
        "test:ana", "What do I cover a chemical spill with?"))]
    assert replies[-1].sources and replies[-1].sources[0].document == "spills.md"
    assert "absorbent pads" in replies[-1].text


def active_questions(runtime: Runtime, document: str | None = None) -> list[Question]:
    with Session(runtime.engine) as session:
        query = select(Question).where(Question.status == "active")
        if document:
            chunks = select(Chunk.id).join(Document, col(Document.id) == Chunk.document_id
                                           ).where(Document.name == document)
            query = query.where(col(Question.chunk_id).in_(chunks))
        return list(session.exec(query))


def audit(runtime: Runtime, action: str) -> list[AuditEntry]:
    with Session(runtime.engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)
                                 .order_by(col(AuditEntry.id))))


def test_removal_retires_the_questions_at_once_and_is_audited(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    files = [("files", (name, (SAMPLE_COURSE / name).read_bytes(), "text/markdown"))
             for name in ("fire-safety.md", "manual-handling.md")]
    until(client, upload(client, csrf, "safety", files))
    fire = active_questions(runtime, "fire-safety.md")
    assert fire and active_questions(runtime, "manual-handling.md")
    answer = client.post("/courses/safety/documents/remove",
                         data={"csrf": csrf, "document": "fire-safety.md"})
    assert answer.status_code == 200 and "Removed fire-safety.md from safety" in answer.text
    assert document_names(runtime.engine, "safety") == ["manual-handling.md"]
    assert {q.id for q in active_questions(runtime)} == {
        q.id for q in active_questions(runtime, "manual-handling.md")}
    with Session(runtime.engine) as session:
        assert {session.get(Question, q.id).retired_why for q in fire} == {
            "its passage is gone"}
    entry = audit(runtime, "remove-document")[0]
    assert (entry.actor, entry.course, entry.target) == ("boss@example.org", "safety",
                                                         "fire-safety.md")
    assert json.loads(entry.detail)["questions_retired"] >= 1
    answer = client.post("/courses/safety/remove", data={"csrf": csrf})
    assert answer.status_code == 200 and "Removed the course safety" in answer.text
    assert course_names(runtime.engine) == [] and active_questions(runtime) == []
    assert audit(runtime, "remove-course")[0].target == "safety"


def test_upload_and_reingest_are_audited_with_the_file_names(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    until(client, upload(client, csrf, "safety", three_files()))
    entry = audit(runtime, "upload")[0]
    detail = json.loads(entry.detail)
    assert (entry.actor, entry.course) == ("boss@example.org", "safety")
    assert entry.target == "ladders.md, broken.pdf, spills.md"
    assert detail["added"] == ["ladders.md", "spills.md"]
    assert detail["refused"][0][0] == "broken.pdf"
    with Session(runtime.engine) as session:
        before = session.exec(select(Document).where(Document.name == "ladders.md")).one()
    answer = client.post("/courses/safety/reingest", data={"csrf": csrf,
                                                          "document": "ladders.md"},
                         follow_redirects=False)
    job = until(client, answer.headers["location"].split("upload=")[1].split("#")[0])
    assert job["kind"] == "reingest" and job["lines"][1] == "✓ ladders.md: updated, 1 passage"
    with Session(runtime.engine) as session:
        after = session.exec(select(Document).where(Document.name == "ladders.md")).one()
    assert after.ingested_at > before.ingested_at
    entry = audit(runtime, "reingest")[0]
    assert entry.target == "ladders.md" and json.loads(entry.detail)["rechunked"] == [
        "ladders.md"]


def test_a_trainer_is_refused_another_course_uploads_included(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    theirs = upload(client, csrf, "safety", three_files()[:1])
    until(client, theirs)
    trainer, token = signed_in(app, "tom@example.org", "trainer", ["first-aid"])
    files = [("files", ("burns.md", b"# Burns\nCool a burn under running water.", "text/x"))]
    assert trainer.get("/courses/safety").status_code == 403
    refused = trainer.post("/courses/safety/uploads", data={"csrf": token}, files=files)
    assert refused.status_code == 403
    assert trainer.post("/courses/safety/uploads", data={"csrf": token}, files=files,
                        headers={"HX-Request": "true"}).status_code == 403
    assert trainer.get(f"/api/uploads/{theirs}").status_code == 403
    assert trainer.get(f"/courses/safety/uploads/{theirs}").status_code == 403
    for path, data in (("/courses/safety/documents/remove", {"document": "ladders.md"}),
                       ("/courses/safety/remove", {}),
                       ("/courses/safety/reingest", {"document": "ladders.md"})):
        assert trainer.post(path, data={"csrf": token, **data}).status_code == 403
    assert document_names(runtime.engine, "safety") == ["ladders.md"]
    assert trainer.get("/courses?new=safety").status_code == 403
    # Their own course, new: they start it by uploading into it.
    assert "first-aid" in trainer.get("/courses").text
    assert "New course: first-aid" in trainer.get("/courses/first-aid").text
    until(trainer, upload(trainer, token, "first-aid", files))
    assert document_names(runtime.engine, "first-aid") == ["burns.md"]
    assert audit(runtime, "upload")[-1].actor == "tom@example.org"


def test_new_course_names_are_checked(app: FastAPI, admin: tuple[TestClient, str]) -> None:
    client, _ = admin
    started = client.get("/courses?new=fire safety", follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"] == "/courses/fire%20safety"
    assert "New course: fire safety" in client.get(started.headers["location"]).text
    refused = client.get("/courses?new=../etc")
    assert refused.status_code == 200 and "not a usable course name" in refused.text
    assert client.get("/courses/.hidden").status_code == 404


@pytest.mark.parametrize("sent", ["../../etc/passwd.md", "..\\..\\x.md", "/etc/cron.d/y.md",
                                  "C:\\Windows\\z.md", "nul\x00byte.md", "..", ""])
def test_a_file_name_never_leaves_the_upload_folder(tmp_path: Path, sent: str) -> None:
    folder = tmp_path / "a" / "b" / "upload"
    folder.mkdir(parents=True)
    received = receive_files(folder, [(sent, io.BytesIO(b"# T\ntext"), 8)], 10**6)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.parent == folder for p in written)
    assert all(p.parent == folder and "\x00" not in p.name and not p.name.startswith(".")
               for p in received.paths)
    assert len(received.paths) + len(received.refused) == 1


def test_an_over_long_name_is_shortened_and_the_rest_go_in(tmp_path: Path) -> None:
    """300 bytes (or 90 CJK characters) is over what file systems take: the file goes
    in under a shortened name, its suffix kept, beside the upload's other files."""
    sent = [("a" * 300 + ".md", io.BytesIO(b"# A\ntext"), 8),
            ("消防" * 45 + ".md", io.BytesIO(b"# B\ntext"), 8),
            ("good.md", io.BytesIO(b"# C\ntext"), 8)]
    received = receive_files(tmp_path, sent, 10**6)
    assert received.refused == [] and len(received.paths) == 3
    assert all(len(p.name.encode()) <= 200 and p.suffix == ".md" for p in received.paths)


def test_hostile_names_through_the_form_stay_inside(app: FastAPI, runtime: Runtime,
                                                    admin: tuple[TestClient, str],
                                                    tmp_path: Path) -> None:
    client, csrf = admin
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    files = [("files", ("../../escape.md", LADDERS, "text/markdown")),
             ("files", ("..\\win.md", SPILLS, "text/markdown")),
             ("files", ("../../escape.md", SPILLS, "text/markdown"))]
    job = until(client, upload(client, csrf, "safety", files))
    assert document_names(runtime.engine, "safety") == ["_win.md", "escape.md"]
    assert "✗ escape.md: another file in this upload has the same name" in job["lines"]
    assert not list(Path("/tmp").glob("escape.md")) and not (tmp_path / "escape.md").exists()


def test_too_big_and_unsupported_files_are_refused_with_their_reason(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    runtime.settings.max_upload_mb = 0.001  # 1 kB
    files = [("files", ("big.md", b"word " * 400, "text/markdown")),
             ("files", ("notes.exe", b"MZ", "application/octet-stream")),
             ("files", ("empty.md", b"", "text/markdown"))]
    job = until(client, upload(client, csrf, "safety", files))
    assert job["lines"][1:] == [
        "✗ big.md: the file is 0.0 MB, over the 0 MB limit",
        "✗ notes.exe: unsupported file type '.exe' (supported: .docx, .htm, .html, .markdown, "
        ".md, .pdf, .pptx, .txt)",
        "✗ empty.md: the file is empty"]
    assert course_names(runtime.engine) == []


def test_documents_export_without_their_buttons_and_a_lost_job_stops_polling(
        app: FastAPI, admin: tuple[TestClient, str], runtime: Runtime) -> None:
    client, csrf = admin
    runtime.embedder.gate.set()  # type: ignore[attr-defined]
    until(client, upload(client, csrf, "safety", three_files()[:1]))
    lines = client.get("/courses/safety?format=csv").text.splitlines()
    assert lines[0] == "Document,Title,Kind,Passages,Ingested at"
    assert lines[1].startswith("ladders.md,Ladders,Markdown,1,")  # the kind as read
    lost = client.get("/courses/safety/uploads/no-such-job", headers={"HX-Request": "true"})
    assert lost.status_code == 200 and "no longer followed" in lost.text
    assert "hx-trigger" not in lost.text
    assert client.get("/api/uploads/no-such-job").status_code == 404
