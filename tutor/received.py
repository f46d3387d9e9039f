"""Which chat events were taken and answered, across workers and restarts
(ReceivedEvent): at least once, answered once.

A worker takes an event for a lease (`LEASE_S`) and marks it answered once its
reply is sent. A redelivery is answered again only when the lease ran out with no
reply (the worker died between taking it and replying); one already answered, or
whose lease is still held, is not. Ids older than a day are deleted: Slack gives up
redelivering after about an hour, Telegram after a day.

Telegram counts an update delivered once a worker fetched it, answered or not, so
it never resends one whose worker died. Its update is taken with its JSON (and its
learner, for /forget), kept until it is answered: `lapsed()` lists those whose lease
ran out unanswered, for the tutor to handle again (taking them again first, so one
worker does). Answered, the row keeps the id only. Slack's events are kept the same
way: Bolt acknowledges one before its listener runs, and Slack does not redeliver
an acknowledged event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine, update
from sqlmodel import Session, col, delete, select

from knowledge.tables import as_utc, insert_ignoring_duplicates, utcnow
from tutor.tables import ReceivedEvent

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)
PURGE_EVERY_S = 3600.0
# Longer than a reply normally takes to be sent, shorter than Slack's last retry (5 min).
LEASE_S = 120.0
LAPSED_CHECK_S = 30.0  # how often a worker looks for events a dead worker left unanswered


class Taken(Enum):
    NOW = "now"  # this worker answers it
    HELD = "held"  # another worker took it and its lease runs: it may still answer
    ANSWERED = "answered"


class ReceivedEvents:
    """One platform's received event ids."""

    def __init__(self, engine: Engine, platform: str, lease_s: float = LEASE_S) -> None:
        self.engine = engine
        self.platform = platform
        self.lease = timedelta(seconds=lease_s)
        self._insert = insert_ignoring_duplicates(engine, ReceivedEvent)
        self._purged = float("-inf")  # monotonic time of the last purge
        # Taken here and not answered yet, with when (monotonic): their leases are renewed.
        self._in_hand: dict[str, float] = {}
        self._in_hand_lock = threading.Lock()  # take and answered run on threads

    def take(self, event_id: str, payload: str | None = None,
             learner: str | None = None) -> Taken:
        """Take the event for a lease, if no worker answered it nor holds it; a new
        one is stored with its `payload` and `learner` until it is answered."""
        now = utcnow()
        with Session(self.engine) as session:
            if time.monotonic() - self._purged > PURGE_EVERY_S:
                session.execute(delete(ReceivedEvent).where(
                    col(ReceivedEvent.received_at) < now - KEEP))
                self._purged = time.monotonic()
            # RETURNING, not rowcount: psycopg counts a skipped row as one.
            stored = session.execute(self._insert.values(  # type: ignore[attr-defined]
                platform=self.platform, event_id=event_id, received_at=now, taken_at=now,
                payload=payload, learner_id=learner,
            ).returning(col(ReceivedEvent.event_id))).first()
            if stored is not None:
                session.commit()
                return self._taken(event_id)
            # Taken before: again only once its lease lapsed unanswered, by one worker.
            retaken = session.execute(update(ReceivedEvent).where(
                *self._row(event_id), col(ReceivedEvent.answered_at).is_(None),
                col(ReceivedEvent.taken_at) < now - self.lease,
            ).values(taken_at=now)).rowcount == 1
            row = session.get(ReceivedEvent, (self.platform, event_id))
            answered = row is not None and row.answered_at is not None
            session.commit()
        if retaken:
            return self._taken(event_id)
        return Taken.ANSWERED if answered else Taken.HELD

    def _taken(self, event_id: str) -> Taken:
        with self._in_hand_lock:
            self._in_hand[event_id] = time.monotonic()
        return Taken.NOW

    def renew(self) -> int:
        """Hold on to the lease of every event this worker is still answering: a slow
        answer is no abandoned one, and must not be answered again elsewhere. Call it
        more often than the lease runs out; returns how many were renewed."""
        now = time.monotonic()
        with self._in_hand_lock:  # one never marked answered is let go after a day
            self._in_hand = {event: since for event, since in self._in_hand.items()
                             if now - since < KEEP.total_seconds()}
            held = list(self._in_hand)
        if not held:
            return 0
        with Session(self.engine) as session:
            renewed = session.execute(update(ReceivedEvent).where(
                col(ReceivedEvent.platform) == self.platform,
                col(ReceivedEvent.event_id).in_(held),
                col(ReceivedEvent.answered_at).is_(None),
            ).values(taken_at=utcnow())).rowcount
            session.commit()
        return renewed

    def answered(self, event_id: str) -> None:
        """The event's reply was sent: no redelivery is answered again, and what it
        said and who said it are not kept."""
        with Session(self.engine) as session:
            session.execute(update(ReceivedEvent).where(*self._row(event_id))
                            .values(answered_at=utcnow(), payload=None, learner_id=None))
            session.commit()
        with self._in_hand_lock:
            self._in_hand.pop(event_id, None)

    def lapsed(self) -> list[tuple[str, datetime]]:
        """The payloads of events whose lease ran out unanswered, with when they were
        first received, oldest first: their worker died before answering them."""
        with Session(self.engine) as session:
            return [(payload, as_utc(received)) for payload, received in session.exec(select(
                ReceivedEvent.payload, ReceivedEvent.received_at).where(
                col(ReceivedEvent.platform) == self.platform,
                col(ReceivedEvent.answered_at).is_(None),
                col(ReceivedEvent.payload).is_not(None),
                col(ReceivedEvent.taken_at) < utcnow() - self.lease,
            ).order_by(col(ReceivedEvent.received_at))) if payload is not None]

    def _row(self, event_id: str) -> tuple:
        return (col(ReceivedEvent.platform) == self.platform,
                col(ReceivedEvent.event_id) == event_id)


async def keep_leases(received: ReceivedEvents, stop: asyncio.Event) -> None:
    """Renew the leases of the events in hand until `stop`, four times a lease."""
    every_s = received.lease.total_seconds() / 4
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
        try:
            await asyncio.to_thread(received.renew)
        except Exception:  # the database is away: the next round tries again
            log.warning("could not renew the leases of events in hand", exc_info=True)


async def handle_lapsed_regularly(received: ReceivedEvents,
                                  handle_lapsed: Callable[[], Awaitable[int]],
                                  stop: asyncio.Event) -> None:
    """At start and then every 30 s (a quarter lease if shorter) until `stop`:
    `handle_lapsed()` handles again the events a worker took and died before
    answering (the platform will not send them again) and says how many."""
    every_s = min(LAPSED_CHECK_S, received.lease.total_seconds() / 4)
    while not stop.is_set():
        try:
            if count := await handle_lapsed():
                log.warning("handling %d %s events again that a stopped worker took and "
                            "never answered", count, received.platform)
        except Exception:
            log.exception("looking for unanswered %s events failed; trying again later",
                          received.platform)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
