"""Answers on the public question sets, as a learner gets them: the quoted answer,
the model's sentences that passed the check, and what was removed.

Reports, per set: how often the quote holds (part of) the gold answer, how often
every quoted sentence is a whole sentence of the material and how often a quote
is empty, the share of the model's sentences kept, and how many answers are the
quote alone. The answers are written to bench/results/answers-SET.jsonl, where
bench/results/verdicts-SET.jsonl holds a reader's verdict on each.

    python -m bench.answer_quality [--sets zsh-faq debian-faq] [--limit 40] [--prompt shipped]
    python -m bench.answer_quality --no-model --limit 0   # the quotes alone, all questions
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.qa_sets import SETS, bench_runtime
from tutor.answers import prompts
from tutor.answers.answering import Answer
from tutor.evaluation import holds_answer
from tutor.llm import ChatMessages
from tutor.runtime import Runtime

RESULTS = Path(__file__).resolve().parent / "results"
# The prompt before this bench existed, to compare like with like (same questions).
PREVIOUS_SYSTEM = (
    "You are tutorbot, a tutor for workplace training. Answer the learner's question "
    "using only the numbered course passages. After each sentence, cite the passage it "
    "comes from, like [1]. If the passages do not answer the question, say so. "
    "Answer in two to four short sentences."
)
_QUOTE_LINE = re.compile(r"^> (?:- )?(.*?)(?: \[\d+\])?$")


def quoted_units(quote: str) -> list[str]:
    """The prose of a rendered quote, one entry per quoted line (code is skipped).

    >>> quoted_units("> Cool it. Cover it. [1]\\n\\n```\\nls\\n```")
    ['Cool it. Cover it.']
    """
    return [m.group(1) for line in quote.split("\n") if (m := _QUOTE_LINE.match(line))]


def whole_in(quoted: str, passage: str) -> bool:
    """Whether quoted text stands in the passage as whole sentences: it starts where
    a sentence, item or line starts, and ends where one ends.

    >>> whole_in("Cool it for 20 minutes.", "Burns: cool it. Cool it for 20 minutes. Then go.")
    True
    >>> whole_in("order to iterate over.", "You need it in order to iterate over. Done.")
    False
    """
    # Code blocks, list items and table rows end what comes before them.
    text = re.sub(r"```.*?```", "\n", passage, flags=re.DOTALL)
    lines = [re.sub(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+|\*\*|__", "", line) for line in
             re.split(r"\n(?=\s*(?:[-*+|]|\d{1,3}[.)])\s)|\n\s*\n", text)]
    for line in lines:
        flat = " ".join(line.split())
        start = flat.find(quoted)
        if start < 0:
            continue
        before = flat[:start].rstrip()
        after = flat[start + len(quoted):]
        if (not before or re.search(r"[.!?:;)\]\"']$", before)) and (
                not after.strip() or after.startswith(" ")):
            return True
    return False


def opening_recall(quote: str, gold: str, words: int = 40) -> float:
    """The share of the word triples of the gold answer's opening (its first `words`
    words, code included: where a FAQ says its answer) that the quote holds; a
    quote that stops before the answer does scores low.

    >>> opening_recall("> Cool the burn for 20 minutes. [1]", "Cool the burn for 20 minutes.")
    1.0
    >>> gold = "Cool the burn for 20 minutes, then cover it."
    >>> round(opening_recall("> Cool the burn. [1]", gold), 2)
    0.14
    """
    opening = re.findall(r"[a-z0-9]+", gold.lower())[:words]
    wanted = {tuple(opening[i:i + 3]) for i in range(max(1, len(opening) - 2))}
    found = re.findall(r"[a-z0-9]+", quote.lower())
    have = {tuple(found[i:i + 3]) for i in range(max(1, len(found) - 2))}
    return len(wanted & have) / len(wanted) if wanted else 0.0


async def answer_all(runtime: Runtime, course: str, questions: list[str]) -> list[Answer]:
    """All questions at once: the model worker batches what queues up."""
    async def one(question: str) -> Answer:
        final = None
        async for event in runtime.answers.answer(course, question):
            final = event
        assert isinstance(final, Answer)
        return final

    return await asyncio.gather(*(one(q) for q in questions))


async def _no_model(messages: ChatMessages, on_text: Callable[[str], None]) -> str:
    return ""


def evaluate(name: str, limit: int, prompt: str, model: bool = True) -> dict[str, object]:
    if prompt == "previous":
        prompts.SYSTEM = PREVIOUS_SYSTEM
    runtime = bench_runtime(name)
    if not model:  # the quote is chosen before the model writes: tune it in seconds
        runtime.answers.generate = _no_model
    try:
        items = SETS[name].items()[:limit or None]
        answers = asyncio.run(answer_all(runtime, name, [item["question"] for item in items]))
    finally:
        runtime.close()
    rows = []
    for item, answer in zip(items, answers, strict=True):
        passages = {s.number: s.text for s in answer.sources}
        units = quoted_units(answer.quote)
        quoted_from = int(m.group(1)) if (m := re.search(r"\[(\d+)\]", answer.quote)) else 0
        rows.append({
            "id": item["id"], "question": item["question"],
            "gold": item["answer"][:600], "answer": answer.text,
            "quote": answer.quote, "kept": list(answer.kept), "removed": list(answer.removed),
            "sources": [f"[{s.number}] {s.label}" for s in answer.sources],
            "covered": answer.covered,
            "quote_holds_gold": holds_answer(answer.quote, item["answer"]),
            "opening_recall": round(opening_recall(answer.quote, item["answer"]), 3),
            "quote_whole": bool(units) and all(
                whole_in(unit, passages.get(quoted_from, "")) for unit in units),
            "quote_empty": answer.covered and not answer.quote.strip("> \n"),
            "total_ms": answer.timings.get("total_ms", 0.0),
        })
    RESULTS.mkdir(exist_ok=True)
    # The quotes alone are for tuning, and are kept out of the committed results.
    out = (RESULTS / f"answers-{name}.jsonl" if model else
           Path(tempfile.gettempdir()) / f"tutorbot-quotes-{name}.jsonl")
    if prompt == "shipped":
        with out.open("w") as file:
            file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    kept = sum(len(r["kept"]) for r in rows)
    written = kept + sum(len(r["removed"]) for r in rows)
    covered = [r for r in rows if r["covered"]]
    return {
        "n": len(rows), "covered": len(covered),
        "quote_holds_gold": sum(r["quote_holds_gold"] for r in rows) / len(rows),
        "opening_recall": statistics.mean(r["opening_recall"] for r in rows),
        "quotes_whole": sum(r["quote_whole"] for r in covered) / max(1, len(covered)),
        "empty_quotes": sum(r["quote_empty"] for r in rows),
        "model_sentences": written, "model_sentences_kept": kept,
        "kept_share": kept / written if written else 0.0,
        "quote_alone": sum(not r["kept"] for r in covered) / max(1, len(covered)),
        "median_total_s": statistics.median(r["total_ms"] for r in rows) / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--limit", type=int, default=40, help="questions per set")
    parser.add_argument("--prompt", choices=("shipped", "previous"), default="shipped")
    parser.add_argument("--no-model", action="store_true",
                        help="the quotes alone (nothing written to bench/results)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {name: evaluate(name, args.limit, args.prompt, not args.no_model)
              for name in args.sets}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name, figures in report.items():
        print(f"\n{name} ({SETS[name].shape}), prompt {args.prompt}:")
        for key, value in figures.items():
            print(f"  {key:22} {value:.3f}" if isinstance(value, float) else
                  f"  {key:22} {value}")


if __name__ == "__main__":
    main()
