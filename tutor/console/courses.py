"""The courses pages' data: per course, its documents, passages, skills, active
questions, learners and when its material last changed; a course's documents; and
removing material from the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from knowledge.library import find_course, remove_course, remove_document
from knowledge.tables import Chunk, Course, Document, Skill
from tutor.console.accounts import Account
from tutor.console.audit import record
from tutor.i18n import N_
from tutor.i18n import gettext as _
from tutor.runtime import Runtime
from tutor.tables import Attempt, Learner, Question
from tutor.withdrawn import material_removed

# What the documents page calls each kind of text (knowledge.normalize.SourceKind).
DOCUMENT_KINDS = {"markdown": N_("Markdown"), "text": N_("Plain text"), "pdf": N_("PDF"),
                  "slides": N_("Slides")}


def course_overview(engine: Engine, courses: list[str] | None = None
                    ) -> list[dict[str, object]]:
    """One row per course (only `courses`, when given), by name. A learner counts for
    a course they chose or answered a question of."""
    with Session(engine) as session:
        query = select(Course.id, Course.name, Course.created_at).order_by(Course.name)
        if courses is not None:
            query = query.where(col(Course.name).in_(courses))
        found = session.exec(query).all()
        ids = [course_id for course_id, _, _ in found]

        def per_course(statement) -> dict:  # (course id, value) rows as a dict
            return dict(session.exec(statement).all())

        documents = per_course(select(Document.course_id, func.count()).where(
            col(Document.course_id).in_(ids)).group_by(Document.course_id))
        changed = per_course(select(Document.course_id, func.max(Document.ingested_at)).where(
            col(Document.course_id).in_(ids)).group_by(Document.course_id))
        passages = per_course(select(Document.course_id, func.count(Chunk.id)).join(
            Chunk, col(Chunk.document_id) == Document.id).where(
            col(Document.course_id).in_(ids)).group_by(Document.course_id))
        skills = per_course(select(Skill.course_id, func.count()).where(
            col(Skill.course_id).in_(ids)).group_by(Skill.course_id))
        questions = per_course(select(Question.course_id, func.count()).where(
            col(Question.course_id).in_(ids), Question.status == "active").group_by(
            Question.course_id))
        names = [name for _, name, _ in found]
        chose = select(col(Learner.course).label("course"), col(Learner.id).label("learner")
                       ).where(col(Learner.course).in_(names))
        answered = select(col(Attempt.course).label("course"),
                          col(Attempt.learner_id).label("learner")
                          ).where(col(Attempt.course).in_(names))
        either = chose.union(answered).subquery()
        learners = dict(session.exec(select(either.c.course, func.count()).group_by(
            either.c.course)).all())
    rows = []
    for course_id, name, created in found:
        last: datetime | None = changed.get(course_id) or created
        rows.append({"course": name, "documents": documents.get(course_id, 0),
                     "passages": passages.get(course_id, 0), "skills": skills.get(course_id, 0),
                     "questions": questions.get(course_id, 0),
                     "learners": learners.get(name, 0), "changed": last})
    return rows


def course_documents(engine: Engine, course: str) -> list[dict[str, object]]:
    """The course's documents by name: title, kind, passages and when they were
    ingested (UnknownCourse if there is no such course)."""
    course_id = find_course(engine, course).id
    with Session(engine) as session:
        rows = session.exec(
            select(Document.name, Document.title, Document.kind, Document.ingested_at,
                   func.count(col(Chunk.id)))
            .join(Chunk, col(Chunk.document_id) == Document.id, isouter=True)
            .where(Document.course_id == course_id)
            .group_by(col(Document.id)).order_by(col(Document.name))).all()
    return [{"document": name, "title": title, "kind": kind or "", "passages": passages,
             "ingested": ingested} for name, title, kind, ingested, passages in rows]


def document_kind(kind: str) -> str:
    """
    >>> document_kind("slides"), document_kind("")
    ('Slides', '')
    """
    return _(DOCUMENT_KINDS[kind]) if kind in DOCUMENT_KINDS else kind


def remove_material(runtime: Runtime, actor: Account, course: str,
                    document: str | None = None) -> int:
    """Remove one document of `course`, or (`document` None) the whole course, exactly
    as `tutorbot courses remove` does: the questions on it are retired (and the trainer
    answers citing it sent to review) in the same transaction, and the audit entry with
    them. Returns the questions retired."""
    retired = 0

    def retire_and_record(session: Session, course_id: int) -> None:
        nonlocal retired
        retired = material_removed(session, course_id)  # trainer answers to review too
        action = "remove-course" if document is None else "remove-document"
        record(session, actor, action, course, document or course, questions_retired=retired)

    if document is None:
        remove_course(runtime.engine, runtime.index_store, course,
                      on_removed=retire_and_record)
    else:
        remove_document(runtime.engine, runtime.index_store, course, document,
                        on_removed=retire_and_record)
    return retired
