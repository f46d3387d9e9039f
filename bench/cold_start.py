"""The cold-start threshold: how many attempts the learner model needs before it
predicts better than the transparent mastery estimate (tutor/mastery.py) that
serves until then. On each data set's fixed split, the MLP is trained on growing
shares of the training learners (whole learners, in three random orders) and
scored on the same held-out learners as the mastery estimate, which needs no
training. The threshold is the least count from which the MLP's median AUC beats
the mastery estimate's on every data set, at that count and every larger one.

    python -m bench.cold_start [--learners 300 --skills 6]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from pathlib import Path

import numpy as np

from bench.answer_quality import RESULTS
from tutor.learner.evaluate import features_of
from tutor.learner.features import Difficulty
from tutor.learner.interactions import Interaction, by_learner, read_interactions
from tutor.learner.metrics import auc, split
from tutor.learner.model import LearnerModel
from tutor.learner.simulate import simulate
from tutor.mastery import SkillState, updated

SETS = Path(__file__).parent / "data" / "learners"
COUNTS = (50, 100, 200, 400, 800, 1600, 3200, 6400)
ORDERS = 3


def mastery_predictions(histories: list[list[Interaction]]) -> np.ndarray:
    """Each attempt predicted by the mastery estimate of its skill before it."""
    out = []
    for history in histories:
        states: dict[str, SkillState] = {}
        for attempt in history:
            state = states.get(attempt.skill, SkillState())
            out.append(state.estimate)
            states[attempt.skill] = updated(state, float(attempt.correct), bool(attempt.correct))
    return np.array(out)


def first_learners(train: list[Interaction], count: int, order: int) -> list[Interaction]:
    """Whole training learners, in a random order, until `count` attempts."""
    histories = list(by_learner(train).values())
    random.Random(order).shuffle(histories)
    chosen: list[Interaction] = []
    for history in histories:
        if len(chosen) >= count:
            break
        chosen += history
    return chosen


def curve(rows: list[Interaction]) -> dict[str, object]:
    train, test = split(rows)
    test_histories = list(by_learner(test).values())
    y_test = np.array([r.correct for h in test_histories for r in h], dtype=np.float32)
    result: dict[str, object] = {"mastery_auc": round(auc(y_test, mastery_predictions(
        test_histories)), 4), "n_train": len(train), "mlp_auc": {}}
    for count in (*[c for c in COUNTS if c < len(train)], len(train)):
        aucs = []
        for order in range(ORDERS):
            subset = first_learners(train, count, order)
            difficulty = Difficulty.fit(subset)
            x, y = features_of(list(by_learner(subset).values()), difficulty)
            x_test, _ = features_of(test_histories, difficulty)
            aucs.append(auc(y_test, LearnerModel().fit(x, y).predict_proba(x_test)))
        result["mlp_auc"][count] = round(statistics.median(aucs), 4)  # type: ignore[index]
        print(f"  {count:>6} attempts: MLP {statistics.median(aucs):.4f} "
              f"(mastery {result['mastery_auc']})", flush=True)
    return result


def threshold(results: dict[str, dict]) -> int | None:
    """The least count from which the MLP beats mastery on every set, for good."""
    for count in COUNTS:
        if all(all(a > r["mastery_auc"] for c, a in r["mlp_auc"].items() if c >= count)
               for r in results.values()):
            return count
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--skills", type=int, default=6)
    args = parser.parse_args()
    sets = {"simulated": simulate(args.learners, args.skills, seed=0)}
    sets |= {path.name.split(".")[0]: read_interactions(path)
             for path in sorted(SETS.glob("*.csv.gz"))}
    results = {}
    for name, rows in sets.items():
        print(name, flush=True)
        results[name] = curve(rows)
    summary = {"sets": results, "threshold": threshold(results)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learner-cold-start.json").write_text(json.dumps(summary, indent=1) + "\n")
    print("threshold:", summary["threshold"])


if __name__ == "__main__":
    main()
