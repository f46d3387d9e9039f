"""What the answer check keeps of longer answers: TUTORBOT_MAX_NEW_TOKENS chosen by
measurement. Each question of the public sets is answered once by the packaged
model at the longest limit; greedy decoding makes a shorter limit's answer the
first tokens of it, so every limit is judged on the same answers (cut at N
tokens, then checked as `tutorbot check` checks a text).
Reported per limit: the model's sentences checked and kept, the answers with at
least one sentence kept, and the tokens decoded (what the limit costs in time).

    python -m bench.answer_length [--limits 64 96 160 240 320] [--limit 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

from bench.answer_quality import RESULTS
from bench.qa_sets import SETS, bench_runtime
from tutor.answers.prompts import build_messages
from tutor.llm import GenerationRequest


def answers_at(set_name: str, questions: int, longest: int) -> list[tuple[str, list[int]]]:
    """(question, the model's answer as token ids) for the set's first questions."""
    runtime = bench_runtime(set_name, max_new_tokens=longest)
    try:
        asked = [item["question"] for item in SETS[set_name].items()[:questions]]
        requests = []
        for question in asked:
            vector = runtime.embedder.embed([question])[0]
            passages = asyncio.run(runtime.search(set_name, vector, question,
                                                  runtime.settings.passages_per_answer))
            requests.append(GenerationRequest(build_messages(question, passages),
                                              lambda _: None))
        texts = runtime.llm_worker.run_all(requests)
        tokenizer = runtime.generator.tokenizer  # type: ignore[attr-defined]
        return [(question, tokenizer(text, add_special_tokens=False)["input_ids"])
                for question, text in zip(asked, texts, strict=True)
                if isinstance(text, str)]
    finally:
        runtime.close()


def judge(set_name: str, answers: list[tuple[str, list[int]]], limits: list[int]
          ) -> dict[int, dict[str, float]]:
    runtime = bench_runtime(set_name)
    tokenizer = runtime.generator.tokenizer  # type: ignore[attr-defined]
    result = {}
    try:
        for limit in limits:
            checked = kept = answered = 0
            for question, ids in answers:
                text = tokenizer.decode(ids[:limit], skip_special_tokens=True)
                report = asyncio.run(runtime.answers.check(set_name, question, text))
                sentences = [c.supported(report.threshold) for c in report.sentences]
                checked += len(sentences)
                kept += sum(sentences)
                answered += any(sentences)
            result[limit] = {
                "sentences_checked": checked, "sentences_kept": kept,
                "answers_with_a_kept_sentence": answered,
                "tokens_decoded_mean": round(statistics.mean(
                    min(len(ids), limit) for _, ids in answers), 1)}
            print(f"{set_name} at {limit} tokens: {kept}/{checked} sentences kept, "
                  f"{answered}/{len(answers)} answers keep one; "
                  f"{result[limit]['tokens_decoded_mean']} tokens decoded on average")
    finally:
        runtime.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limits", type=int, nargs="+", default=[64, 96, 160, 240, 320])
    parser.add_argument("--limit", type=int, default=40, help="questions per set")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    args = parser.parse_args()
    limits = sorted(args.limits)
    report: dict[str, object] = {"limits": limits, "questions_per_set": args.limit}
    for set_name in args.sets:
        answers = answers_at(set_name, args.limit, limits[-1])
        report[set_name] = judge(set_name, answers, limits)
    (RESULTS / "answer-length.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
