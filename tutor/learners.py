"""Reading and writing a learner's state: course choice, recent turns, their data."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from tutor.tables import ContentGap, Feedback, Learner, Turn


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

    def recent_questions(self, learner_id: str, course: str, conversation: str = "") -> list[str]:
        with Session(self.engine) as session:
            turns = session.exec(
                select(Turn.question)
                .where(Turn.learner_id == learner_id, Turn.course == course,
                       Turn.conversation == conversation)
                .order_by(col(Turn.id).desc())
                .limit(self.history_turns)
            ).all()
        return list(reversed(turns))

    def recent_turns(self, learner_id: str, limit: int = 5) -> list[Turn]:
        with Session(self.engine) as session:
            return list(session.exec(
                select(Turn).where(Turn.learner_id == learner_id)
                .order_by(col(Turn.id).desc()).limit(limit)
            ).all())

    def add_turn(self, learner_id: str, course: str, question: str, answer: str,
                 conversation: str = "") -> int:
        """Store a turn and forget turns beyond the history the tutor uses; returns its id."""
        with Session(self.engine) as session:
            if session.get(Learner, learner_id) is None:
                session.add(Learner(id=learner_id, course=course))
            turn = Turn(learner_id=learner_id, course=course, question=question, answer=answer,
                        conversation=conversation)
            session.add(turn)
            session.flush()
            turn_id = turn.id
            assert turn_id is not None
            keep = select(Turn.id).where(Turn.learner_id == learner_id)
            keep = keep.order_by(col(Turn.id).desc()).limit(self.history_turns)
            session.exec(
                delete(Turn).where(Turn.learner_id == learner_id, col(Turn.id).not_in(keep))
            )
            session.commit()
        return turn_id

    def rate(self, learner_id: str, turn_id: int, helpful: bool) -> bool:
        """Store (or change) a learner's rating of one of their answers; False if that
        answer is no longer stored."""
        with Session(self.engine) as session:
            turn = session.get(Turn, turn_id)
            if turn is None or turn.learner_id != learner_id:
                return False
            feedback = session.exec(select(Feedback).where(
                Feedback.learner_id == learner_id, Feedback.turn_id == turn_id)).first()
            feedback = feedback or Feedback(learner_id=learner_id, turn_id=turn_id,
                                            course=turn.course, question=turn.question,
                                            answer=turn.answer, helpful=helpful)
            feedback.helpful = helpful
            session.add(feedback)
            session.commit()
            return True

    def export(self, learner_id: str) -> dict[str, object]:
        """Everything stored about a learner."""
        with Session(self.engine) as session:
            learner = session.get(Learner, learner_id)
            turns = session.exec(
                select(Turn).where(Turn.learner_id == learner_id).order_by(col(Turn.id))
            ).all()
            ratings = session.exec(
                select(Feedback).where(Feedback.learner_id == learner_id)
                .order_by(col(Feedback.id))
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
                "ratings": [
                    {"course": f.course, "question": f.question,
                     "helpful": f.helpful, "at": f.created_at.isoformat()}
                    for f in ratings
                ],
            }

    def forget(self, learner_id: str) -> int:
        """Delete everything stored about a learner; returns the number of rows removed."""
        with Session(self.engine) as session:
            removed = 0
            for table, column in ((Feedback, Feedback.learner_id), (Turn, Turn.learner_id),
                                  (Learner, Learner.id)):
                removed += int(session.exec(delete(table).where(col(column) == learner_id))
                               .rowcount or 0)
            session.commit()
            return removed

    def record_gap(self, course: str, question: str, best_score: float) -> None:
        with Session(self.engine) as session:
            session.add(ContentGap(course=course, question=question, best_score=best_score))
            session.commit()
