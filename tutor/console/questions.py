"""The question bank as the console shows it: a page of questions by course, skill,
status, kind and text (paged in SQL), one question with its passage and why it passed
validation, and a trainer's approval, edit and retirement, each written to the audit
log in its own transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from knowledge.library import find_course
from knowledge.tables import Chunk, Course, Document, Skill, utcnow
from tutor.console.accounts import Account
from tutor.console.audit import record
from tutor.errors import TutorError
from tutor.i18n import N_
from tutor.i18n import gettext as _
from tutor.quiz.bank import draft_of, edit_in, retire_in
from tutor.quiz.review import Block, Reason, marked_passage, reasons
from tutor.tables import Question

KINDS = {"choice": N_("Multiple choice"), "true_false": N_("True or false"),
         "short": N_("Short answer")}
STATUSES = {"active": N_("Active"), "to-approve": N_("Not yet approved"),
            "approved": N_("Approved"), "edited": N_("Edited"), "retired": N_("Retired")}
GENERATORS = {"text": N_("the text generator"), "llm": N_("the model"),
              "edited": N_("a trainer's edit")}
RETIRED = N_("This question is retired: learners no longer get it.")
# A true/false question's options, stored as these words and translated where shown.
TRUE_FALSE = (N_("True"), N_("False"))


@dataclass(frozen=True)
class QuestionQuery:
    course: str = ""
    skill: str = ""  # a skill's name
    status: str = ""  # a key of STATUSES
    kind: str = ""  # a key of KINDS
    text: str = ""  # in the wording, the answer or the sentence tested, any case


_SORTS: dict[str, Any] = {
    "id": col(Question.id), "course": col(Course.name), "skill": col(Skill.name),
    "kind": col(Question.kind), "question": col(Question.question),
    "answer": col(Question.answer), "status": col(Question.status),
    "source": col(Question.document),
}
SORTS = tuple(_SORTS)


def _conditions(courses: list[str] | None, query: QuestionQuery) -> list[Any]:
    conditions: list[Any] = []
    if courses is not None:
        conditions.append(col(Course.name).in_(courses))
    if query.course:
        conditions.append(col(Course.name) == query.course)
    if query.skill:
        conditions.append(col(Skill.name) == query.skill)
    if query.kind:
        conditions.append(col(Question.kind) == query.kind)
    status = query.status
    if status in ("active", "retired"):
        conditions.append(col(Question.status) == status)
    elif status == "approved":
        conditions.append(col(Question.approved_by) != "")
    elif status == "to-approve":
        conditions += [col(Question.status) == "active", col(Question.approved_by) == ""]
    elif status == "edited":
        conditions.append(col(Question.generator) == "edited")
    if query.text:
        words = query.text.lower()
        conditions.append(or_(*(func.lower(field).contains(words, autoescape=True) for field in
                                (col(Question.question), col(Question.answer),
                                 col(Question.sentence)))))
    return conditions


def find_questions(engine: Engine, courses: list[str] | None, query: QuestionQuery, *,
                   sort: str = "id", descending: bool = False, offset: int = 0,
                   limit: int = 50) -> tuple[list[dict[str, object]], int]:
    """A page of the questions of `courses` (None: every course) that `query` picks,
    and how many it picks in all. A question whose skill is gone is still listed."""
    conditions = _conditions(courses, query)
    order = _SORTS.get(sort, _SORTS["id"])
    with Session(engine) as session:
        base = (select(Question, Course.name, Skill.name)
                .join(Course, col(Course.id) == Question.course_id)
                .outerjoin(Skill, col(Skill.id) == Question.skill_id)
                .where(*conditions))
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = session.exec(base.order_by(order.desc() if descending else order,
                                          col(Question.id)).offset(offset).limit(limit)).all()
    return [_row(question, course, skill or "") for question, course, skill in rows], total


def _row(question: Question, course: str, skill: str) -> dict[str, object]:
    return {"id": question.id, "course": course, "skill": skill, "kind": question.kind,
            "question": question.question, "options": json.loads(question.options),
            "answer": question.answer, "status": question.status,
            "retired_why": retired_reason(question.retired_why),
            "approved_by": question.approved_by,
            "approved_at": question.approved_at, "edited": question.generator == "edited",
            "document": question.document, "section": question.section,
            "source": " — ".join(filter(None, (question.document, question.section)))}


def shown_answer(kind: str, answer: str) -> str:
    """An answer as the bank's pages show it: a true/false one in the reader's words."""
    return _(answer) if kind == "true_false" and answer in TRUE_FALSE else answer


def retired_reason(why: str) -> str:
    """Why a question was retired, as stored (tutor/quiz/bank.py: a phrase of the
    catalogue, perhaps with the validator's check it fails after ": "), in the reader's
    language.

    >>> retired_reason("its passage changed: options repeat"), retired_reason("")
    ('its passage changed: options repeat', '')
    """
    if not why:
        return ""
    head, _sep, check = why.partition(": ")
    if not check:
        return _(why)
    return _("%(why)s: %(check)s") % {"why": _(head), "check": _(check)}


def skill_names(engine: Engine, courses: list[str] | None) -> list[str]:
    """The skills of `courses` (None: all) that have questions, by name."""
    with Session(engine) as session:
        query = (select(Skill.name).distinct()
                 .join(Question, col(Question.skill_id) == Skill.id)
                 .join(Course, col(Course.id) == Skill.course_id).order_by(col(Skill.name)))
        if courses is not None:
            query = query.where(col(Course.name).in_(courses))
        return list(session.exec(query).all())


def question_course(engine: Engine, question_id: int) -> str | None:
    """The course a question belongs to, or None when there is no such question."""
    with Session(engine) as session:
        return session.exec(select(Course.name).join(
            Question, col(Question.course_id) == Course.id).where(
            Question.id == question_id)).first()


@dataclass(frozen=True)
class QuestionDetail:
    row: dict[str, object]  # as find_questions gives it
    generator: str  # "text", "llm" or "edited"
    basis: str
    sentence: str  # the sentence it tests, as stored
    fact: str  # the part of it that is the answer
    created_at: datetime
    passage: list[Block]  # its source passage, sentence and fact marked; [] when gone
    sentence_found: bool  # whether the passage still states the sentence
    reasons: list[Reason]  # the validator's checks, made again now


def question_detail(engine: Engine, question_id: int) -> QuestionDetail | None:
    """One question with its passage and why it passed validation (the checks made
    again on it as it is stored, against its passage as it is now)."""
    with Session(engine) as session:
        found = session.exec(
            select(Question, Course.name, Skill.name)
            .join(Course, col(Course.id) == Question.course_id)
            .outerjoin(Skill, col(Skill.id) == Question.skill_id)
            .where(Question.id == question_id)).first()
        if found is None:
            return None
        question, course, skill = found
        chunk = session.exec(select(Chunk).join(Document, col(Document.id) == Chunk.document_id)
                             .where(Chunk.id == question.chunk_id,
                                    Document.name == question.document,
                                    Document.course_id == question.course_id)).first()
        others = session.exec(select(Question.id, Question.question).where(
            Question.course_id == question.course_id, Question.status == "active",
            Question.id != question.id)).all()
    text = chunk.text if chunk is not None else ""
    passage, sentence_found = marked_passage(text, question.sentence, question.fact)
    return QuestionDetail(
        _row(question, course, skill or ""), question.generator, question.basis,
        question.sentence, question.fact, question.created_at, passage, sentence_found,
        reasons(draft_of(question, skill or ""), text,
                [(number or 0, wording) for number, wording in others]))


def _active(session: Session, course_id: int, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None or question.course_id != course_id:
        raise TutorError(_("This course has no question %(id)d.") % {"id": question_id})
    if question.status != "active":
        raise TutorError(_(RETIRED))
    return question


def approve(engine: Engine, course: str, question_id: int, actor: Account) -> None:
    """A trainer vouches for an active question: rebuilding the bank never replaces
    it while its material states its sentence (tutor/quiz/bank.py `retire_stale`)."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        question = _active(session, course_id, question_id)
        question.approved_by, question.approved_at = actor.email, utcnow()
        session.add(question)
        record(session, actor, "question-approve", course, str(question_id),
               question=question.question)
        session.commit()


def edit_question(engine: Engine, course: str, question_id: int, actor: Account, *,
                  question: str, options: list[str] | None, answer: str) -> None:
    """A trainer's edit, checked as `tutorbot quiz edit` checks it (a TutorError says
    why it is refused, and nothing changes)."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        before = _fields(_active(session, course_id, question_id))
        after = _fields(edit_in(session, course_id, question_id, question=question,
                                options=options, answer=answer))
        changed = {key: [before[key], value] for key, value in after.items()
                   if before[key] != value}
        record(session, actor, "question-edit", course, str(question_id), changed=changed)
        session.commit()


def retire_question(engine: Engine, course: str, question_id: int, actor: Account) -> None:
    """A trainer's retirement: no learner gets the question again, and rebuilding the
    bank does not write it again."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        _active(session, course_id, question_id)
        row = retire_in(session, course_id, question_id)
        record(session, actor, "question-retire", course, str(question_id),
               question=row.question)
        session.commit()


def _fields(question: Question) -> dict[str, object]:
    return {"question": question.question, "options": json.loads(question.options),
            "answer": question.answer}
