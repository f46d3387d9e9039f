"""The question bank follows the material: built at ingest, retired when its passage
changes or goes, listed, retired and edited by trainers."""

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session

from knowledge.tables import Chunk, utcnow
from tests.conftest import SAMPLE_COURSE
from tutor.errors import TutorError
from tutor.quiz.bank import (
    BY_TRAINER,
    CHANGED,
    DECIDED,
    GONE,
    build_bank,
    edit,
    list_questions,
    retire,
)
from tutor.runtime import Runtime
from tutor.tables import Question

COURSE = "safety"


@pytest.fixture
def course(runtime: Runtime, tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(SAMPLE_COURSE, folder)
    report = runtime.add_material([folder], COURSE)
    assert report.questions_added > 20 and not report.failed
    return folder


def test_the_bank_is_built_at_ingest_and_not_twice(runtime: Runtime, course: Path) -> None:
    questions = list_questions(runtime.engine, COURSE)
    assert {q["type"] for q in questions} <= {"choice", "true_false", "short"}
    assert all(set(q["source"]) == {"document", "section", "text"} for q in questions)
    assert build_bank(runtime.engine, COURSE).stored == []  # all are in the bank already


def test_a_question_whose_passage_changed_is_never_listed_again(runtime: Runtime,
                                                                course: Path) -> None:
    before = [q for q in list_questions(runtime.engine, COURSE)
              if q["source"]["document"] == "first-aid.html"]
    assert before
    page = course / "first-aid.html"
    page.write_text(page.read_text().replace("20 minutes", "twenty minutes"))
    report = runtime.add_material([course], COURSE)
    assert report.questions_retired >= 1
    after = list_questions(runtime.engine, COURSE)
    changed = [q for q in before if "20 minutes" in q["source"]["text"]]
    assert changed and not {q["id"] for q in changed} & {q["id"] for q in after}
    retired = list_questions(runtime.engine, COURSE, retired=True)
    assert {q["id"] for q in changed} <= {q["id"] for q in retired if q["status"] == "retired"}


def test_trainers_retire_and_edit_and_a_bad_edit_is_refused(runtime: Runtime,
                                                           course: Path) -> None:
    first = list_questions(runtime.engine, COURSE)[0]
    retire(runtime.engine, COURSE, int(first["id"]))
    assert first["id"] not in {q["id"] for q in list_questions(runtime.engine, COURSE)}
    choice = next(q for q in list_questions(runtime.engine, COURSE) if q["type"] == "choice")
    edited = edit(runtime.engine, COURSE, int(choice["id"]),
                  question="Which? " + str(choice["question"]))
    assert str(edited["question"]).startswith("Which? ")
    with pytest.raises(TutorError, match="not one of the options"):
        edit(runtime.engine, COURSE, int(choice["id"]), answer="42 minutes")
    with pytest.raises(TutorError, match="no question 999999"):
        retire(runtime.engine, COURSE, 999999)
    with pytest.raises(TutorError, match="no skill named 'Nope'"):
        build_bank(runtime.engine, COURSE, skill="Nope")


def _question(runtime: Runtime, question_id: int) -> Question:
    with Session(runtime.engine) as session:
        row = session.get(Question, question_id)
        assert row is not None
        return row


def _approve(runtime: Runtime, question_id: int) -> None:
    with Session(runtime.engine) as session:
        row = session.get(Question, question_id)
        assert row is not None
        row.approved_by, row.approved_at = "tina@example.org", utcnow()
        session.add(row)
        session.commit()


def test_an_approved_question_outlives_rebuilds_while_its_passage_states_it(
        runtime: Runtime, course: Path) -> None:
    first_aid = [q for q in list_questions(runtime.engine, COURSE)
                 if q["source"]["document"] == "first-aid.html"]
    chunk_text = {int(q["id"]): _passage(runtime, int(q["id"])) for q in first_aid}
    kept = next(q for q in first_aid if "20 minutes" not in chunk_text[int(q["id"])])
    sibling = next(q for q in first_aid if q["id"] != kept["id"]
                   and "20 minutes" not in chunk_text[int(q["id"])])
    changed = next(q for q in first_aid if "20 minutes" in str(q["source"]["text"]))
    for question in (kept, changed):
        _approve(runtime, int(question["id"]))
    report = build_bank(runtime.engine, COURSE)
    assert report.retired == 0 and report.stored == []
    assert _question(runtime, int(kept["id"])).status == "active"
    # A re-ingest of the changed page replaces all its passages: the approved question
    # moves to its sentence's new passage; an unapproved one there is written afresh.
    page = course / "first-aid.html"
    page.write_text(page.read_text().replace("20 minutes", "twenty minutes"))
    runtime.add_material([course], COURSE)
    moved, gone = _question(runtime, int(kept["id"])), _question(runtime, int(sibling["id"]))
    assert moved.status == "active" and moved.approved_by == "tina@example.org"
    assert _passage(runtime, int(kept["id"])) == chunk_text[int(kept["id"])]
    assert gone.status == "retired" and gone.retired_why == GONE
    stale = _question(runtime, int(changed["id"]))
    assert stale.status == "retired" and stale.retired_why.startswith(CHANGED)
    assert stale.approved_by == "tina@example.org"  # the page shows it was approved
    active = list_questions(runtime.engine, COURSE)
    assert sum(q["question"] == kept["question"] for q in active) == 1  # not written twice


def _passage(runtime: Runtime, question_id: int) -> str:
    with Session(runtime.engine) as session:
        chunk = session.get(Chunk, _question(runtime, question_id).chunk_id)
        return chunk.text if chunk else ""


def test_rebuilding_leaves_a_trainers_edit_and_retirement_alone(runtime: Runtime,
                                                                course: Path) -> None:
    short = [q for q in list_questions(runtime.engine, COURSE) if q["type"] == "short"]
    reworded, dropped = short[0], short[1]
    edit(runtime.engine, COURSE, int(reworded["id"]),
         question="In your own words: what does the passage ask for here?")
    retire(runtime.engine, COURSE, int(dropped["id"]))
    report = build_bank(runtime.engine, COURSE)
    assert report.stored == [] and report.failed[DECIDED] >= 2  # and drafts on the same sentence
    assert _question(runtime, int(reworded["id"])).generator == "edited"
    assert _question(runtime, int(dropped["id"])).retired_why == BY_TRAINER
    stems = {q["question"] for q in list_questions(runtime.engine, COURSE)}
    assert reworded["question"] not in stems and dropped["question"] not in stems


def test_an_edit_keeps_the_shape_of_its_kind(runtime: Runtime, course: Path) -> None:
    questions = list_questions(runtime.engine, COURSE)
    short = next(q for q in questions if q["type"] == "short")
    with pytest.raises(TutorError, match="no options"):
        edit(runtime.engine, COURSE, int(short["id"]), options=["a", "b"])
    true = next(q for q in questions if q["type"] == "true_false" and q["answer"] == "True"
                and "True or false? " + str(q["source"]["text"]) in str(q["question"]))
    with pytest.raises(TutorError, match="so its answer is True"):
        edit(runtime.engine, COURSE, int(true["id"]), answer="False")
    with pytest.raises(TutorError, match="True and False"):
        edit(runtime.engine, COURSE, int(true["id"]), answer="Yes")
