"""Console accounts: adding them, passwords and the limits on guessing, one-time links
(once, 15 minutes, one winner among clicks at once), and sessions ended by a reset.
On SQLite and PostgreSQL (tests/conftest.py's `database_url`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

import tutor.console.accounts as accounts
from knowledge.tables import utcnow
from tutor.console.accounts import (
    Account,
    SignInRefused,
    account_by_id,
    add_account,
    end_sessions,
    list_accounts,
    make_sign_in_link,
    owner,
    remove_account,
    reset_password,
    sign_in,
    use_sign_in_link,
)
from tutor.database import create_db_and_tables, make_engine
from tutor.errors import TutorError
from tutor.tables import SignInLink

PASSWORD = "correct horse battery"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    create_db_and_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Moves the time accounts.py reads on by a given step."""
    now = [utcnow()]
    monkeypatch.setattr(accounts, "utcnow", lambda: now[0])

    def later(step: timedelta) -> None:
        now[0] += step

    return later


class CountingHasher:
    """The real hasher, counting its checks (argon2 is the slow part a guess costs)."""

    def __init__(self, hasher: object) -> None:
        self.hasher, self.checks = hasher, 0
        self.lock = threading.Lock()

    def verify(self, password: str, stored: str) -> bool:
        with self.lock:
            self.checks += 1
        return self.hasher.verify(password, stored)  # type: ignore[attr-defined]

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)  # type: ignore[attr-defined]


def refused(call: Callable[[], object]) -> str:
    with pytest.raises(SignInRefused) as error:
        call()
    return str(error.value)


def at_once(count: int, work: Callable[[], object]) -> list[object]:
    """`work` in `count` threads released together; each one's result or exception."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(slot: int) -> None:
        start.wait()
        try:
            results[slot] = work()
        except Exception as error:
            results[slot] = error

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_accounts_are_checked_when_added(engine: Engine) -> None:
    tina = add_account(engine, "  Tina@Example.org ", "trainer", ["b", "a", "a"])
    assert (tina.email, tina.courses, tina.has_password) == ("tina@example.org", ("a", "b"),
                                                             False)
    assert tina.can("a") and not tina.can("c") and tina.scope() == ["a", "b"]
    for wrong, says in [(("x@y.org", "owner"), "role is admin or trainer"),
                        (("x@y.org", "trainer"), "needs at least one course"),
                        (("not an email", "admin"), "not an email address"),
                        (("tina@example.org", "admin"), "already an account")]:
        with pytest.raises(TutorError, match=says):
            add_account(engine, *wrong)
    with pytest.raises(TutorError, match="at least 10 characters"):
        add_account(engine, "x@y.org", "admin", password="short")
    boss = owner(engine)  # `tutorbot run`: the first admin, made with links only
    assert boss.is_admin and owner(engine) == boss and boss.scope() is None
    assert [a.email for a in list_accounts(engine)] == [accounts.OWNER_EMAIL,
                                                        "tina@example.org"]


def test_wrong_passwords_lock_the_account_for_a_while(
        engine: Engine, clock: Callable[[timedelta], None]) -> None:
    add_account(engine, "ana@example.org", "admin", password=PASSWORD)
    for _ in range(accounts.FAILURES_PER_ACCOUNT):
        assert "do not match" in refused(lambda: sign_in(engine, "ana@example.org", "guess",
                                                         "10.0.0.1"))
    # Now even the right password, from anywhere, is refused.
    for address in ("10.0.0.1", "10.9.9.9"):
        assert "Too many" in refused(lambda a=address: sign_in(engine, "ANA@example.org",
                                                               PASSWORD, a))
    clock(accounts.GUESS_WINDOW - timedelta(minutes=1))
    assert "Too many" in refused(lambda: sign_in(engine, "ana@example.org", PASSWORD, "x"))
    clock(timedelta(minutes=1, seconds=1))  # the window after the last wrong one
    assert sign_in(engine, "ana@example.org", PASSWORD, "10.0.0.1").email == "ana@example.org"


def test_an_address_is_limited_across_accounts(engine: Engine) -> None:
    add_account(engine, "ana@example.org", "admin", password=PASSWORD)
    add_account(engine, "bo@example.org", "admin", password=PASSWORD)
    # Four guesses each at five accounts: no account reaches its own limit.
    for n in range(accounts.FAILURES_PER_ADDRESS):
        email = f"user{n % 5}@example.org"
        assert "do not match" in refused(lambda e=email: sign_in(engine, e, "guess", "6.6.6.6"))
    assert "Too many" in refused(lambda: sign_in(engine, "ana@example.org", PASSWORD,
                                                 "6.6.6.6"))
    assert "Too many" in refused(lambda: sign_in(engine, "bo@example.org", PASSWORD,
                                                 "6.6.6.6"))
    assert sign_in(engine, "ana@example.org", PASSWORD, "7.7.7.7").email == "ana@example.org"


def test_right_passwords_do_not_count_as_guesses(engine: Engine) -> None:
    add_account(engine, "ana@example.org", "admin", password=PASSWORD)
    for _ in range(accounts.FAILURES_PER_ACCOUNT - 1):
        refused(lambda: sign_in(engine, "ana@example.org", "guess", "10.0.0.1"))
    for _ in range(3):
        assert sign_in(engine, "ana@example.org", PASSWORD, "10.0.0.1").is_admin
    refused(lambda: sign_in(engine, "ana@example.org", "guess", "10.0.0.1"))  # the fifth
    assert "Too many" in refused(lambda: sign_in(engine, "ana@example.org", PASSWORD, "a"))


def test_an_unknown_email_costs_a_password_check_too(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its answer takes as long as a wrong password's: the time tells no one which
    emails have accounts."""
    hasher = CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    add_account(engine, "ana@example.org", "admin", password=PASSWORD)
    add_account(engine, "links@example.org", "admin")  # no password: links only
    for email in ("ana@example.org", "nobody@example.org", "links@example.org"):
        before = hasher.checks
        said = refused(lambda e=email: sign_in(engine, e, "guess", "10.0.0.1"))
        assert said == "That email and password do not match an account."
        assert hasher.checks == before + 1, email


def test_guesses_sent_at_once_stay_under_the_limit(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    add_account(engine, "ana@example.org", "admin", password=PASSWORD)
    results = at_once(12, lambda: sign_in(engine, "ana@example.org", "guess", "10.0.0.1"))
    said = [str(result) for result in results if isinstance(result, SignInRefused)]
    assert len(said) == 12 and hasher.checks <= accounts.FAILURES_PER_ACCOUNT
    assert sum("do not match" in s for s in said) == hasher.checks  # the others: too many
    # However they come, no more than the limit are ever checked within the window.
    for _ in range(accounts.FAILURES_PER_ACCOUNT + 2):
        refused(lambda: sign_in(engine, "ana@example.org", "guess", "10.0.0.1"))
    assert hasher.checks == accounts.FAILURES_PER_ACCOUNT
    assert "Too many" in refused(lambda: sign_in(engine, "ana@example.org", PASSWORD, "b"))


def test_a_link_works_once(engine: Engine) -> None:
    ana = add_account(engine, "ana@example.org", "trainer", ["a"])
    token = make_sign_in_link(engine, ana.id)
    assert use_sign_in_link(engine, token) == ana
    assert "used already" in refused(lambda: use_sign_in_link(engine, token))
    assert "used already" in refused(lambda: use_sign_in_link(engine, "made-up"))
    with Session(engine) as session:  # only the token's hash is stored
        stored = session.exec(select(SignInLink)).one()
    assert token not in stored.token_hash and stored.used_at is not None


def test_a_link_expires_after_15_minutes(engine: Engine,
                                         clock: Callable[[timedelta], None]) -> None:
    ana = add_account(engine, "ana@example.org", "admin")
    fresh, stale = make_sign_in_link(engine, ana.id), make_sign_in_link(engine, ana.id)
    clock(accounts.LINK_LIFETIME - timedelta(seconds=5))
    assert use_sign_in_link(engine, fresh) == ana
    clock(timedelta(seconds=10))
    assert "expired" in refused(lambda: use_sign_in_link(engine, stale))
    make_sign_in_link(engine, ana.id)  # making one clears the expired ones
    with Session(engine) as session:
        expiries: list[datetime] = [link.expires_at for link in
                                    session.exec(select(SignInLink)).all()]
    assert len(expiries) == 1


def test_two_clicks_on_one_link_at_once_sign_in_once(engine: Engine) -> None:
    ana = add_account(engine, "ana@example.org", "admin")
    for _ in range(3):
        token = make_sign_in_link(engine, ana.id)
        results = at_once(8, lambda t=token: use_sign_in_link(engine, t))
        winners = [r for r in results if isinstance(r, Account)]
        assert winners == [ana], results
        assert all(isinstance(r, SignInRefused) for r in results
                   if not isinstance(r, Account)), results


def test_reset_and_removal_end_sessions_and_links(engine: Engine) -> None:
    ana = add_account(engine, "ana@example.org", "admin", password=PASSWORD)
    reset_password(engine, "ana@example.org", "another long one")
    after_reset = account_by_id(engine, ana.id)
    assert after_reset is not None and after_reset.session_epoch == ana.session_epoch + 1
    assert "do not match" in refused(lambda: sign_in(engine, "ana@example.org", PASSWORD, "a"))
    assert sign_in(engine, "ana@example.org", "another long one", "a").id == ana.id
    end_sessions(engine, ana.id)  # signing out
    assert account_by_id(engine, ana.id).session_epoch == ana.session_epoch + 2  # type: ignore[union-attr]
    reset_password(engine, "ana@example.org", None)  # links only from now on
    assert not account_by_id(engine, ana.id).has_password  # type: ignore[union-attr]
    refused(lambda: sign_in(engine, "ana@example.org", "another long one", "a"))

    token = make_sign_in_link(engine, ana.id)
    remove_account(engine, "ana@example.org")
    assert account_by_id(engine, ana.id) is None
    refused(lambda: use_sign_in_link(engine, token))
    with pytest.raises(TutorError, match="no account"):
        reset_password(engine, "ana@example.org", None)
