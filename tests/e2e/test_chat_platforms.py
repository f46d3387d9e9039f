"""Both chat adapters with the real models: a learner's question over Telegram and over
Slack, through the real libraries and real HTTP to the local platform stand-ins."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.telegram import TelegramAdapter
from tests.e2e.conftest import slack_bot
from tests.platforms.slack_api import FakeSlack
from tests.platforms.telegram_api import FakeTelegram
from tutor.dialogue import DialogueManager
from tutor.runtime import Runtime

pytestmark = pytest.mark.e2e
QUESTION = "How long should a burn be cooled under running water?"


async def test_telegram_answers_with_the_real_models(runtime: Runtime) -> None:
    async with FakeTelegram("42:real") as fake:
        settings = runtime.settings.model_copy(update={
            "telegram_token": SecretStr("42:real"), "telegram_api_url": fake.api_root})
        stop = asyncio.Event()
        task = asyncio.create_task(
            TelegramAdapter(DialogueManager(runtime), settings).run(stop))
        fake.user_message(7, QUESTION)
        answer = await fake.wait_for(
            lambda: next((m for m in fake.bot_messages(7) if "Sources" in m.get("text", "")),
                         None), timeout=300)
        stop.set()
        await asyncio.wait_for(task, 30)
    assert "first-aid.html" in answer["text"] and "20 minutes" in answer["text"]
    assert len(fake.edits(7, answer["message_id"])) >= 2  # streamed before the final text


async def test_slack_answers_with_the_real_models(runtime: Runtime) -> None:
    async with FakeSlack() as fake, slack_bot(runtime, fake) as url:
        event = fake.message_event("U9", QUESTION)
        status, _ = await fake.send_event(url, event)
        answer = await fake.wait_for(
            lambda: next((m for m in fake.messages("D0001") if m.get("blocks")), None),
            timeout=300)
    assert status == 200 and answer["thread_ts"] == event["ts"]
    shown = str(answer["blocks"])
    assert "first-aid.html" in shown and "20 minutes" in shown


async def test_serve_command_runs_telegram_and_stops_on_sigterm(runtime: Runtime) -> None:
    """`tutorbot serve telegram` as an operator starts it: a separate process, logging
    at DEBUG, where the libraries write every request URL (the token is in each)."""
    token = "4343:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    async with FakeTelegram(token) as fake:
        env = serve_env(runtime, TUTORBOT_TELEGRAM_TOKEN=token,
                        TUTORBOT_TELEGRAM_API_URL=fake.api_root, TUTORBOT_LOG_LEVEL="DEBUG")
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("tutorbot")), "serve", "telegram", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        await fake.wait_for(lambda: fake.commands, timeout=300)  # models loaded, polling
        fake.user_message(8, "/help")
        reply = await fake.wait_for(lambda: fake.bot_messages(8), timeout=60)
        fake.user_message(8, "/mydata")
        await fake.wait_for(lambda: len(fake.bot_messages(8)) >= 2, timeout=60)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert "Commands:" in reply[0]["text"]
    assert process.returncode == 0, output.decode()[-2000:]
    assert b"Serving telegram" in output and b"getUpdates" in output  # DEBUG lines came
    assert token.encode() not in output and token.split(":")[1].encode() not in output
    assert not [m for m in fake.bot_messages(8) if token in m.get("text", "")]


async def test_serve_with_a_rejected_token_exits_with_one_line(runtime: Runtime) -> None:
    async with FakeTelegram("4444:right") as fake:
        env = serve_env(runtime, TUTORBOT_TELEGRAM_TOKEN="4444:wrong-token-value",
                        TUTORBOT_TELEGRAM_API_URL=fake.api_root)
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("tutorbot")), "serve", "telegram", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, errors = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 1
    shown = " ".join(errors.decode().split())  # the terminal's width may wrap the line
    assert shown.endswith(
        "Error: Telegram rejected TUTORBOT_TELEGRAM_TOKEN: check the token BotFather gave you.")
    assert "Traceback" not in shown and "wrong-token-value" not in shown


def serve_env(runtime: Runtime, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(TUTORBOT_DATA_DIR=str(runtime.settings.data_dir), HF_HUB_OFFLINE="1",
               TUTORBOT_ASK_SERVER_IDLE_MINUTES="0", **settings)
    return env
