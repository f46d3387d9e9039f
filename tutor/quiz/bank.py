"""The question bank of a course: generated from its passages, validated, stored
per skill, retired when its passage changes or goes, and listed, retired or edited
by trainers. The bank is built when material is ingested (the text generator takes
milliseconds), so a quiz never waits for generation.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from knowledge.library import find_course
from knowledge.tables import Chunk, Document, Skill
from tutor.errors import TutorError
from tutor.quiz.facts import Kinds, course_kinds
from tutor.quiz.generate import (
    QuestionDraft,
    QuestionGenerator,
    SourcePassage,
    generate,
    states,
)
from tutor.quiz.validate import problem, validate
from tutor.skill_moves import follow_passages
from tutor.tables import Question


@dataclass
class BankReport:
    generated: int = 0
    stored: list[dict[str, object]] = field(default_factory=list)  # as question_dict gives
    failed: Counter[str] = field(default_factory=Counter)  # discarded, by reason
    retired: int = 0  # questions whose passage changed or went

    def as_dict(self) -> dict[str, object]:
        return {"generated": self.generated, "stored": len(self.stored),
                "failed": dict(self.failed), "retired": self.retired}


def course_passages(session: Session, course_id: int) -> list[tuple[Chunk, str, str]]:
    """The course's chunks in reading order, with document name and skill name."""
    rows = session.exec(
        select(Chunk, Document.name, Skill.name)
        .join(Document, col(Document.id) == Chunk.document_id)
        .join(Skill, col(Skill.id) == Chunk.skill_id)
        .where(Document.course_id == course_id)
        .order_by(col(Document.id), col(Chunk.ordinal))
    ).all()
    return [(chunk, document, skill) for chunk, document, skill in rows]


# The things of each kind a course names, per engine and course, with the chunks they
# were read from (their count and last id: an ingest or a removal changes them). Quiz
# handlers run on threads of their own, so the cache is only touched under its lock.
_KINDS: weakref.WeakKeyDictionary[Engine, dict[int, tuple[tuple[int, int], Kinds]]] = (
    weakref.WeakKeyDictionary())
_KINDS_LOCK = threading.Lock()


def kinds_of(engine: Engine, course_id: int) -> Kinds:
    """The things of each kind a course names (`course_kinds`), read once per version
    of its material."""
    with Session(engine) as session:
        version = session.exec(
            select(func.count(col(Chunk.id)), func.max(col(Chunk.id)))
            .join(Document, col(Document.id) == Chunk.document_id)
            .where(Document.course_id == course_id)).one()
        with _KINDS_LOCK:
            known = _KINDS.get(engine, {}).get(course_id)
        if known is not None and known[0] == tuple(version):
            return known[1]
        rows = course_passages(session, course_id)
    sections: dict[tuple[str, str], list[str]] = {}
    for chunk, document, _ in rows:  # a list is one kind within its section
        sections.setdefault((document, chunk.heading), []).append(chunk.text)
    kinds = course_kinds(sections.values())
    with _KINDS_LOCK:
        _KINDS.setdefault(engine, {})[course_id] = (tuple(version), kinds)
    return kinds


def retire_stale(session: Session, course_id: int,
                 passages: list[tuple[Chunk, str, str]]) -> int:
    """Retire the questions whose passage (of `passages`, the course's) is gone or no
    longer states their sentence, or whose skill is gone; returns how many."""
    chunks = {chunk.id: chunk for chunk, _, _ in passages}
    skills = set(session.exec(select(Skill.id).where(Skill.course_id == course_id)))
    retired = 0
    for question in session.exec(select(Question).where(
            Question.course_id == course_id, Question.status == "active")):
        chunk = chunks.get(question.chunk_id)
        why = ("its passage is gone" if chunk is None else
               "its passage changed" if not states(chunk.text, question.sentence) else
               "its skill is gone" if question.skill_id not in skills else "")
        if why:
            question.status, question.retired_why = "retired", why
            session.add(question)
            retired += 1
    return retired


def retire_removed(session: Session, course_id: int) -> int:
    """Retire the questions on material just removed (a document, or the whole course),
    in the transaction that removes it: `on_removed` of knowledge.library's removals.
    Questions on the passages that stay follow them to their skills first."""
    follow_passages(session, course_id)
    return retire_stale(session, course_id, course_passages(session, course_id))


def build_bank(engine: Engine, course: str, *, skill: str | None = None,
               count: int | None = None,
               generators: Sequence[QuestionGenerator] = (generate,)) -> BankReport:
    """Retire what the material no longer says, then generate, validate and store new
    questions (at most `count`; only for `skill` if given), from every generator in
    turn: the text generator's first, then the model's."""
    course_id = find_course(engine, course).id
    report = BankReport()
    with Session(engine) as session:
        follow_passages(session, course_id or 0)  # a merge: its questions go with it
        rows = course_passages(session, course_id or 0)
        report.retired = retire_stale(session, course_id or 0, rows)
        if skill is not None and skill not in {name for _, _, name in rows}:
            names = list(dict.fromkeys(name for _, _, name in rows))
            known = ", ".join(names[:8]) + (f" and {len(names) - 8} more (`tutorbot skills`)"
                                            if len(names) > 8 else "") or "none yet"
            raise TutorError(f"The course '{course}' has no skill named '{skill}'. "
                             f"Its skills: {known}.")
        chosen = [(c, d, s) for c, d, s in rows if skill is None or s == skill]
        by_chunk = {c.id: (c, d, s) for c, d, s in chosen}
        sources = [SourcePassage(c.id or 0, s, c.text) for c, _, s in chosen]
        drafts = [draft for write in generators for draft in write(sources)]
        report.generated = len(drafts)
        active = list(session.exec(select(Question).where(
            Question.course_id == course_id, Question.status == "active")))
        kept, report.failed = validate(drafts, {c.id or 0: c.text for c, _, _ in chosen},
                                       [q.question for q in active])
        skill_ids = {s.name: s.id for s in session.exec(
            select(Skill).where(Skill.course_id == course_id))}
        stored = []
        for draft in kept[:count]:
            chunk, document, _ = by_chunk[draft.chunk_id]
            stored.append((_stored(draft, course_id or 0, skill_ids[draft.skill] or 0, document,
                                   chunk.heading), draft.skill))
        session.add_all([question for question, _ in stored])
        session.commit()
        report.stored = [question_dict(question, name) for question, name in stored]
    return report


def _stored(draft: QuestionDraft, course_id: int, skill_id: int, document: str,
            section: str) -> Question:
    return Question(course_id=course_id, skill_id=skill_id, chunk_id=draft.chunk_id,
                    kind=draft.kind, question=draft.question, options=json.dumps(draft.options),
                    answer=draft.answer, sentence=draft.sentence, fact=draft.fact,
                    wrong=json.dumps(draft.wrong), document=document, section=section,
                    generator=draft.generator, basis=draft.basis)


def question_dict(question: Question, skill: str) -> dict[str, object]:
    """A question as `tutorbot quiz` prints it for scripts."""
    return {"id": question.id, "skill": skill, "type": question.kind,
            "question": question.question, "options": json.loads(question.options),
            "answer": question.answer, "status": question.status,
            "source": {"document": question.document, "section": question.section,
                       "text": question.sentence}}


def list_questions(engine: Engine, course: str, *, skill: str | None = None,
                   retired: bool = False) -> list[dict[str, object]]:
    course_id = find_course(engine, course).id
    with Session(engine) as session:
        query = (select(Question, Skill.name).join(Skill, col(Skill.id) == Question.skill_id)
                 .where(Question.course_id == course_id).order_by(col(Question.id)))
        if not retired:
            query = query.where(Question.status == "active")
        if skill is not None:
            query = query.where(Skill.name == skill)
        return [question_dict(q, name) for q, name in session.exec(query).all()]


def _one(session: Session, course_id: int, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None or question.course_id != course_id:
        raise TutorError(f"This course has no question {question_id} "
                         "(`tutorbot quiz list` shows their ids).")
    return question


def retire(engine: Engine, course: str, question_id: int) -> None:
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        question = _one(session, course_id, question_id)
        question.status, question.retired_why = "retired", "retired by a trainer"
        session.add(question)
        session.commit()


def edit(engine: Engine, course: str, question_id: int, *, question: str | None = None,
         options: list[str] | None = None, answer: str | None = None) -> dict[str, object]:
    """A trainer's correction of a question. It is checked like a generated one (the
    answer must still be one the passage states, options distinct and of one form),
    and refused with the reason if it fails."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        row = _one(session, course_id, question_id)
        chunk = session.get(Chunk, row.chunk_id)
        options_now = options if options is not None else json.loads(row.options)
        new_answer = answer if answer is not None else row.answer
        if row.kind == "choice" and new_answer not in options_now:
            raise TutorError(f"The answer '{new_answer}' is not one of the options.")
        wrong = tuple(o for o in options_now if o != new_answer) if row.kind == "choice" else (
            tuple(json.loads(row.wrong)))
        fact = new_answer if row.kind != "true_false" else row.fact
        draft = QuestionDraft(row.kind, question or row.question, tuple(options_now),
                              new_answer, row.chunk_id, "", row.sentence, fact, wrong,
                              basis=row.basis)
        why = problem(draft, chunk.text if chunk else "")
        if why is not None:
            raise TutorError(f"The edited question would not reach learners: {why}.")
        row.question, row.options, row.answer = draft.question, json.dumps(draft.options), (
            draft.answer)
        row.fact, row.wrong, row.generator = draft.fact, json.dumps(draft.wrong), "edited"
        session.add(row)
        session.commit()
        skill = session.get(Skill, row.skill_id)
        return question_dict(row, skill.name if skill else "")


def question_counts(engine: Engine, course: str) -> dict[str, int]:
    """Active questions in the bank, by skill name."""
    course_id = find_course(engine, course).id
    with Session(engine) as session:
        rows = session.exec(
            select(Skill.name, func.count(col(Question.id)))
            .join(Question, col(Question.skill_id) == Skill.id)
            .where(Skill.course_id == course_id, Question.status == "active")
            .group_by(Skill.name)
        ).all()
    return dict(rows)
