"""The answer check on hand-labelled sentence pairs (bench/data/check_pairs.jsonl):
for each pair, the check runs as the tutor runs it (the passage split into its
sentences, the real MiniLM, the shipped thresholds) and keeps or removes the
answer sentence. Only faithful paraphrases should be kept.

    python -m bench.check_quality [--split dev|test|all] [--json] [--show LABEL]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from knowledge.embedder import TransformerEmbedder
from tutor.answers.grounding import check_sentences, passage_sentences
from tutor.answers.terms import content_words
from tutor.settings import Settings

PAIRS = Path(__file__).resolve().parent / "data" / "check_pairs.jsonl"
LABELS = ("paraphrase", "negation", "modality", "number", "swap", "unrelated")


def run(split: str, threshold: float) -> list[dict]:
    pairs = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    pairs = [p for p in pairs if split == "all" or p["split"] == split]
    embedder = TransformerEmbedder()
    results = []
    for pair in pairs:
        sources = passage_sentences([pair["passage"]])
        vectors = embedder.embed([pair["sentence"]] + [s.text for s in sources])
        checked = check_sentences([pair["sentence"]], vectors[:1], sources, vectors[1:],
                                  [pair["passage"]], pair["question"])[0]
        new_share = len(checked.new_words) / max(1, len(content_words(pair["sentence"])))
        results.append({**pair, "kept": checked.supported(threshold),
                        "reason": checked.reason(threshold), "support_found": checked.support_text,
                        "score": round(checked.support, 3),
                        # What a looser check would do: removed only for new words, this many.
                        "new_share": new_share if checked.verdict(threshold) == "new words"
                        else None})
    return results


def looser(results: list[dict], share: float) -> tuple[int, int]:
    """(paraphrases, other pairs) kept if sentences with up to `share` of their content
    words new to the passage were let through: the price of the shipped strictness."""
    kept = [r for r in results if r["kept"] or (r["new_share"] is not None
                                                   and r["new_share"] <= share)]
    return (sum(r["label"] == "paraphrase" for r in kept),
            sum(r["label"] != "paraphrase" for r in kept))


def confusion(results: list[dict]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for label in LABELS:
        rows = [r for r in results if r["label"] == label]
        table[label] = {"n": len(rows), "kept": sum(r["kept"] for r in rows),
                        "removed": sum(not r["kept"] for r in rows)}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", help="print the pairs of this label the check got wrong")
    args = parser.parse_args()
    threshold = Settings(_env_file=None).support_threshold
    results = run(args.split, threshold)
    table = confusion(results)
    if args.json:
        print(json.dumps({"split": args.split, "support_threshold": threshold,
                          "confusion": table,
                          "looser": {str(share): dict(zip(("paraphrases", "others"),
                                                          looser(results, share), strict=True))
                                     for share in (0.15, 0.25, 0.34)}}, indent=2))
        return
    print(f"split {args.split}, support threshold {threshold}, {len(results)} pairs")
    print(f"{'label':12} {'n':>4} {'kept':>5} {'removed':>8}  {'right':>6}")
    for label, row in table.items():
        right = row["kept"] if label == "paraphrase" else row["removed"]
        print(f"{label:12} {row['n']:4d} {row['kept']:5d} {row['removed']:8d}  "
              f"{right / max(1, row['n']):6.1%}")
    wrong_contradictions = sum(row["kept"] for label, row in table.items()
                               if label != "paraphrase")
    changed = table["number"]
    print(f"kept though contradicted or unsupported: {wrong_contradictions} of "
          f"{sum(row['n'] for label, row in table.items() if label != 'paraphrase')}; "
          f"changed numbers kept: {changed['kept']} of {changed['n']}")
    paraphrases = table["paraphrase"]["n"]
    others = len(results) - paraphrases
    for share in (0.15, 0.25, 0.34):
        para, bad = looser(results, share)
        print(f"if up to {share:.0%} of a sentence's words could be new: paraphrases kept "
              f"{para / paraphrases:.1%}, contradicted or unsupported kept {bad / others:.1%}")
    reasons = Counter(r["reason"].split(":")[0] for r in results if not r["kept"])
    print("why removed:", ", ".join(f"{reason} {count}" for reason, count in reasons.most_common()))
    if args.show:
        for r in results:
            wrong = r["kept"] != (r["label"] == "paraphrase")
            if r["label"] == args.show and wrong:
                print(f"\n[{r['id']}] {r['reason']} (score {r['score']})\n  support: {r['support']}"
                      f"\n  found:   {r['support_found']}\n  answer:  {r['sentence']}")


if __name__ == "__main__":
    main()
