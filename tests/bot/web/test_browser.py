"""The console in chromium: signing in both ways, learners' words shown as text and
never run, and the basics (title, labels, a phone's width, no console error) on every
page there is. Over the fake embedder: these run in the normal suite."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from tests.bot.web.browser import (
    LiveConsole,
    check_page_basics,
    fail_on_dialogs,
    sign_in_with_link,
    sign_in_with_password,
)
from tests.bot.web.console import PASSWORD, add_courses, trainer
from tutor.tables import (
    AnswerRecord,
    AuditEntry,
    ContentGap,
    Feedback,
    Learner,
    TrainerAnswer,
)

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE = f"How do I {SCRIPT} lift {IMAGE} safely?"
# The pages that show what learners wrote (or what was made from it): each one is
# opened with HOSTILE in its rows. Add yours as they come (answers, gaps, trainer
# answers); learner_text() below already stores it where they will read it.
LEARNER_TEXT_PAGES = ["/audit", "/answers", "/answers/1", "/trainer-answers",
                      "/trainer-answers/1"]


def learner_text(engine: Engine, course: str) -> None:
    """HOSTILE wherever a learner's words are kept: a name, a rated answer, a
    question the material could not answer, and the audit log's record of a trainer
    answering it."""
    with Session(engine) as session:
        session.add(Learner(id="telegram:666", course=course, display_name=HOSTILE))
        session.add(Feedback(learner_id="telegram:666", turn_id=1, course=course,
                             question=HOSTILE, answer=f"Answer to {IMAGE}", helpful=False))
        session.add(ContentGap(course=course, question=HOSTILE, best_score=0.1))
        session.add(AnswerRecord(
            learner_id="telegram:666", course=course, question=HOSTILE,
            answer=f"> {HOSTILE} [1]", quote=HOSTILE, kept=json.dumps([HOSTILE]),
            removed=json.dumps([{"text": IMAGE, "why": SCRIPT}]), helpful=False,
            sources=json.dumps([{"number": 1, "document": IMAGE, "section": SCRIPT,
                                 "page": None, "text": HOSTILE}])))
        session.add(TrainerAnswer(course=course, question=HOSTILE, answer=f"Never {IMAGE}",
                                  author="boss@example.org", author_name=SCRIPT,
                                  status="review", review_why=IMAGE))
        session.add(AuditEntry(actor="boss@example.org", action="trainer-answer",
                               course=course, target=HOSTILE,
                               detail=json.dumps({"question": HOSTILE}, ensure_ascii=False)))
        session.commit()


def test_sign_in_with_the_one_time_link(page: Page, live_console: LiveConsole) -> None:
    live_console.admin()
    link = live_console.link("boss@example.org")
    page.goto(link)
    expect(page).to_have_url(f"{live_console.url}/courses")
    expect(page.get_by_role("heading", name="Courses")).to_be_visible()
    expect(page.get_by_text("Boss · admin")).to_be_visible()

    page.context.clear_cookies()  # someone else, or the same person again
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("used already or has expired")
    expect(page.get_by_label("Email")).to_be_visible()


def test_sign_in_with_a_password_and_out(page: Page, live_console: LiveConsole) -> None:
    add_courses(live_console.runtime.engine, "forklifts", "fire-safety")
    trainer(live_console.runtime.engine, "forklifts")
    page.goto("/courses?sort=course")  # not signed in: to sign-in, and back after
    expect(page).to_have_url(f"{live_console.url}/sign-in?next=/courses%3Fsort%3Dcourse")
    sign_in_with_password(page, "tina@example.org", "not the password")
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an account.")
    expect(page.get_by_label("Email")).to_have_value("tina@example.org")  # kept
    sign_in_with_password(page, "tina@example.org", PASSWORD)
    expect(page).to_have_url(f"{live_console.url}/courses?sort=course")
    expect(page.get_by_role("link", name="forklifts")).to_be_visible()
    expect(page.get_by_text("fire-safety")).to_have_count(0)  # not hers
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)  # admins only

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_console.url}/sign-in")
    page.goto("/courses")
    expect(page).to_have_url(f"{live_console.url}/sign-in?next=/courses")


def test_learners_words_show_as_text_and_never_run(page: Page,
                                                  live_console: LiveConsole) -> None:
    dialogs = fail_on_dialogs(page)
    add_courses(live_console.runtime.engine, "forklifts")
    learner_text(live_console.runtime.engine, "forklifts")
    sign_in_with_link(page, live_console)
    for path in LEARNER_TEXT_PAGES:
        page.goto(path)
        main = page.get_by_role("main")
        expect(main).to_contain_text(SCRIPT)  # the characters themselves, shown
        expect(main).to_contain_text(IMAGE)
        assert page.locator("main script, main img").count() == 0, path
        page.wait_for_timeout(200)  # an onerror would have fired by now
        assert dialogs == [], f"{path} ran a learner's words: {dialogs}"


def test_every_page_has_the_basics(page: Page, live_console: LiveConsole) -> None:
    engine = live_console.runtime.engine
    page.goto("/sign-in")
    check_page_basics(page)
    sign_in_with_password(page, "nobody@example.org", "a wrong password")
    expect(page.get_by_role("alert")).to_be_visible()
    check_page_basics(page)  # with its error shown

    sign_in_with_link(page, live_console)
    check_page_basics(page)  # no courses yet: the empty state
    add_courses(engine, "forklifts", "a-course-with-a-rather-long-name-that-must-wrap-somehow")
    learner_text(engine, "forklifts")
    for path in ("/courses", "/audit", "/audit?action=trainer-answer&since=2020-01-01",
                 "/answers", "/answers?rating=down&not_covered=1&since=2020-01-01",
                 "/answers/1", "/trainer-answers", "/trainer-answers/1",
                 "/trainer-answers/new?answer=1", "/no-such-page"):
        page.goto(path)
        check_page_basics(page)

    trainer(engine, "forklifts")
    page.context.clear_cookies()
    sign_in_with_password(page, "tina@example.org")
    page.goto("/audit")  # refused: the error page in the layout
    expect(page.get_by_role("heading", name="Not yours to see")).to_be_visible()
    check_page_basics(page)
