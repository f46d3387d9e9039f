"""One `tutorbot serve slack` worker against two on one PostgreSQL, as behind a load
balancer: the same learners ask the same questions at once, sent round-robin to the
workers, each worker a real process with the real models (its own data dir) and the
Slack stand-in in between. Runs alternate (1, 2, 1, 2, ...); medians of each.

    python -m bench.workers [--learners 24] [--rounds 2]

Two workers on one machine share its cores: this shows what a second process costs
or gains there; on machines of their own, each worker brings its own cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.answer_quality import RESULTS
from bench.common import percentiles
from bench.telegram_load import questions
from knowledge.library import course_names
from tests.platforms.slack_api import FakeSlack
from tests.postgres import PostgresCluster, free_port
from tests.workers import final_reply, start_slack_worker, stop_workers, until_listening
from tutor.runtime import Runtime
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COURSE = "workplace-safety"


def prepare(database_url: str, folder: Path) -> None:
    """The sample course in the shared database, its sentences and bank included."""
    runtime = Runtime(Settings(data_dir=folder, database_url=database_url,
                               quiz_generator="text", _env_file=None))  # type: ignore[call-arg]
    if COURSE not in course_names(runtime.engine):
        runtime.add_material([ROOT / "knowledge" / "sample_course"], COURSE)
    runtime.close()


async def ask_all(fake: FakeSlack, urls: list[str], asked: dict[str, str]
                  ) -> dict[str, float]:
    """Every question at once, learner n to worker n mod len(urls); seconds until each
    learner's finished answer."""
    events = {user: fake.message_event(user, question, channel=f"D{user}")
              for user, question in asked.items()}
    sent = time.perf_counter()
    # Event ids of their own: the stand-in's count starts again each round, and the
    # shared database would take a repeated id for a redelivery.
    await asyncio.gather(*(fake.send_event(urls[n % len(urls)], event,
                                           event_id=f"Ev{user}-{event['ts']}")
                           for n, (user, event) in enumerate(events.items())))
    done: dict[str, float] = {}

    def all_answered() -> bool:
        for user in events.keys() - done.keys():
            if final_reply(fake, events[user]) is not None:
                done[user] = time.perf_counter() - sent
        return len(done) == len(events)

    await fake.wait_for(all_answered, timeout=3600)
    return done


async def one_round(workers: int, database_url: str, folder: Path, learners: int,
                    round_number: int) -> dict[str, float]:
    pool = questions()
    asked = {f"U{round_number}{n:03d}": pool[n % len(pool)] for n in range(learners)}
    async with FakeSlack() as fake:
        ports = [free_port() for _ in range(workers)]
        urls = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
        processes = [await start_slack_worker(fake, database_url, folder / f"worker-{n}", port)
                     for n, port in enumerate(ports)]
        try:
            for url, process in zip(urls, processes, strict=True):
                await until_listening(fake, url, process)
            # Each worker's models loaded and warm before the clock starts.
            await asyncio.gather(*(ask_all(fake, [url], {f"W{round_number}{n}": pool[n]})
                                   for n, url in enumerate(urls)))
            latency = await ask_all(fake, urls, asked)
        finally:
            await stop_workers(processes)
    p50, p95 = percentiles(list(latency.values()))
    return {"answers_per_min": learners / max(latency.values()) * 60,
            "reply_p50_s": p50, "reply_p95_s": p95}


async def run(learners: int, rounds: int) -> dict[str, object]:
    try:
        cluster = PostgresCluster()
    except FileNotFoundError:
        sys.exit("bench.workers shares one PostgreSQL: apt-get install postgresql")
    try:
        database_url = cluster.new_database(migrated=False)
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            await asyncio.to_thread(prepare, database_url, folder / "setup")
            runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
            for round_number in range(rounds):
                for workers in (1, 2):
                    figures = await one_round(workers, database_url, folder, learners,
                                              round_number * 2 + workers)
                    print(f"round {round_number + 1}, {workers} worker(s): "
                          + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
                    runs[workers].append(figures)
    finally:
        cluster.stop()
    result: dict[str, object] = {"learners": learners, "rounds": rounds,
                                 "cores": os.cpu_count()}
    for workers, figures in runs.items():
        result[f"{workers}_worker"] = {key: round(statistics.median(f[key] for f in figures), 1)
                                       for key in figures[0]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(run(args.learners, args.rounds))
    (RESULTS / "workers.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
