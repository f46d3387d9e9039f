"""Console accounts: roles, passwords, one-time sign-in links and the limits on
guessing. The command line (`tutorbot admin`) and the web console both use these.

Passwords are hashed with argon2 through pwdlib (what FastAPI's security docs use).
A one-time link keeps only its token's SHA-256: the database never holds a key that
signs anyone in."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, delete, select

from knowledge.tables import utcnow
from tutor.errors import TutorError
from tutor.i18n import N_, ngettext
from tutor.i18n import gettext as _
from tutor.tables import ConsoleAccount, SignInAttempt, SignInLink

log = logging.getLogger(__name__)

ROLES = ("admin", "trainer")
ROLE_LABELS = {"admin": N_("admin"), "trainer": N_("trainer")}  # as the console shows them
LINK_LIFETIME = timedelta(minutes=15)
GUESS_WINDOW = timedelta(minutes=15)
FAILURES_PER_ACCOUNT = 5  # wrong passwords for one account within the window
FAILURES_PER_ADDRESS = 20  # wrong passwords from one address, any accounts
MIN_PASSWORD = 10
MAX_EMAIL = 320  # what is stored of an email typed at sign-in (RFC 3696's longest)
OWNER_EMAIL = "admin@localhost"  # the account `tutorbot run` links to when there is none
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_hasher = PasswordHash.recommended()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class SignInRefused(TutorError):
    """A sign-in that did not succeed; the text is safe to show."""


@dataclass(frozen=True)
class Account:
    """Who is signed in, and what they may see and change."""

    id: int
    email: str
    name: str
    role: str
    courses: tuple[str, ...]
    session_epoch: int
    has_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def can(self, course: str) -> bool:
        """Whether this account sees and changes `course`."""
        return self.is_admin or course in self.courses

    def visible(self, courses: list[str]) -> list[str]:
        return [course for course in courses if self.can(course)]

    def scope(self) -> list[str] | None:
        """The courses a query is limited to: None (all) for an admin."""
        return None if self.is_admin else list(self.courses)


def _account(row: ConsoleAccount) -> Account:
    assert row.id is not None
    return Account(row.id, row.email, row.name, row.role, tuple(json.loads(row.courses)),
                   row.session_epoch, bool(row.password_hash))


def normal_email(email: str) -> str:
    """
    >>> normal_email("  Ana@Example.org ")
    'ana@example.org'
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise TutorError(_("'%(email)s' is not an email address.") % {"email": email})
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise TutorError(_("A password needs at least %(n)d characters.") % {"n": MIN_PASSWORD})


def add_account(engine: Engine, email: str, role: str, courses: list[str] | None = None,
                password: str | None = None, name: str = "") -> Account:
    email = normal_email(email)
    if role not in ROLES:
        raise TutorError(_("The role is admin or trainer, not '%(role)s'.") % {"role": role})
    if role == "trainer" and not courses:
        raise TutorError(_("A trainer needs at least one course: --course NAME."))
    if password is not None:
        check_password(password)
    with Session(engine) as session:
        if session.exec(select(ConsoleAccount).where(ConsoleAccount.email == email)).first():
            raise TutorError(_("There is already an account for %(email)s.") % {"email": email})
        row = ConsoleAccount(email=email, role=role, name=name.strip(),
                             courses=json.dumps(sorted(set(courses or []))),
                             password_hash=_hasher.hash(password) if password else "")
        session.add(row)
        session.commit()
        session.refresh(row)
        return _account(row)


def list_accounts(engine: Engine) -> list[Account]:
    with Session(engine) as session:
        rows = session.exec(select(ConsoleAccount).order_by(col(ConsoleAccount.email))).all()
        return [_account(row) for row in rows]


def account_by_id(engine: Engine, account_id: int) -> Account | None:
    with Session(engine) as session:
        row = session.get(ConsoleAccount, account_id)
        return _account(row) if row else None


def _row(session: Session, email: str) -> ConsoleAccount:
    row = session.exec(select(ConsoleAccount).where(
        ConsoleAccount.email == normal_email(email))).first()
    if row is None:
        raise TutorError(_("There is no account for %(email)s.") % {"email": email.strip()})
    return row


def remove_account(engine: Engine, email: str) -> None:
    with Session(engine) as session:
        row = _row(session, email)
        session.exec(delete(SignInLink).where(col(SignInLink.account_id) == row.id))
        session.delete(row)
        session.commit()


def reset_password(engine: Engine, email: str, password: str | None) -> None:
    """A new password (None: none, one-time links only); every session of the account
    ends."""
    if password is not None:
        check_password(password)
    with Session(engine) as session:
        row = _row(session, email)
        row.password_hash = _hasher.hash(password) if password else ""
        row.session_epoch += 1
        session.add(row)
        session.commit()


def end_sessions(engine: Engine, account_id: int) -> None:
    """End every session of the account (signing out: a session is a signed cookie, so
    a copy of it stays good until the epoch it names is no longer the account's)."""
    with Session(engine) as session:
        session.execute(update(ConsoleAccount).where(col(ConsoleAccount.id) == account_id)
                        .values(session_epoch=ConsoleAccount.session_epoch + 1))
        session.commit()


def sign_in(engine: Engine, email: str, password: str, address: str) -> Account:
    """The account whose password this is. Refused, whatever the password, once the
    account or the address has had too many wrong ones lately (each refusal is logged
    with the address).

    The attempt is stored before the password is checked and counted with the earlier
    ones, so guesses sent in parallel cannot all slip under the limit while argon2
    works; it is taken back when the password is right or the limit refused it (a
    refusal checks nothing, so the lock still lapses GUESS_WINDOW after the last
    wrong password)."""
    email = email.strip().lower()[:MAX_EMAIL]
    now = utcnow()
    since = now - GUESS_WINDOW
    with Session(engine) as session:
        attempt = SignInAttempt(email=email, address=address, at=now)
        session.add(attempt)
        session.commit()
        by_account = session.exec(select(func.count()).where(
            SignInAttempt.email == email, col(SignInAttempt.at) >= since)).one()
        by_address = session.exec(select(func.count()).where(
            SignInAttempt.address == address, col(SignInAttempt.at) >= since)).one()
        if by_account > FAILURES_PER_ACCOUNT or by_address > FAILURES_PER_ADDRESS:
            session.delete(attempt)
            session.commit()
            log.warning("sign-in refused for %r from %s: too many wrong passwords", email,
                        address)
            minutes = int(GUESS_WINDOW.total_seconds() // 60)
            raise SignInRefused(ngettext(
                "Too many wrong passwords. Try again in %(n)d minute, or ask an admin for "
                "a sign-in link.", "Too many wrong passwords. Try again in %(n)d minutes, "
                "or ask an admin for a sign-in link.", minutes) % {"n": minutes})
        row = session.exec(select(ConsoleAccount).where(ConsoleAccount.email == email)).first()
        stored = row.password_hash if row and row.password_hash else _DUMMY_HASH
        # Always verified: an unknown email takes as long as a wrong password.
        matches = _hasher.verify(password, stored)
        if row is None or not row.password_hash or not matches:
            log.warning("wrong password for %r from %s", email, address)
            raise SignInRefused(_("That email and password do not match an account."))
        session.delete(attempt)
        session.commit()
        return _account(row)


def make_sign_in_link(engine: Engine, account_id: int) -> str:
    """A token that signs the account in once, within 15 minutes."""
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        session.exec(delete(SignInLink).where(col(SignInLink.expires_at) < utcnow()))
        session.add(SignInLink(token_hash=_digest(token), account_id=account_id,
                               expires_at=utcnow() + LINK_LIFETIME))
        session.commit()
    return token


def use_sign_in_link(engine: Engine, token: str) -> Account:
    """The link's account; the link is spent, in the same transaction (two clicks at
    once: one wins)."""
    with Session(engine) as session:
        spent = session.execute(
            update(SignInLink)
            .where(col(SignInLink.token_hash) == _digest(token),
                   col(SignInLink.used_at).is_(None), col(SignInLink.expires_at) > utcnow())
            .values(used_at=utcnow())
            .returning(col(SignInLink.account_id)))
        account_id = spent.scalar_one_or_none()
        session.commit()
        row = session.get(ConsoleAccount, account_id) if account_id is not None else None
        if row is None:
            raise SignInRefused(_("This sign-in link was used already or has expired. Run "
                                  "`tutorbot admin link EMAIL` for a new one."))
        return _account(row)


def owner(engine: Engine) -> Account:
    """The first admin, made (with no password: links only) when there is none."""
    admins = [account for account in list_accounts(engine) if account.is_admin]
    return admins[0] if admins else add_account(engine, OWNER_EMAIL, "admin", name="Admin")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
