"""Two real `tutorbot serve slack` processes in HTTP mode on one PostgreSQL, each with
a data dir (and so an index folder) of its own, as behind a load balancer: they
migrate a new database together, a file uploaded through one is answered from by
the other, and an event redelivered to the other worker is answered once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.bot.test_slack import text_of
from tests.platforms.slack_api import FakeSlack
from tests.postgres import PostgresCluster, free_port
from tests.workers import final_reply, start_slack_worker, stop_workers, until_listening

pytestmark = pytest.mark.e2e
TRAINER, LEARNER = "U200", "U100"
LADDERS = (b"# Ladders\n\nKeep three points of contact on a zebra ladder: two hands and a "
           b"foot, or two feet and a hand.\n")


async def test_two_workers_on_one_postgresql(postgres: PostgresCluster | None,
                                             tmp_path: Path) -> None:
    if postgres is None:
        pytest.skip("PostgreSQL is not installed here")
    database_url = postgres.new_database(migrated=False)  # the workers migrate it, at once
    async with FakeSlack() as fake:
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
        workers = [await start_slack_worker(fake, database_url, tmp_path / f"worker-{n}",
                                            port, admins=f"slack:{TRAINER}")
                   for n, port in enumerate(ports)]
        try:
            for url, worker in zip(urls, workers, strict=True):
                await until_listening(fake, url, worker)

            file = fake.add_file("ladders.md", LADDERS, filetype="markdown", user=TRAINER)
            upload = fake.message_event(TRAINER, "course: ladders", files=[file])
            await fake.send_event(urls[0], upload)
            report = await fake.wait_for(lambda: final_reply(fake, upload), timeout=300)
            assert "1 passages added" in text_of(report)

            choose = fake.message_event(LEARNER, "/course ladders", channel="D0002")
            await fake.send_event(urls[1], choose)
            await fake.wait_for(lambda: final_reply(fake, choose), timeout=60)
            ask = fake.message_event(LEARNER, "How many points of contact on a zebra ladder?",
                                     channel="D0002")
            first = await fake.send_event(urls[1], ask, event_id="EvAsk")
            again = await fake.send_event(urls[0], ask, event_id="EvAsk", retry_num=1)
            answer = await fake.wait_for(lambda: final_reply(fake, ask), timeout=300)
            await asyncio.sleep(2)  # time for a second answer, were one coming
        finally:
            outputs = await stop_workers(workers)
    assert first[0] == 200 and again[0] == 503  # held by the first: Slack retries later
    assert "three points of contact" in text_of(answer), outputs[1][-2000:]
    assert "ladders.md" in text_of(answer)
    assert [m["thread_ts"] for m in fake.messages("D0002")].count(ask["ts"]) == 1
    assert all(worker.returncode == 0 for worker in workers), outputs
    # The second worker built the course's index from the database, on its own disk.
    assert list((tmp_path / "worker-1").rglob("course-*-v*.faiss"))
