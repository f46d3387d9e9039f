"""The question bank follows the material: built at ingest, retired when its passage
changes or goes, listed, retired and edited by trainers."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_COURSE
from tutor.errors import TutorError
from tutor.quiz.bank import build_bank, edit, list_questions, retire
from tutor.runtime import Runtime

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
