"""Many learners at once through the real Telegram adapter and the real models, against
the local Bot API stand-in: answers per minute, how long until the first useful reply
(the material's answer quoted, or "not covered") and until the whole answer, and how
long a /help waits while the model is busy. The reference, in the same run: the first
eight questions asked one at a time, each after the previous answer.

    python -m bench.telegram_load [--learners 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bench.common import percentiles
from bot.telegram import TelegramAdapter
from knowledge.ingest import ingest
from tests.platforms.telegram_api import FakeTelegram, shows_the_material
from tutor.dialogue import DialogueManager
from tutor.runtime import Runtime
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "1:bench"
REFERENCE_QUESTIONS = 8


def questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "sample_qa.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines]


async def ask_all(fake: FakeTelegram, asked: dict[int, str]
                  ) -> tuple[dict[int, float], dict[int, float]]:
    """Send every question at once; seconds until each learner's first useful reply,
    and until their final answer."""
    sent = time.perf_counter()
    for user, question in asked.items():
        fake.user_message(user, question)
    useful: dict[int, float] = {}
    latency: dict[int, float] = {}

    def all_answered() -> bool:
        for user in asked.keys() - useful.keys():
            if any(shows_the_material(m) for m in fake.bot_messages(user)):
                useful[user] = time.perf_counter() - sent
        for user in asked.keys() - latency.keys():
            if any("Sources" in m.get("text", "") or "does not cover" in m.get("text", "")
                   for m in fake.bot_messages(user)):
                latency[user] = time.perf_counter() - sent
        return len(latency) == len(asked)

    await fake.wait_for(all_answered, timeout=3600)
    return useful, latency


async def run(learners: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        runtime = Runtime(Settings(data_dir=Path(folder), _env_file=None))
        ingest([ROOT / "knowledge" / "sample_course"], "workplace-safety", engine=runtime.engine,
               embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)
        runtime.generator  # noqa: B018 (loaded before the clock starts)
        async with FakeTelegram(TOKEN) as fake:
            settings = runtime.settings.model_copy(update={
                "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root})
            stop = asyncio.Event()
            task = asyncio.create_task(
                TelegramAdapter(DialogueManager(runtime), settings).run(stop))
            pool = questions()
            alone = [await ask_all(fake, {10 + i: question}) for i, question in
                     enumerate(pool[:REFERENCE_QUESTIONS])]
            alone_useful_s = [next(iter(useful.values())) for useful, _ in alone]
            alone_s = [next(iter(latency.values())) for _, latency in alone]
            asked = {1000 + i: pool[i % len(pool)] for i in range(learners)}
            load = asyncio.create_task(ask_all(fake, asked))
            await asyncio.sleep(5)  # the model is busy with the first batch by now
            help_sent = time.perf_counter()
            fake.user_message(2, "/help")
            await fake.wait_for(lambda: fake.bot_messages(2), timeout=600)
            help_s = time.perf_counter() - help_sent
            useful, latency = await load
            stop.set()
            await task
        runtime.close()
    p50, p95 = percentiles([s * 1000 for s in latency.values()])
    useful_p50, useful_p95 = percentiles(list(useful.values()))
    return {
        "learners": learners,
        "first_useful_p50_s": round(useful_p50, 2), "first_useful_p95_s": round(useful_p95, 2),
        "answers_per_min": round(learners / max(latency.values()) * 60, 1),
        "reply_p50_s": round(p50 / 1000, 1), "reply_p95_s": round(p95 / 1000, 1),
        "one_at_a_time_answers_per_min": round(len(alone_s) / sum(alone_s) * 60, 1),
        "one_at_a_time_reply_p50_s": round(percentiles(alone_s)[0], 1),
        "one_at_a_time_first_useful_p50_s": round(percentiles(alone_useful_s)[0], 2),
        "help_during_load_s": round(help_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50)
    result = asyncio.run(run(parser.parse_args().learners))
    print(f"{result['learners']} learners at once: first useful reply p50 "
          f"{result['first_useful_p50_s']} s, p95 {result['first_useful_p95_s']} s; "
          f"{result['answers_per_min']} answers/min, "
          f"reply p50 {result['reply_p50_s']} s, p95 {result['reply_p95_s']} s; one at a "
          f"time: {result['one_at_a_time_answers_per_min']} answers/min, reply p50 "
          f"{result['one_at_a_time_reply_p50_s']} s; /help during the load "
          f"{result['help_during_load_s']} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
