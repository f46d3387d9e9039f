"""Soak: 200 simulated learners for 10 minutes through the Telegram stand-in and the
real adapter, with fast fake models (tests/fakes.py: the work is the adapter's, the
dialogue's and the database's, not the model's).

Two processes, so that what is measured is the bot alone: this one runs the
TelegramAdapter and samples its own memory (RSS), open file handles and asyncio
tasks every 30 s; a child runs the stand-in and the learners. Each learner asks a
question of the sample course's set, waits for its final answer, thinks for 1 to
4 s, and now and then sends /help or /progress instead. At the end: every question
must have exactly one final reply, in its own chat, and it must be the answer the
same question gets alone.

    python -m bench.soak [--learners 200] [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"
QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "sample_qa.jsonl"
TOKEN = "5151:soak"
SAMPLE_EVERY_S = 30.0


def questions() -> list[str]:
    return [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]


BUSY = "busy with many questions"  # TUTORBOT_MAX_QUEUE reached: a final reply too


def is_final(text: str) -> bool:
    """An answer's last state: it lists its sources, says the material has none, or
    says the tutor is busy."""
    return "\nSources\n" in f"\n{text}" or "does not cover" in text or BUSY in text


# ---- the child: the stand-in and the learners --------------------------------------


async def learners(port: int, count: int, minutes: float, out: Path) -> None:
    from tests.platforms.telegram_api import FakeTelegram

    asked = questions()
    rng = random.Random(11)
    log: dict[int, list[str]] = {1000 + n: [] for n in range(count)}
    seen: dict[int, tuple[int, int]] = {}  # chat: (bot messages, final replies)
    async with FakeTelegram(TOKEN, port=port) as fake:
        await fake.wait_for(lambda: fake.commands, 120)  # the bot is polling
        deadline = time.monotonic() + minutes * 60

        async def watch() -> None:
            """One pass over the stand-in's messages for every learner, five times a
            second: a poll per learner would take the child's whole event loop."""
            while True:
                seen.update({chat: (len(messages), sum(is_final(m.get("text", ""))
                                                       for m in messages))
                             for chat, messages in fake.bot_messages_by_chat().items()})
                await asyncio.sleep(0.2)

        async def until(chat: int, which: int, at_least: int, timeout: float) -> None:
            ends = time.monotonic() + timeout
            while seen.get(chat, (0, 0))[which] < at_least:
                if time.monotonic() > ends:
                    raise TimeoutError(f"chat {chat}: no reply in {timeout} s")
                await asyncio.sleep(0.1)

        async def learner(chat: int) -> None:
            while time.monotonic() < deadline:
                if rng.random() < 0.1:
                    before = seen.get(chat, (0, 0))[0]
                    fake.user_message(chat, rng.choice(["/help", "/progress"]))
                    await until(chat, 0, before + 1, 120)
                else:
                    question = rng.choice(asked)
                    log[chat].append(question)
                    fake.user_message(chat, question)
                    await until(chat, 1, len(log[chat]), 300)
                await asyncio.sleep(rng.uniform(1, 4))

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(learner(chat) for chat in log))
        await asyncio.sleep(5)  # a reply sent twice would show by now
        watcher.cancel()
        finals = {chat: [m["text"] for m in fake.bot_messages(chat) if is_final(m.get("text", ""))]
                  for chat in log}
    out.write_text(json.dumps({"asked": {str(c): q for c, q in log.items()},
                               "finals": {str(c): f for c, f in finals.items()}}))


# ---- this process: the bot ----------------------------------------------------------


def usage() -> dict[str, float]:
    status = Path("/proc/self/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines()
                      if line.startswith("VmRSS:")))
    return {"rss_mb": round(rss_kb / 1024, 1), "open_files": len(os.listdir("/proc/self/fd")),
            "tasks": len(asyncio.all_tasks()), "threads": len(os.listdir("/proc/self/task"))}


async def bot(count: int, minutes: float, max_queue: int) -> dict:
    from bot.telegram import TelegramAdapter, format_reply
    from tests.fakes import FakeEmbedder, first_passage_sentence
    from tests.postgres import free_port
    from tutor.dialogue import DialogueManager
    from tutor.limits import QuestionRate
    from tutor.messages import IncomingMessage
    from tutor.runtime import Runtime
    from tutor.settings import Settings

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="tutorbot-soak-") as folder:
        settings = Settings(data_dir=Path(folder), _env_file=None, relevance_threshold=0.1,
                            support_threshold=0.5, rate_limit=0, telegram_token=SecretStr(TOKEN),
                            history_turns=0,  # no follow-ups: an answer is the one it gets alone
                            max_queue=max_queue, telegram_api_url=f"http://127.0.0.1:{port}")
        generator = forgetful()(first_passage_sentence)
        runtime = Runtime(settings, embedder=FakeEmbedder(), generator_factory=lambda: generator)
        runtime.add_material([Path(__file__).resolve().parents[1] / "knowledge" /
                              "sample_course"], settings.default_course)
        out = Path(folder) / "learners.json"
        child = subprocess.Popen([sys.executable, "-m", "bench.soak", "--learners-process",
                                  str(port), "--learners", str(count), "--minutes",
                                  str(minutes), "--out", str(out)])
        stop = asyncio.Event()
        adapter = TelegramAdapter(DialogueManager(runtime), settings)
        serving = asyncio.create_task(adapter.run(stop))
        samples = []
        started = time.monotonic()
        while child.poll() is None:
            samples.append({"s": round(time.monotonic() - started), **usage()})
            print(f"{samples[-1]}", flush=True)
            await asyncio.sleep(SAMPLE_EVERY_S)
        stop.set()
        await serving
        if child.returncode != 0:
            raise RuntimeError(f"the learners' process failed ({child.returncode})")
        seen = json.loads(out.read_text())
        checker = DialogueManager(runtime)
        checker.question_rate = QuestionRate(0)
        expected = {}
        for number, question in enumerate({q for qs in seen["asked"].values() for q in qs}):
            replies = [r async for r in checker.respond(IncomingMessage(f"check:{number}",
                                                                        question))]
            expected[question] = format_reply(replies[-1])
        runtime.close()
    asked = sum(len(qs) for qs in seen["asked"].values())
    counts_match = sum(len(seen["finals"][c]) == len(qs) for c, qs in seen["asked"].items())
    pairs = [(question, final) for chat, qs in seen["asked"].items()
             for question, final in zip(qs, seen["finals"][chat], strict=False)]
    wrong = [{"question": q, "shown": f, "alone": shown_as(expected[q])} for q, f in pairs
             if shown_as(f) != shown_as(expected[q]) and BUSY not in f]
    busy = sum(BUSY in f for _, f in pairs)
    return {"learners": count, "minutes": minutes, "questions": asked,
            "chats_with_one_final_reply_per_question": counts_match,
            "final_replies": sum(len(f) for f in seen["finals"].values()),
            "busy_replies": busy, "max_queue": max_queue,
            "answers_checked": len(pairs) - busy, "answers_right_for_their_question":
            len(pairs) - busy - len(wrong), "differed": wrong[:5],
            # after a minute's warm-up: caches, connection pools and the first tables filled
            "start": next((x for x in samples if x["s"] >= 60), samples[0]), "end": samples[-1],
            "samples": samples}


def forgetful() -> type:
    """tests/fakes.py's generator, less its record of every prompt and batch (which
    would grow for the whole soak: a test's memory, not the bot's)."""
    from tests.fakes import FakeGenerator

    class Forgetful(FakeGenerator):
        def generate(self, requests: list) -> list[str]:
            texts = super().generate(requests)
            self.prompts.clear()
            self.batches.clear()
            return texts

    return Forgetful


def shown_as(text: str) -> str:
    """A reply as Telegram shows it: tags parsed away, entities unescaped."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--learners-process", type=int, metavar="PORT")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--max-queue", type=int, default=0,
                        help="TUTORBOT_MAX_QUEUE (0: none, so every question is answered)")
    args = parser.parse_args()
    if args.learners_process:
        asyncio.run(learners(args.learners_process, args.learners, args.minutes, args.out))
        return
    result = asyncio.run(bot(args.learners, args.minutes, args.max_queue))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))


if __name__ == "__main__":
    main()
