"""Load kept bounded: a learner may ask so many questions a minute (TUTORBOT_RATE_LIMIT),
and a question that finds TUTORBOT_MAX_QUEUE others being answered (waiting for the
model or with it) gets a clear reply instead of waiting without end. Commands and
buttons never come here: they never wait behind the model."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from tutor.errors import TutorError

WINDOW_S = 60.0


class QuestionRate:
    """At most `per_minute` questions from one learner in any 60 seconds (0: no limit).

    Kept in memory: each worker counts its own, so behind N workers a learner may
    ask up to N times as many.

    >>> now = [0.0]
    >>> rate = QuestionRate(2, clock=lambda: now[0])
    >>> rate.admit("ana"), rate.admit("ana"), rate.admit("ben")
    (0.0, 0.0, 0.0)
    >>> now[0] = 20.0
    >>> rate.admit("ana")  # the first of ana's two leaves the window at 60 s
    40.0
    >>> now[0] = 60.0
    >>> rate.admit("ana")
    0.0
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._asked: dict[str, deque[float]] = {}

    def admit(self, learner: str) -> float:
        """0 and the question counted, or the seconds until the learner may ask again."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        asked = self._asked.setdefault(learner, deque())
        while asked and asked[0] <= now - WINDOW_S:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return asked[0] + WINDOW_S - now
        asked.append(now)
        if len(self._asked) > 10_000:  # forget learners who have not asked for a minute
            self._asked = {who: times for who, times in self._asked.items()
                           if times and times[-1] > now - WINDOW_S}
        return 0.0


def check_question(rate: QuestionRate, learner: str, answering: int, max_queue: int) -> None:
    """TutorError with what to do when `max_queue` questions are being answered already
    or the learner asks too fast; a full queue does not count against the learner.

    >>> check_question(QuestionRate(0), "ana", 3, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    knowledge.errors.TutorError: I'm busy with many questions right now: please ask again...
    """
    if max_queue and answering >= max_queue:
        raise TutorError("I'm busy with many questions right now: please ask again in a "
                         "minute.")
    if wait_s := rate.admit(learner):
        raise TutorError(f"That's more questions than I can take in a minute: please wait "
                         f"{math.ceil(wait_s)} s and ask again. Commands like /quiz work now.")
