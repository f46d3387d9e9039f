"""Trainer answers: a trainer's answer to a question, served before the material's
to later questions that mean the same (tutor/answers/trainer_match.py decides which).

An answer cites a passage of the course, kept as it read then, or stands on the
trainer's own authority. When the material changes, a cited passage is looked for
again by its text in its document (chunk ids change on every re-ingest, the text
need not): found, the answer follows it; changed or gone, the answer goes to
"review" and is not served until a trainer confirms it (`confirm`, which may cite
another passage). Statuses: "active", "review", "retired".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from knowledge.tables import Chunk, Course, Document, utcnow
from tutor.answers.terms import content_words
from tutor.errors import TutorError
from tutor.i18n import N_
from tutor.i18n import gettext as _
from tutor.tables import TrainerAnswer

STATUSES = ("active", "review", "retired")
MAX_QUESTION = 500  # characters: a question, not a document
MAX_ANSWER = 4000  # one chat message, with room for the heading and the source
# Why an answer went back for review: stored as written here, translated where shown.
PASSAGE_CHANGED = N_("its passage changed")
DOCUMENT_GONE = N_("its document was removed")
COURSE_GONE = N_("its course was removed")


@dataclass(frozen=True)
class Page:
    rows: list[TrainerAnswer]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def create(engine: Engine, course: str, question: str, answer: str, *, author: str,
           author_name: str, chunk_id: int | None = None,
           from_answer: int | None = None) -> TrainerAnswer:
    """A new active trainer answer. `chunk_id`: the passage it cites (one of the
    course's), or None for the trainer's own authority."""
    question, answer = _checked_text(question, answer)
    if not author_name.strip():
        raise TutorError(_("A trainer answer needs the name learners will see it signed "
                           "with."))
    with Session(engine) as session:
        _course_exists(session, course)
        row = TrainerAnswer(course=course, question=question, answer=answer,
                            author=author, author_name=author_name.strip(),
                            from_answer=from_answer)
        _cite(session, row, chunk_id)
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def edit(engine: Engine, answer_id: int, *, question: str | None = None,
         answer: str | None = None, chunk_id: int | None = None, cite: bool = False,
         author: str | None = None, author_name: str | None = None) -> TrainerAnswer:
    """Change an answer's question, text or citation (`cite=True` with `chunk_id`, or
    None to stand on the trainer's authority). Whoever edits signs it from then on."""
    def change(session: Session, row: TrainerAnswer) -> None:
        row.question, row.answer = _checked_text(question if question is not None
                                                 else row.question,
                                                 answer if answer is not None else row.answer)
        if cite:
            _cite(session, row, chunk_id)
            if row.status == "review":
                row.status, row.review_why = "active", ""
        if author is not None:
            row.author = author
        if author_name is not None and author_name.strip():
            row.author_name = author_name.strip()

    return _changed(engine, answer_id, change)


def retire(engine: Engine, answer_id: int) -> TrainerAnswer:
    """Stop serving an answer (kept: the answers log refers to it)."""
    def change(_: Session, row: TrainerAnswer) -> None:
        row.status, row.review_why = "retired", ""

    return _changed(engine, answer_id, change)


def confirm(engine: Engine, answer_id: int, *, chunk_id: int | None = None,
            keep_citation: bool = True) -> TrainerAnswer:
    """A trainer vouches for an answer again, and it is served again. The passage is
    read anew: the one it cited (found again by its text, or the chunk it names if
    that is still there), `chunk_id` to cite another, or `keep_citation=False` to
    stand on the trainer's authority."""
    def change(session: Session, row: TrainerAnswer) -> None:
        if chunk_id is not None or not keep_citation:
            _cite(session, row, chunk_id)
        elif row.chunk_id is not None:
            found = _passage_now(session, row) or _successor(session, row)
            if found is None:
                raise TutorError(_("The passage this answer cites is gone: cite another "
                                   "one, or confirm it on your own authority."))
            _cite(session, row, found.id)
        row.status, row.review_why = "active", ""

    return _changed(engine, answer_id, change)


def _changed(engine: Engine, answer_id: int,
             change: Callable[[Session, TrainerAnswer], None]) -> TrainerAnswer:
    """Apply `change` to an answer and store it, its change time moved, in one
    transaction (nothing is stored when `change` refuses)."""
    with Session(engine) as session:
        row = _one(session, answer_id)
        change(session, row)
        row.updated_at = utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def get(engine: Engine, answer_id: int) -> TrainerAnswer:
    with Session(engine) as session:
        return _one(session, answer_id)


def list_trainer_answers(engine: Engine, courses: Sequence[str] | None = None,
                         status: str | None = None, page: int = 1,
                         per_page: int = 50) -> Page:
    """The answers of these courses (None: all), newest change first, one page of
    them, counted and paged in SQL."""
    if status is not None and status not in STATUSES:
        raise TutorError(_("No status '%(status)s': one of %(statuses)s.") % {
            "status": status, "statuses": ", ".join(STATUSES)})
    page, per_page = max(1, page), max(1, min(per_page, 500))
    query = select(TrainerAnswer)
    counting = select(func.count()).select_from(TrainerAnswer)
    if courses is not None:
        query = query.where(col(TrainerAnswer.course).in_(list(courses)))
        counting = counting.where(col(TrainerAnswer.course).in_(list(courses)))
    if status is not None:
        query = query.where(TrainerAnswer.status == status)
        counting = counting.where(TrainerAnswer.status == status)
    with Session(engine) as session:
        total = session.exec(counting).one()
        rows = session.exec(query.order_by(col(TrainerAnswer.updated_at).desc(),
                                           col(TrainerAnswer.id).desc())
                            .offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(rows), int(total), page, per_page)


def review_changed(session: Session, course: str) -> int:
    """Follow the course's cited passages after its material changed: an answer whose
    passage is still in its document (by its text) cites it under its new chunk id;
    one whose passage changed or went goes to review. Returns how many went."""
    flagged = 0
    course_known = session.exec(select(Course.id).where(Course.name == course)).first()
    rows = session.exec(select(TrainerAnswer).where(TrainerAnswer.course == course,
                                                    TrainerAnswer.status == "active")).all()
    for row in rows:
        if course_known is None:
            why = COURSE_GONE
        elif row.chunk_id is None:
            continue
        else:
            found = _passage_now(session, row)
            if found is not None:
                if found.id != row.chunk_id:
                    row.chunk_id = found.id
                    session.add(row)
                continue
            why = DOCUMENT_GONE if _document_id(session, row) is None else PASSAGE_CHANGED
        row.status, row.review_why, row.updated_at = "review", why, utcnow()
        session.add(row)
        flagged += 1
    return flagged


def review_removed(session: Session, course_id: int) -> int:
    """`review_changed` in the transaction that removes material (knowledge.library's
    `on_removed`): of the course, or, once the course itself is gone, of every course
    whose name no longer exists."""
    course = session.get(Course, course_id)
    if course is not None:
        return review_changed(session, course.name)
    names = set(session.exec(select(Course.name)))
    orphaned = session.exec(select(TrainerAnswer.course).where(
        TrainerAnswer.status == "active").distinct()).all()
    return sum(review_changed(session, name) for name in orphaned if name not in names)


def review_course(engine: Engine, course: str) -> int:
    """`review_changed` in a transaction of its own (after an ingest or a reindex)."""
    with Session(engine) as session:
        flagged = review_changed(session, course)
        session.commit()
    return flagged


def same_text(one: str, other: str) -> bool:
    """Texts equal but for spacing (a re-ingest may re-wrap a passage).

    >>> same_text("Cool it\\nfor 20 minutes.", "Cool it for  20 minutes."), same_text("a", "b")
    (True, False)
    """
    return _spaced(one) == _spaced(other)


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _passage_now(session: Session, row: TrainerAnswer) -> Chunk | None:
    """The chunk of the answer's document that holds its passage now: the one it
    names if unchanged, else one with the same text, else one that contains it
    whole (chunk boundaries moved)."""
    document_id = _document_id(session, row)
    if document_id is None:
        return None
    chunks = session.exec(select(Chunk).where(Chunk.document_id == document_id)
                          .order_by(col(Chunk.ordinal))).all()
    wanted = _spaced(row.passage)
    same = [c for c in chunks if _spaced(c.text) == wanted]
    named = [c for c in same if c.id == row.chunk_id]
    holding = [c for c in chunks if wanted and wanted in _spaced(c.text)]
    return (named or same or holding or [None])[0]


def _successor(session: Session, row: TrainerAnswer) -> Chunk | None:
    """The passage that now stands where the cited one stood: of its document and
    section, the one sharing most of its words (chunk ids are no guide: a re-ingest
    deletes them, and SQLite may give a deleted id to another chunk)."""
    document_id = _document_id(session, row)
    if document_id is None:
        return None
    words = content_words(row.passage)
    chunks = session.exec(select(Chunk).where(Chunk.document_id == document_id,
                                              Chunk.heading == row.section)).all()
    scored = sorted(((len(words & content_words(c.text)), -c.ordinal, c) for c in chunks),
                    key=lambda item: item[:2], reverse=True)
    return scored[0][2] if scored and scored[0][0] else None


def _document_id(session: Session, row: TrainerAnswer) -> int | None:
    return session.exec(select(Document.id).join(Course, col(Course.id) == Document.course_id)
                        .where(Course.name == row.course,
                               Document.name == row.document)).first()


def _cite(session: Session, row: TrainerAnswer, chunk_id: int | None) -> None:
    """Cite a passage of the answer's course (its text, document and section kept),
    or none."""
    if chunk_id is None:
        row.chunk_id, row.passage, row.document, row.section = None, "", "", ""
        return
    # Only the answer's own course is searched: a passage of another course is as
    # absent as one that never was (a trainer learns nothing of courses not theirs).
    found = session.exec(select(Chunk, Document.name)
                         .join(Document, col(Document.id) == Chunk.document_id)
                         .join(Course, col(Course.id) == Document.course_id)
                         .where(Chunk.id == chunk_id, Course.name == row.course)).first()
    if found is None:
        raise TutorError(_("The course '%(course)s' has no passage %(id)d: it may have been "
                           "replaced by a re-ingest. Pick the passage again.") % {
            "id": chunk_id, "course": row.course})
    chunk, document = found
    row.chunk_id, row.passage, row.document, row.section = (chunk.id, chunk.text, document,
                                                            chunk.heading)


def _checked_text(question: str, answer: str) -> tuple[str, str]:
    question, answer = question.strip(), answer.strip()
    if not question:
        raise TutorError(_("A trainer answer needs the question it answers."))
    if not answer:
        raise TutorError(_("The answer is empty: write what learners should be told."))
    if len(question) > MAX_QUESTION:
        raise TutorError(_("The question is %(n)d characters long; keep it under "
                           "%(most)d.") % {"n": len(question), "most": MAX_QUESTION})
    if len(answer) > MAX_ANSWER:
        raise TutorError(_("The answer is %(n)d characters long; keep it under %(most)d "
                           "(one chat message).") % {"n": len(answer), "most": MAX_ANSWER})
    return question, answer


def _course_exists(session: Session, course: str) -> None:
    if session.exec(select(Course.id).where(Course.name == course)).first() is None:
        raise TutorError(_("There is no course named '%(course)s'.") % {"course": course})


def _one(session: Session, answer_id: int) -> TrainerAnswer:
    row = session.get(TrainerAnswer, answer_id)
    if row is None:
        raise TutorError(_("There is no trainer answer %(id)d.") % {"id": answer_id})
    return row
