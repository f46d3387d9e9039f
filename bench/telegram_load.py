"""Many learners at once through the real Telegram adapter (or Slack's, in HTTP mode:
`--front slack`) and the real models, against the local stand-in of the platform's
API: answers per minute, how long until the first useful reply (the material's
answer quoted, or "not covered") and until the whole answer, and how long a /help
waits while the model is busy. In the same run, on the same questions: the tutor as
it serves now, the same questions one at a time (each after the previous answer),
and the tutor as it served before issue 10's CPU work (float32, static batches of
eight, passage sentences embedded per question).

    python -m bench.telegram_load [--learners 50] [--no-alone] [--front slack]
    python -m bench.telegram_load --explain auto,always --no-alone --now-only
        (TUTORBOT_EXPLAIN's choices side by side, in the same run)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import SecretStr

from bench.answer_quality import RESULTS
from bench.common import percentiles
from bot.slack import SlackAdapter
from bot.telegram import TelegramAdapter
from knowledge.ingest import ingest
from tests.platforms.slack_api import FakeSlack
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


@dataclass(frozen=True)
class Front:
    """A chat platform's stand-in with the real adapter serving it, as the load sees it."""

    ask: Callable[[int, str], Awaitable[None]]  # a learner's message to the bot
    chats: Callable[[], dict[int, list[dict]]]  # every learner's bot messages as they stand
    useful: Callable[[dict], bool]  # the material quoted, or "not covered"
    final: Callable[[dict], bool]  # the whole answer
    wait_for: Callable[..., Awaitable[object]]


@asynccontextmanager
async def telegram_front(runtime: Runtime) -> AsyncIterator[Front]:
    async with FakeTelegram(TOKEN) as fake:
        settings = runtime.settings.model_copy(update={
            "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root})
        stop = asyncio.Event()
        task = asyncio.create_task(TelegramAdapter(DialogueManager(runtime), settings).run(stop))

        async def ask(user: int, text: str) -> None:
            fake.user_message(user, text)

        def final(message: dict) -> bool:
            return "Sources" in message.get("text", "") or "does not cover" in message.get(
                "text", "")

        yield Front(ask, fake.bot_messages_by_chat, shows_the_material, final, fake.wait_for)
        stop.set()
        await task


@asynccontextmanager
async def slack_front(runtime: Runtime) -> AsyncIterator[Front]:
    """The Slack adapter in HTTP mode; learner n writes from user Un in DM channel Dn."""
    async with FakeSlack() as fake:
        settings = runtime.settings.model_copy(update=fake.settings_update())
        adapter = SlackAdapter(DialogueManager(runtime), settings)
        stop = asyncio.Event()
        task = asyncio.create_task(adapter.run(stop))
        url = f"http://127.0.0.1:{await fake.wait_for(lambda: adapter.port, 60)}/slack/events"

        sending: set[asyncio.Task] = set()

        async def ask(user: int, text: str) -> None:
            # a DM cannot start with "/": Slack keeps those for its slash commands
            event = fake.message_event(f"U{user}", text.removeprefix("/"), channel=f"D{user}")
            sent = asyncio.create_task(fake.send_event(url, event))  # all at once, as users do
            sending.add(sent)
            sent.add_done_callback(sending.discard)

        def chats() -> dict[int, list[dict]]:
            return {int(channel[1:]): messages for channel, messages
                    in fake.messages_by_channel().items()}

        def useful(message: dict) -> bool:
            return message["text"].startswith("&gt;") or "does not cover" in message["text"]

        yield Front(ask, chats, useful, lambda message: bool(message["blocks"]), fake.wait_for)
        stop.set()
        await task


FRONTS = {"telegram": telegram_front, "slack": slack_front}


async def ask_all(front: Front, asked: dict[int, str]
                  ) -> tuple[dict[int, float], dict[int, float]]:
    """Send every question at once; seconds until each learner's first useful reply,
    and until their final answer."""
    sent = time.perf_counter()
    for user, question in asked.items():
        await front.ask(user, question)
    useful: dict[int, float] = {}
    latency: dict[int, float] = {}

    def all_answered() -> bool:
        now = time.perf_counter() - sent
        chats = front.chats()
        for user in asked.keys() - useful.keys():
            if any(front.useful(m) for m in chats.get(user, [])):
                useful[user] = now
        for user in asked.keys() - latency.keys():
            if any(front.final(m) for m in chats.get(user, [])):
                latency[user] = now
        return len(latency) == len(asked)

    await front.wait_for(all_answered, timeout=3600)
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


async def serve_and_ask(variant: Variant, asked: dict[int, str], alone: bool,
                        front_name: str = "telegram") -> dict[str, float]:
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
        async with FRONTS[front_name](runtime) as front:
            load = asyncio.create_task(ask_all(front, asked))
            await asyncio.sleep(5)  # the model is busy by now
            help_sent = time.perf_counter()
            await front.ask(2, "/help")
            await front.wait_for(lambda: front.chats().get(2), timeout=600)
            help_s = time.perf_counter() - help_sent
            useful, latency = await load
            result = figures(useful, latency, len(asked))
            result["help_during_load_s"] = round(help_s, 2)
            if alone:
                runtime._vectors.clear()  # no question finds its passages warm from the load
                one_by_one = [await ask_all(front, {10_000 + user: question})
                              for user, question in asked.items()]
                useful = {n: next(iter(u.values())) for n, (u, _) in enumerate(one_by_one)}
                latency = {n: next(iter(d.values())) for n, (_, d) in enumerate(one_by_one)}
                single = figures(useful, latency, len(asked))
                single["answers_per_min"] = round(len(latency) / sum(latency.values()) * 60, 1)
                result.update({f"one_at_a_time_{k}": v for k, v in single.items()})
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


async def run(learners: int, alone: bool, variants: list[Variant], front: str = "telegram"
              ) -> dict[str, object]:
    pool = questions()
    asked = {1000 + i: pool[i % len(pool)] for i in range(learners)}
    result: dict[str, object] = {"learners": learners, "front": front}
    for variant in variants:
        result[variant.name] = await serve_and_ask(variant, asked,
                                                   alone and variant is variants[0], front)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--no-alone", action="store_true",
                        help="skip asking the same questions one at a time")
    parser.add_argument("--now-only", action="store_true", help="skip the tutor as before")
    parser.add_argument("--front", choices=sorted(FRONTS), default="telegram",
                        help="the platform the learners chat on (default: telegram)")
    parser.add_argument("--explain", default="always",
                        help="TUTORBOT_EXPLAIN for the tutor as it serves now; several, "
                        "comma-separated, are each measured (auto,always)")
    args = parser.parse_args()
    choices = args.explain.split(",")
    now = [NOW if len(choices) == 1 and choice == NOW.explain else
           replace(NOW, name=f"explain-{choice}", explain=choice) for choice in choices]
    variants = now if args.now_only else [*now, BEFORE]
    result = asyncio.run(run(args.learners, not args.no_alone, variants, args.front))
    for name in (v.name for v in variants):
        r = result[name]
        assert isinstance(r, dict)
        print(f"{name}, {args.front}: {args.learners} learners at once: first useful reply p50 "
              f"{r['first_useful_p50_s']} s, p95 {r['first_useful_p95_s']} s; "
              f"{r['answers_per_min']} answers/min, whole answer p50 {r['reply_p50_s']} s, "
              f"p95 {r['reply_p95_s']} s; /help during the load {r['help_during_load_s']} s")
        if "one_at_a_time_reply_p50_s" in r:
            print(f"{name}: the same questions one at a time: first useful reply p50 "
                  f"{r['one_at_a_time_first_useful_p50_s']} s, whole answer p50 "
                  f"{r['one_at_a_time_reply_p50_s']} s, "
                  f"{r['one_at_a_time_answers_per_min']} answers/min")
    name = f"{args.front}-load" if len(choices) == 1 else f"{args.front}-load-explain"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
