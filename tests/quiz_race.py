"""Two quiz answers in flight at once, for the dialogue, platform and worker tests: a
quiz of short-answer questions (their grading awaits the embedder) and an embedder
that holds the first answer until the test lets it go."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import numpy as np
from sqlmodel import Session, col, select

from tutor.dialogue import DialogueManager
from tutor.quiz.bank import build_bank
from tutor.runtime import Runtime
from tutor.tables import Attempt, Mastery, Question, QuizRun

COURSE = "workplace-safety"
EmbedFn = Callable[[list[str]], Awaitable[np.ndarray]]


def short_quiz(runtime: Runtime, learner: str, length: int = 3) -> tuple[QuizRun, list[Question]]:
    """A running quiz of `length` short-answer questions whose answers are phrases (so
    grading embeds them), started straight in the database."""
    with Session(runtime.engine) as session:
        if session.exec(select(Question)).first() is None:
            build_bank(runtime.engine, COURSE)
        shorts = [q for q in session.exec(select(Question).where(
            Question.kind == "short", Question.status == "active").order_by(col(Question.id)))
            if len(q.answer.split()) > 2]
    picked = shorts[:length]
    assert len(picked) == length, "the sample course gave too few short questions"
    run = runtime.quizzes.start(learner, COURSE, "race", [q.id or 0 for q in picked])
    return run, picked


class HeldEmbed:
    """Wraps a quiz's embed: the first call waits until `release()`; `entered` is set
    once it waits. Threading events: the dialogue's handlers run on threads of their
    own, each with its own event loop."""

    def __init__(self, embed: EmbedFn) -> None:
        self.embed = embed
        self.entered = threading.Event()
        self._go = threading.Event()
        self.calls = 0

    async def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            await asyncio.to_thread(self._go.wait)
        return await self.embed(texts)

    async def wait_entered(self, timeout_s: float) -> None:
        assert await asyncio.to_thread(self.entered.wait, timeout_s), "never entered"

    def release(self) -> None:
        self._go.set()


def hold_first_answer(manager: DialogueManager) -> HeldEmbed:
    held = HeldEmbed(manager.quiz.embed)
    manager.quiz.embed = held
    return held


def count_messages(manager: DialogueManager) -> list[int]:
    """A one-item list counting the messages handed to `manager.respond` (before any
    waiting for the learner's turn)."""
    counted = [0]
    respond = manager.respond

    def counting(message):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return respond(message)

    manager.respond = counting  # type: ignore[method-assign]
    return counted


def attempts(runtime: Runtime, run: QuizRun) -> list[tuple[int, str]]:
    """(question id, response) of the quiz's attempts, in the order stored."""
    with Session(runtime.engine) as session:
        return [(a.question_id, a.response) for a in session.exec(
            select(Attempt).where(Attempt.quiz_id == run.id).order_by(col(Attempt.id)))]


def mastery_moves(runtime: Runtime, learner: str) -> int:
    with Session(runtime.engine) as session:
        return sum(m.attempts for m in session.exec(
            select(Mastery).where(Mastery.learner_id == learner)))
