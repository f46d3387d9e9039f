"""The event loop never waits on the database: handlers run on threads of their own."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import event

from tests.conftest import SAMPLE_COURSE
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.off_loop import in_thread
from tutor.runtime import Runtime

DELAY_S = 0.3


async def test_a_slow_database_holds_up_only_the_messages_that_use_it(
        runtime: Runtime) -> None:
    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    manager = DialogueManager(runtime)
    event.listen(runtime.engine, "before_cursor_execute", lambda *_: time.sleep(DELAY_S))

    async def first_reply(message: IncomingMessage) -> float:
        async for _ in manager.respond(message):
            return time.perf_counter()
        raise AssertionError("no reply")

    started = time.perf_counter()
    progress = asyncio.create_task(first_reply(IncomingMessage("test:ana", "/progress")))
    await asyncio.sleep(0.05)  # ana's queries are under way
    helped = await first_reply(IncomingMessage("test:ben", "/help"))
    assert helped - started < DELAY_S  # ben never waited for one of ana's queries
    assert await progress - started > 2 * DELAY_S


async def test_the_items_come_back_in_order_and_an_error_is_raised_here() -> None:
    async def items():  # type: ignore[no-untyped-def]
        yield threading.current_thread() is threading.main_thread()
        yield 2
        raise LookupError("gone")

    got = []
    with pytest.raises(LookupError, match="gone"):
        async for item in in_thread(items):
            got.append(item)
    assert got == [False, 2]


async def test_closing_early_ends_the_thread_before_it_returns() -> None:
    """Nothing of a message runs once its reader stopped: the learner's next message
    (let in once this one is closed) never overlaps it."""
    ended = threading.Event()

    async def endless():  # type: ignore[no-untyped-def]
        try:
            while True:
                yield "again"
                await asyncio.sleep(0.01)
        finally:
            time.sleep(0.2)  # blocking clean-up, as a database write would be
            ended.set()

    stream = in_thread(endless)
    assert await anext(stream) == "again"
    await stream.aclose()
    assert ended.is_set()


async def test_the_generator_advances_only_when_asked() -> None:
    """What follows a reply runs only once the reader took it: a reply that could not
    be sent stops the handler before its next write."""
    steps: list[str] = []

    async def handler():  # type: ignore[no-untyped-def]
        steps.append("first")
        yield 1
        steps.append("second")
        yield 2

    stream = in_thread(handler)
    assert await anext(stream) == 1
    await asyncio.sleep(0.2)  # time to run ahead, were it free to
    assert steps == ["first"]
    await stream.aclose()
    assert steps == ["first"]
