"""Two real `tutorbot serve slack` processes in HTTP mode on one PostgreSQL, each with
a data dir (and so an index folder) of its own, as behind a load balancer: they
migrate a new database together, a file uploaded through one is answered from by
the other, and an event redelivered to the other worker is answered once."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.bot.test_slack import text_of
from tests.platforms.slack_api import FakeSlack
from tests.postgres import PostgresCluster, free_port

pytestmark = pytest.mark.e2e
TRAINER, LEARNER = "U200", "U100"
LADDERS = (b"# Ladders\n\nKeep three points of contact on a zebra ladder: two hands and a "
           b"foot, or two feet and a hand.\n")


async def start_worker(fake: FakeSlack, database_url: str, data_dir: Path,
                       port: int) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DATA_DIR=str(data_dir), TUTORBOT_DATABASE_URL=database_url,
        TUTORBOT_SLACK_BOT_TOKEN=fake.bot_token, TUTORBOT_SLACK_API_URL=fake.api_url,
        TUTORBOT_SLACK_SIGNING_SECRET=fake.signing_secret, TUTORBOT_SLACK_LISTEN="127.0.0.1",
        TUTORBOT_SLACK_PORT=str(port), TUTORBOT_ADMINS=f"slack:{TRAINER}",
        TUTORBOT_QUIZ_GENERATOR="text", TUTORBOT_ASK_SERVER_IDLE_MINUTES="0",
        HF_HUB_OFFLINE="1")
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("tutorbot")), "serve", "slack", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def until_listening(fake: FakeSlack, url: str, worker: asyncio.subprocess.Process,
                          timeout: float = 300) -> None:
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


async def test_two_workers_on_one_postgresql(postgres: PostgresCluster | None,
                                             tmp_path: Path) -> None:
    if postgres is None:
        pytest.skip("PostgreSQL is not installed here")
    database_url = postgres.new_database(migrated=False)  # the workers migrate it, at once
    async with FakeSlack() as fake:
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
        workers = [await start_worker(fake, database_url, tmp_path / f"worker-{n}", port)
                   for n, port in enumerate(ports)]
        try:
            for url, worker in zip(urls, workers, strict=True):
                await until_listening(fake, url, worker)

            def final(event: dict) -> dict | None:
                return next((m for m in fake.messages(event["channel"])
                             if m["thread_ts"] == event["ts"] and m.get("blocks")), None)

            file = fake.add_file("ladders.md", LADDERS, filetype="markdown", user=TRAINER)
            upload = fake.message_event(TRAINER, "course: ladders", files=[file])
            await fake.send_event(urls[0], upload)
            report = await fake.wait_for(lambda: final(upload), timeout=300)
            assert "1 passages added" in text_of(report)

            choose = fake.message_event(LEARNER, "/course ladders", channel="D0002")
            await fake.send_event(urls[1], choose)
            await fake.wait_for(lambda: final(choose), timeout=60)
            ask = fake.message_event(LEARNER, "How many points of contact on a zebra ladder?",
                                     channel="D0002")
            first = await fake.send_event(urls[1], ask, event_id="EvAsk")
            again = await fake.send_event(urls[0], ask, event_id="EvAsk", retry_num=1)
            answer = await fake.wait_for(lambda: final(ask), timeout=300)
            await asyncio.sleep(2)  # time for a second answer, were one coming
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.terminate()
            outputs = [(await worker.communicate())[0].decode() for worker in workers]
    assert first[0] == again[0] == 200
    assert "three points of contact" in text_of(answer), outputs[1][-2000:]
    assert "ladders.md" in text_of(answer)
    assert [m["thread_ts"] for m in fake.messages("D0002")].count(ask["ts"]) == 1
    assert all(worker.returncode == 0 for worker in workers), outputs
    # The second worker built the course's index from the database, on its own disk.
    assert list((tmp_path / "worker-1").rglob("course-*-v*.faiss"))
