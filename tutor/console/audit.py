"""The audit log: every change made in the console, with who, what and when. Written in
the transaction of the change where there is one, so neither goes without the other."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from tutor.console.accounts import Account
from tutor.tables import AuditEntry

ACTIONS = ("upload", "remove-document", "remove-course", "reingest", "question-approve",
           "question-edit", "question-retire", "skill-edit", "trainer-answer",
           "trainer-answer-confirm", "trainer-answer-retire")


def record(session: Session, actor: Account, action: str, course: str = "", target: str = "",
           **detail: object) -> None:
    """Add an entry to `session`; the caller commits it with its change."""
    assert action in ACTIONS, action
    session.add(AuditEntry(actor=actor.email, action=action, course=course, target=target,
                           detail=json.dumps(detail, ensure_ascii=False, default=str)))


def log_change(engine: Engine, actor: Account, action: str, course: str = "",
               target: str = "", **detail: object) -> None:
    """An entry on its own, for a change made elsewhere (an upload's ingest)."""
    with Session(engine) as session:
        record(session, actor, action, course, target, **detail)
        session.commit()


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    action: str = ""
    course: str = ""
    since: datetime | None = None
    until: datetime | None = None


def find_entries(engine: Engine, query: AuditQuery, *, offset: int = 0,
                 limit: int | None = 50, newest_first: bool = True
                 ) -> tuple[list[AuditEntry], int]:
    """A page of entries, and how many match in all."""
    conditions = []
    if query.actor:
        conditions.append(col(AuditEntry.actor) == query.actor)
    if query.action:
        conditions.append(col(AuditEntry.action) == query.action)
    if query.course:
        conditions.append(col(AuditEntry.course) == query.course)
    if query.since:
        conditions.append(col(AuditEntry.at) >= query.since)
    if query.until:
        conditions.append(col(AuditEntry.at) < query.until)
    order = col(AuditEntry.id).desc() if newest_first else col(AuditEntry.id)
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)
                             ).one()
        rows = session.exec(select(AuditEntry).where(*conditions).order_by(order)
                            .offset(offset).limit(limit)).all()
        return list(rows), total
