"""Trainer answers in the console: written from an answer (citing the passage it
quoted) or from a "not covered" question (on the trainer's authority), refused with
the reason and the form kept, confirmed after review, retired; served by the dialogue
at once; audited; another trainer's course refused."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from bot.web.app import create_app
from knowledge.tables import Chunk, Document
from tests.bot.web.console import csrf_of, sign_in, trainer
from tests.conftest import add_sample_course
from tutor.answers import trainer as trainer_answers
from tutor.console.accounts import add_account
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime
from tutor.tables import AnswerRecord, AuditEntry, TrainerAnswer

COURSE = "workplace-safety"
BURN = "How long should I cool a burn?"


@pytest.fixture
def pages(runtime: Runtime) -> TestClient:
    """The sample course, an answer that quoted the burns passage and a question it
    did not cover, and an admin signed in."""
    add_sample_course(runtime)
    with Session(runtime.engine) as session:
        burns = session.exec(select(Chunk).join(Document).where(
            Document.name == "first-aid.html", col(Chunk.text).contains("20 minutes"))).first()
        session.add(AnswerRecord(learner_id="test:ana", course=COURSE, question=BURN,
                                 answer="> Cool it. [1]", sources=json.dumps([{
                                     "number": 1, "document": "first-aid.html",
                                     "section": burns.heading, "page": None,
                                     "text": burns.text}])))
        session.add(AnswerRecord(learner_id="test:ana", course=COURSE, covered=False,
                                 question="What is the guest wifi password?",
                                 answer="Not covered."))
        session.commit()
    add_account(runtime.engine, "dana@example.org", "admin", password="correct horse battery",
                name="Dana Okafor")
    client = TestClient(create_app(runtime), follow_redirects=False)
    assert sign_in(client, "dana@example.org").status_code == 303
    return client


def _write(client: TestClient, **form: str):
    return client.post("/trainer-answers", data={"csrf": csrf_of(client, "/trainer-answers"),
                                                 **form})


async def _asked(runtime: Runtime, question: str) -> str:
    replies = [reply async for reply in DialogueManager(runtime).handle(
        IncomingMessage("test:bo", question))]
    return replies[-1].text


async def test_written_from_an_answer_citing_its_passage(pages: TestClient,
                                                         runtime: Runtime) -> None:
    form = pages.get("/trainer-answers/new?answer=1").text
    assert BURN in form and "first-aid.html" in form
    chunk_id = re.search(r'name="cite" value="(\d+)" checked', form).group(1)
    written = _write(pages, course=COURSE, question=BURN, from_answer="1", cite=chunk_id,
                     answer="Under cool running water for a full 20 minutes.")
    assert written.status_code == 303
    row = trainer_answers.get(runtime.engine, 1)
    assert row.chunk_id == int(chunk_id) and row.author_name == "Dana Okafor"
    assert row.from_answer == 1 and row.status == "active"
    page = pages.get(written.headers["location"]).text
    assert "Learners who ask the same get this answer first" in page and "first-aid.html" in page
    served = await _asked(runtime, BURN)
    assert served.startswith("Answer from your trainer, Dana Okafor")
    assert "full 20 minutes" in served
    with Session(runtime.engine) as session:
        audit = session.exec(select(AuditEntry)).one()
    assert (audit.actor, audit.action, audit.course) == (
        "dana@example.org", "trainer-answer", COURSE)
    assert "full 20 minutes" in audit.detail


async def test_a_gap_answered_on_the_trainers_authority(pages: TestClient,
                                                        runtime: Runtime) -> None:
    form = pages.get("/trainer-answers/new?answer=2").text
    assert "What is the guest wifi password?" in form and 'value="" checked' in form
    found = pages.get(f"/trainer-answers/passages?course={COURSE}&words=assembly+point").text
    assert "Assembly Point" in found and 'name="cite"' in found
    assert _write(pages, course=COURSE, question="What is the guest wifi password?",
                  from_answer="2", cite="", answer="It is on the card at reception."
                  ).status_code == 303
    assert trainer_answers.get(runtime.engine, 1).chunk_id is None
    assert "card at reception" in await _asked(runtime, "What is the guest wifi password?")


def test_refused_with_the_reason_and_the_form_kept(pages: TestClient) -> None:
    refused = _write(pages, course=COURSE, question=BURN, from_answer="1", answer="  ")
    assert refused.status_code == 200
    assert "The answer is empty" in refused.text and BURN in refused.text
    assert pages.get("/trainer-answers").text.count("/trainer-answers/1") == 0


def test_review_confirm_edit_and_retire(pages: TestClient, runtime: Runtime) -> None:
    _write(pages, course=COURSE, question=BURN, cite="", answer="Twenty minutes.")
    with Session(runtime.engine) as session:
        row = session.get(TrainerAnswer, 1)
        row.status, row.review_why = "review", "its passage changed"
        session.add(row)
        session.commit()
    page = pages.get("/trainer-answers/1").text
    assert "Not served until a trainer confirms it: its passage changed." in page
    assert "To review" in pages.get("/trainer-answers?status=review").text
    token = csrf_of(pages, "/trainer-answers/1")
    assert pages.post("/trainer-answers/1/confirm", data={"csrf": token, "cite": "own"}
                      ).status_code == 303
    assert trainer_answers.get(runtime.engine, 1).status == "active"
    assert pages.post("/trainer-answers/1/edit", data={
        "csrf": token, "question": BURN, "answer": "Twenty minutes, under running water."}
        ).status_code == 303
    assert trainer_answers.get(runtime.engine, 1).answer == "Twenty minutes, under running water."
    assert pages.post("/trainer-answers/1/retire", data={"csrf": token}).status_code == 303
    assert trainer_answers.get(runtime.engine, 1).status == "retired"
    with Session(runtime.engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["trainer-answer", "trainer-answer-confirm", "trainer-answer",
                       "trainer-answer-retire"]


def test_another_trainers_course_is_refused(pages: TestClient, runtime: Runtime) -> None:
    _write(pages, course=COURSE, question=BURN, cite="", answer="Twenty minutes.")
    trainer(runtime.engine, "forklifts")
    client = TestClient(create_app(runtime), follow_redirects=False)
    assert sign_in(client, "tina@example.org").status_code == 303
    assert "/trainer-answers/1" not in client.get("/trainer-answers").text
    assert client.get("/trainer-answers/1").status_code == 403
    assert client.get("/trainer-answers/new?answer=1").status_code == 403
    assert client.get(f"/trainer-answers/passages?course={COURSE}&words=burn").status_code == 403
    token = csrf_of(client, "/trainer-answers")
    for path in ("/trainer-answers/1/retire", "/trainer-answers/1/confirm"):
        assert client.post(path, data={"csrf": token}).status_code == 403
    assert client.post("/trainer-answers", data={
        "csrf": token, "course": COURSE, "question": "x?", "answer": "y"}).status_code == 403
    assert trainer_answers.get(runtime.engine, 1).status == "active"
