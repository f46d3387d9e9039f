"""One learner's messages one at a time, in order, within a process; and a quiz
answer recorded once per question position across workers on one database."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import add_sample_course
from tests.fakes import FakeEmbedder, FakeGenerator
from tests.quiz_race import attempts, hold_first_answer, mastery_moves, short_quiz
from tutor import dialogue
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime
from tutor.settings import Settings

ANA = "test:ana"


async def replies_to(manager: DialogueManager, text: str, button: str | None = None
                     ) -> list[Reply]:
    return [r async for r in manager.respond(IncomingMessage(ANA, text, button=button))
            if not r.draft]


def positions_shown(replies: list[Reply]) -> list[int]:
    return [r.data["quiz"]["position"] for r in replies if "quiz" in r.data]


async def test_a_learners_answers_are_handled_in_order(runtime: Runtime) -> None:
    add_sample_course(runtime)
    manager = DialogueManager(runtime)
    run, questions = short_quiz(runtime, ANA)
    held = hold_first_answer(manager)
    first = asyncio.create_task(replies_to(manager, questions[0].answer))
    await held.wait_entered(10)  # the first is being graded
    second = asyncio.create_task(replies_to(manager, questions[1].answer))
    await asyncio.sleep(0.3)  # time for the second to overtake it, were it not waiting
    assert held.calls == 1
    held.release()
    got = await asyncio.gather(first, second)
    assert attempts(runtime, run) == [(questions[0].id, questions[0].answer),
                                      (questions[1].id, questions[1].answer)]
    assert [positions_shown(replies) for replies in got] == [[1], [2]]  # each shown once
    assert mastery_moves(runtime, ANA) == 2
    assert len(manager.in_turn) == 0  # an idle learner's lock is gone


async def test_a_click_waits_a_while_then_is_told_to_click_again(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    add_sample_course(runtime)
    monkeypatch.setattr(dialogue, "BUTTON_WAIT_S", 0.2)
    manager = DialogueManager(runtime)
    run, questions = short_quiz(runtime, ANA)
    held = hold_first_answer(manager)
    first = asyncio.create_task(replies_to(manager, questions[0].answer))
    await held.wait_entered(10)
    click = await asyncio.wait_for(replies_to(manager, "", f"hint:{run.id}:0"), 5)
    assert click[-1].error and "click again" in click[-1].text
    held.release()
    assert positions_shown(await first) == [1]
    assert runtime.quizzes.run(run.id or 0).hints == 0  # type: ignore[union-attr]


async def test_two_workers_record_one_answer_per_question(
        runtime: Runtime, settings: Settings, generator: FakeGenerator) -> None:
    add_sample_course(runtime)
    other = Runtime(settings.model_copy(update={"data_dir": settings.data_dir.parent / "w2"}),
                    embedder=FakeEmbedder(), generator_factory=lambda: generator)
    try:
        managers = DialogueManager(runtime), DialogueManager(other)
        run, questions = short_quiz(runtime, ANA)
        held = [hold_first_answer(manager) for manager in managers]
        answer = questions[0].answer
        tasks = [asyncio.create_task(replies_to(manager, answer)) for manager in managers]
        for hold in held:  # both read the run at question 1 and are grading it
            await hold.wait_entered(10)
        held[0].release()
        winner = await tasks[0]
        held[1].release()
        loser = await tasks[1]
    finally:
        other.close()
    assert attempts(runtime, run) == [(questions[0].id, answer)]
    assert mastery_moves(runtime, ANA) == 1
    assert positions_shown(winner) == [1] and positions_shown(loser) == []
    assert loser[-1].error and "already answered" in loser[-1].text
