"""Review nudges: inside the learner's window once a day, never outside it, never
twice (a restart included), and never again to a learner who blocked the bot. The
clock is injected: nothing sleeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.tutor.learner.test_recommend import skill
from tutor.dialogue import DialogueManager
from tutor.errors import TutorError
from tutor.learner.knowledge import CourseKnowledge
from tutor.learner.recommend import DAY
from tutor.messages import IncomingMessage, Reply
from tutor.reminders import Nudger, ReminderStore, Unreachable, parse_schedule
from tutor.runtime import Runtime

ANA = "telegram:42"
# Monday 30 November 2026, 15:00 UTC: 16:00 in Berlin.
MONDAY_15_UTC = datetime(2026, 11, 30, 15, tzinfo=UTC)


class ReviewDue:
    """What the learner model says: Fire extinguishers is due for review."""

    def course(self, learner: str, course: str) -> CourseKnowledge:
        now = MONDAY_15_UTC.timestamp()
        due = skill(3, "Fire extinguishers", attempts=5, correct=4, days_ago=9, recall=0.4,
                    reached=0.85)
        return CourseKnowledge(course, [replace(due, last_practised=now - 9 * DAY)],
                               "model", now)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Platform:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.fail: Exception | None = None

    async def send(self, user: str, reply: Reply) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append((user, reply))


@pytest.fixture
def store(runtime: Runtime) -> ReminderStore:
    return ReminderStore(runtime.engine)


def nudger(store: ReminderStore, clock: Clock, platform: Platform) -> Nudger:
    return Nudger(store, ReviewDue(), lambda learner: "workplace-safety",  # type: ignore[arg-type]
                  {"telegram": platform.send}, clock)


def test_schedules_parse_and_bad_words_are_named() -> None:
    schedule = parse_schedule("17-19 weekends America/New_York".split())
    assert (schedule.start_hour, schedule.end_hour, schedule.days, schedule.timezone) == (
        17, 19, ("sat", "sun"), "America/New_York")
    assert parse_schedule(["fri-mon"]).days == ("mon", "fri", "sat", "sun")
    with pytest.raises(TutorError, match="'Mars/Olympus'"):
        parse_schedule(["Mars/Olympus"])
    with pytest.raises(TutorError, match="'19-17'"):
        parse_schedule(["19-17"])


async def test_a_nudge_comes_once_inside_the_window_and_never_outside(
        store: ReminderStore) -> None:
    store.set(ANA, parse_schedule("17-19 mon-fri Europe/Berlin".split()))
    clock, platform = Clock(MONDAY_15_UTC), Platform()  # 16:00 in Berlin: before the window
    tutor = nudger(store, clock, platform)
    assert await tutor.tick() == [] and platform.sent == []
    clock.now = MONDAY_15_UTC + timedelta(hours=1)  # 17:00 Berlin
    assert await tutor.tick() == [ANA]
    user, reply = platform.sent[0]
    assert user == "42" and "Time to review Fire extinguishers" in reply.text
    assert "You got 4 of 5 on Fire extinguishers last week" in reply.text
    assert [b.action for b in reply.buttons] == ["study:3", "read:3"]
    clock.now += timedelta(minutes=30)
    assert await tutor.tick() == []  # once a day
    restarted = nudger(store, clock, platform)  # a new process reads the same schedule
    assert await restarted.tick() == []
    clock.now = MONDAY_15_UTC + timedelta(hours=3)  # 19:00 Berlin: the window has closed
    assert await restarted.tick() == []
    clock.now = MONDAY_15_UTC + timedelta(days=1, hours=2)  # Tuesday 18:00 Berlin
    assert await restarted.tick() == [ANA]
    clock.now = MONDAY_15_UTC + timedelta(days=5, hours=2)  # Saturday: not a chosen day
    assert await restarted.tick() == []
    assert len(platform.sent) == 2


def failing_always_open(store: ReminderStore, failure: Exception
                        ) -> tuple[Nudger, Clock, Platform]:
    """A learner whose window is always open, and a platform that fails to reach them."""
    store.set(ANA, parse_schedule(["0-24", "daily"]))
    clock, platform = Clock(MONDAY_15_UTC), Platform()
    platform.fail = failure
    return nudger(store, clock, platform), clock, platform


async def test_a_blocked_learner_is_marked_and_not_retried(store: ReminderStore) -> None:
    tutor, clock, platform = failing_always_open(
        store, Unreachable("Forbidden: bot was blocked by the user"))
    assert await tutor.tick() == []
    row = store.get(ANA)
    assert row is not None and row.blocked
    platform.fail = None
    clock.now += timedelta(days=1)
    assert await tutor.tick() == [] and platform.sent == []
    store.set(ANA, parse_schedule(["0-24", "daily"]))  # /remind on again: they are back
    assert await tutor.tick() == [ANA]


async def test_a_failed_send_is_tried_again_later(store: ReminderStore) -> None:
    tutor, clock, platform = failing_always_open(store, ConnectionError("api down"))
    assert await tutor.tick() == []
    platform.fail = None
    clock.now += timedelta(minutes=1)
    assert await tutor.tick() == [ANA]


async def test_remind_through_the_chat_and_forget_removes_it(runtime: Runtime) -> None:
    manager = DialogueManager(runtime)

    async def say(text: str) -> str:
        replies = [r async for r in manager.respond(IncomingMessage(ANA, text))]
        return replies[-1].text

    assert (await say("/remind")).startswith("Reminders are off.")
    assert "between 17:00 and 19:00 on weekdays (Europe/Berlin)" in await say(
        "/remind on 17-19 mon-fri Europe/Berlin")
    assert "between 08:00 and 19:00" in await say("/remind on 8-19")  # keeps the rest
    assert "Europe/Berlin" in await say("/mydata")
    assert "I don't understand 'sometimes'" in await say("/remind on sometimes")
    assert "Done: I deleted everything" in await say("/forget")
    assert ReminderStore(runtime.engine).get(ANA) is None
    assert (await say("/remind off")) == "Reminders were already off."
    console = [r async for r in manager.respond(IncomingMessage("console:ana", "/remind on"))]
    assert console[-1].error and "nowhere to send them" in console[-1].text
