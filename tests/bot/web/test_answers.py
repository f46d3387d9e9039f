"""The answers page: what learners were told, filtered, paged, exported, each answer
whole; only a trainer's own courses; learners by name or pseudonym."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session

from bot.web.app import create_app
from tests.bot.web.console import add_courses, admin, sign_in, trainer
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import AnswerRecord, Learner


def _answers(runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        session.add(Learner(id="telegram:1", course="forklifts", display_name="Ana Lima"))
        session.add(AnswerRecord(
            learner_id="telegram:1", course="forklifts", question="How fast may I drive?",
            answer="> 10 km/h indoors. [1]\n\nOutside too. [1]", quote="> 10 km/h indoors. [1]",
            kept=json.dumps(["Outside too."]),
            removed=json.dumps([{"text": "Faster when empty.", "why": "unsupported"}]),
            sources=json.dumps([{"number": 1, "document": "rules.md", "section": "Speed",
                                 "page": None, "text": "Drive at 10 km/h indoors."}]),
            explanation_removed=True, helpful=False))
        session.add(AnswerRecord(learner_id="telegram:2", course="forklifts",
                                 question="What is the wifi password?",
                                 answer="Not covered.", covered=False))
        session.add(AnswerRecord(learner_id="telegram:1", course="cranes",
                                 question="Who signs the lift plan?", answer="The supervisor.",
                                 helpful=True))
        session.commit()


def _signed_in(client: TestClient, email: str) -> TestClient:
    assert sign_in(client, email).status_code == 303
    return client


def test_the_list_filters_and_exports(console_runtime: Runtime,
                                      console_client: TestClient) -> None:
    add_courses(console_runtime.engine, "forklifts", "cranes")
    _answers(console_runtime)
    admin(console_runtime.engine)
    client = _signed_in(console_client, "boss@example.org")
    page = client.get("/answers").text
    assert all(q in page for q in ("How fast may I drive?", "What is the wifi password?",
                                   "Who signs the lift plan?"))
    assert "Ana Lima" in page and "telegram:1" not in page
    down = client.get("/answers?rating=down").text
    assert "How fast may I drive?" in down and "Who signs the lift plan?" not in down
    gaps = client.get("/answers?not_covered=1").text
    assert "What is the wifi password?" in gaps and "How fast may I drive?" not in gaps
    removed = client.get("/answers?explanation_removed=1").text
    assert "How fast may I drive?" in removed and "wifi" not in removed
    one_course = client.get("/answers?course=cranes").text
    assert "Who signs the lift plan?" in one_course and "wifi" not in one_course
    words = client.get("/answers?text=LIFT+plan").text
    assert "Who signs the lift plan?" in words and "wifi" not in words
    paged = client.get("/answers?per_page=2&sort=created_at&desc=0").text
    assert "1\u20132 of 3" in paged and "Who signs the lift plan?" not in paged
    exported = client.get("/answers?format=csv&rating=down")
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert len(lines) == 2 and "How fast may I drive?" in lines[1] and "not helpful" in lines[1]


def test_one_answer_whole(console_runtime: Runtime, console_client: TestClient) -> None:
    add_courses(console_runtime.engine, "forklifts", "cranes")
    _answers(console_runtime)
    admin(console_runtime.engine)
    client = _signed_in(console_client, "boss@example.org")
    page = client.get("/answers/1").text
    for shown in ("How fast may I drive?", "Outside too.", "Faster when empty.", "unsupported",
                  "rules.md", "Drive at 10 km/h indoors.", "Not helpful", "Ana Lima"):
        assert shown in page, shown
    assert "does not" not in page  # covered: no not-covered note
    gap = client.get("/answers/2").text
    assert "did not guess" in gap
    assert client.get("/answers/99").status_code == 404


def test_a_trainer_sees_only_their_courses(console_runtime: Runtime,
                                           console_client: TestClient) -> None:
    add_courses(console_runtime.engine, "forklifts", "cranes")
    _answers(console_runtime)
    trainer(console_runtime.engine, "forklifts")
    client = _signed_in(console_client, "tina@example.org")
    page = client.get("/answers").text
    assert "How fast may I drive?" in page and "Who signs the lift plan?" not in page
    assert client.get("/answers/3").status_code == 403
    assert client.get("/answers?course=cranes").status_code == 403
    exported = client.get("/answers?format=csv")
    assert exported.status_code == 200 and exported.text.startswith("When,Course,Learner")
    assert "How fast may I drive?" in exported.text and "Who signs" not in exported.text


def test_pseudonymous_names(console_runtime: Runtime, tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None,
                        console_names="pseudonymous")
    runtime = Runtime(settings, engine=console_runtime.engine, embedder=console_runtime.embedder)
    add_courses(runtime.engine, "forklifts", "cranes")
    _answers(runtime)
    admin(runtime.engine)
    client = _signed_in(TestClient(create_app(runtime), follow_redirects=False),
                        "boss@example.org")
    page = client.get("/answers").text
    assert "Ana Lima" not in page and "telegram:1" not in page and "Learner " in page
    assert client.get("/answers/1").text.count("Learner ") >= 1
