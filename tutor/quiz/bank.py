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
from tutor.i18n import N_, gettext
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


# Why a question was retired: stored as written here (CHANGED may be followed by ": " and
# the validator's check it fails), translated where shown (tutor/console/questions.py).
BY_TRAINER = N_("retired by a trainer")
GONE, CHANGED = N_("its passage is gone"), N_("its passage changed")
SKILL_GONE = N_("its skill is gone")
DECIDED = "a trainer edited or retired it"  # a draft rebuilding the bank leaves out


def trainers(question: Question) -> bool:
    """Whether a trainer made this question theirs (approved or edited it): rebuilding
    the bank never replaces it while its material still states its sentence."""
    return bool(question.approved_by) or question.generator == "edited"


def draft_of(question: Question, skill: str = "") -> QuestionDraft:
    """A stored question as the validator reads a draft."""
    return QuestionDraft(question.kind, question.question, tuple(json.loads(question.options)),
                         question.answer, question.chunk_id, skill, question.sentence,
                         question.fact, tuple(json.loads(question.wrong)), question.generator,
                         question.basis)


def retire_stale(session: Session, course_id: int,
                 passages: list[tuple[Chunk, str, str]]) -> int:
    """Retire the questions whose passage (of `passages`, the course's) is gone or no
    longer states their sentence, or whose skill is gone; returns how many. A
    question a trainer approved or edited moves instead to the passage of its
    document that states its sentence now (re-ingesting a changed file replaces all
    its passages), if it passes the checks there."""
    chunks = {chunk.id: chunk for chunk, _, _ in passages}
    skills = set(session.exec(select(Skill.id).where(Skill.course_id == course_id)))
    retired = 0
    for question in session.exec(select(Question).where(
            Question.course_id == course_id, Question.status == "active")):
        chunk = chunks.get(question.chunk_id)
        why = (GONE if chunk is None else
               CHANGED if not states(chunk.text, question.sentence) else
               SKILL_GONE if question.skill_id not in skills else "")
        if why and trainers(question):
            why = _rehome(question, passages)
        if why:
            question.status, question.retired_why = "retired", why
            retired += 1
        session.add(question)
    return retired


def _rehome(question: Question, passages: list[tuple[Chunk, str, str]]) -> str:
    """Point a trainer's question at the passage of its document that states its
    sentence and where it passes the checks: "" when there is one, else why not."""
    why = CHANGED if any(d == question.document for _, d, _ in passages) else GONE
    for chunk, document, skill in passages:
        if document != question.document or not states(chunk.text, question.sentence):
            continue
        reason = problem(draft_of(question, skill), chunk.text)
        if reason is None:
            question.chunk_id, question.skill_id = chunk.id or 0, chunk.skill_id or 0
            question.section = chunk.heading
            return ""
        why = f"{CHANGED}: {reason}"
    return why


def _decided(session: Session, course_id: int
             ) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    """What trainers have decided, by document: the sentences of the questions they
    edited (an edit may change the answer too), and the sentence and fact of each
    question they retired. Rebuilding the bank writes no new question on these."""
    rows = session.exec(select(Question.document, Question.sentence, Question.fact,
                               Question.generator, Question.retired_why).where(
        Question.course_id == course_id,
        (col(Question.generator) == "edited") | (col(Question.retired_why) == BY_TRAINER)))
    edited: set[tuple[str, str]] = set()
    retired: set[tuple[str, str, str]] = set()
    for document, sentence, fact, generator, why in rows:
        if generator == "edited":
            edited.add((document, sentence))
        if why == BY_TRAINER:
            retired.add((document, sentence, fact))
    return edited, retired


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
        edited, retired = _decided(session, course_id or 0)
        fresh = [d for d in drafts if (by_chunk[d.chunk_id][1], d.sentence) not in edited
                 and (by_chunk[d.chunk_id][1], d.sentence, d.fact) not in retired]
        active = list(session.exec(select(Question).where(
            Question.course_id == course_id, Question.status == "active")))
        kept, report.failed = validate(fresh, {c.id or 0: c.text for c, _, _ in chosen},
                                       [q.question for q in active])
        if len(fresh) < len(drafts):
            report.failed[DECIDED] = len(drafts) - len(fresh)
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
        raise TutorError(gettext("This course has no question %(id)d (`tutorbot quiz list` shows "
                           "their ids).") % {"id": question_id})
    return question


def retire(engine: Engine, course: str, question_id: int) -> None:
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        retire_in(session, course_id, question_id)
        session.commit()


def retire_in(session: Session, course_id: int, question_id: int) -> Question:
    """A trainer's retirement, in `session` (the caller commits): no learner sees the
    question again, and rebuilding the bank does not write it again."""
    question = _one(session, course_id, question_id)
    question.status, question.retired_why = "retired", BY_TRAINER
    session.add(question)
    return question


def edit(engine: Engine, course: str, question_id: int, *, question: str | None = None,
         options: list[str] | None = None, answer: str | None = None) -> dict[str, object]:
    """A trainer's correction of a question. It is checked like a generated one (the
    answer must still be one the passage states, options distinct and of one form),
    and refused with the reason if it fails."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        row = edit_in(session, course_id, question_id, question=question, options=options,
                      answer=answer)
        session.commit()
        skill = session.get(Skill, row.skill_id)
        return question_dict(row, skill.name if skill else "")


def edit_in(session: Session, course_id: int, question_id: int, *,
            question: str | None = None, options: list[str] | None = None,
            answer: str | None = None) -> Question:
    """`edit` in `session` (the caller commits); a TutorError says why it is refused."""
    row = _one(session, course_id, question_id)
    chunk = session.get(Chunk, row.chunk_id)
    options_now = options if options is not None else json.loads(row.options)
    new_answer = answer if answer is not None else row.answer
    wording = question if question is not None else row.question
    _check_shape(row, wording.strip(), options_now, new_answer)
    wrong = tuple(o for o in options_now if o != new_answer) if row.kind == "choice" else (
        tuple(json.loads(row.wrong)))
    fact = new_answer if row.kind != "true_false" else row.fact
    draft = QuestionDraft(row.kind, wording.strip(), tuple(options_now), new_answer,
                          row.chunk_id, "", row.sentence, fact, wrong, basis=row.basis)
    why = problem(draft, chunk.text if chunk else "")
    if why is not None:
        raise TutorError(gettext("The edited question would not reach learners: %(why)s.") % {
            "why": gettext(why)})
    row.question, row.options, row.answer = draft.question, json.dumps(draft.options), (
        draft.answer)
    row.fact, row.wrong, row.generator = draft.fact, json.dumps(draft.wrong), "edited"
    session.add(row)
    return row


def _check_shape(row: Question, wording: str, options: list[str], answer: str) -> None:
    """What an edit must keep of its kind: a wording and an answer; a choice's answer
    among its options; a short answer with no options; a true/false question's
    options True and False, its answer True where its statement is the passage's
    sentence and False where it puts a wrong fact in it."""
    if not wording or not answer.strip():
        raise TutorError(gettext("A question needs its wording and its answer."))
    if row.kind == "choice" and answer not in options:
        raise TutorError(gettext("The answer '%(answer)s' is not one of the options.") % {
            "answer": answer})
    if row.kind == "short" and options:
        raise TutorError(gettext("A short-answer question has no options: learners type the "
                           "answer."))
    if row.kind != "true_false":
        return
    if list(options) != ["True", "False"] or answer not in options:
        raise TutorError(gettext("A true/false question's options are True and False, and its "
                           "answer is one of them."))
    statement = wording.split("True or false?")[-1]
    false = [w for w in json.loads(row.wrong) if row.sentence.replace(row.fact, w, 1) in statement]
    if row.sentence in statement and answer != "True":
        raise TutorError(gettext("The statement says what the passage says, so its answer is "
                           "True."))
    if false and row.sentence not in statement and answer != "False":
        raise TutorError(gettext("The statement says '%(wrong)s' where the passage says "
                           "'%(fact)s', so its answer is False.") % {
            "wrong": false[0], "fact": row.fact})


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
