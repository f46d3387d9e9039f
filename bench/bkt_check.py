"""tutor/learner/bkt.py checked against pyBKT on the same split: both fitted on the
training learners, both predicting every attempt of the held-out learners.

pyBKT 1.4.3 needs older libraries than the tutor's (it fails with scikit-learn 1.9),
so it runs in an environment of its own, with the repository on the path:

    python3 -m venv /tmp/bktv
    /tmp/bktv/bin/pip install pyBKT==1.4.3 scikit-learn==1.3.2 "numpy<2" "pandas<2.2"
    PYTHONPATH=. /tmp/bktv/bin/python -m bench.bkt_check bench/data/learners/*.csv.gz
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from pyBKT.models import Model

from tutor.learner.bkt import BKT
from tutor.learner.interactions import by_learner, read_interactions
from tutor.learner.metrics import scores, split


def frame(rows: list) -> pd.DataFrame:
    return pd.DataFrame({"order_id": range(len(rows)), "user_id": [r.learner for r in rows],
                         "skill_name": [r.skill for r in rows],
                         "correct": [r.correct for r in rows]})


def check(path: Path) -> dict[str, object]:
    train, test = split(read_interactions(path))
    ordered = [r for history in by_learner(test).values() for r in history]
    y = np.array([r.correct for r in ordered], dtype=float)
    ours = BKT().fit(train)
    mine = np.array([p for history in by_learner(test).values() for p in ours.predict(history)])
    reference = Model(seed=42, num_fits=5)
    reference.fit(data=frame(train))
    theirs = reference.predict(data=frame(ordered))["correct_predictions"].to_numpy()
    return {"ours": scores(y, mine), "pyBKT": scores(y, theirs),
            "correlation": round(float(np.corrcoef(mine, theirs)[0, 1]), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    for path in parser.parse_args().files:
        print(path.name, json.dumps(check(path)))


if __name__ == "__main__":
    main()
