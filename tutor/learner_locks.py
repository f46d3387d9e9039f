"""One learner's messages handled one at a time, in the order they came, within a
process (the fronts run updates concurrently: PTB's concurrent_updates, Bolt's
handlers). Across workers the database keeps the order that matters: a quiz answer
is recorded once per question position (tutor/quiz/records.py).

Whole messages are serialised, the replies' sending included: a message's meaning
depends on what the one before it left (a quiz's position, a coached question's
gap), so nothing finer is safe. A message waits at most one answer (a question is
bounded by the model's token limit and queue); a button click waits `BUTTON_WAIT_S`
at most and is then told to click again, because a click's toast must come while
the platform still takes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tutor.errors import TutorError

BUTTON_WAIT_S = 10.0


class StillBusy(TutorError):
    def __init__(self) -> None:
        super().__init__("I'm still on your last message: click again once it is answered.")


class LearnerLocks:
    """A lock per learner with a message in hand. A learner's entry goes with their
    last waiting message, so the dict holds only learners being answered now."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[asyncio.Lock, int]] = {}  # lock, messages holding or waiting

    def __len__(self) -> int:
        return len(self._held)

    @asynccontextmanager
    async def turn(self, learner: str, wait_s: float | None = None) -> AsyncIterator[None]:
        """Inside: the learner's only message being handled. With `wait_s`, StillBusy
        once that long has passed without the turn."""
        lock, users = self._held.get(learner, (asyncio.Lock(), 0))
        self._held[learner] = (lock, users + 1)
        try:
            try:
                async with asyncio.timeout(wait_s):
                    await lock.acquire()
            except TimeoutError:
                raise StillBusy() from None
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._held[learner]
            if users == 1:
                del self._held[learner]
            else:
                self._held[learner] = (lock, users - 1)
