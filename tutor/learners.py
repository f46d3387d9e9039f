"""Reading and writing a learner's state: course choice, recent turns, their data."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from tutor.answers import log as answer_log
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
        self._update(learner_id, course=course)

    def coaching(self, learner_id: str) -> bool:
        with Session(self.engine) as session:
            learner = session.get(Learner, learner_id)
            return bool(learner and learner.coach)

    def set_coaching(self, learner_id: str, on: bool) -> None:
        self._update(learner_id, coach=on)

    def _update(self, learner_id: str, **fields: object) -> None:
        with Session(self.engine) as session:
            learner = session.get(Learner, learner_id) or Learner(id=learner_id)
            for name, value in fields.items():
                setattr(learner, name, value)
            session.add(learner)
            session.commit()

    def turn(self, learner_id: str, turn_id: int) -> Turn | None:
        """One of the learner's stored turns (None if gone, or someone else's)."""
        with Session(self.engine) as session:
            turn = session.get(Turn, turn_id)
            return turn if turn is not None and turn.learner_id == learner_id else None

    def last_turn(self, learner_id: str, conversation: str = "") -> Turn | None:
        with Session(self.engine) as session:
            return session.exec(select(Turn).where(
                Turn.learner_id == learner_id, Turn.conversation == conversation)
                .order_by(col(Turn.id).desc())).first()

    def close_gap(self, turn_id: int) -> None:
        """A coached question answered: a later message is a new question again."""
        with Session(self.engine) as session:
            turn = session.get(Turn, turn_id)
            if turn is not None:
                turn.gap = ""
                session.add(turn)
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
                 conversation: str = "", gap: str = "") -> int:
        """Store a turn and forget turns beyond the history the tutor uses; returns its id."""
        with Session(self.engine) as session:
            if session.get(Learner, learner_id) is None:
                session.add(Learner(id=learner_id, course=course))
            turn = Turn(learner_id=learner_id, course=course, question=question, answer=answer,
                        conversation=conversation, gap=gap)
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
        """Store (or change) a learner's rating of one of their answers, on its record in
        the answers log and in the day's counts too; False if that answer is no longer
        stored."""
        with Session(self.engine) as session:
            turn = session.get(Turn, turn_id)
            if turn is None or turn.learner_id != learner_id:
                return False
            feedback = session.exec(select(Feedback).where(
                Feedback.learner_id == learner_id, Feedback.turn_id == turn_id)).first()
            answer_log.rate(session, turn, helpful, feedback.helpful if feedback else None)
            feedback = feedback or Feedback(learner_id=learner_id, turn_id=turn_id,
                                            course=turn.course, question=turn.question,
                                            answer=turn.answer, helpful=helpful)
            feedback.helpful = helpful
            session.add(feedback)
            session.commit()
            return True

    def record_gap(self, course: str, question: str, best_score: float) -> None:
        with Session(self.engine) as session:
            session.add(ContentGap(course=course, question=question, best_score=best_score))
            session.commit()
