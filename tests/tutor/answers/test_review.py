"""The answers page's query: filters, sorting and paging done in SQL, learners shown
by name or pseudonym and never by their platform id."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, text
from sqlmodel import Session, select

from tutor import personal_data
from tutor.answers import log as answer_log
from tutor.answers.answering import Answer
from tutor.answers.review import AnswerFilter, answer_detail, find_answers
from tutor.learner_names import LearnerLabels, pseudonym
from tutor.messages import Source
from tutor.runtime import Runtime
from tutor.tables import AnswerRecord

KEY = b"test key"
NAMES = LearnerLabels("display", KEY)
PSEUDONYMS = LearnerLabels("pseudonymous", KEY)
ANA, BO = "telegram:4242", "slack:U0BO"
DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def keep(runtime: Runtime, question: str, *, learner: str = ANA, name: str = "Ana Lima",
         course: str = "safety", covered: bool = True, removed: tuple[str, ...] = (),
         at: datetime = DAY, helpful: bool | None = None) -> int:
    source = Source(1, "fire.md", "Extinguishers", "Use CO2 on electrical fires.", 0.8)
    answer = Answer(question, f"> Use CO2. [1] ({question})", (source,) if covered else (),
                    covered, not removed, removed=removed,
                    removed_why=tuple(f"unsupported: {r}" for r in removed),
                    quote="> Use CO2. [1]", kept=("It puts out electrical fires.",))
    record_id = answer_log.record(runtime.engine, learner_id=learner, course=course,
                                  answer=answer, keep_days=3650, name=name, now=at)
    assert record_id is not None
    if helpful is not None:
        with Session(runtime.engine) as session:
            row = session.get(AnswerRecord, record_id)
            assert row is not None
            row.helpful = helpful
            session.add(row)
            session.commit()
    return record_id


@pytest.fixture
def answers(runtime: Runtime) -> Runtime:
    """Eight answers over four days, two courses and two learners."""
    keep(runtime, "Which extinguisher for electrics?", helpful=True)
    keep(runtime, "Can I use water on a fryer?", helpful=False, at=DAY + timedelta(hours=1))
    keep(runtime, "What is 100% safe?", covered=False, at=DAY + timedelta(days=1))
    keep(runtime, "Who is the fire warden?", removed=("Bob is.",), at=DAY + timedelta(days=2),
         helpful=False)
    keep(runtime, "Where is the assembly point?", learner=BO, name="", at=DAY - timedelta(1))
    keep(runtime, "How do I lift a box?", course="lifting", at=DAY + timedelta(hours=2))
    keep(runtime, "How heavy is too heavy?", course="lifting", learner=BO, name="",
         covered=False, at=DAY + timedelta(days=2, hours=1))
    keep(runtime, "Which gloves for acid?", at=DAY + timedelta(hours=3), helpful=True)
    return runtime


def questions(rows: list[dict[str, object]]) -> list[object]:
    return [row["question"] for row in rows]


def find(runtime: Runtime, labels: LearnerLabels = NAMES, **options: object
         ) -> tuple[list[dict[str, object]], int]:
    options.setdefault("courses", None)
    return find_answers(runtime.engine, labels, **options)  # type: ignore[arg-type]


def test_newest_first_with_every_field_and_no_platform_id(answers: Runtime) -> None:
    rows, total = find(answers)
    assert total == 8 and len(rows) == 8
    assert rows[0]["question"] == "How heavy is too heavy?" and rows[-1]["course"] == "safety"
    stamps = [row["created_at"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]
    assert rows[0]["created_at"].tzinfo is not None  # type: ignore[attr-defined]
    assert set(rows[0]) == {"id", "created_at", "course", "learner_label", "question",
                            "answer", "quote", "covered", "explanation_removed", "helpful",
                            "rated_at", "turn_id", "trainer_answer_id"}
    for row in rows:
        assert ANA not in repr(row) and "U0BO" not in repr(row) and "4242" not in repr(row)
    assert {row["learner_label"] for row in rows} == {"Ana Lima", f"Learner {pseudonym(BO, KEY)}"}


def test_pseudonymous_pages_never_show_names(answers: Runtime) -> None:
    rows, _ = find(answers, PSEUDONYMS)
    labels = {row["learner_label"] for row in rows}
    assert labels == {f"Learner {pseudonym(ANA, KEY)}", f"Learner {pseudonym(BO, KEY)}"}
    assert "Ana" not in repr(rows)


@pytest.mark.parametrize(("filters", "expected"), [
    (AnswerFilter(course="lifting"), {"How do I lift a box?", "How heavy is too heavy?"}),
    (AnswerFilter(rating="down"), {"Can I use water on a fryer?", "Who is the fire warden?"}),
    (AnswerFilter(rating="up"), {"Which extinguisher for electrics?", "Which gloves for acid?"}),
    (AnswerFilter(rating="none", course="lifting"),
     {"How do I lift a box?", "How heavy is too heavy?"}),
    (AnswerFilter(not_covered=True), {"What is 100% safe?", "How heavy is too heavy?"}),
    (AnswerFilter(explanation_removed=True), {"Who is the fire warden?"}),
    (AnswerFilter(since=date(2026, 3, 11)),
     {"What is 100% safe?", "Who is the fire warden?", "How heavy is too heavy?"}),
    (AnswerFilter(until=date(2026, 3, 9)), {"Where is the assembly point?"}),
    (AnswerFilter(since=date(2026, 3, 11), until=date(2026, 3, 11)), {"What is 100% safe?"}),
    (AnswerFilter(text="WHICH"), {"Which extinguisher for electrics?", "Which gloves for acid?"}),
    (AnswerFilter(text="100% safe"), {"What is 100% safe?"}),
    (AnswerFilter(text="1%safe"), set()),  # % is a character, not a wildcard
    (AnswerFilter(text="use co2. [1] (can"), {"Can I use water on a fryer?"}),  # the answer
    (AnswerFilter(text="e_w"), set()),  # _ is a character too ("fire warden")
    (AnswerFilter(rating="down", explanation_removed=True, course="safety"),
     {"Who is the fire warden?"}),
])
def test_filters(answers: Runtime, filters: AnswerFilter, expected: set[str]) -> None:
    rows, total = find(answers, filters=filters)
    assert set(questions(rows)) == expected and total == len(expected)


def test_a_trainer_sees_only_their_courses(answers: Runtime) -> None:
    rows, total = find(answers, courses=["lifting"])
    assert total == 2 and {row["course"] for row in rows} == {"lifting"}
    assert find(answers, courses=["lifting"], filters=AnswerFilter(course="safety")) == ([], 0)
    assert find(answers, courses=[]) == ([], 0)
    safety = next(row for row in find(answers)[0] if row["course"] == "safety")
    assert answer_detail(answers.engine, NAMES, safety["id"], ["lifting"]) is None  # type: ignore[arg-type]
    assert answer_detail(answers.engine, NAMES, safety["id"], ["safety"]) is not None  # type: ignore[arg-type]


def test_pages_follow_one_another_without_overlap(answers: Runtime) -> None:
    pages = [find(answers, sort="question", descending=False, page=page, per_page=3)
             for page in (1, 2, 3, 4)]
    assert [total for _, total in pages] == [8] * 4
    assert [len(rows) for rows, _ in pages] == [3, 3, 2, 0]
    seen = [q for rows, _ in pages for q in questions(rows)]
    assert seen == sorted(seen) and len(set(seen)) == 8


def test_sorts(answers: Runtime) -> None:
    oldest = find(answers, sort="created_at", descending=False)[0]
    assert oldest[0]["question"] == "Where is the assembly point?"
    by_rating = [row["helpful"] for row in find(answers, sort="rating")[0]]
    assert by_rating == [True, True, False, False, None, None, None, None]  # unrated last
    by_rating = [row["helpful"] for row in find(answers, sort="rating", descending=False)[0]]
    assert by_rating == [False, False, True, True, None, None, None, None]
    courses = [row["course"] for row in find(answers, sort="course", descending=False)[0]]
    assert courses == ["lifting"] * 2 + ["safety"] * 6
    with pytest.raises(ValueError, match="sort by one of"):
        find(answers, sort="learner_id")


def test_paging_happens_in_the_database(answers: Runtime) -> None:
    """One COUNT and one LIMITed SELECT, whatever the page: no row beyond the page
    comes to Python."""
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(answers.engine, "before_cursor_execute", listen)
    try:
        rows, total = find(answers, page=2, per_page=2)
    finally:
        event.remove(answers.engine, "before_cursor_execute", listen)
    assert (len(rows), total) == (2, 8)
    selects = [s.lower() for s in statements if s.lstrip().lower().startswith("select")]
    assert len(selects) == 2
    assert "count(" in selects[0] and "limit" in selects[1] and "offset" in selects[1]


def test_an_answer_in_detail(answers: Runtime) -> None:
    rows, _ = find(answers, filters=AnswerFilter(explanation_removed=True))
    detail = answer_detail(answers.engine, NAMES, rows[0]["id"])  # type: ignore[arg-type]
    assert detail is not None and detail["learner_label"] == "Ana Lima"
    assert detail["question"] == "Who is the fire warden?"
    assert detail["kept"] == ["It puts out electrical fires."]
    assert detail["removed"] == [{"text": "Bob is.", "why": "unsupported: Bob is."}]
    assert detail["sources"] == [{"number": 1, "document": "fire.md",
                                  "section": "Extinguishers", "page": None,
                                  "text": "Use CO2 on electrical fires."}]
    assert "learner_id" not in detail and ANA not in repr(detail)
    assert answer_detail(answers.engine, NAMES, 10**6) is None


def test_forgotten_learners_leave_every_page(answers: Runtime) -> None:
    ana_ids = [row["id"] for row in find(answers)[0] if row["learner_label"] == "Ana Lima"]
    personal_data.forget(answers.engine, ANA)
    rows, total = find(answers)
    assert total == 2 and {row["learner_label"] for row in rows} == {
        f"Learner {pseudonym(BO, KEY)}"}
    assert all(answer_detail(answers.engine, NAMES, i) is None for i in ana_ids)  # type: ignore[arg-type]
    with Session(answers.engine) as session:
        assert session.exec(select(AnswerRecord).where(AnswerRecord.learner_id == ANA)).all() == []


def _many(runtime: Runtime, courses: dict[str, int]) -> None:
    """Answers of each course, interleaved in time, in one statement."""
    names = [name for name, count in courses.items() for _ in range(count)]
    rows = [{"learner_id": ANA, "course": course, "question": f"Question {n}?",
             "answer": "An answer.", "created_at": DAY + timedelta(minutes=(n * 7) % 1000),
             "covered": True, "explanation_removed": False}
            for n, course in enumerate(names)]
    with runtime.engine.begin() as connection:
        connection.execute(insert(AnswerRecord), rows)


def _page_plan(runtime: Runtime, **options: object) -> tuple[list[object], str]:
    """The page's questions, and how SQLite plans picking the page's ids (the
    subquery of the statement that reads the page)."""
    sent: list[tuple[str, object]] = []
    listen = lambda *args: sent.append((args[2], args[3]))  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listen)
    try:
        rows, _ = find(runtime, **options)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listen)
    statement, parameters = sent[-1]
    with runtime.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()  # type: ignore[arg-type]
    subquery = next(step[0] for step in plan if str(step[-1]).startswith("LIST SUBQUERY"))
    return questions(rows), " / ".join(str(step[-1]) for step in plan if step[1] == subquery)


def test_a_filter_most_answers_pass_reads_the_page_in_date_order(runtime: Runtime) -> None:
    """SQLite keeps no statistics: left alone, it narrows a trainer's course by its
    index and sorts every match to show a page. Where most answers match, the page
    walks the date index instead (the rows it finds are the same); where few do, it
    still narrows first."""
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    _many(runtime, {"safety": 300, "lifting": 12})
    with Session(runtime.engine) as session:
        every = session.exec(select(AnswerRecord).order_by(
            AnswerRecord.created_at.desc(), AnswerRecord.id.desc())).all()  # type: ignore[attr-defined]
    for course, walked in (("safety", True), ("lifting", False)):
        shown, plan = _page_plan(runtime, courses=[course], per_page=10, page=2)
        assert shown == [r.question for r in every if r.course == course][10:20]
        assert ("USING INDEX ix_answerrecord_created_at" in plan) is walked, plan
        assert ("TEMP B-TREE" in plan) is not walked, plan
    deep, plan = _page_plan(runtime, courses=["safety"], per_page=10, page=30)
    assert deep == [r.question for r in every if r.course == "safety"][290:300]
    assert "TEMP B-TREE" in plan  # near the end, sorting the matches reads fewer
    with runtime.engine.connect() as connection:  # the hint changes no answer
        assert connection.execute(text("SELECT likely(1 = 1), likely(1 = 2)")).one() == (1, 0)
