"""Many learners at once through the real Telegram adapter and the real models, against
the local Bot API stand-in: answers per minute, how long until the first useful reply
(the material's answer quoted, or "not covered") and until the whole answer, and how
long a /help waits while the model is busy. In the same run, on the same questions:
the tutor as it serves now, the same questions one at a time (each after the
previous answer), and the tutor as it served before issue 10's CPU work (float32,
static batches of eight, passage sentences embedded per question).

    python -m bench.telegram_load [--learners 50] [--no-alone]
    python -m bench.telegram_load --explain auto,always --no-alone --now-only
        (TUTORBOT_EXPLAIN's choices side by side, in the same run)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import SecretStr

from bench.answer_quality import RESULTS
from bench.common import percentiles
from bot.telegram import TelegramAdapter
from knowledge.ingest import ingest
from tests.platforms.telegram_api import FakeTelegram, shows_the_material
from tutor import runtime as runtime_module
from tutor.dialogue import DialogueManager
from tutor.runtime import Runtime
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "1:bench"


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
        now = time.perf_counter() - sent
        chats = fake.bot_messages_by_chat()
        for user in asked.keys() - useful.keys():
            if any(shows_the_material(m) for m in chats.get(user, [])):
                useful[user] = now
        for user in asked.keys() - latency.keys():
            if any("Sources" in m.get("text", "") or "does not cover" in m.get("text", "")
                   for m in chats.get(user, [])):
                latency[user] = now
        return len(latency) == len(asked)

    await fake.wait_for(all_answered, timeout=3600)
    return useful, latency


@dataclass(frozen=True)
class Variant:
    """A way to serve the same questions."""

    name: str
    int8: str  # TUTORBOT_LLM_INT8
    continuous: bool  # continuous batching, or generate's static batches of eight
    stored_sentences: bool  # passage sentences' vectors stored at ingest
    nice: int  # the decoding thread's
    explain: str = "always"  # TUTORBOT_EXPLAIN


NOW = Variant("now", int8="auto", continuous=True, stored_sentences=True,
              nice=runtime_module.DECODING_NICE)
# What main served before issue 10's CPU work: float32, static batches, sentences
# embedded per question, decoding at the priority of chat. The same questions, in
# the same run.
BEFORE = Variant("before", int8="off", continuous=False, stored_sentences=False, nice=0)


async def serve_and_ask(variant: Variant, asked: dict[int, str], alone: bool
                        ) -> dict[str, float]:
    """A fresh data dir and runtime for `variant`; every question at once, then (with
    `alone`) the same questions one at a time, each after the previous answer."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = Runtime(Settings(data_dir=Path(folder), llm_int8=variant.int8,
                                   explain=variant.explain,
                                   _env_file=None))  # type: ignore[call-arg]
        ingest([ROOT / "knowledge" / "sample_course"], "workplace-safety", engine=runtime.engine,
               embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)
        if variant.stored_sentences:
            runtime.embed_passage_sentences("workplace-safety")
        runtime.load_models()  # before the clock starts (the model only if it explains)
        if not variant.continuous:
            runtime.generator.decoder = None  # type: ignore[attr-defined]
        runtime_module.DECODING_NICE = variant.nice  # read when the worker starts
        async with FakeTelegram(TOKEN) as fake:
            settings = runtime.settings.model_copy(update={
                "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root})
            stop = asyncio.Event()
            task = asyncio.create_task(
                TelegramAdapter(DialogueManager(runtime), settings).run(stop))
            load = asyncio.create_task(ask_all(fake, asked))
            await asyncio.sleep(5)  # the model is busy by now
            help_sent = time.perf_counter()
            fake.user_message(2, "/help")
            await fake.wait_for(lambda: fake.bot_messages(2), timeout=600)
            help_s = time.perf_counter() - help_sent
            useful, latency = await load
            result = figures(useful, latency, len(asked))
            result["help_during_load_s"] = round(help_s, 2)
            if alone:
                runtime._vectors.clear()  # no question finds its passages warm from the load
                one_by_one = [await ask_all(fake, {10_000 + user: question})
                              for user, question in asked.items()]
                useful = {n: next(iter(u.values())) for n, (u, _) in enumerate(one_by_one)}
                latency = {n: next(iter(d.values())) for n, (_, d) in enumerate(one_by_one)}
                single = figures(useful, latency, len(asked))
                single["answers_per_min"] = round(len(latency) / sum(latency.values()) * 60, 1)
                result.update({f"one_at_a_time_{k}": v for k, v in single.items()})
            stop.set()
            await task
        runtime.close()
    return result


def figures(useful: dict[int, float], latency: dict[int, float], learners: int
            ) -> dict[str, float]:
    p50, p95 = percentiles(list(latency.values()))
    useful_p50, useful_p95 = percentiles(list(useful.values()))
    return {
        "first_useful_p50_s": round(useful_p50, 2), "first_useful_p95_s": round(useful_p95, 2),
        "answers_per_min": round(learners / max(latency.values()) * 60, 1),
        "reply_p50_s": round(p50, 1), "reply_p95_s": round(p95, 1),
    }


async def run(learners: int, alone: bool, variants: list[Variant]) -> dict[str, object]:
    pool = questions()
    asked = {1000 + i: pool[i % len(pool)] for i in range(learners)}
    result: dict[str, object] = {"learners": learners}
    for variant in variants:
        result[variant.name] = await serve_and_ask(variant, asked,
                                                   alone and variant is variants[0])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--no-alone", action="store_true",
                        help="skip asking the same questions one at a time")
    parser.add_argument("--now-only", action="store_true", help="skip the tutor as before")
    parser.add_argument("--explain", default="always",
                        help="TUTORBOT_EXPLAIN for the tutor as it serves now; several, "
                        "comma-separated, are each measured (auto,always)")
    args = parser.parse_args()
    choices = args.explain.split(",")
    now = [NOW if len(choices) == 1 and choice == NOW.explain else
           replace(NOW, name=f"explain-{choice}", explain=choice) for choice in choices]
    variants = now if args.now_only else [*now, BEFORE]
    result = asyncio.run(run(args.learners, not args.no_alone, variants))
    for name in (v.name for v in variants):
        r = result[name]
        assert isinstance(r, dict)
        print(f"{name}: {args.learners} learners at once: first useful reply p50 "
              f"{r['first_useful_p50_s']} s, p95 {r['first_useful_p95_s']} s; "
              f"{r['answers_per_min']} answers/min, whole answer p50 {r['reply_p50_s']} s, "
              f"p95 {r['reply_p95_s']} s; /help during the load {r['help_during_load_s']} s")
        if "one_at_a_time_reply_p50_s" in r:
            print(f"{name}: the same questions one at a time: first useful reply p50 "
                  f"{r['one_at_a_time_first_useful_p50_s']} s, whole answer p50 "
                  f"{r['one_at_a_time_reply_p50_s']} s, "
                  f"{r['one_at_a_time_answers_per_min']} answers/min")
    file = "telegram-load.json" if len(choices) == 1 else "telegram-load-explain.json"
    (RESULTS / file).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
