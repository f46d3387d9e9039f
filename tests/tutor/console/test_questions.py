"""The question bank's console queries: a page of questions by filters, one question
with its passage and the validator's checks made again, and trainers' approvals,
edits and retirements with their audit entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.conftest import add_sample_and_one_page
from tutor.console.accounts import Account, add_account
from tutor.console.questions import (
    QuestionQuery,
    approve,
    edit_question,
    find_questions,
    question_detail,
    retire_question,
)
from tutor.errors import TutorError
from tutor.quiz.bank import list_questions
from tutor.runtime import Runtime
from tutor.tables import AuditEntry, Question

COURSE, OTHER = "safety", "first-aid"


@pytest.fixture
def bank(runtime: Runtime, tmp_path: Path) -> Runtime:
    return add_sample_and_one_page(runtime, tmp_path / "other", COURSE, OTHER)


@pytest.fixture
def tina(bank: Runtime) -> Account:
    return add_account(bank.engine, "tina@example.org", "trainer", [COURSE])


def all_of(runtime: Runtime, courses: list[str] | None, query: QuestionQuery,
           **order: object) -> list[dict[str, object]]:
    rows, total = find_questions(runtime.engine, courses, query, limit=100_000, **order)
    assert len(rows) == total
    return rows


def test_filters_pick_in_sql_and_pages_cover_them_once(bank: Runtime) -> None:
    everything = all_of(bank, None, QuestionQuery())
    assert {row["course"] for row in everything} == {COURSE, OTHER}
    mine = all_of(bank, [COURSE], QuestionQuery())
    assert {row["course"] for row in mine} == {COURSE}
    assert len(mine) == len(list_questions(bank.engine, COURSE))
    choice = all_of(bank, [COURSE], QuestionQuery(kind="choice"))
    assert choice and {row["kind"] for row in choice} == {"choice"} and len(choice) < len(mine)
    skill = str(mine[-1]["skill"])
    assert {row["skill"] for row in all_of(bank, [COURSE], QuestionQuery(skill=skill))} == {
        skill}
    word = "EXTINGUISHER"  # any case, in the wording, the answer or the sentence
    found = all_of(bank, [COURSE], QuestionQuery(text=word))
    assert found and all(word.lower() in json.dumps(row).lower() for row in found)
    assert all_of(bank, [COURSE], QuestionQuery(text="100%_")) == []  # no LIKE wildcards
    pages = [find_questions(bank.engine, [COURSE], QuestionQuery(), sort="skill",
                            descending=True, offset=offset, limit=7)
             for offset in range(0, len(mine), 7)]
    assert {total for _, total in pages} == {len(mine)}
    ids = [row["id"] for rows, _ in pages for row in rows]
    assert sorted(ids) == sorted(row["id"] for row in mine)  # each once
    skills = [str(row["skill"]) for rows, _ in pages for row in rows]
    assert skills == sorted(skills, reverse=True)


def test_status_filters_follow_approval_edit_and_retirement(bank: Runtime, tina: Account
                                                            ) -> None:
    rows = all_of(bank, [COURSE], QuestionQuery(kind="choice"))
    first, second, third = (int(str(row["id"])) for row in rows[:3])
    approve(bank.engine, COURSE, first, tina)
    edit_question(bank.engine, COURSE, second, tina, question="Which? " + str(rows[1]["question"]),
                  options=None, answer=str(rows[1]["answer"]))
    retire_question(bank.engine, COURSE, third, tina)

    def ids(status: str) -> set[object]:
        return {row["id"] for row in all_of(bank, [COURSE], QuestionQuery(status=status))}

    assert ids("approved") == {first} and ids("edited") == {second}
    assert ids("retired") == {third} and third not in ids("active")
    assert first not in ids("to-approve") and second in ids("to-approve")
    entries = {(e.action, e.target, e.actor, e.course) for e in _audit(bank)}
    assert entries == {("question-approve", str(first), tina.email, COURSE),
                       ("question-edit", str(second), tina.email, COURSE),
                       ("question-retire", str(third), tina.email, COURSE)}
    edited = next(e for e in _audit(bank) if e.action == "question-edit")
    assert json.loads(edited.detail)["changed"]["question"][1].startswith("Which? ")
    with pytest.raises(TutorError, match="retired"):
        approve(bank.engine, COURSE, third, tina)


def _audit(runtime: Runtime) -> list[AuditEntry]:
    with Session(runtime.engine) as session:
        return list(session.exec(select(AuditEntry)).all())


def test_a_refused_edit_changes_nothing_and_logs_nothing(bank: Runtime, tina: Account
                                                         ) -> None:
    row = all_of(bank, [COURSE], QuestionQuery(kind="short"))[0]
    with pytest.raises(TutorError, match="answer not in the passage"):
        edit_question(bank.engine, COURSE, int(str(row["id"])), tina, question="Changed?",
                      options=None, answer="forty-two bananas")
    with Session(bank.engine) as session:
        stored = session.get(Question, row["id"])
        assert stored is not None
        assert (stored.question, stored.answer) == (row["question"], row["answer"])
    assert _audit(bank) == []


def test_the_detail_marks_the_sentence_and_gives_each_check(bank: Runtime) -> None:
    row = all_of(bank, [COURSE], QuestionQuery(kind="choice"))[0]
    detail = question_detail(bank.engine, int(str(row["id"])))
    assert detail is not None and detail.sentence_found
    pieces = [piece for block in detail.passage for piece in block.pieces]
    marked = "".join(p.text for p in pieces if p.mark)
    assert marked == detail.sentence
    assert [p.text for p in pieces if p.mark == "fact"] == [detail.fact]
    assert all(reason.passed for reason in detail.reasons)
    texts = [reason.text for reason in detail.reasons]
    assert f"its answer “{detail.fact}” is in that sentence" in texts[0]
    wrong = [o for o in row["options"] if o != row["answer"]]  # type: ignore[union-attr]
    for option in wrong:  # each wrong option: not stated, and wrong by the passage
        assert sum(f"“{option}”" in text for text in texts) >= 2
    assert "near-duplicate" in texts[-1]


def test_the_checks_are_made_again_not_recalled(bank: Runtime) -> None:
    """A wrong option the passage states (written into the row by hand) fails there."""
    row = all_of(bank, [COURSE], QuestionQuery(kind="choice"))[0]
    detail = question_detail(bank.engine, int(str(row["id"])))
    assert detail is not None
    stated = next(word for word in ("must", "the", "and") if f" {word} " in detail.sentence)
    with Session(bank.engine) as session:
        stored = session.get(Question, row["id"])
        assert stored is not None
        stored.wrong = json.dumps([stated])
        session.add(stored)
        session.commit()
    again = question_detail(bank.engine, int(str(row["id"])))
    assert again is not None
    assert not again.reasons[-1].passed
    assert f"“{stated}”" in again.reasons[-1].text
    assert all(reason.passed for reason in again.reasons[:-1])
