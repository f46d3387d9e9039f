"""Reading and writing a learner's state: course choice, recent turns, their data."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from tutor.tables import ContentGap, Learner, Turn


class LearnerStore:
    def __init__(self, engine: Engine, history_turns: int) -> None:
        self.engine = engine
        self.history_turns = history_turns

    def course_of(self, learner_id: str) -> str | None:
        with Session(self.engine) as session:
            learner = session.get(Learner, learner_id)
            return learner.course if learner else None

    def set_course(self, learner_id: str, course: str) -> None:
        with Session(self.engine) as session:
            learner = session.get(Learner, learner_id) or Learner(id=learner_id)
            learner.course = course
            session.add(learner)
            session.commit()

    def recent_questions(self, learner_id: str, course: str) -> list[str]:
        with Session(self.engine) as session:
            turns = session.exec(
                select(Turn.question)
                .where(Turn.learner_id == learner_id, Turn.course == course)
                .order_by(col(Turn.id).desc())
                .limit(self.history_turns)
            ).all()
        return list(reversed(turns))

    def add_turn(self, learner_id: str, course: str, question: str, answer: str) -> None:
        """Store a turn and forget turns beyond the history the tutor uses."""
        with Session(self.engine) as session:
            if session.get(Learner, learner_id) is None:
                session.add(Learner(id=learner_id, course=course))
            session.add(Turn(learner_id=learner_id, course=course, question=question,
                             answer=answer))
            session.flush()
            keep = select(Turn.id).where(Turn.learner_id == learner_id)
            keep = keep.order_by(col(Turn.id).desc()).limit(self.history_turns)
            session.exec(
                delete(Turn).where(Turn.learner_id == learner_id, col(Turn.id).not_in(keep))
            )
            session.commit()

    def export(self, learner_id: str) -> dict[str, object]:
        """Everything stored about a learner."""
        with Session(self.engine) as session:
            learner = session.get(Learner, learner_id)
            turns = session.exec(
                select(Turn).where(Turn.learner_id == learner_id).order_by(col(Turn.id))
            ).all()
            return {
                "learner": learner_id,
                "course": learner.course if learner else None,
                "since": learner.created_at.isoformat() if learner else None,
                "turns": [
                    {"course": t.course, "question": t.question, "answer": t.answer,
                     "at": t.created_at.isoformat()}
                    for t in turns
                ],
            }

    def forget(self, learner_id: str) -> int:
        """Delete everything stored about a learner; returns the number of rows removed."""
        with Session(self.engine) as session:
            turns = session.exec(delete(Turn).where(col(Turn.learner_id) == learner_id))
            learners = session.exec(delete(Learner).where(col(Learner.id) == learner_id))
            session.commit()
            return int(turns.rowcount or 0) + int(learners.rowcount or 0)

    def record_gap(self, course: str, question: str, best_score: float) -> None:
        with Session(self.engine) as session:
            session.add(ContentGap(course=course, question=question, best_score=best_score))
            session.commit()
