from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tutor import received
from tutor.received import ReceivedEvents, Taken
from tutor.runtime import Runtime
from tutor.tables import ReceivedEvent


def test_an_event_is_taken_once_across_workers(runtime: Runtime) -> None:
    first, second = (ReceivedEvents(runtime.engine, "slack") for _ in range(2))
    assert first.take("Ev1") is Taken.NOW
    assert second.take("Ev1") is Taken.HELD and first.take("Ev1") is Taken.HELD
    assert ReceivedEvents(runtime.engine, "telegram").take("Ev1") is Taken.NOW  # per platform
    first.answered("Ev1")
    assert second.take("Ev1") is Taken.ANSWERED


def test_a_lapsed_lease_unanswered_is_taken_again_once(runtime: Runtime,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dead, first, second = (ReceivedEvents(runtime.engine, "slack") for _ in range(3))
    assert dead.take("Ev1") is Taken.NOW and dead.take("Ev2") is Taken.NOW
    dead.answered("Ev2")  # replied before it died
    later = received.utcnow() + timedelta(seconds=received.LEASE_S + 1)
    monkeypatch.setattr(received, "utcnow", lambda: later)
    assert first.take("Ev1") is Taken.NOW  # its worker died between taking and replying
    assert second.take("Ev1") is Taken.HELD  # the new lease holds
    assert first.take("Ev2") is Taken.ANSWERED


def test_an_event_still_being_answered_keeps_its_lease(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow answer is no abandoned one: its worker renews the lease, so no other
    worker answers the event too; an answered event is no longer renewed."""
    slow, other = (ReceivedEvents(runtime.engine, "slack") for _ in range(2))
    assert slow.take("Ev1") is Taken.NOW and slow.take("Ev2") is Taken.NOW
    slow.answered("Ev2")
    lease = timedelta(seconds=received.LEASE_S)
    start = received.utcnow()
    monkeypatch.setattr(received, "utcnow", lambda: start + 0.75 * lease)
    assert slow.renew() == 1  # Ev1 only
    monkeypatch.setattr(received, "utcnow", lambda: start + 1.5 * lease)
    assert other.take("Ev1") is Taken.HELD  # renewed at 0.75: held until 1.75
    monkeypatch.setattr(received, "utcnow", lambda: start + 1.8 * lease)
    assert other.take("Ev1") is Taken.NOW  # no renewal since: its worker is gone


def test_ids_older_than_a_day_are_deleted(runtime: Runtime,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    events = ReceivedEvents(runtime.engine, "slack")
    assert events.take("old") is Taken.NOW
    later = received.utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(received, "utcnow", lambda: later)
    restarted = ReceivedEvents(runtime.engine, "slack")
    assert restarted.take("new") is Taken.NOW  # its first call purges
    with Session(runtime.engine) as session:
        assert list(session.exec(select(ReceivedEvent.event_id))) == ["new"]
