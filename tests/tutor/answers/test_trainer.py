"""Trainer answers: written and cited, listed a page at a time, and sent to review when
the passage they cite changes or goes (never when it is only re-ingested unchanged)."""

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from knowledge.library import remove_course, remove_document
from knowledge.tables import Chunk, Document
from tutor.answers import trainer
from tutor.errors import TutorError
from tutor.runtime import Runtime
from tutor.tables import Question, TrainerAnswer
from tutor.withdrawn import material_removed

COURSE = "safety"
BURNS = """# Burns

## Cooling a burn

Cool the burn under cool running water for 20 minutes. Start as soon as possible.

## Covering a burn

After cooling, cover the burn loosely with cling film. Do not burst blisters.
"""
FIRE = """# Fire

## Assembly point

The assembly point is on the grass beside the car park at the north gate.
"""


@pytest.fixture
def course(runtime: Runtime, tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "burns.md").write_text(BURNS)
    (folder / "fire.md").write_text(FIRE)
    assert not runtime.add_material([folder], COURSE).failed
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "other.md").write_text("# Other\n\nAn unrelated passage on ladders.\n")
    runtime.add_material([tmp_path / "other"], "other")
    return folder


def chunk_with(runtime: Runtime, words: str) -> Chunk:
    with Session(runtime.engine) as session:
        return session.exec(select(Chunk).where(col(Chunk.text).contains(words))).one()


def cited(runtime: Runtime, question: str = "How do you cool a burn?") -> TrainerAnswer:
    return trainer.create(runtime.engine, COURSE, question,
                          "Under cool running water, for 20 minutes.", author="ana@example.org",
                          author_name="Ana Ruiz", chunk_id=chunk_with(runtime, "20 minutes").id)


def test_a_cited_answer_keeps_its_passage_and_a_foreign_one_is_refused(
        runtime: Runtime, course: Path) -> None:
    row = cited(runtime)
    assert row.status == "active" and row.document == "burns.md"
    assert row.section.endswith("Cooling a burn") and "20 minutes" in row.passage
    other = chunk_with(runtime, "ladders")
    # Another course's passage is as absent as none: its course is never named.
    with pytest.raises(TutorError, match=f"course 'safety' has no passage {other.id}:") as seen:
        trainer.create(runtime.engine, COURSE, "Ladders?", "Yes.", author="a", author_name="A",
                       chunk_id=other.id)
    assert "other" not in str(seen.value)
    with pytest.raises(TutorError, match="no passage 999999"):
        trainer.create(runtime.engine, COURSE, "Q?", "A.", author="a", author_name="A",
                       chunk_id=999999)
    with pytest.raises(TutorError, match="no course named 'nope'"):
        trainer.create(runtime.engine, "nope", "Q?", "A.", author="a", author_name="A")
    with pytest.raises(TutorError, match="answer is empty"):
        trainer.create(runtime.engine, COURSE, "Q?", "  ", author="a", author_name="A")
    own = trainer.create(runtime.engine, COURSE, "Who runs the drill?", "The site warden.",
                         author="a", author_name="A")
    assert own.chunk_id is None and own.passage == ""


def test_listing_pages_in_sql_by_course_and_status(runtime: Runtime, course: Path) -> None:
    made = [trainer.create(runtime.engine, COURSE, f"Question {n}?", "Answer.", author="a",
                           author_name="A") for n in range(5)]
    trainer.create(runtime.engine, "other", "Elsewhere?", "Answer.", author="a",
                   author_name="A")
    trainer.retire(runtime.engine, made[0].id or 0)
    page = trainer.list_trainer_answers(runtime.engine, [COURSE], "active", page=2, per_page=3)
    assert (page.total, page.pages, len(page.rows)) == (4, 2, 1)
    first = trainer.list_trainer_answers(runtime.engine, [COURSE], "active", page=1, per_page=3)
    assert {r.id for r in first.rows + page.rows} == {m.id for m in made[1:]}
    assert trainer.list_trainer_answers(runtime.engine, None, None).total == 6
    assert [r.id for r in trainer.list_trainer_answers(runtime.engine, [COURSE],
                                                       "retired").rows] == [made[0].id]
    with pytest.raises(TutorError, match="No status 'gone'"):
        trainer.list_trainer_answers(runtime.engine, [COURSE], "gone")


def test_an_unchanged_passage_is_followed_through_a_re_ingest(runtime: Runtime,
                                                              course: Path) -> None:
    row = cited(runtime)
    # Another section of the same document changes: every chunk of it is replaced.
    (course / "burns.md").write_text(BURNS.replace("cling film", "a clean plastic bag"))
    report = runtime.add_material([course], COURSE)
    assert report.updated == ["burns.md"]
    now = trainer.get(runtime.engine, row.id or 0)
    assert now.status == "active" and now.review_why == ""
    assert now.chunk_id == chunk_with(runtime, "20 minutes").id  # the new chunk of it


def test_a_changed_passage_goes_to_review_until_confirmed(runtime: Runtime,
                                                          course: Path) -> None:
    row = cited(runtime)
    (course / "burns.md").write_text(BURNS.replace("20 minutes", "ten minutes"))
    runtime.add_material([course], COURSE)
    flagged = trainer.get(runtime.engine, row.id or 0)
    assert (flagged.status, flagged.review_why) == ("review", trainer.PASSAGE_CHANGED)
    assert "20 minutes" in flagged.passage  # as it read when cited, for the reviewer
    confirmed = trainer.confirm(runtime.engine, row.id or 0)  # the passage read anew
    assert confirmed.status == "active" and "ten minutes" in confirmed.passage
    assert confirmed.chunk_id == chunk_with(runtime, "ten minutes").id


def test_removing_the_document_or_the_course_sends_answers_to_review(runtime: Runtime,
                                                                     course: Path) -> None:
    row = cited(runtime)
    own = trainer.create(runtime.engine, COURSE, "Who runs the drill?", "The site warden.",
                         author="a", author_name="A")
    remove_document(runtime.engine, runtime.index_store, COURSE, "burns.md",
                    on_removed=material_removed)
    flagged = trainer.get(runtime.engine, row.id or 0)
    assert (flagged.status, flagged.review_why) == ("review", trainer.DOCUMENT_GONE)
    assert trainer.get(runtime.engine, own.id or 0).status == "active"  # cites nothing
    with Session(runtime.engine) as session:  # the bank's questions on it went too
        assert session.exec(select(Question).where(Question.document == "burns.md",
                                                   Question.status == "active")).all() == []
    with pytest.raises(TutorError, match="passage this answer cites is gone"):
        trainer.confirm(runtime.engine, row.id or 0)
    back = trainer.confirm(runtime.engine, row.id or 0, keep_citation=False)
    assert back.status == "active" and back.chunk_id is None and back.passage == ""
    remove_course(runtime.engine, runtime.index_store, COURSE, on_removed=material_removed)
    for answer in (back, own):
        gone = trainer.get(runtime.engine, answer.id or 0)
        assert (gone.status, gone.review_why) == ("review", trainer.COURSE_GONE)


async def test_a_change_no_hook_saw_is_caught_before_serving(runtime: Runtime,
                                                             course: Path) -> None:
    row = cited(runtime)
    assert await runtime.trainer_answers.match(COURSE, "How do you cool a burn?") is not None
    with Session(runtime.engine) as session:  # behind every hook's back
        chunk = session.get(Chunk, row.chunk_id)
        assert chunk is not None
        chunk.text = chunk.text.replace("20 minutes", "5 minutes")
        session.add(chunk)
        session.commit()
    assert await runtime.trainer_answers.match(COURSE, "How do you cool a burn?") is None
    assert trainer.get(runtime.engine, row.id or 0).status == "review"


def test_edit_re_cites_and_retire_stops_it(runtime: Runtime, course: Path) -> None:
    row = cited(runtime)
    point = chunk_with(runtime, "assembly point is")
    edited = trainer.edit(runtime.engine, row.id or 0, answer="Twenty minutes, cool water.",
                          chunk_id=point.id, cite=True, author_name="Bo Chen")
    assert (edited.document, edited.author_name) == ("fire.md", "Bo Chen")
    assert edited.answer == "Twenty minutes, cool water." and edited.updated_at >= row.updated_at
    assert trainer.retire(runtime.engine, row.id or 0).status == "retired"
    with Session(runtime.engine) as session:
        assert session.exec(select(Document.name).where(Document.name == "fire.md")).one()
