"""What refers to a skill, kept in step when the skill map changes under it.

A skill renamed keeps its id (knowledge.library.refresh_skills), so nothing moves. A
merge, by a skills.yaml or in the console, takes one skill away while its passages
live on in another; what referred to it follows its passages:

- each question goes to its passage's skill (it tests a sentence of that passage),
  approved ones included;
- each attempt on a skill the map no longer has goes to its question's skill, so the
  learner model sees a learner's whole history of the merged skill;
- a learner's mastery of the skill gone is combined with their mastery of the skill
  most of those attempts went to (tutor.mastery.combined: attempts added, estimates
  weighted by attempts), as if their answers had been on one skill all along.

Attempts and mastery of removed material stay as they are: their questions are
retired (their passage is gone), not moved. Called after every derivation of the map
that the tutor runs (the bank's build after an ingest, a removal, a console edit).
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, col, select

from knowledge.tables import Chunk, Course, Skill, as_utc
from tutor.mastery import SkillState, combined
from tutor.tables import Attempt, Mastery, Question


def follow_passages(session: Session, course_id: int) -> int:
    """Move the course's questions, attempts and mastery after their passages' skills
    (in `session`; the caller commits). Returns how many questions moved."""
    course = session.get(Course, course_id)
    if course is None:
        return 0
    moved = 0
    for question, skill_id in session.exec(
            select(Question, Chunk.skill_id).join(Chunk, col(Chunk.id) == Question.chunk_id)
            .where(Question.course_id == course_id, col(Chunk.skill_id).is_not(None),
                   col(Chunk.skill_id) != col(Question.skill_id))).all():
        question.skill_id = skill_id or 0
        session.add(question)
        moved += 1
    session.flush()
    live = [i for i in session.exec(select(Skill.id).where(Skill.course_id == course_id))
            if i is not None]
    went: Counter[tuple[str, int, int]] = Counter()  # (learner, skill gone, skill now)
    for attempt, skill_id in session.exec(
            select(Attempt, Question.skill_id)
            .join(Question, col(Question.id) == Attempt.question_id)
            .where(Attempt.course == course.name, Question.course_id == course_id,
                   col(Attempt.skill_id).not_in(live), col(Question.skill_id).in_(live))).all():
        went[(attempt.learner_id, attempt.skill_id, skill_id)] += 1
        attempt.skill_id = skill_id
        session.add(attempt)
    destination: dict[tuple[str, int], int] = {}
    for (learner, gone, now), _ in went.most_common():
        destination.setdefault((learner, gone), now)
    for (learner, gone), now in destination.items():
        _combine(session, course.name, learner, gone, now)
    session.flush()
    return moved


def _combine(session: Session, course: str, learner: str, gone: int, now: int) -> None:
    """The learner's mastery of the skill `gone`, combined into theirs of `now`."""
    old = session.get(Mastery, (learner, gone))
    if old is None:
        return
    row = session.get(Mastery, (learner, now))
    state = combined(SkillState(old.estimate, old.attempts, old.correct),
                     SkillState(row.estimate, row.attempts, row.correct) if row else SkillState())
    if row is None:
        row = Mastery(learner_id=learner, skill_id=now, course=course, estimate=state.estimate,
                      updated_at=old.updated_at)
    row.estimate, row.attempts, row.correct = state.estimate, state.attempts, state.correct
    row.updated_at = max(as_utc(old.updated_at), as_utc(row.updated_at))
    session.delete(old)
    session.add(row)
