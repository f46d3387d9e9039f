"""How long a learner waits in a quiz, on the sample course with its bank built:
from sending /quiz to the first question, from a click on an option to its
feedback and the next question, and for /progress with its chart. Each is next
to its floor in the same run: reading the quiz's questions straight from the
database. No language model is loaded: a quiz must never wait for one.

    python -m bench.quiz_latency [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from sqlmodel import Session, select

from bench.qa_sets import bench_runtime
from tutor.dialogue import DialogueManager
from tutor.errors import ModelLoadError
from tutor.messages import IncomingMessage, Reply
from tutor.tables import Question

COURSE = "workplace-safety"


def no_model():  # type: ignore[no-untyped-def]
    raise ModelLoadError("the quiz bench loads no language model")


async def timed(manager: DialogueManager, message: IncomingMessage) -> tuple[float, list[Reply]]:
    started = time.perf_counter()
    replies = [reply async for reply in manager.respond(message)]
    return (time.perf_counter() - started) * 1000, replies


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
            "first_ms": round(values[0], 1)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    runtime = bench_runtime(COURSE)
    runtime._generator_factory = no_model
    manager = DialogueManager(runtime)
    first_question, feedback, progress, floor = [], [], [], []
    try:
        for run in range(args.runs):  # interleaved: each learner's quiz, then the floor
            learner = f"bench:{time.time_ns()}:{run}"
            ms, replies = await timed(manager, IncomingMessage(learner, "/quiz", COURSE))
            shown = next(r.data["quiz"] for r in replies if "quiz" in r.data)
            assert not any(r.error for r in replies), replies
            first_question.append(ms)
            if shown["type"] == "short":
                answer = IncomingMessage(learner, "20 minutes", COURSE)
            else:
                answer = IncomingMessage(learner, "", COURSE,
                                         button=f"quiz:{shown['id']}:{shown['position']}:1")
            ms, _ = await timed(manager, answer)
            feedback.append(ms)
            ms, replies = await timed(manager, IncomingMessage(learner, "/progress", COURSE))
            assert replies[-1].image is not None
            progress.append(ms)
            started = time.perf_counter()
            with Session(runtime.engine) as session:
                rows = session.exec(select(Question).where(Question.status == "active")
                                    .limit(runtime.settings.quiz_length)).all()
            assert rows
            floor.append((time.perf_counter() - started) * 1000)
    finally:
        runtime.close()
    print(json.dumps({"runs": args.runs, "first_question": summary(first_question),
                      "answer_to_feedback": summary(feedback),
                      "progress_with_chart": summary(progress),
                      "floor_reading_questions": summary(floor)}, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
