"""Quizzes end to end on every front, with the real embedding model, the real chat
libraries and real HTTP to the platform stand-ins, and the console with its input
piped: a quiz asked for, answered by button and by text, feedback with the cited
passage, mastery moved, /progress with its chart, another user's click refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.telegram import TelegramAdapter
from tests.e2e.conftest import slack_bot
from tests.platforms.slack_api import FakeSlack
from tests.platforms.telegram_api import FakeTelegram
from tutor.dialogue import DialogueManager
from tutor.messages import SENT_PRIVATELY
from tutor.runtime import Runtime

pytestmark = pytest.mark.e2e
TOPIC = "Burns and scalds"


def right_action(runtime: Runtime, action: str) -> str:
    """The action of the right option of the question that `action` answers."""
    import json

    from sqlmodel import Session

    from tutor.tables import Question, QuizRun

    prefix, run_id, position, _ = action.rsplit(":", 3)
    with Session(runtime.engine) as session:
        run = session.get(QuizRun, int(run_id))
        assert run is not None
        question = session.get(Question, json.loads(run.questions)[int(position)])
        assert question is not None
        number = json.loads(question.options).index(question.answer) + 1
    return f"{prefix}:{run_id}:{position}:{number}"


def current_answer(runtime: Runtime, learner: str) -> str:
    """The answer to the question the learner's running quiz is on."""
    import json

    from sqlmodel import Session, col, select

    from tutor.tables import Question, QuizRun

    with Session(runtime.engine) as session:
        run = session.exec(select(QuizRun).where(QuizRun.learner_id == learner)
                           .order_by(col(QuizRun.id).desc())).first()
        assert run is not None
        question = session.get(Question, json.loads(run.questions)[run.position])
        assert question is not None
        return question.answer


def any_buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


def quiz_buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row
            if b["callback_data"].startswith("quiz:")]


async def test_telegram_quiz_by_button_and_text(runtime: Runtime) -> None:
    async with FakeTelegram("44:quiz") as fake:
        settings = runtime.settings.model_copy(update={
            "telegram_token": SecretStr("44:quiz"), "telegram_api_url": fake.api_root})
        stop = asyncio.Event()
        task = asyncio.create_task(TelegramAdapter(DialogueManager(runtime), settings).run(stop))

        def numbered(n: int) -> dict | None:
            return next((m for m in fake.bot_messages(7)
                         if f"Question {n} of" in m.get("text", "")), None)

        fake.user_message(7, f"/quiz {TOPIC}")
        first, n = await fake.wait_for(lambda: numbered(1), timeout=120), 1
        while not quiz_buttons(first):  # a short answer comes first: typed, right
            fake.user_message(7, current_answer(runtime, "telegram:7"))
            n += 1
            first = await fake.wait_for(lambda n=n: numbered(n))
        fake.user_click(7, first["message_id"], right_action(runtime, quiz_buttons(first)[0]))
        feedback = await fake.wait_for(lambda: next(
            (m for m in fake.bot_messages(7) if "The answer:" in m.get("text", "")), None))
        assert "Sources" in feedback["text"] and "first-aid.html" in feedback["text"]
        assert "Mastery of" in feedback["text"]
        second = await fake.wait_for(lambda: numbered(n + 1))
        count = len(fake.bot_messages(7))
        fake.user_message(7, "1")  # typed: the first option
        await fake.wait_for(lambda: len(fake.bot_messages(7)) > count)
        assert any(word in fake.bot_messages(7)[count]["text"]
                   for word in ("Right", "Not quite", "Partly"))

        fake.user_message(7, "/progress")
        photo = await fake.wait_for(lambda: next(
            (m for m in fake.bot_messages(7) if "photo" in m), None))
        assert fake.photo_bytes(photo).startswith(b"\x89PNG")
        assert any("█" in m.get("text", "") and "Your progress" in m.get("text", "")
                   for m in fake.bot_messages(7))

        # In a group, a quiz is its starter's and runs in their private chat; another
        # member's click on its button is refused privately.
        # (In /coach mode every question has a Hint button, whatever its type.)
        fake.user_message(9, "/start")  # the learner's private chat is open
        await fake.wait_for(lambda: fake.bot_messages(9))
        fake.user_message(9, "/coach", chat_id=-100, chat_type="group")
        await fake.wait_for(lambda: fake.bot_messages(-100))
        fake.user_message(9, "/quiz", chat_id=-100, chat_type="group")
        question = await fake.wait_for(lambda: next(
            (m for m in fake.bot_messages(9) if "Question 1 of" in m.get("text", "")), None),
            timeout=60)
        # One note in the group for the quiz's two private replies (its intro, question).
        await fake.wait_for(lambda: len(fake.bot_messages(-100)) == 2)
        await asyncio.sleep(0.5)  # time for a second note, were one coming
        group = fake.bot_messages(-100)
        assert [m.get("text", "") for m in group][1:] == [SENT_PRIVATELY]
        assert not any(any_buttons(m) for m in group)
        before = len(fake.bot_messages(9)), len(group)
        fake.user_click(8, question["message_id"], any_buttons(question)[0], chat_id=9)
        refusal = await fake.wait_for(lambda: next(
            (a for a in fake.callback_answers if "someone else's" in a.get("text", "")), None))
        stop.set()
        await asyncio.wait_for(task, 30)
    assert "send /quiz for your own" in refusal["text"]
    # Nothing said about it, in the private chat or the group.
    assert (len(fake.bot_messages(9)), len(fake.bot_messages(-100))) == before
    assert second["message_id"] != first["message_id"]


def slack_quiz_actions(message: dict) -> list[str]:
    return [e["value"] for block in message.get("blocks", []) if block["type"] == "actions"
            for e in block["elements"] if e["value"].startswith("tutor:quiz:")]


async def test_slack_quiz_by_button_and_text(runtime: Runtime) -> None:
    async with FakeSlack() as fake, slack_bot(runtime, fake) as url:
        dm = fake.im_channel("U7")
        start = fake.mention_event("U7", f"quiz {TOPIC}")  # in a channel: run in the DM
        await fake.send_event(url, start)

        def numbered(n: int) -> dict | None:
            return next((m for m in fake.messages(dm) if f"Question {n} of" in m["text"]),
                        None)

        first, n = await fake.wait_for(lambda: numbered(1), timeout=120), 1
        assert not any("Question" in m["text"] for m in fake.messages("C0001"))
        while not slack_quiz_actions(first):  # a short answer comes first: typed, right
            await fake.send_event(url, fake.message_event(
                "U7", current_answer(runtime, "slack:U7"), channel=dm))
            n += 1
            first = await fake.wait_for(lambda n=n: numbered(n))
        value = slack_quiz_actions(first)[0]
        status, _ = await fake.send_action(url, "U8", value, value, channel=dm,
                                           message_ts=first["ts"])
        refusal = await fake.wait_for(lambda: fake.ephemeral)
        assert status == 200 and refusal[0]["user"] == "U8"
        assert "someone else's" in refusal[0]["text"]
        right = right_action(runtime, value)
        await fake.send_action(url, "U7", right, right, channel=dm, message_ts=first["ts"])
        feedback = await fake.wait_for(lambda: next(
            (m for m in fake.messages(dm) if "The answer:" in m["text"]), None))
        assert "first-aid.html" in str(feedback["blocks"])  # the cited passage
        await fake.wait_for(lambda: numbered(n + 1))
        count = len(fake.messages(dm))
        await fake.send_event(url, fake.message_event("U7", "1", channel=dm))
        await fake.wait_for(lambda: len(fake.messages(dm)) > count)
        await fake.send_event(url, fake.message_event("U7", "progress", channel=dm))
        shared = await fake.wait_for(lambda: fake.shared_files)
    assert shared[0]["data"].startswith(b"\x89PNG") and shared[0]["channel"] == dm
    progress = next(m for m in fake.messages(dm) if "Your progress" in m["text"])
    assert "█" in progress["text"]


def test_console_quiz_with_piped_input(runtime: Runtime) -> None:
    """`printf '/quiz\\n1\\n/progress\\n/quit\\n' | tutorbot chat --course NAME`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(TUTORBOT_DATA_DIR=str(runtime.settings.data_dir), HF_HUB_OFFLINE="1",
               TUTORBOT_ASK_SERVER_IDLE_MINUTES="0", COLUMNS="100")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("tutorbot")), "chat", "--course", "workplace-safety"],
        input="/quiz\n1\n/progress\n/quit\n", capture_output=True, text=True, env=env,
        timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "Question 1 of 5" in out and "Type " in out
    assert "The answer:" in out or "Not quite" in out  # the typed "1" was graded
    assert "Your progress in workplace-safety" in out and "█" in out
