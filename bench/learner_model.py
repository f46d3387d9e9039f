"""The learner model against its baselines, and a feature ablation: the MLP's AUC
with each feature left out, and each group of related features left out, on the
same split; the full MLP over three seeds shows what is noise. Interaction files
are read as `tutorbot learner evaluate` reads them; without any, simulated
learners (`tutorbot learner simulate`, seed 0) and the public sets in
bench/data/learners are used.

    python -m bench.learner_model [FILE.csv ...] [--learners 300 --skills 6] [--no-ablation]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.answer_quality import RESULTS
from tutor.learner.evaluate import evaluate, mlp_scores, prepare
from tutor.learner.features import FEATURES
from tutor.learner.interactions import read_interactions
from tutor.learner.model import MLPConfig
from tutor.learner.simulate import simulate

SETS = Path(__file__).parent / "data" / "learners"
GROUPS = {
    "skill counts": ("skill_attempts", "skill_correct", "skill_rate"),
    "all counts": ("all_attempts", "all_rate"),
    "recency": ("streak", "since_skill", "new_skill"),
    "difficulty": ("item_difficulty", "skill_difficulty"),
    "hints": ("hints",),
}


def run(name: str, rows: list, ablation: bool) -> dict[str, object]:
    started = time.perf_counter()
    result = evaluate(rows)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if ablation:
        data = prepare(rows)  # one split and its features for every ablated MLP
        everything = range(len(FEATURES))
        result["mlp_auc_without"] = {
            feature: mlp_scores(data, columns=[c for c in everything if c != n])["auc"]
            for n, feature in enumerate(FEATURES)}
        result["mlp_auc_without_group"] = {
            group: mlp_scores(data, columns=[c for c in everything
                                             if FEATURES[c] not in names])["auc"]
            for group, names in GROUPS.items()}
        result["mlp_auc_seeds"] = [mlp_scores(data, MLPConfig(seed=seed))["auc"]
                                   for seed in (0, 1, 2)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"learner-{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--skills", type=int, default=6)
    parser.add_argument("--no-ablation", action="store_true")
    args = parser.parse_args()
    files = args.files or sorted(SETS.glob("*.csv.gz"))
    sets = {} if args.files else {"simulated": simulate(args.learners, args.skills, seed=0)}
    sets |= {path.name.split(".")[0]: read_interactions(path) for path in files}
    for name, rows in sets.items():
        print(name, json.dumps(run(name, rows, not args.no_ablation), indent=1))


if __name__ == "__main__":
    main()
