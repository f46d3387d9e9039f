"""The audit log: every change made in the console, with who, what and when. Written in
the transaction of the change where there is one, so neither goes without the other."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from tutor.console.accounts import Account
from tutor.i18n import N_
from tutor.i18n import gettext as _
from tutor.tables import AuditEntry

# Each action, and what the log's readers call it.
ACTION_LABELS = {
    "upload": N_("Upload"), "remove-document": N_("Document removed"),
    "remove-course": N_("Course removed"), "reingest": N_("Re-ingest"),
    "question-approve": N_("Question approved"), "question-edit": N_("Question edited"),
    "question-retire": N_("Question retired"), "skill-edit": N_("Skill map edited"),
    "trainer-answer": N_("Trainer answer written or edited"),
    "trainer-answer-confirm": N_("Trainer answer confirmed"),
    "trainer-answer-retire": N_("Trainer answer retired")}
ACTIONS = tuple(ACTION_LABELS)
# What an entry's details are called (record's keyword arguments), and the words some
# of them hold.
DETAIL_LABELS = {
    "job": N_("job"), "added": N_("added"), "updated": N_("updated"),
    "unchanged": N_("unchanged"), "rechunked": N_("read again"), "refused": N_("refused"),
    "passages": N_("passages"), "questions_added": N_("questions added"),
    "questions_retired": N_("questions retired"), "error": N_("error"),
    "question": N_("question"), "answer": N_("answer"), "options": N_("options"),
    "changed": N_("changed"), "change": N_("change"), "name": N_("name"), "into": N_("into"),
    "prerequisites": N_("prerequisites"), "cites": N_("cites"),
    "from_answer": N_("corrects answer"), "was": N_("was")}
DETAIL_WORDS = {"rename": N_("rename"), "merge": N_("merge"),
                "prerequisites": N_("prerequisites")}


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


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def described(detail: str) -> str:
    """An entry's details (stored as JSON) as its readers read them: each named, in
    their language; what is stored empty is left out, and None is the default.

    >>> described('{"change": "rename", "name": "Fire", "error": "", "prerequisites": null}')
    'change: rename; name: Fire; prerequisites: —'
    >>> described('{"changed": {"answer": ["10", "12"]}, "refused": [["a.pdf", "empty"]]}')
    'changed: answer: 10 → 12; refused: a.pdf: empty'
    """
    try:
        fields = json.loads(detail) if detail else {}
    except ValueError:
        return detail
    if not isinstance(fields, dict):
        return detail
    return "; ".join(_named(_label(key), _value(key, value)) for key, value in fields.items()
                     if value not in ("", [], {}))


def _named(what: str, value: str) -> str:
    return _("%(what)s: %(value)s") % {"what": what, "value": value}


def _label(key: str) -> str:
    return _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key


def _value(key: str, value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):  # an edit: each field, before → after
        return ", ".join(_named(_label(name), _("%(before)s → %(after)s") % {
            "before": _value(name, pair[0]), "after": _value(name, pair[1])})
            if isinstance(pair, list) and len(pair) == 2 else _named(_label(name),
                                                                    _value(name, pair))
            for name, pair in value.items())
    if isinstance(value, list):  # names, or (name, why) pairs
        return ", ".join(_named(str(item[0]), str(item[1]))
                         if isinstance(item, list) and len(item) == 2 else _value(key, item)
                         for item in value)
    if key == "change" and isinstance(value, str) and value in DETAIL_WORDS:
        return _(DETAIL_WORDS[value])
    return str(value)


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
