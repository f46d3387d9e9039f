"""The answers log as trainers read it (tutor/answers/log.py keeps it): one page of
answers, filtered and sorted, and one answer whole. Filtering, sorting, paging and
counting all happen in SQL, so a page costs the same at 100,000 answers as at 100.

A learner is only ever shown by `LearnerLabels` (tutor/learner_names.py): a row
holds `learner_label`, never the platform's id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Engine, false, func, true
from sqlmodel import Session, col, select

from knowledge.tables import as_utc
from tutor.learner_names import LearnerLabels
from tutor.tables import AnswerRecord, Learner

# What a page may sort by; every sort ends on the id, so pages never overlap.
SORTS: dict[str, Any] = {
    "created_at": AnswerRecord.created_at,
    "course": AnswerRecord.course,
    "question": AnswerRecord.question,
    "rating": AnswerRecord.helpful,
    "covered": AnswerRecord.covered,
    "explanation_removed": AnswerRecord.explanation_removed,
}
MAX_PER_PAGE = 500
# What a row of the list holds, beside the learner (the long JSON columns stay out).
_LISTED = (AnswerRecord.id, AnswerRecord.created_at, AnswerRecord.course,
           AnswerRecord.learner_id, AnswerRecord.question, AnswerRecord.answer,
           AnswerRecord.quote, AnswerRecord.covered, AnswerRecord.explanation_removed,
           AnswerRecord.helpful, AnswerRecord.rated_at, AnswerRecord.turn_id,
           AnswerRecord.trainer_answer_id)


@dataclass(frozen=True)
class AnswerFilter:
    """What the answers page narrows to; the defaults keep everything.

    `rating`: "down" (👎 only), "up" (👍 only) or "none" (not rated). `since` and
    `until` are days (UTC), both included. `text`: words the question or the answer
    contains, as typed (case aside)."""

    course: str | None = None
    rating: Literal["up", "down", "none"] | None = None
    not_covered: bool = False
    explanation_removed: bool = False
    since: date | None = None
    until: date | None = None
    text: str = ""


def find_answers(engine: Engine, labels: LearnerLabels, *, courses: list[str] | None,
                 filters: AnswerFilter = AnswerFilter(), sort: str = "created_at",
                 descending: bool = True, page: int = 1, per_page: int = 50
                 ) -> tuple[list[dict[str, object]], int]:
    """One page of answers (1-based) and how many match in all. `courses`: those the
    reader may see (None: every course; a trainer's list for a trainer). `sort`: a key
    of SORTS (ValueError otherwise). A row: id, created_at (UTC), course,
    learner_label, question, answer, quote, covered, explanation_removed, helpful
    (True, False or None), rated_at, turn_id, trainer_answer_id."""
    if sort not in SORTS:
        raise ValueError(f"answers sort by one of {', '.join(SORTS)}, not {sort!r}")
    narrowing = _narrowing(courses, filters)
    where = [*narrowing, *_within(filters)]
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    skipped = (max(page, 1) - 1) * per_page
    key = col(SORTS[sort])
    order = [key.desc(), col(AnswerRecord.id).desc()] if descending else [
        key.asc(), col(AnswerRecord.id).asc()]
    if sort == "rating":  # unrated last either way, on SQLite and PostgreSQL alike
        order[0] = order[0].nulls_last()
    # SQLite keeps no statistics (nothing runs ANALYZE), so for a filter it takes the
    # filter's index and sorts every match: a trainer's course, a third of 100,000
    # answers, read 33,000 wide rows to show 50 (bench.console_pages). The count says
    # whether walking the date index until the page is full reads fewer; likely()
    # then tells SQLite the filters narrow little. PostgreSQL keeps statistics.
    hint = engine.dialect.name == "sqlite" and sort == "created_at" and bool(narrowing)
    counted = select(func.count()).select_from(AnswerRecord).where(*where)
    with Session(engine) as session:
        if not hint:
            total = session.exec(counted).one()
        else:
            total, span = session.exec(select(func.count(), _ids(func.max) - _ids(func.min) + 1)
                                       .select_from(AnswerRecord).where(*where)).one()
            if walk_in_order(total, span or 0, skipped + per_page):
                where = [*(func.likely(c) for c in narrowing), *_within(filters)]
        # The page's ids first, sorted and cut in an index or over narrow rows; then
        # only those rows are read whole (the rows an OFFSET skips are never read).
        page_ids = (select(AnswerRecord.id).where(*where).order_by(*order)
                    .limit(per_page).offset(skipped))
        found = session.exec(
            select(*_LISTED, Learner.display_name)
            .outerjoin(Learner, col(Learner.id) == col(AnswerRecord.learner_id))
            .where(col(AnswerRecord.id).in_(page_ids)).order_by(*order)).all()
    return [_row(labels, found_row._mapping) for found_row in found], int(total)


def answer_detail(engine: Engine, labels: LearnerLabels, answer_id: int,
                  courses: list[str] | None = None) -> dict[str, object] | None:
    """One answer whole: a row of `find_answers` with `kept` (the explanation's
    sentences kept, a list), `removed` (a list of {"text", "why"}) and `sources` (a
    list of {"number", "document", "section", "page", "text"}). None when there is
    none, or it is of a course outside `courses`."""
    with Session(engine) as session:
        found = session.exec(
            select(AnswerRecord, Learner.display_name)
            .outerjoin(Learner, col(Learner.id) == col(AnswerRecord.learner_id))
            .where(col(AnswerRecord.id) == answer_id)).first()
    if found is None:
        return None
    answer, display_name = found
    if courses is not None and answer.course not in courses:
        return None
    fields = answer.model_dump()
    fields["display_name"] = display_name
    row = _row(labels, fields)
    row.update(kept=json.loads(answer.kept), removed=json.loads(answer.removed),
               sources=json.loads(answer.sources))
    return row


def walk_in_order(matching: int, rows: int, wanted: int) -> bool:
    """Whether reading the rows in the page's order until `wanted` match (those the
    page skips and shows) reads fewer rows than reading every match and sorting them:
    about wanted * rows / matching rows against `matching`.

    >>> walk_in_order(33_000, 100_000, 50)  # a trainer's course: about 150 rows read
    True
    >>> walk_in_order(1_000, 100_000, 50)  # 5,000 rows read to find 50 of 1,000
    False
    >>> walk_in_order(33_000, 100_000, 30_050)  # deep: 91,000 rows against 33,000
    False
    """
    return matching > 0 and wanted * rows < matching * matching


def _ids(extreme: Any) -> Any:
    """The highest or lowest answer id: with the other, about how many answers there
    are (ids only grow; the oldest go first), read off the primary key at once."""
    return select(extreme(col(AnswerRecord.id))).correlate(None).scalar_subquery()


def _narrowing(courses: list[str] | None, filters: AnswerFilter
               ) -> list[ColumnElement[bool]]:
    """The conditions an index of their own could narrow the answers by."""
    where: list[ColumnElement[bool]] = []
    if courses is not None:
        where.append(col(AnswerRecord.course).in_(courses))
    if filters.course is not None:
        where.append(col(AnswerRecord.course) == filters.course)
    if filters.rating == "none":
        where.append(col(AnswerRecord.helpful).is_(None))
    # "= true", not "IS TRUE": PostgreSQL's indexes serve the one, not the other.
    elif filters.rating is not None:
        where.append(col(AnswerRecord.helpful) == (true() if filters.rating == "up" else false()))
    if filters.not_covered:
        where.append(col(AnswerRecord.covered) == false())
    if filters.explanation_removed:
        where.append(col(AnswerRecord.explanation_removed) == true())
    return where


def _within(filters: AnswerFilter) -> list[ColumnElement[bool]]:
    """The dates and words: ranges of the date index, and what no index serves."""
    where: list[ColumnElement[bool]] = []
    if filters.since is not None:
        where.append(col(AnswerRecord.created_at) >= _day_start(filters.since))
    if filters.until is not None:
        where.append(col(AnswerRecord.created_at) < _day_start(filters.until + timedelta(1)))
    if text := filters.text.strip():
        pattern = f"%{like_escaped(text)}%"
        where.append(col(AnswerRecord.question).ilike(pattern, escape="\\")
                     | col(AnswerRecord.answer).ilike(pattern, escape="\\"))
    return where


def like_escaped(text: str) -> str:
    """Typed text matched as typed: LIKE's wildcards and its escape taken literally.

    >>> like_escaped(r"100% of a_b\\c")
    '100\\\\% of a\\\\_b\\\\\\\\c'
    """
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _row(labels: LearnerLabels, fields: Any) -> dict[str, object]:
    row = {column.key: fields[column.key] for column in _LISTED}
    row["learner_label"] = labels(row.pop("learner_id"), fields["display_name"] or "")
    row["created_at"] = as_utc(row["created_at"])
    if row["rated_at"] is not None:
        row["rated_at"] = as_utc(row["rated_at"])
    return row
