"""What learners were told, kept for trainers: every answer a learner gets becomes an
`AnswerRecord` (question, the whole text shown, the quote, the explanation sentences
kept and those the check removed with why, the sources, the learner's 👍/👎), kept
TUTORBOT_ANSWER_LOG_DAYS and then deleted by a daily job that one worker claims.

What analytics keeps after that, `AnswerCount` per course and day (answers, not
covered, explanation removed, trainer answers, 👍, 👎), is counted when the answer
is given and when it is rated, in the transaction that writes the record, not when
the record is deleted. So the counts are right whatever the setting (0 keeps no
record at all, only counts), a record /forget deletes stays counted (without text or
learner), and the daily job only deletes: running it twice, or on two workers at
once, can never count anything twice. A rating counts on the day of its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, case
from sqlmodel import Session, col, delete, select

from knowledge.tables import as_utc, utcnow
from tutor.answers.answering import Answer
from tutor.received import ReceivedEvents, Taken
from tutor.tables import AnswerCount, AnswerRecord, Learner, Turn

log = logging.getLogger(__name__)
COUNTS = ("answers", "not_covered", "explanation_removed", "trainer_answers", "helpful",
          "unhelpful")
JOB_PLATFORM = "job"  # the daily job is claimed like a chat event (tutor/received.py)
EXPIRE_CHECK_S = 3600.0  # how often each worker sees whether today's expiry is done


def record(engine: Engine, *, learner_id: str, course: str, answer: Answer,
           keep_days: int, turn_id: int | None = None, shown: str | None = None,
           name: str = "", trainer_answer_id: int | None = None,
           now: datetime | None = None) -> int | None:
    """Count an answer and, unless `keep_days` is 0, keep it for trainers; returns the
    record's id (None where none is kept). `shown` is the text the learner saw when
    it is not `answer.text` (a coached question's guiding question); `name` their
    name on the platform, stored for trainers' pages when it changed ("": unknown,
    the stored one stays)."""
    now = now or utcnow()
    removed = bool(answer.removed)
    with Session(engine) as session:
        add_counts(session, course, now.date().isoformat(), answers=1,
                   not_covered=int(not answer.covered), explanation_removed=int(removed),
                   trainer_answers=int(trainer_answer_id is not None))
        record_id = None
        if keep_days > 0:
            row = AnswerRecord(
                learner_id=learner_id, course=course, turn_id=turn_id,
                question=answer.question, answer=answer.text if shown is None else shown,
                quote=answer.quote, kept=json.dumps(list(answer.kept), ensure_ascii=False),
                removed=json.dumps(removed_with_why(answer), ensure_ascii=False),
                sources=json.dumps(sources_of(answer), ensure_ascii=False),
                covered=answer.covered, explanation_removed=removed,
                trainer_answer_id=trainer_answer_id, created_at=now)
            session.add(row)
            _store_name(session, learner_id, course, name)
            session.flush()
            record_id = row.id
        session.commit()
    return record_id


def rate(session: Session, turn: Turn, helpful: bool, previous: bool | None) -> None:
    """A learner's 👍/👎 (`previous`: their earlier rating of that answer, if any) on
    the answer of `turn`: set on its record, counted on the answer's day. Runs in the
    caller's transaction (LearnerStore.rate, which stores the rating itself)."""
    found = session.exec(select(AnswerRecord).where(
        col(AnswerRecord.turn_id) == turn.id, col(AnswerRecord.learner_id) == turn.learner_id,
    ).order_by(col(AnswerRecord.id).desc())).first()
    if found is not None:
        found.helpful, found.rated_at = helpful, utcnow()
        session.add(found)
    if previous == helpful:
        return
    answered = found.created_at if found is not None else turn.created_at
    change = rating_change(helpful, previous)
    add_counts(session, found.course if found else turn.course,
               as_utc(answered).date().isoformat(), **change)


def rating_change(helpful: bool, previous: bool | None) -> dict[str, int]:
    """How a rating moves the day's 👍 and 👎 counts.

    >>> rating_change(True, None), rating_change(False, True)
    ({'helpful': 1}, {'unhelpful': 1, 'helpful': -1})
    """
    change = {"helpful" if helpful else "unhelpful": 1}
    if previous is not None:
        change["helpful" if previous else "unhelpful"] = -1
    return change


def add_counts(session: Session, course: str, day: str, **changes: int) -> None:
    """Add to a course's counts of a day, in one statement that two workers can run at
    once (an upsert); a count never goes below 0 (a rating changed on an answer
    given before answers were counted)."""
    unknown = set(changes) - set(COUNTS)
    assert not unknown, f"no such count: {unknown}"
    changes = {name: change for name, change in changes.items() if change}
    if not changes:
        return
    table = AnswerCount.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(course=course, day=day, **{
        name: max(0, changes.get(name, 0)) for name in COUNTS})
    session.execute(statement.on_conflict_do_update(
        index_elements=["course", "day"],
        set_={name: case((table.c[name] + change < 0, 0), else_=table.c[name] + change)
              for name, change in changes.items()}))


def expire(engine: Engine, keep_days: int, now: datetime | None = None) -> int:
    """Delete the records older than `keep_days` (all of them at 0); returns how many
    went. Their counts were kept when they were written."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    with Session(engine) as session:
        removed = session.exec(delete(AnswerRecord).where(
            col(AnswerRecord.created_at) < cutoff)).rowcount
        session.commit()
    return int(removed or 0)


def expire_once_a_day(engine: Engine, keep_days: int, now: datetime | None = None
                      ) -> int | None:
    """Today's expiry, by the one worker that claims it ("answer-log:DAY", taken as
    chat events are: a worker that dies running it leaves it to another once its
    lease lapses). Returns how many records went, or None where another worker has
    it or had it today."""
    now = now or utcnow()
    claims = ReceivedEvents(engine, JOB_PLATFORM)
    job = f"answer-log:{now.date().isoformat()}"
    if claims.take(job) is not Taken.NOW:
        return None
    removed = expire(engine, keep_days, now)
    if engine.dialect.name == "sqlite":
        # SQLite has no autovacuum to tell its planner how the log is spread (at
        # 100,000 answers, a course's page takes 3 ms with these figures, 30 without).
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE answerrecord")
    claims.answered(job)
    return removed


async def expire_regularly(engine: Engine, keep_days: int, stop: asyncio.Event,
                           every_s: float = EXPIRE_CHECK_S) -> None:
    """At start and then every hour until `stop`: today's expiry, if no worker did it."""
    while not stop.is_set():
        try:
            removed = await asyncio.to_thread(expire_once_a_day, engine, keep_days)
            if removed:
                log.info("deleted %d answers older than %d days from the answers log",
                         removed, keep_days)
        except Exception:
            log.exception("expiring the answers log failed; trying again in an hour")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


def removed_with_why(answer: Answer) -> list[dict[str, str]]:
    """The sentences the check removed, each with why (an Answer made without the
    reasons has "" for them)."""
    why = list(answer.removed_why) + [""] * (len(answer.removed) - len(answer.removed_why))
    return [{"text": text, "why": reason} for text, reason in zip(answer.removed, why,
                                                                  strict=True)]


def sources_of(answer: Answer) -> list[dict[str, object]]:
    return [{"number": s.number, "document": s.document, "section": s.section,
             "page": s.page, "text": s.text} for s in answer.sources]


def _store_name(session: Session, learner_id: str, course: str, name: str) -> None:
    """The learner's name on their platform, for trainers' pages, when it changed."""
    name = " ".join(name.split())
    if not name:
        return
    learner = session.get(Learner, learner_id)
    if learner is None:  # a question the material does not cover: no turn made one
        session.add(Learner(id=learner_id, course=course, display_name=name))
    elif learner.display_name != name:
        learner.display_name = name
        session.add(learner)
