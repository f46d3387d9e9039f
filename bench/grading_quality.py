"""Short-answer grading against hand labels. Two files of learner answers to
questions from the sample course and the public sets (the zsh and Debian FAQs),
each labelled right, partly or wrong by a reader before the grader saw them:

- bench/data/short_answers.jsonl (63): the development set; the grader's rules
  for spoken numbers, units and the question's own words came from its misses;
- bench/data/short_answers_heldout.jsonl (37): written afterwards, on other
  questions, and graded once, so its figure is the honest one;
- bench/data/short_answers_gaming.jsonl (110): answers that game the grader (lists
  of candidates, hedges between two, the question's stem, every option, the answer
  buried among other facts), labelled wrong, or partly for a hedge between exactly
  two; none may be graded right.

The grader (tutor/quiz/grading.py, with the real MiniLM for similarity) is
compared with the labels, next to exact matching of the normalised answer. As in
the quiz, it is given the things of the answer's kind its course names (each set
ingested as bench/qa_sets.py does; tutor/quiz/bank.py `kinds_of`).

    python -m bench.grading_quality [--show-misses]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from pathlib import Path

from bench.qa_sets import bench_runtime
from knowledge.embedder import PACKAGED_EMBEDDER, TransformerEmbedder
from knowledge.library import find_course
from tutor.quiz.bank import kinds_of
from tutor.quiz.facts import Kinds, normal
from tutor.quiz.grading import grade_short

DATA = Path(__file__).parent / "data"
SETS = {"development": DATA / "short_answers.jsonl",
        "held out": DATA / "short_answers_heldout.jsonl",
        "gaming": DATA / "short_answers_gaming.jsonl"}
VERDICTS = ("right", "partly", "wrong")


def exact(answer: str, response: str) -> str:
    return "right" if normal(answer).strip(" .") == normal(response).strip(" .") else "wrong"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    embedder = TransformerEmbedder(PACKAGED_EMBEDDER)
    sets = {name: [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            for name, path in SETS.items()}
    courses = {row["set"] for rows in sets.values() for row in rows if "set" in row}
    kinds = {course: course_kinds_of(course) for course in sorted(courses)}
    for name, rows in sets.items():
        print(f"== {name}: {SETS[name].name}")
        report([row for row in rows if "response" in row], embedder, kinds, args.show_misses)


def course_kinds_of(course: str) -> Kinds:
    """The things of each kind a course names, read as the quiz reads them."""
    runtime = bench_runtime(course)
    try:
        return kinds_of(runtime.engine, find_course(runtime.engine, course).id or 0)
    finally:
        runtime.close()


def report(items: list[dict], embedder: TransformerEmbedder, kinds: dict[str, Kinds],
           show_misses: bool) -> None:
    vectors = embedder.embed([t for item in items for t in (item["answer"], item["response"])])
    grader: Counter[str] = Counter()
    baseline: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    by_set: dict[str, Counter[str]] = {}
    misses = []
    for row, item in enumerate(items):
        similarity = float(vectors[2 * row] @ vectors[2 * row + 1])
        if len(item["answer"].split()) <= 2:
            similarity = None  # as the tutor grades: a word or two is compared by its words
        grade = grade_short(item["answer"], item["sentence"], item["response"], similarity,
                            item["question"], kinds[item["set"]].of(item["answer"]))
        agreed = grade.verdict == item["label"]
        grader[agreed] += 1
        baseline[exact(item["answer"], item["response"]) == item["label"]] += 1
        confusion[item["label"], grade.verdict] += 1
        by_set.setdefault(item["set"], Counter())[agreed] += 1
        if not agreed:
            misses.append((item, grade))
    total = len(items)
    labels = Counter(item["label"] for item in items)
    print(f"{total} labelled answers ({', '.join(f'{k} {v}' for k, v in labels.items())})")
    print(f"grader agreement with the labels: {grader[True]}/{total} = {grader[True] / total:.1%}")
    print(f"exact match of the normalised answer, same items: {baseline[True]}/{total} = "
          f"{baseline[True] / total:.1%}")
    for name, counts in by_set.items():
        print(f"  {name}: {counts[True]}/{sum(counts.values())}")
    print(f"graded right though labelled otherwise: "
          f"{sum(confusion[label, 'right'] for label in VERDICTS if label != 'right')}")
    print("labels (rows) against the grader (columns):", " ".join(f"{v:>7}" for v in VERDICTS))
    for label in VERDICTS:
        print(f"  {label:>7}", " ".join(f"{confusion[label, v]:>7}" for v in VERDICTS))
    if show_misses:
        for item, grade in misses:
            print(f"- {item['answer']!r} ← {item['response']!r}: label {item['label']}, "
                  f"grader {grade.verdict} ({grade.score}; {grade.why})")


if __name__ == "__main__":
    asyncio.run(main())
