"""Coaching's guiding questions, judged by hand: is the blank the answer to the
question the learner asked? ("Which extinguisher…?" must blank the extinguisher,
not its band colour.)

Questions: the first of the sample course's (tests/data/sample_qa.jsonl) and of the
two public FAQs (bench/data), and the single-fact set written for this measure
(bench/data/coaching_single_fact.jsonl: questions that ask one thing of those three
materials), answered as /coach answers them (retrieval and the quote, real
embedder, no generator). The quotes are kept in bench/results/coaching-quotes.jsonl,
so `--cached` re-blanks them in a second; `--missing` retrieves only the questions
with no kept quote.

For each question the script prints the guiding question of the current rule
(tutor/coaching.py) and of the rule before issue 20 (the first fact of the first
quoted sentence that has one), with the verdict a reader saved for that blank in
bench/results/coaching-verdicts.jsonl: "answers" (the blank is the answer to the
question asked) or "other" (it is not). Without a blank (the learner is asked to
say the answer in their own words) there is nothing to judge: "open". A blank
with no saved verdict is listed as unjudged and counts in neither figure.

    python -m bench.coaching_quality [--cached | --missing] [--per-set 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from bench.answer_quality import RESULTS
from bench.qa_sets import SETS, bench_runtime
from tutor.answers.answering import Answer
from tutor.coaching import Coaching, coaching_for
from tutor.messages import Source
from tutor.quiz.facts import facts
from tutor.quiz.generate import BLANK

ROOT = Path(__file__).resolve().parent.parent
QUOTES = RESULTS / "coaching-quotes.jsonl"
VERDICTS = RESULTS / "coaching-verdicts.jsonl"
SAMPLE_QA = ROOT / "tests" / "data" / "sample_qa.jsonl"
SINGLE_FACT = ROOT / "bench" / "data" / "coaching_single_fact.jsonl"


def single_fact() -> list[tuple[str, str]]:
    """(course, question) of the single-fact set; its first line says what it is."""
    rows = [json.loads(line) for line in SINGLE_FACT.read_text().splitlines() if line.strip()]
    return [(row["course"], row["question"]) for row in rows if "question" in row]


def questions(name: str, count: int) -> list[str]:
    if name == "workplace-safety":
        lines = SAMPLE_QA.read_text().splitlines()
        return [json.loads(line)["question"] for line in lines if line.strip()][:count]
    return [item["question"] for item in SETS[name].items()[:count]]


async def coached(name: str, asked: list[str], label: str = "") -> list[dict]:
    """/coach's quotes for `asked` on course `name`, each row marked with its set."""
    runtime = bench_runtime(name)
    try:
        rows = []
        for question in asked:
            answer = None
            async for event in runtime.answers.answer(name, question, explain=False):
                answer = event
            assert isinstance(answer, Answer)
            rows.append({"set": label or name, "question": question, "text": answer.text,
                         "covered": answer.covered, "quoted": list(answer.quoted),
                         "sources": [[s.number, s.document, s.section, s.text, s.score, s.page]
                                     for s in answer.sources]})
        return rows
    finally:
        runtime.close()


def as_answer(row: dict) -> Answer:
    return Answer(row["question"], row["text"], tuple(Source(*s) for s in row["sources"]),
                  row["covered"], True, quoted=tuple(row["quoted"]))


def before_issue_20(answer: Answer) -> tuple[str, str]:
    """(gap, gapped sentence) as coaching blanked before: the first fact of the first
    quoted sentence that has one, whatever the question asked."""
    for sentence in answer.quoted:
        if found := facts(sentence):
            return found[0].text, found[0].in_place_of(sentence, BLANK)
    return "", ""


def now(answer: Answer) -> tuple[str, str]:
    coaching: Coaching | None = coaching_for(answer) if answer.covered else None
    if coaching is None or not coaching.gap:
        return "", ""
    return coaching.gap, coaching.guiding


def verdicts() -> dict[tuple[str, str], str]:
    if not VERDICTS.exists():
        return {}
    rows = [json.loads(line) for line in VERDICTS.read_text().splitlines() if line.strip()]
    return {(row["question"], row["gap"]): row["verdict"] for row in rows}


def judged(saved: dict[tuple[str, str], str], question: str, gap: str) -> str:
    return "open" if not gap else saved.get((question, gap), "unjudged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cached", action="store_true",
                        help="re-blank the kept quotes: no models, no retrieval")
    parser.add_argument("--missing", action="store_true",
                        help="keep the kept quotes, retrieve only questions with none")
    parser.add_argument("--per-set", type=int, default=60)
    args = parser.parse_args()
    kept = [json.loads(line) for line in QUOTES.read_text().splitlines() if line.strip()] if (
        QUOTES.exists()) else []
    if args.cached:
        rows = kept
    else:
        have = {(row["set"], row["question"]): row for row in kept if args.missing}
        wanted = [(name, name, q) for name in ["workplace-safety", *SETS]
                  for q in questions(name, args.per_set)]
        wanted += [("single-fact", course, q) for course, q in single_fact()]
        for course in dict.fromkeys(course for _, course, _ in wanted):
            for label in dict.fromkeys(label for label, c, _ in wanted if c == course):
                asked = [q for lb, c, q in wanted if (lb, c) == (label, course)
                         and (label, q) not in have]
                if asked:
                    for row in asyncio.run(coached(course, asked, label)):
                        have[(label, row["question"])] = row
        rows = [have[(label, q)] for label, _, q in wanted]
        RESULTS.mkdir(exist_ok=True)
        QUOTES.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    saved = verdicts()
    # (set, rule) -> verdict -> count; the set "all" sums them.
    tally: dict[tuple[str, str], dict[str, int]] = {}
    for n, row in enumerate(rows, 1):
        answer = as_answer(row)
        print(f"\n[{n}] {row['set']}: {row['question']}")
        print(f"    quote: {' | '.join(row['quoted'])[:300]}")
        for label, (gap, shown) in (("before", before_issue_20(answer)), ("now", now(answer))):
            verdict = judged(saved, row["question"], gap)
            for group in (row["set"], "all"):
                counts = tally.setdefault((group, label), {})
                counts[verdict] = counts.get(verdict, 0) + 1
            print(f"    {label:6} [{verdict}] gap={gap!r}  {shown[:200]}")
    print()
    for (group, label), counts in sorted(tally.items(), key=lambda kv: kv[0][0] == "all"):
        asked = sum(counts.values())
        blanked = counts.get("answers", 0) + counts.get("other", 0)
        print(f"{group:16} {label:6} {asked} questions: {counts}; the blank answers the "
              f"question in {counts.get('answers', 0)}/{blanked} blanks "
              f"({counts.get('answers', 0) / max(1, blanked):.0%}), "
              f"{counts.get('answers', 0) / max(1, asked):.0%} of all questions")


if __name__ == "__main__":
    main()
