"""A slow database must hold up only the messages that wait on it. Every query is
delayed (200 ms, a remote PostgreSQL having a bad moment); three learners send
/progress, /next and /quiz, and 20 ms later a fourth sends /help. Measured: how
long the /help takes to answer, with the handlers on threads of their own (the
tutor) against the handlers on the event loop (as before), in the same run.
Fake models: no model is needed for these messages.

    python -m bench.db_stall [--runs 10] [--delay-ms 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from unittest import mock

from sqlalchemy import event

from bench.common import percentiles
from tests.conftest import SAMPLE_COURSE
from tests.fakes import FakeEmbedder, FakeGenerator, first_passage_sentence
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime
from tutor.settings import Settings

COURSE = "workplace-safety"
BUSY = ("/progress", "/next", "/quiz")
RESULTS = Path(__file__).parent / "results" / "db-stall.json"


def on_the_loop(make: Callable[[], AsyncIterator[Reply]], name: str = ""
                ) -> AsyncIterator[Reply]:
    """The reference: the handler iterated on the caller's loop."""
    return make()


async def first_reply_ms(manager: DialogueManager, message: IncomingMessage,
                         arrived: float) -> float:
    """From `arrived` (perf_counter) to the message's first reply: a message that
    arrives while the loop is blocked waits for it before `respond` even starts."""
    async for _ in manager.respond(message):
        return (time.perf_counter() - arrived) * 1000
    raise AssertionError("no reply")


async def drain(manager: DialogueManager, message: IncomingMessage) -> None:
    async for reply in manager.respond(message):
        assert not reply.error, reply.text


async def one_run(manager: DialogueManager, run: int) -> float:
    arrives = time.perf_counter() + 0.02  # when the /help comes in
    busy = [asyncio.create_task(drain(manager, IncomingMessage(f"bench:{run}:{n}", text,
                                                               COURSE)))
            for n, text in enumerate(BUSY)]
    await asyncio.sleep(0.02)  # the busy learners' queries are under way
    waited = await first_reply_ms(manager, IncomingMessage(f"bench:{run}:help", "/help"),
                                  arrives)
    await asyncio.gather(*busy)
    return waited


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--delay-ms", type=float, default=200.0)
    args = parser.parse_args()
    data = Path(f"/tmp/tutorbot-bench/db-stall-{time.time_ns()}")
    runtime = Runtime(Settings(data_dir=data, _env_file=None, relevance_threshold=0.1),
                      embedder=FakeEmbedder(),
                      generator_factory=lambda: FakeGenerator(first_passage_sentence))
    runtime.add_material([SAMPLE_COURSE], COURSE)  # with its question bank
    manager = DialogueManager(runtime)
    event.listen(runtime.engine, "before_cursor_execute",
                 lambda *_: time.sleep(args.delay_ms / 1000))
    waits: dict[str, list[float]] = {"off the loop": [], "on the loop": []}
    try:
        for run in range(args.runs):  # alternating, so drift hits both alike
            waits["off the loop"].append(await one_run(manager, 2 * run))
            with mock.patch("tutor.dialogue.in_thread", on_the_loop):
                waits["on the loop"].append(await one_run(manager, 2 * run + 1))
    finally:
        runtime.close()
    results = {"delay_ms": args.delay_ms, "runs": args.runs, "busy": list(BUSY)}
    for name, values in waits.items():
        p50, p95 = percentiles(values)
        results[name] = {"help_p50_ms": round(p50, 1), "help_p95_ms": round(p95, 1),
                         "help_max_ms": round(max(values), 1)}
        print(f"{name:>13}: /help answered in p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
              f"max {max(values):.1f} ms")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    asyncio.run(main())
