"""Removed material takes its questions with it at once: no quiz asks about it, and a
quiz whose course is gone ends with a message saying so, leaving the learner free."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import Session, select

from knowledge.library import document_names, find_course, remove_course, remove_document
from tests.conftest import SAMPLE_COURSE
from tests.tutor.quiz.test_quiz_chat import ANA, BEN, click, right_answer, say, shown_question
from tutor.dialogue import DialogueManager
from tutor.errors import TutorError, UnknownCourse
from tutor.messages import Reply
from tutor.quiz.bank import retire_removed
from tutor.runtime import Runtime
from tutor.tables import Question, QuizRun

COURSE, OTHER = "workplace-safety", "first-aid"
CAT, DAN = "test:cat", "test:dan"
GONE = f"The course '{COURSE}' has been removed, so your quiz on"


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    runtime.add_material([SAMPLE_COURSE], COURSE)
    runtime.add_material([SAMPLE_COURSE / "first-aid.html"], OTHER)
    return DialogueManager(runtime)


def statuses(runtime: Runtime, course_id: int, document: str | None = None) -> dict[str, int]:
    """How many of the course's questions (from `document`, if given) have each status."""
    with Session(runtime.engine) as session:
        query = select(Question.status).where(Question.course_id == course_id)
        if document is not None:
            query = query.where(Question.document == document)
        return dict(Counter(session.exec(query)))


def question(runtime: Runtime, question_id: int) -> Question:
    with Session(runtime.engine) as session:
        found = session.get(Question, question_id)
        assert found is not None
        return found


def run_status(runtime: Runtime, run_id: int) -> str:
    with Session(runtime.engine) as session:
        run = session.get(QuizRun, run_id)
        assert run is not None
        return run.status


def remove(runtime: Runtime, document: str | None = None) -> None:
    if document is None:
        remove_course(runtime.engine, runtime.index_store, COURSE, on_removed=retire_removed)
    else:
        remove_document(runtime.engine, runtime.index_store, COURSE, document,
                        on_removed=retire_removed)


def shown_ids(replies: list[Reply]) -> list[int]:
    return [r.data["quiz"]["question"] for r in replies if "quiz" in r.data]


async def test_a_removed_documents_questions_retire_at_once_and_the_quiz_skips_them(
        manager: DialogueManager, runtime: Runtime) -> None:
    course = find_course(runtime.engine, COURSE).id or 0
    shown = shown_question(await say(manager, "/quiz"))
    document = question(runtime, shown["question"]).document
    on_it = statuses(runtime, course, document)["active"]
    assert statuses(runtime, course, document) == {"active": on_it}
    others = statuses(runtime, course)["active"] - on_it
    remove(runtime, document)
    assert statuses(runtime, course, document) == {"retired": on_it}
    assert question(runtime, shown["question"]).retired_why == "its passage is gone"
    assert statuses(runtime, course)["active"] == others > 0  # the rest of the course stays
    replies = await say(manager, right_answer(runtime, shown["question"]))
    assert "withdrawn" in replies[0].text
    assert not any(r.error for r in replies)
    assert all(question(runtime, q).document != document for q in shown_ids(replies))


@pytest.mark.parametrize("whole_course", [False, True])
async def test_removal_and_retirement_are_one_transaction(
        manager: DialogueManager, runtime: Runtime, whole_course: bool) -> None:
    def fail_after_retiring(session: Session, course_id: int) -> None:
        assert retire_removed(session, course_id) > 0
        raise RuntimeError("the disk is full")

    course = find_course(runtime.engine, COURSE).id or 0
    before = statuses(runtime, course)
    with pytest.raises(RuntimeError):
        if whole_course:
            remove_course(runtime.engine, runtime.index_store, COURSE,
                          on_removed=fail_after_retiring)
        else:
            remove_document(runtime.engine, runtime.index_store, COURSE, "fire-safety.md",
                            on_removed=fail_after_retiring)
    assert "fire-safety.md" in document_names(runtime.engine, COURSE)
    assert statuses(runtime, course) == before == {"active": before["active"]}


async def test_a_quiz_whose_course_is_removed_ends_with_a_message(
        manager: DialogueManager, runtime: Runtime) -> None:
    course = find_course(runtime.engine, COURSE).id or 0
    runs = {}
    for learner in (ANA, BEN, CAT, DAN):
        runs[learner] = shown_question(await say(manager, "/quiz", learner))
    await say(manager, "/stop", BEN)
    remove(runtime)
    assert set(statuses(runtime, course)) == {"retired"}  # every question of it

    typed = await say(manager, right_answer(runtime, runs[ANA]["question"]), ANA)  # an answer
    paused = await say(manager, "/quiz", BEN)  # /quiz, with the quiz paused
    shown = runs[CAT]
    clicked = await click(manager, f"quiz:{shown['id']}:{shown['position']}:1", CAT)  # a button
    stopped = await say(manager, "/stop", DAN)
    for replies in (typed, paused, clicked, stopped):
        assert len(replies) == 1 and replies[0].error
        assert replies[0].text.startswith(GONE), replies[0].text
        assert f"Courses now: {OTHER}" in replies[0].text
    assert {run_status(runtime, shown["id"]) for shown in runs.values()} == {"done"}

    # Free to start another: on the course that is left.
    for learner in (ANA, BEN):
        started = await say(manager, "/quiz", learner)
        assert not any(r.error for r in started)
        assert question(runtime, shown_question(started)["question"]).document == (
            "first-aid.html")
    assert "No quiz is running" in (await say(manager, "/stop", DAN))[0].text


async def test_a_course_removed_while_an_answer_is_graded_ends_the_quiz_with_a_message(
        manager: DialogueManager, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    manager.quiz.length = 1  # its summary comes right after this answer
    shown = shown_question(await say(manager, "/quiz"))
    grade = manager.quiz._grade

    async def removed_meanwhile(*args: object) -> object:
        remove(runtime)
        return await grade(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(manager.quiz, "_grade", removed_meanwhile)
    replies = await say(manager, right_answer(runtime, shown["question"]))
    assert "The answer:" in replies[0].text  # the answer's feedback, then no summary
    assert replies[-1].error and replies[-1].text.startswith(GONE)
    assert run_status(runtime, shown["id"]) == "done"


def test_an_unknown_course_is_a_tutor_error_with_its_own_words(runtime: Runtime) -> None:
    with pytest.raises(TutorError) as raised:
        runtime.knowledge.course(ANA, "gone")
    assert isinstance(raised.value, UnknownCourse) and isinstance(raised.value, LookupError)
    assert str(raised.value) == "There is no course named 'gone'. No course is ingested yet."
