"""A learner's quizzes, attempts and mastery in the database: which questions a new
quiz asks, where a quiz stands, and what each answer changes. The chat side
(tutor/quiz/chat.py) decides what to say; this module only reads and writes.
"""

from __future__ import annotations

import json
import random
from datetime import datetime

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from knowledge.library import find_course
from knowledge.tables import Skill, as_utc, insert_ignoring_duplicates
from knowledge.tables import utcnow as now
from tutor.answers.terms import content_words
from tutor.errors import TutorError
from tutor.mastery import SkillState, updated
from tutor.quiz.generate import stable_seed
from tutor.quiz.grading import RIGHT
from tutor.tables import Attempt, Mastery, Question, QuizRun

ANSWERED = "You have already answered that question."


def run_questions(run: QuizRun) -> list[int]:
    return list(json.loads(run.questions))


class QuizRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- choosing questions ----------------------------------------------------------

    def choose(self, learner: str, course: str, topic: str, length: int
               ) -> tuple[str, list[int]]:
        """The questions of a new quiz and what it is on: the named skill, or the
        questions that mention the topic's words (no topic: the first skill; the chat
        names the skill, tutor/next_steps.py `quiz_skill`). Unseen questions come
        first, then ones answered wrong."""
        course_id = find_course(self.engine, course).id
        with Session(self.engine) as session:
            rows = session.exec(
                select(Question, Skill.name, Skill.position)
                .join(Skill, col(Skill.id) == Question.skill_id)
                .where(Question.course_id == course_id, Question.status == "active")
                .order_by(col(Skill.position), col(Question.id))).all()
            if not rows:
                return "", []
            label, chosen, top_up = self._on_topic(rows, topic, length)
            outcomes = dict(session.exec(
                select(Attempt.question_id, func.max(col(Attempt.score)))
                .where(Attempt.learner_id == learner, Attempt.course == course)
                .group_by(Attempt.question_id)).all())
            quizzes = session.exec(select(func.count(col(QuizRun.id)))
                                   .where(QuizRun.learner_id == learner)).one()
        random.Random(stable_seed(f"{learner}|{quizzes}")).shuffle(chosen)
        # The skill's own questions before the top-up; unseen first, then the ones never
        # got right; one question per sentence tested.
        chosen.sort(key=lambda q: (q.id in top_up, q.id in outcomes,
                                   outcomes.get(q.id, 0.0) >= RIGHT))
        by_sentence: dict[str, int] = {}
        for question in chosen:
            by_sentence.setdefault(question.sentence, question.id or 0)
        return label, list(by_sentence.values())[:length]

    def _on_topic(self, rows: list[tuple[Question, str, int]], topic: str, length: int
                  ) -> tuple[str, list[Question], set[int | None]]:
        """A skill's questions, topped up from the skills after it when it has fewer
        than a quiz's worth (the top-up's ids come third); or every question that
        mentions the topic's words."""
        skills = list(dict.fromkeys(name for _, name, _ in rows))
        skill = next((s for s in skills if s.casefold() == topic.casefold()), "") if topic else (
            skills[0])
        if skill:
            first = [q for q, name, _ in rows if name == skill]
            after = skills[skills.index(skill) + 1:]
            more = [q for q, name, _ in rows if name in after][: max(0, length - len(first))]
            label = f"{skill}, then what follows it" if more else skill
            return label, first + more, {q.id for q in more}
        words = content_words(topic)
        mentioning = [q for q, name, _ in rows
                      if words and words <= content_words(f"{name} {q.section} {q.sentence}")]
        if mentioning:
            return topic, mentioning, set()
        listed = "; ".join(skills[:10]) + (" …" if len(skills) > 10 else "")
        raise TutorError(f"I have no questions on '{topic}'. Try a skill: {listed}.")

    # ---- the quiz itself -------------------------------------------------------------

    def start(self, learner: str, course: str, topic: str, question_ids: list[int]) -> QuizRun:
        """A new quiz: the learner's unfinished one on this course is closed, one
        running on another course is paused (it resumes there)."""
        with Session(self.engine) as session:
            self._pause_others(session, learner, course, close_same=True)
            run = QuizRun(learner_id=learner, course=course, topic=topic,
                          questions=json.dumps(question_ids))
            session.add(run)
            session.commit()
            session.refresh(run)
            return run

    def resume(self, run: QuizRun) -> QuizRun:
        """A paused quiz running again; its question's clock starts now."""
        with Session(self.engine) as session:
            self._pause_others(session, run.learner_id, run.course, close_same=False)
            session.commit()
        return self.save(run, status="running", asked_at=now())

    def _pause_others(self, session: Session, learner: str, course: str, *,
                      close_same: bool) -> None:
        for old in session.exec(select(QuizRun).where(
                QuizRun.learner_id == learner, col(QuizRun.status) != "done")):
            if old.course == course and close_same:
                old.status = "done"
            elif old.course != course and old.status == "running":
                old.status = "stopped"
            session.add(old)

    def unfinished(self, learner: str, course: str | None = None) -> QuizRun | None:
        """The learner's quiz that is running or paused (on `course`, if given)."""
        with Session(self.engine) as session:
            query = select(QuizRun).where(QuizRun.learner_id == learner,
                                          col(QuizRun.status) != "done")
            if course is not None:
                query = query.where(QuizRun.course == course)
            running_first = (col(QuizRun.status) == "running").desc()
            return session.exec(query.order_by(running_first, col(QuizRun.id).desc())).first()

    def run(self, run_id: int) -> QuizRun | None:
        with Session(self.engine) as session:
            return session.get(QuizRun, run_id)

    def question(self, question_id: int) -> Question | None:
        with Session(self.engine) as session:
            return session.get(Question, question_id)

    def skill_name(self, skill_id: int) -> str:
        with Session(self.engine) as session:
            skill = session.get(Skill, skill_id)
            return skill.name if skill else ""

    def save(self, run: QuizRun, **changes: object) -> QuizRun:
        with Session(self.engine) as session:
            row = session.get(QuizRun, run.id)
            assert row is not None
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            session.commit()
            session.refresh(row)
            return row

    def next_position(self, run: QuizRun) -> QuizRun:
        """The run moved to its next question that is still in the bank (a question
        retired since the quiz began is never shown); done after the last."""
        with Session(self.engine) as session:
            self._claim(session, run, self._next(session, run))
            session.commit()
        return self._reread(run)

    def _next(self, session: Session, run: QuizRun) -> dict[str, object]:
        """The changes that move `run` to its next active question."""
        ids = run_questions(run)
        position = run.position + 1
        active = set(session.exec(select(Question.id).where(
            col(Question.id).in_(ids), Question.status == "active")))
        while position < len(ids) and ids[position] not in active:
            position += 1
        return {"position": position, "tries": 0, "hints": 0, "asked_at": now(),
                "status": "done" if position >= len(ids) else "running"}

    @staticmethod
    def _claim(session: Session, run: QuizRun, changes: dict[str, object]) -> None:
        """`changes` made to the run only if it still stands where `run` was read: the
        position is re-checked inside the transaction (an answer graded meanwhile by
        another worker moved it), so a question is answered once."""
        claimed = session.execute(update(QuizRun).where(
            col(QuizRun.id) == run.id, col(QuizRun.position) == run.position,
            col(QuizRun.tries) == run.tries, col(QuizRun.status) == "running",
        ).values(**changes))
        if claimed.rowcount != 1:
            raise TutorError(ANSWERED)

    def _reread(self, run: QuizRun) -> QuizRun:
        row = self.run(run.id or 0)
        assert row is not None
        return row

    def record(self, run: QuizRun, question: Question, response: str, score: float,
               correct: bool, hints: int, *, move_mastery: bool
               ) -> tuple[SkillState, QuizRun]:
        """Store an attempt and move the run on, in one transaction: with
        `move_mastery` (the question is done) the skill's mastery moves and the run
        goes to its next question, else the run counts a wrong try. Returns the
        skill's mastery after it and the run. An answer to a position that was
        answered meanwhile is refused (TutorError), nothing stored."""
        elapsed = (now() - as_utc(run.asked_at)).total_seconds()
        with Session(self.engine) as session:
            self._claim(session, run, self._next(session, run) if move_mastery
                        else {"tries": run.tries + 1})
            session.add(Attempt(learner_id=run.learner_id, course=run.course,
                                question_id=question.id or 0, skill_id=question.skill_id,
                                quiz_id=run.id, response=response, score=score,
                                correct=correct, hints=hints, response_s=max(0.0, elapsed)))
            if move_mastery:
                state = self._move_mastery(session, run, question.skill_id, score, correct)
            else:
                row = session.get(Mastery, (run.learner_id, question.skill_id))
                state = SkillState(row.estimate, row.attempts, row.correct) if row else (
                    SkillState())
            session.commit()
        return state, self._reread(run)

    def answered_since(self, run: QuizRun, moment: datetime) -> bool:
        """Whether an answer to the run was recorded at or after `moment`."""
        with Session(self.engine) as session:
            return session.exec(select(Attempt.id).where(
                col(Attempt.quiz_id) == run.id, col(Attempt.created_at) >= moment)
            ).first() is not None

    def _move_mastery(self, session: Session, run: QuizRun, skill_id: int, score: float,
                      correct: bool) -> SkillState:
        """An upsert: the row inserted unless there (never twice, whichever worker
        comes first), then locked while it moves, so two moves never start from one
        value."""
        session.execute(insert_ignoring_duplicates(self.engine, Mastery).values(  # type: ignore[attr-defined]
            learner_id=run.learner_id, skill_id=skill_id, course=run.course,
            estimate=SkillState().estimate, attempts=0, correct=0, updated_at=now()))
        row = session.exec(select(Mastery).where(
            Mastery.learner_id == run.learner_id, Mastery.skill_id == skill_id,
        ).with_for_update()).one()
        after = updated(SkillState(row.estimate, row.attempts, row.correct), score, correct)
        row.estimate, row.attempts, row.correct = after.estimate, after.attempts, after.correct
        row.updated_at = now()
        session.add(row)
        return after

    def quiz_scores(self, run: QuizRun) -> list[tuple[str, float, int]]:
        """Per skill of a quiz: its name, the best score on each question summed, and
        the number of questions answered."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Skill.name, Attempt.question_id, func.max(col(Attempt.score)))
                .join(Skill, col(Skill.id) == Attempt.skill_id)
                .where(Attempt.quiz_id == run.id)
                .group_by(Skill.name, Attempt.question_id)).all()
        totals: dict[str, tuple[float, int]] = {}
        for skill, _, score in rows:
            got, count = totals.get(skill, (0.0, 0))
            totals[skill] = (got + score, count + 1)
        return [(skill, got, count) for skill, (got, count) in totals.items()]

