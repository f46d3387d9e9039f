"""The trainers' console end to end: chromium through Playwright on the console that
`bot.serve.serve` runs beside the Telegram and Slack adapters (real libraries, real
HTTP to the platform stand-ins, the real embedding model). What a learner asks shows
on the answers page; a trainer's answer written there reaches the next learner who
asks the same on Slack; a skill renamed on the skill map shows in /progress; the
question bank's approvals, edits and retirements are what the next quiz asks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from knowledge.tables import Skill
from tests.bot.web.browser import (  # noqa: F401  (the browser, once for the module)
    DESKTOP,
    BrowserErrors,
    check_page_basics,
    chromium,
)
from tests.conftest import SAMPLE_COURSE
from tests.e2e.fronts import Fronts
from tutor.console.accounts import add_account, make_sign_in_link
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import AnswerRecord, Question

pytestmark = pytest.mark.e2e
COURSE = "workplace-safety"
QUESTION = "How long should a burn be cooled under running water?"
ALIKE = "how long should a burn be cooled under running water"  # asked again, as typed
PARAPHRASE = "For how long should I run water over a burn?"
NEAR_MISS = "How should a burn be cooled?"  # how, not how long: the material answers it
ZSH_FAQ = Path(__file__).resolve().parents[2] / "bench" / "data" / "zsh-faq" / "material"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("console")), _env_file=None,
                        explain="never", stream_edit_interval_s=0.5)
    runtime = Runtime(settings)
    runtime.add_material([SAMPLE_COURSE], COURSE)
    add_account(runtime.engine, "dana@example.org", "admin", name="Dana Okafor",
                password="correct horse battery")
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def fronts(runtime: Runtime) -> Iterator[Fronts]:
    with Fronts(runtime) as running:
        yield running


@pytest.fixture
def page(chromium: Browser, fronts: Fronts) -> Iterator[Page]:  # noqa: F811
    """A browser signed in with a one-time link, as `make run` prints it; it fails
    the test on any console error."""
    errors = BrowserErrors()
    context = chromium.new_context(base_url=fronts.console_url, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    signed_in = context.new_page()
    errors.watch(signed_in)
    token = make_sign_in_link(fronts.runtime.engine, 1)
    signed_in.goto(f"/sign-in/link?token={token}")
    signed_in.wait_for_url("**/courses")
    yield signed_in
    context.close()
    errors.check()


def telegram_says(fronts: Fronts, user: int, text: str, until: str, timeout: float = 300
                  ) -> dict:
    """Send `text` as a Telegram user; the bot's first later message containing
    `until`."""
    seen = len(fronts.call(fronts.telegram.bot_messages, user))
    fronts.call(fronts.telegram.user_message, user, text, first_name="Ana", username="ana")
    return fronts.run(fronts.telegram.wait_for(lambda: next(
        (m for m in fronts.telegram.bot_messages(user)[seen:] if until in m.get("text", "")),
        None), timeout=timeout))


def slack_says(fronts: Fronts, user: str, text: str) -> dict:
    """Send `text` in a Slack DM; the bot's final answer (with its blocks)."""
    channel = "D0001"
    seen = len(fronts.call(fronts.slack.messages, channel))
    event = fronts.call(fronts.slack.message_event, user, text)
    status, _ = fronts.run(fronts.slack.send_event(fronts.slack_url, event))
    assert status == 200
    return fronts.run(fronts.slack.wait_for(lambda: next(
        (m for m in fronts.slack.messages(channel)[seen:]
         if m.get("blocks") and "Looking in" not in str(m["blocks"])
         and "actions" in str(m["blocks"])), None), timeout=300))


def slack_buttons(message: dict) -> dict[str, str]:
    """A Slack message's buttons: their text, and the action id a click sends."""
    return {element["text"]["text"]: element["action_id"] for block in message["blocks"]
            if block["type"] == "actions" for element in block["elements"]}


def slack_clicks(fronts: Fronts, user: str, message: dict, label: str) -> dict:
    """Click the button of `message` whose text starts with `label`; the bot's next
    message with blocks."""
    channel = "D0001"
    action = next(a for text, a in slack_buttons(message).items() if text.startswith(label))
    seen = len(fronts.call(fronts.slack.messages, channel))
    status, _ = fronts.run(fronts.slack.send_action(fronts.slack_url, user, action, action,
                                                    channel=channel, message_ts=message["ts"]))
    assert status == 200
    return fronts.run(fronts.slack.wait_for(lambda: next(
        (m for m in fronts.slack.messages(channel)[seen:] if m.get("blocks")), None),
        timeout=120))


def test_uploaded_material_is_answered_and_its_question_logged(
        fronts: Fronts, page: Page, tmp_path: Path) -> None:
    """Two files of a public FAQ and a corrupt PDF, uploaded into a new course: a
    progress bar per file, then the three result lines; a learner's question on
    Telegram is answered from the new material and shows on the answers page."""
    chapters = [ZSH_FAQ / "chapter-1.txt", ZSH_FAQ / "chapter-2.txt"]
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4 this is not really a PDF")
    page.goto("/courses")
    page.get_by_role("textbox", name="New course").fill("zsh-faq")
    page.get_by_role("button", name="Start it").click()
    page.locator("input[type=file][name=files]").set_input_files([*chapters, corrupt])
    page.get_by_role("button", name="Upload").click()
    job = page.locator("section.job").first
    for name in ("chapter-1.txt", "chapter-2.txt", "corrupt.pdf"):
        expect(job.get_by_role("progressbar", name=name)).to_be_attached()
    expect(job).to_contain_text("Uploaded 3 files", timeout=300_000)
    result = job.get_by_label("Result")
    expect(result).to_contain_text("✓ chapter-1.txt: added")
    expect(result).to_contain_text("✓ chapter-2.txt: added")
    expect(result).to_contain_text("✗ corrupt.pdf:")
    assert page.evaluate("document.querySelectorAll('section.job pre span').length") == 4

    telegram_says(fronts, 6, "/course zsh-faq", until="zsh-faq")
    answer = telegram_says(fronts, 6, "What is zsh?", until="Sources")
    assert "chapter-1.txt" in answer["text"]
    page.goto("/answers?course=zsh-faq")
    expect(page.get_by_role("row").filter(has_text="What is zsh?")).to_contain_text("Ana")


def test_what_a_learner_asked_is_corrected_by_a_trainer_for_the_next(
        fronts: Fronts, page: Page) -> None:
    answer = telegram_says(fronts, 7, QUESTION, until="Sources")
    assert "first-aid.html" in answer["text"]

    page.goto("/answers")
    row = page.get_by_role("row").filter(has_text=QUESTION)
    expect(row).to_contain_text("Ana")  # the name Telegram gave, not the platform id
    row.get_by_role("link", name=QUESTION).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("first-aid.html")
    expect(main).to_contain_text("20 minutes")

    page.get_by_role("link", name="Write a trainer answer").click()
    expect(page.get_by_label("The question it answers")).to_have_value(QUESTION)
    expect(page.locator("input[name=cite]:checked")).not_to_have_value("")  # its passage
    page.get_by_label("The right answer, as learners will read it").fill(
        "Under cool running water for a full 20 minutes, as soon as possible; then cover "
        "it loosely with cling film.")
    page.get_by_role("button", name="Save and serve it").click()
    expect(page.get_by_role("status")).to_contain_text("get this answer first")

    # The same question worded alike: the trainer's answer first, unasked.
    served = str(slack_says(fronts, "U9", ALIKE)["blocks"])
    assert "Answer from your trainer, Dana Okafor" in served and "cling film" in served
    # A paraphrase: the material's answer, and the trainer's one click away.
    offered = slack_says(fronts, "U9", PARAPHRASE)
    assert "Answer from your trainer" not in str(offered["blocks"])
    opened = slack_clicks(fronts, "U9", offered, "📌 Your trainer's answer to")
    assert "Answer from your trainer, Dana Okafor" in str(opened["blocks"])
    # A near miss is never given the trainer's answer unasked.
    missed = slack_says(fronts, "U9", NEAR_MISS)
    assert "Answer from your trainer" not in str(missed["blocks"])

    page.goto("/answers?text=cling+film")  # the trainer answers served are logged too
    expect(page.get_by_role("main")).to_contain_text("Trainer answer")


def test_a_skill_renamed_on_the_map_shows_in_progress(fronts: Fronts, page: Page) -> None:
    engine = fronts.runtime.engine
    with Session(engine) as session:  # the first skill /progress lists as not started
        first = session.exec(select(Skill).join(Question, col(Question.skill_id) == Skill.id)
                             .where(Question.status == "active").order_by(Skill.position)
                             ).first()
    assert first is not None
    page.goto(f"/skills/{COURSE}?skill={first.id}#edit")
    page.get_by_label("New name").fill("Fire safety: the basics")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Fire safety: the basics")

    progress = telegram_says(fronts, 8, "/progress", until="Your progress")
    assert "Fire safety: the basics" in progress["text"]
    assert first.name not in progress["text"]


def test_the_quiz_asks_what_the_question_bank_keeps(fronts: Fronts, page: Page) -> None:
    engine = fronts.runtime.engine
    with Session(engine) as session:  # a skill with a few questions: a quiz asks them all
        # (and fills up with its neighbours' to the quiz's length)
        skill, ids = next(
            (skill, ids) for skill in session.exec(select(Skill).order_by(Skill.position))
            if 3 <= len(ids := list(session.exec(select(Question.id).where(
                Question.skill_id == skill.id, Question.status == "active")))) <= 5)
    kept, edited, *retired = ids
    page.goto(f"/questions/{kept}")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("Approved")
    page.goto(f"/questions/{edited}")
    stem = page.locator("textarea[name=question]")
    stem.fill(f"(edited) {stem.input_value()}")
    page.get_by_role("button", name="Save the edit").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved")
    page.on("dialog", lambda dialog: dialog.accept())  # "Retire question …?"
    for question_id in retired:
        page.goto(f"/questions/{question_id}")
        page.get_by_role("button", name="Retire").click()
        expect(page.get_by_role("status").first).to_contain_text("Retired")

    shown = quiz_questions(fronts, 9, skill.name)
    with Session(engine) as session:
        wording = {q.id: q.question for q in session.exec(
            select(Question).where(col(Question.id).in_(ids)))}
    assert any(wording[kept] in text for text in shown)
    assert any(wording[edited] in text for text in shown) and "(edited)" in wording[edited]
    assert not any(wording[r] in text for r in retired for text in shown)


def quiz_questions(fronts: Fronts, user: int, skill: str) -> list[str]:
    """The questions of a whole /quiz on `skill`, each answered right by typing."""
    engine = fronts.runtime.engine
    message = telegram_says(fronts, user, f"/quiz {skill}", until="Question 1 of")
    total = int(re.search(r"Question 1 of (\d+)", message["text"]).group(1))
    shown = [message["text"]]
    for number in range(2, total + 1):
        with Session(engine) as session:
            answer = _current_answer(session, f"telegram:{user}")
        shown.append(telegram_says(fronts, user, answer, until=f"Question {number} of")["text"])
    return shown


def _current_answer(session: Session, learner: str) -> str:
    from tutor.tables import QuizRun

    run = session.exec(select(QuizRun).where(QuizRun.learner_id == learner)
                       .order_by(col(QuizRun.id).desc())).first()
    question = session.get(Question, json.loads(run.questions)[run.position])
    if question.kind == "choice":  # typed as the option's number
        return str(json.loads(question.options).index(question.answer) + 1)
    return question.answer


def test_every_page_has_the_basics_with_real_material(fronts: Fronts, page: Page) -> None:
    engine = fronts.runtime.engine
    with Session(engine) as session:
        answer = session.exec(select(AnswerRecord.id)).first()
        question = session.exec(select(Question.id)).first()
    for path in ("/courses", f"/courses/{COURSE}", "/skills", f"/skills/{COURSE}",
                 "/questions", f"/questions?course={COURSE}&status=retired",
                 f"/questions/{question}", "/answers", f"/answers/{answer}",
                 f"/trainer-answers/new?answer={answer}", "/trainer-answers",
                 "/trainer-answers/1", "/audit"):
        page.goto(path)
        check_page_basics(page)
