from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tutor import received
from tutor.received import ReceivedEvents
from tutor.runtime import Runtime
from tutor.tables import ReceivedEvent


def test_an_event_is_taken_once_across_workers(runtime: Runtime) -> None:
    first, second = (ReceivedEvents(runtime.engine, "slack") for _ in range(2))
    assert first.first_time("Ev1")
    assert not second.first_time("Ev1") and not first.first_time("Ev1")
    assert ReceivedEvents(runtime.engine, "telegram").first_time("Ev1")  # ids are per platform


def test_ids_older_than_a_day_are_deleted(runtime: Runtime,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    events = ReceivedEvents(runtime.engine, "slack")
    assert events.first_time("old")
    later = received.utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(received, "utcnow", lambda: later)
    restarted = ReceivedEvents(runtime.engine, "slack")
    assert restarted.first_time("new")  # its first call purges
    with Session(runtime.engine) as session:
        assert list(session.exec(select(ReceivedEvent.event_id))) == ["new"]
