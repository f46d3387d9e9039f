"""Which chat events were taken already, across workers and restarts (ReceivedEvent).

The first worker to store an event's id answers it; one that finds the id stored
acknowledges the event and does nothing else. Ids older than a day are deleted:
Slack gives up redelivering after about an hour, Telegram after a day.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, delete

from knowledge.tables import insert_ignoring_duplicates, utcnow
from tutor.tables import ReceivedEvent

KEEP = timedelta(days=1)
PURGE_EVERY_S = 3600.0


class ReceivedEvents:
    """One platform's received event ids."""

    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = engine
        self.platform = platform
        self._insert = insert_ignoring_duplicates(engine, ReceivedEvent)
        self._purged = float("-inf")  # monotonic time of the last purge

    def first_time(self, event_id: str) -> bool:
        """Record the event; True if no worker had recorded it before."""
        with Session(self.engine) as session:
            if time.monotonic() - self._purged > PURGE_EVERY_S:
                session.execute(delete(ReceivedEvent).where(
                    col(ReceivedEvent.received_at) < utcnow() - KEEP))
                self._purged = time.monotonic()
            # RETURNING, not rowcount: psycopg counts a skipped row as one.
            stored = session.execute(self._insert.values(  # type: ignore[attr-defined]
                platform=self.platform, event_id=event_id, received_at=utcnow(),
            ).returning(col(ReceivedEvent.event_id))).first()
            session.commit()
        return stored is not None
