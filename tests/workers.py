"""Real `tutorbot serve slack` worker processes (HTTP mode) for tests and benches."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.platforms.slack_api import FakeSlack


async def start_slack_worker(fake: FakeSlack, database_url: str, data_dir: Path, port: int,
                             **settings: str) -> asyncio.subprocess.Process:
    """One worker against the stand-in, on `port`; `settings` are more TUTORBOT_* values
    (lower-case names, without the prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DATA_DIR=str(data_dir), TUTORBOT_DATABASE_URL=database_url,
        TUTORBOT_SLACK_BOT_TOKEN=fake.bot_token, TUTORBOT_SLACK_API_URL=fake.api_url,
        TUTORBOT_SLACK_SIGNING_SECRET=fake.signing_secret, TUTORBOT_SLACK_LISTEN="127.0.0.1",
        TUTORBOT_SLACK_PORT=str(port), TUTORBOT_QUIZ_GENERATOR="text",
        TUTORBOT_ASK_SERVER_IDLE_MINUTES="0", HF_HUB_OFFLINE="1",
        **{f"TUTORBOT_{name.upper()}": value for name, value in settings.items()})
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("tutorbot")), "serve", "slack", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def until_listening(fake: FakeSlack, url: str, worker: asyncio.subprocess.Process,
                          timeout: float = 300) -> None:
    """Wait until the worker answers Slack's URL handshake at `url`."""
    for _ in range(int(timeout / 0.5)):
        if worker.returncode is not None:
            break
        try:
            if (await fake.send_url_verification(url))[0] == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.5)
    output = (await worker.stdout.read()).decode() if worker.stdout else ""
    raise AssertionError(f"worker at {url} did not start: {output[-2000:]}")


async def stop_workers(workers: list[asyncio.subprocess.Process]) -> list[str]:
    """SIGTERM each worker still running; their output."""
    for worker in workers:
        if worker.returncode is None:
            worker.terminate()
    return [(await worker.communicate())[0].decode() for worker in workers]


def final_reply(fake: FakeSlack, event: dict) -> dict | None:
    """The bot's finished reply in the event's thread (the one with blocks)."""
    return next((m for m in fake.messages(event["channel"])
                 if m["thread_ts"] == event["ts"] and m.get("blocks")), None)
