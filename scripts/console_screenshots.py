"""The README's screenshots of the trainers' console, taken in Debian's chromium over a
real tutor: the sample course, the real embedding model and the packaged language
model asked for explanations (TUTORBOT_EXPLAIN=always), a few learners' questions
through the dialogue every front uses, one rated, one answered by a trainer. Run by
a developer after a change to the pages:

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots]

Takes a few minutes on a CPU (the model writes four explanations).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from bot.web.app import create_app
from knowledge.library import find_course
from tutor.answers import trainer
from tutor.console.accounts import add_account, make_sign_in_link
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COURSE = "workplace-safety"
ASKED = [  # (learner, the name their platform shows, question, their rating)
    ("telegram:101", "Ana Lima", "How long should I cool a burn?", "down"),
    ("slack:U102", "Bo Chen", "Where is the assembly point?", "up"),
    ("telegram:103", "Chidi Okeke", "What is the guest wifi password?", None),
    ("telegram:101", "Ana Lima", "Who can drive a forklift?", None),
]
PAGES = [  # (path, file name, width)
    ("/courses", "console-courses", 1280),
    (f"/courses/{COURSE}", "console-course", 1280),
    (f"/skills/{COURSE}", "console-skills", 1280),
    (f"/questions?course={COURSE}", "console-questions", 1280),
    ("/answers", "console-answers", 1280),
    ("/answers/1", "console-answer", 1280),
    ("/trainer-answers/1", "console-trainer-answer", 1280),
    ("/answers", "console-answers-phone", 390),
]


async def ask(manager: DialogueManager) -> None:
    for learner, name, question, rating in ASKED:
        last = None
        async for reply in manager.respond(IncomingMessage(learner, question, name=name)):
            last = reply
        if rating and last is not None and last.buttons:
            button = next(b for b in last.buttons if b.action.startswith(f"feedback:{rating}"))
            async for _ in manager.respond(IncomingMessage(learner, "", button=button.action,
                                                           name=name)):
                pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data), _env_file=None, explain="always",
                            web_port=8799)
        runtime = Runtime(settings)
        runtime.add_material([ROOT / "knowledge" / "sample_course"], COURSE)
        account = add_account(runtime.engine, "dana@example.org", "admin", name="Dana Okafor")
        asyncio.run(ask(DialogueManager(runtime)))
        trainer.create(runtime.engine, COURSE, "What is the guest wifi password?",
                       "It is printed on the card at reception; ask the receptionist.",
                       author=account.email, author_name=account.shown_name, from_answer=3)
        assert find_course(runtime.engine, COURSE).id is not None
        server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1",
                                               port=settings.web_port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.1)
        base = f"http://127.0.0.1:{settings.web_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/sign-in/link?token={make_sign_in_link(runtime.engine, account.id)}")
            for path, name, width in PAGES:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(base + path)
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=width < 1000)
                print(f"{name}.png: {page.title()}")
            browser.close()
        server.should_exit = True
        runtime.close()


if __name__ == "__main__":
    main()
