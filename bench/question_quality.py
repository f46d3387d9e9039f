"""The question bank on the sample course and the public sets: how many questions
the text generator makes, how many pass validation and why the others fail, and
a fixed sample of 30 (by a hash of the question) that would reach learners, written to
bench/results/questions-SET.jsonl for a reader's verdict
(bench/results/question-verdicts-SET.jsonl).

    python -m bench.question_quality [--sets workplace-safety zsh-faq debian-faq]
    python -m bench.question_quality --generator llm [--passages 40]

With `--generator llm` the configured model (TUTORBOT_LLM_MODEL; the packaged 135M
by default) writes one question for each of the first N passages instead, and the
same validation decides; its questions go to bench/results/llm-questions-SET.jsonl.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter

from sqlmodel import Session

from bench.answer_quality import RESULTS
from bench.qa_sets import SETS, bench_runtime
from knowledge.library import find_course
from tutor.quiz.bank import course_passages
from tutor.quiz.generate import SourcePassage, generate
from tutor.quiz.llm_generate import LLMQuestionGenerator
from tutor.quiz.validate import validate

SAMPLE = 30


def evaluate(name: str, generator: str = "text", limit: int = 40) -> dict[str, object]:
    runtime = bench_runtime(name)
    try:
        with Session(runtime.engine) as session:
            rows = course_passages(session, find_course(runtime.engine, name).id or 0)
        passages = [SourcePassage(chunk.id or 0, skill, chunk.text) for chunk, _, skill in rows]
        write = generate
        if generator == "llm":
            passages = passages[:limit]
            write = LLMQuestionGenerator(runtime.llm_worker.run_all)
        sections = {chunk.id: f"{document} — {chunk.heading}" for chunk, document, _ in rows}
        started = time.perf_counter()
        drafts = write(passages)
    finally:
        runtime.close()
    kept, failed = validate(drafts, {p.chunk_id: p.text for p in passages})
    seconds = time.perf_counter() - started
    # A sample that stays put when a change of the checks drops a question elsewhere.
    sample = sorted(kept, key=lambda q: hashlib.sha256(q.question.encode()).hexdigest())[:SAMPLE]
    RESULTS.mkdir(exist_ok=True)
    prefix = "llm-" if generator == "llm" else ""
    with (RESULTS / f"{prefix}questions-{name}.jsonl").open("w") as file:
        for number, q in enumerate(sample, 1):
            file.write(json.dumps({"n": number, "type": q.kind, "question": q.question,
                                   "options": list(q.options), "answer": q.answer,
                                   "source": sections[q.chunk_id], "sentence": q.sentence},
                                  ensure_ascii=False) + "\n")
    return {"passages": len(passages), "generated": len(drafts), "passed": len(kept),
            "passed_share": round(len(kept) / max(1, len(drafts)), 3),
            "by_type": dict(Counter(q.kind for q in kept)), "failed": dict(failed),
            "questions_per_minute": round(len(drafts) / max(seconds, 1e-9) * 60)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["workplace-safety", *SETS])
    parser.add_argument("--generator", choices=["text", "llm"], default="text")
    parser.add_argument("--passages", type=int, default=40, help="llm: how many passages")
    args = parser.parse_args()
    for name in args.sets:
        print(name, json.dumps(evaluate(name, args.generator, args.passages), indent=1))


if __name__ == "__main__":
    main()
