"""The courses page's numbers: per course, its documents, passages, skills, active
questions, learners and when its material last changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from knowledge.tables import Chunk, Course, Document, Skill
from tutor.tables import Attempt, Learner, Question


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
