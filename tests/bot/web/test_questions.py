"""The question bank in the console: the list and its filters, a question with its
passage and why it passed, approve, edit (refused with the validator's reason, the
form kept) and retire, trainers kept to their courses, and the quiz following it all
through the dialogue manager."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.web.app import create_app
from tests.conftest import add_sample_and_one_page
from tests.tutor.quiz.test_quiz_chat import answer_right, shown_question
from tutor.console.accounts import add_account, make_sign_in_link
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.quiz.records import QuizRecords
from tutor.runtime import Runtime
from tutor.tables import AuditEntry, Question, QuizRun

COURSE, OTHER = "workplace-safety", "first-aid"
ANA = "test:ana"


@pytest.fixture
def bank_runtime(runtime: Runtime, tmp_path: Path) -> Runtime:
    """The sample course, and a second course of one page."""
    return add_sample_and_one_page(runtime, tmp_path / "other", COURSE, OTHER)


def browser(runtime: Runtime, email: str, role: str, courses: list[str] | None = None
            ) -> Iterator[TestClient]:
    account = add_account(runtime.engine, email, role, courses)
    with TestClient(create_app(runtime), follow_redirects=False) as client:
        token = make_sign_in_link(runtime.engine, account.id)
        assert client.get(f"/sign-in/link?token={token}").status_code == 303
        yield client


@pytest.fixture
def bank_admin(bank_runtime: Runtime) -> Iterator[TestClient]:
    yield from browser(bank_runtime, "boss@example.org", "admin")


@pytest.fixture
def bank_trainer(bank_runtime: Runtime) -> Iterator[TestClient]:
    """A trainer of the sample course only."""
    yield from browser(bank_runtime, "tina@example.org", "trainer", [COURSE])


def csrf(client: TestClient, path: str = "/questions") -> str:
    found = re.search(r'data-csrf="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def listed(page: str) -> list[int]:
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/questions/(\d+)"', page))]


def stored(runtime: Runtime, question_id: int) -> Question:
    with Session(runtime.engine) as session:
        row = session.get(Question, question_id)
        assert row is not None
        return row


def ids_of(runtime: Runtime, course: str, **where: str) -> list[int]:
    with Session(runtime.engine) as session:
        from knowledge.library import find_course

        query = select(Question.id).where(Question.course_id == find_course(
            runtime.engine, course).id).order_by(Question.id)
        for key, value in where.items():
            query = query.where(getattr(Question, key) == value)
        return [int(n or 0) for n in session.exec(query)]


def test_the_list_filters_and_pages(bank_admin: TestClient, bank_runtime: Runtime) -> None:
    everything = ids_of(bank_runtime, COURSE) + ids_of(bank_runtime, OTHER)
    page = bank_admin.get("/questions?per_page=10")
    assert page.status_code == 200 and listed(page.text) == sorted(everything)[:10]
    assert f"1\u201310 of {len(everything)}" in page.text
    second = bank_admin.get("/questions?per_page=10&page=2")
    assert listed(second.text) == sorted(everything)[10:20]
    choice = bank_admin.get(f"/questions?course={COURSE}&kind=choice&per_page=500")
    assert listed(choice.text) == ids_of(bank_runtime, COURSE, kind="choice")
    assert f'<option value="{OTHER}">' in choice.text  # an admin's selector: every course
    exported = bank_admin.get(f"/questions?course={COURSE}&kind=choice&format=csv").text
    assert exported.splitlines()[0] == "#,Skill,Kind,Question,Answer,Status,Source"
    assert len(exported.strip().splitlines()) == 1 + len(ids_of(bank_runtime, COURSE,
                                                                kind="choice"))
    none = bank_admin.get("/questions?status=retired")
    assert listed(none.text) == [] and "No questions match" in none.text
    text = bank_admin.get("/questions?text=extinguisher&per_page=500")
    assert listed(text.text) and all(
        "extinguisher" in (stored(bank_runtime, n).question + stored(bank_runtime, n).answer
                           + stored(bank_runtime, n).sentence).lower()
        for n in listed(text.text))


def test_a_question_shows_its_passage_and_why_it_passed(bank_admin: TestClient,
                                                         bank_runtime: Runtime) -> None:
    number = ids_of(bank_runtime, COURSE, kind="choice")[0]
    row = stored(bank_runtime, number)
    page = bank_admin.get(f"/questions/{number}")
    assert page.status_code == 200
    assert f'<mark class="fact">{html.escape(row.fact)}</mark>' in page.text
    assert '<mark class="sentence">' in page.text and "Why it passed validation" in page.text
    assert page.text.count('<li class="pass">') >= 8 and '<li class="fail">' not in page.text
    for wrong in json.loads(row.wrong):
        assert f"The wrong option “{html.escape(wrong)}” is stated nowhere" in page.text
    assert 'data-confirm="Retire question' in page.text  # retiring asks first
    assert bank_admin.get("/questions/999999").status_code == 404


def test_a_refused_edit_shows_the_reason_and_keeps_what_was_typed(
        bank_admin: TestClient, bank_runtime: Runtime) -> None:
    number = ids_of(bank_runtime, COURSE, kind="choice")[0]
    before = stored(bank_runtime, number)
    options = json.loads(before.options)
    typed = {"question": "My own <b>wording</b> for _____?", "options": "\n".join(options),
             "answer": "42 bananas", "csrf": csrf(bank_admin)}
    page = bank_admin.post(f"/questions/{number}/edit", data=typed)
    assert page.status_code == 200 and 'role="alert"' in page.text
    assert "The answer &#39;42 bananas&#39; is not one of the options." in page.text
    assert ">My own &lt;b&gt;wording&lt;/b&gt; for _____?</textarea>" in page.text
    assert 'value="42 bananas"' in page.text
    wrong = next(o for o in options if o != before.answer)
    invented = {**typed, "answer": before.answer,
                "options": "\n".join([*options[:-1], before.answer + " or so"])}
    page = bank_admin.post(f"/questions/{number}/edit", data=invented)
    assert "would not reach learners" in page.text, wrong
    after = stored(bank_runtime, number)
    assert (after.question, after.options, after.generator) == (
        before.question, before.options, before.generator)


def test_approve_edit_and_retire_are_saved_and_audited(bank_admin: TestClient,
                                                       bank_runtime: Runtime) -> None:
    first, second, third = ids_of(bank_runtime, COURSE, kind="choice")[:3]
    token = csrf(bank_admin)
    done = bank_admin.post(f"/questions/{first}/approve", data={"csrf": token})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=approved")
    assert "Rebuilding the bank will not replace" in bank_admin.get(done.headers["location"]).text
    row = stored(bank_runtime, second)
    edited = bank_admin.post(f"/questions/{second}/edit", data={
        "csrf": token, "question": "Which? " + row.question, "options": "\n".join(
            json.loads(row.options)), "answer": row.answer})
    assert edited.status_code == 303
    assert bank_admin.post(f"/questions/{third}/retire", data={"csrf": token}
                           ).status_code == 303
    assert stored(bank_runtime, first).approved_by == "boss@example.org"
    assert stored(bank_runtime, second).question.startswith("Which? ")
    assert stored(bank_runtime, third).status == "retired"
    with Session(bank_runtime.engine) as session:
        entries = {(e.action, e.target, e.actor) for e in session.exec(select(AuditEntry))}
    assert entries == {("question-approve", str(first), "boss@example.org"),
                       ("question-edit", str(second), "boss@example.org"),
                       ("question-retire", str(third), "boss@example.org")}
    page = bank_admin.get(f"/questions/{third}").text
    assert "Retired: retired by a trainer" in page and "Save the edit" not in page
    assert bank_admin.post(f"/questions/{first}/approve").status_code == 403  # no CSRF token


def test_a_trainer_sees_and_changes_only_their_course(bank_trainer: TestClient,
                                                      bank_runtime: Runtime) -> None:
    page = bank_trainer.get("/questions?per_page=500")
    assert listed(page.text) == ids_of(bank_runtime, COURSE)
    assert f'<option value="{OTHER}">' not in page.text
    assert bank_trainer.get(f"/questions?course={OTHER}").status_code == 403
    theirs = ids_of(bank_runtime, OTHER)[0]
    assert bank_trainer.get(f"/questions/{theirs}").status_code == 403
    token = csrf(bank_trainer)
    before = stored(bank_runtime, theirs)
    for action, form in (("approve", {}), ("retire", {}),
                         ("edit", {"question": "Hacked?", "answer": before.answer})):
        response = bank_trainer.post(f"/questions/{theirs}/{action}",
                                     data={"csrf": token, **form})
        assert response.status_code == 403, action
    assert stored(bank_runtime, theirs) == before
    mine = ids_of(bank_runtime, COURSE)[0]
    assert bank_trainer.post(f"/questions/{mine}/approve", data={"csrf": token}
                             ).status_code == 303


async def say(manager: DialogueManager, text: str) -> list[Reply]:
    return [r async for r in manager.respond(IncomingMessage(ANA, text)) if not r.draft]


async def test_the_quiz_follows_a_retirement_and_an_edit(bank_admin: TestClient,
                                                         bank_runtime: Runtime) -> None:
    manager = DialogueManager(bank_runtime)
    await say(manager, f"/course {COURSE}")
    # The questions the learner's next quiz would ask (the choice is deterministic).
    _, coming = QuizRecords(bank_runtime.engine).choose(ANA, COURSE, "", 5)
    retired, reworded = coming[0], coming[1]
    token = csrf(bank_admin)
    assert bank_admin.post(f"/questions/{retired}/retire", data={"csrf": token}
                           ).status_code == 303
    row = stored(bank_runtime, reworded)
    wording = "Reworded by the trainer. " + row.question
    assert bank_admin.post(f"/questions/{reworded}/edit", data={
        "csrf": token, "question": wording, "answer": row.answer,
        **({"options": "\n".join(json.loads(row.options))} if row.kind == "choice" else {}),
    }).status_code == 303
    replies = await say(manager, "/quiz")
    with Session(bank_runtime.engine) as session:
        run = session.exec(select(QuizRun).where(QuizRun.learner_id == ANA)).one()
    asked = json.loads(run.questions)
    assert retired not in asked and reworded in asked
    for _ in asked:  # answer on until the edited question comes up
        shown = shown_question(replies)
        assert shown["question"] != retired
        if shown["question"] == reworded:
            break
        replies = await answer_right(manager, bank_runtime, shown)
    text = next(r.text for r in replies if r.data.get("quiz", {}).get("question") == reworded)
    assert wording.split("\n")[0] in text
