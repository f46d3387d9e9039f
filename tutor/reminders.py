"""Review nudges: a learner who opts in (/remind on) gets one direct message when a
review is due, at most one a day, inside the hours and days they chose, in their
time zone. The schedule lives in the database: the day a nudge went out is
claimed there before it is sent, so restarts and a second process never send
twice; a learner the platform says the bot cannot reach is marked and not
retried. The clock is passed in, so tests move time without sleeping."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from tutor.errors import TutorError
from tutor.learner.knowledge import Knowledge
from tutor.learner.recommend import next_step
from tutor.messages import Reply
from tutor.next_steps import step_buttons
from tutor.tables import Reminder

log = logging.getLogger(__name__)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NAMED_DAYS = {"daily": DAYS, "everyday": DAYS, "weekdays": DAYS[:5], "weekends": DAYS[5:]}
USAGE = ("Send /remind on, optionally with hours, days and your time zone, e.g. "
         "/remind on 17-19 mon-fri Europe/Berlin; /remind off stops the reminders.")


class Unreachable(Exception):
    """The platform will not deliver to this learner (they blocked the bot, say)."""


class MaybeDelivered(Exception):
    """The send timed out after leaving: the nudge may have arrived, so it counts as
    sent (at most one a day matters more than at least one)."""


@dataclass(frozen=True)
class Schedule:
    start_hour: int = 9
    end_hour: int = 17
    days: tuple[str, ...] = DAYS[:5]
    timezone: str = "UTC"

    def describe(self) -> str:
        return (f"between {self.start_hour:02d}:00 and {self.end_hour:02d}:00 on "
                f"{days_text(self.days)} ({self.timezone})")


def days_text(days: tuple[str, ...]) -> str:
    """
    >>> days_text(DAYS), days_text(DAYS[:5]), days_text(("mon", "wed"))
    ('every day', 'weekdays', 'mon, wed')
    """
    for name, chosen in (("every day", DAYS), ("weekdays", DAYS[:5]), ("weekends", DAYS[5:])):
        if tuple(days) == chosen:
            return name
    return ", ".join(days)


def _day(word: str) -> int | None:
    """A day's number from its name or a start of it ("mon", "tues", "friday")."""
    return next((n for n, name in enumerate(DAY_NAMES) if len(word) >= 3
                 and name.startswith(word)), None)


def _days(token: str) -> tuple[str, ...] | None:
    """
    >>> _days("mon-fri"), _days("sat,sun"), _days("daily")[-1], _days("17-19")
    (('mon', 'tue', 'wed', 'thu', 'fri'), ('sat', 'sun'), 'sun', None)
    >>> _days("tuesday,thurs"), _days("monxyz")
    (('tue', 'thu'), None)
    """
    if token in NAMED_DAYS:
        return NAMED_DAYS[token]
    chosen: list[str] = []
    for part in token.split(","):
        first, _, last = part.partition("-")
        a, b = _day(first), _day(last or first)
        if a is None or b is None:
            return None
        chosen += [DAYS[i % 7] for i in range(a, b + 1 if b >= a else b + 8)]
    return tuple(d for d in DAYS if d in chosen)


def _zone(token: str) -> str | None:
    """An IANA zone name ("Europe/Berlin", "UTC") in its proper case, whatever case it
    was typed in; none of the system's odd entries ("localtime", "Factory")."""
    if token.upper() == "UTC":
        return "UTC"
    return next((z for z in available_timezones()
                 if "/" in z and z.casefold() == token.casefold()), None)


def parse_schedule(words: list[str], before: Schedule = Schedule()) -> Schedule:
    """The schedule /remind on's words give, keeping what they leave out.

    >>> parse_schedule("17-19 mon-fri europe/berlin".split())
    Schedule(start_hour=17, end_hour=19, days=('mon', 'tue', 'wed', 'thu', 'fri'), \
timezone='Europe/Berlin')
    >>> parse_schedule(["8:00-10:30"]).start_hour, parse_schedule(["8:00-10:30"]).end_hour
    (8, 11)
    """
    start, end, days, zone = before.start_hour, before.end_hour, before.days, before.timezone
    for word in words:
        token = word.strip().lower()
        if hours := re.fullmatch(r"(\d{1,2})(?::(\d\d))?-(\d{1,2})(?::(\d\d))?", token):
            start = int(hours[1])
            end = int(hours[3]) + (1 if hours[4] and hours[4] != "00" else 0)
            if not 0 <= start < end <= 24:
                raise TutorError(f"'{word}' is not a window of hours in one day, like 17-19.")
        elif (chosen := _days(token)) is not None:
            days = chosen
        elif (found := _zone(word.strip())) is not None:
            zone = found
        else:
            raise TutorError(f"I don't understand '{word}'. {USAGE}")
    return Schedule(start, end, days, zone)


def schedule_of(row: Reminder) -> Schedule:
    return Schedule(row.start_hour, row.end_hour, tuple(row.days.split(",")), row.timezone)


class ReminderStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, learner: str) -> Reminder | None:
        with Session(self.engine) as session:
            return session.get(Reminder, learner)

    def set(self, learner: str, schedule: Schedule) -> None:
        with Session(self.engine) as session:
            row = session.get(Reminder, learner) or Reminder(learner_id=learner)
            row.start_hour, row.end_hour = schedule.start_hour, schedule.end_hour
            row.days, row.timezone = ",".join(schedule.days), schedule.timezone
            row.blocked = False  # they wrote to the bot: it can reach them again
            session.add(row)
            session.commit()

    def remove(self, learner: str) -> bool:
        with Session(self.engine) as session:
            row = session.get(Reminder, learner)
            if row is not None:
                session.delete(row)
                session.commit()
            return row is not None

    def schedule(self, learner: str) -> Schedule | None:
        row = self.get(learner)
        return None if row is None else schedule_of(row)

    def open_now(self, now: datetime) -> list[tuple[str, str]]:
        """(learner, local date) of every reachable learner whose window is open at
        `now` and who had no nudge on that local date."""
        with Session(self.engine) as session:
            rows = session.exec(select(Reminder).where(col(Reminder.blocked).is_(False))).all()
        due = []
        for row in rows:
            local = now.astimezone(ZoneInfo(row.timezone))
            today = local.date().isoformat()
            if (DAYS[local.weekday()] in row.days.split(",")
                    and row.start_hour <= local.hour < row.end_hour and row.last_sent != today):
                due.append((row.learner_id, today))
        return due

    def claim(self, learner: str, day: str) -> str | None:
        """Mark `day` as the learner's nudge day, unless something already did (another
        process, say); returns the day it replaced, None when it was taken."""
        with Session(self.engine) as session:
            row = session.get(Reminder, learner)
            if row is None or row.last_sent == day:
                return None
            before = row.last_sent
            claimed = session.exec(update(Reminder).where(  # type: ignore[call-overload]
                col(Reminder.learner_id) == learner, col(Reminder.last_sent) == before)
                .values(last_sent=day)).rowcount
            session.commit()
            return before if claimed else None

    def release(self, learner: str, day: str, before: str) -> None:
        """Undo a claim whose nudge could not be sent, so a later tick tries again."""
        with Session(self.engine) as session:
            session.exec(update(Reminder).where(  # type: ignore[call-overload]
                col(Reminder.learner_id) == learner, col(Reminder.last_sent) == day)
                .values(last_sent=before))
            session.commit()

    def mark_unreachable(self, learner: str) -> None:
        with Session(self.engine) as session:
            session.exec(update(Reminder).where(  # type: ignore[call-overload]
                col(Reminder.learner_id) == learner).values(blocked=True))
            session.commit()


Send = Callable[[str, Reply], Awaitable[None]]


class Nudger:
    """One `tick` sends the nudges due now; `serve` runs it every minute."""

    def __init__(self, store: ReminderStore, knowledge: Knowledge,
                 course_of: Callable[[str], str | None], senders: dict[str, Send],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store, self.knowledge, self.course_of = store, knowledge, course_of
        self.senders = senders  # by platform: "telegram", "slack"
        self.clock = clock

    def nudge(self, learner: str) -> Reply | None:
        """The nudge a learner should get now: only when a review is due."""
        course = self.course_of(learner)
        if course is None:
            return None
        step = next_step(self.knowledge.course(learner, course))
        if step is None or step.kind != "review":
            return None
        return Reply(f"⏰ *Time to review {step.skill}*\n{step.reason}\n"
                     "_You get this because you sent /remind on; /remind off stops it._",
                     buttons=step_buttons(step), data={"nudge": step.as_dict()})

    async def tick(self) -> list[str]:
        """Send every nudge due now; returns whom it reached. The database and the
        model work in a thread: chat goes on meanwhile."""
        sent = []
        for learner, day in await asyncio.to_thread(self.store.open_now, self.clock()):
            send = self.senders.get(learner.partition(":")[0])
            if send is None:
                continue
            try:
                if await self._send(learner, day, send):
                    sent.append(learner)
            except Exception:  # one learner's trouble never stops the others' nudges
                log.exception("the reminder for %s failed", learner)
        return sent

    async def _send(self, learner: str, day: str, send: Send) -> bool:
        reply = await asyncio.to_thread(self.nudge, learner)
        before = None if reply is None else await asyncio.to_thread(self.store.claim, learner,
                                                                    day)
        if reply is None or before is None:
            return False
        try:
            await send(learner.partition(":")[2], reply)
        except Unreachable:
            log.info("%s cannot be reached; no more reminders for them", learner)
            await asyncio.to_thread(self.store.mark_unreachable, learner)
            return False
        except MaybeDelivered:
            log.warning("the reminder to %s timed out; counted as sent", learner)
            return True
        except Exception:
            log.warning("could not send a reminder to %s; trying again later", learner,
                        exc_info=True)
            await asyncio.to_thread(self.store.release, learner, day, before)
            return False
        return True
