"""A quiz answer handled again after its worker died (bot/telegram.py replays the
updates a dead worker took): graded once, never against another question."""

from __future__ import annotations

from sqlmodel import Session, func, select

from knowledge.tables import utcnow
from tests.tutor.quiz.test_quiz_chat import (
    ANA,
    answer_right,
    manager,  # noqa: F401  (the fixture)
    right_answer,
    say,
    shown_question,
)
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.quiz.chat import GRADED_BEFORE
from tutor.runtime import Runtime
from tutor.tables import Attempt


def attempts(runtime: Runtime) -> int:
    with Session(runtime.engine) as session:
        return session.exec(select(func.count()).select_from(Attempt)).one()


async def test_an_answer_graded_before_its_worker_died_is_not_graded_again(
        manager: DialogueManager, runtime: Runtime) -> None:  # noqa: F811
    first_came = utcnow()
    # Graded and recorded; the reply never went out, then the worker died.
    await answer_right(manager, runtime, shown_question(await say(manager, "/quiz")))
    assert attempts(runtime) == 1
    now_shown = shown_question(await say(manager, "/quiz"))
    # The replay: typed as the answer to the question shown now, it would count for it.
    replayed = IncomingMessage(ANA, right_answer(runtime, now_shown["question"]),
                               first_received=first_came)
    replies = [r async for r in manager.respond(replayed) if not r.draft]
    assert [r.text for r in replies] == [GRADED_BEFORE] and replies[0].error
    assert attempts(runtime) == 1


async def test_an_answer_its_worker_never_graded_is_graded_when_replayed(
        manager: DialogueManager, runtime: Runtime) -> None:  # noqa: F811
    shown = shown_question(await say(manager, "/quiz"))
    replayed = IncomingMessage(ANA, right_answer(runtime, shown["question"]),
                               first_received=utcnow())
    replies = [r async for r in manager.respond(replayed) if not r.draft]
    assert replies[0].text.startswith(("✅", "🟡")) and attempts(runtime) == 1


async def test_a_click_graded_before_its_worker_died_says_so(
        manager: DialogueManager, runtime: Runtime) -> None:  # noqa: F811
    """The replayed click is on a question the quiz has moved past: not "already
    answered" (the learner never saw the grade) but that it was graded."""
    first_came = utcnow()
    shown = shown_question(await say(manager, "/quiz"))
    await answer_right(manager, runtime, shown)
    replayed = IncomingMessage(ANA, "", button=f"quiz:{shown['id']}:{shown['position']}:1",
                               first_received=first_came)
    replies = [r async for r in manager.respond(replayed)]
    assert [r.text for r in replies] == [GRADED_BEFORE] and attempts(runtime) == 1
