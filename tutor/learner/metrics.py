"""The protocol's split and scores, without PyTorch (bench/bkt_check.py runs them
beside pyBKT in an environment of its own)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from tutor.learner.interactions import Interaction

TEST_SHARE = 0.2
SEED = 7


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve, by ranks (ties share their rank).

    >>> auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sorted_p = p[order]
    start = 0
    while start < len(p):  # average ranks over ties
        end = start
        while end + 1 < len(p) and sorted_p[end + 1] == sorted_p[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2 + 1
        start = end + 1
    positives = y.sum()
    negatives = len(y) - positives
    if not positives or not negatives:
        return float("nan")
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    log_loss = -np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))
    return {"auc": round(auc(y, p), 4), "accuracy": round(float(np.mean((p >= 0.5) == y)), 4),
            "log_loss": round(float(log_loss), 4)}


def split(rows: Sequence[Interaction]) -> tuple[list[Interaction], list[Interaction]]:
    learners = sorted({r.learner for r in rows})
    random.Random(SEED).shuffle(learners)
    held_out = set(learners[: max(1, round(TEST_SHARE * len(learners)))])
    return ([r for r in rows if r.learner not in held_out],
            [r for r in rows if r.learner in held_out])
