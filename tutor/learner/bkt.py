"""Bayesian Knowledge Tracing, the classic baseline: per skill, the chance the
learner knows it at the start, learns it after an attempt, slips when they know
it and guesses when they do not. Fitted per skill by a coarse grid search of the
training likelihood (no forgetting, as in standard BKT)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.learner.interactions import Interaction

GRID = {"init": (0.05, 0.2, 0.4, 0.6), "learn": (0.02, 0.08, 0.15, 0.3),
        "slip": (0.05, 0.1, 0.2, 0.3), "guess": (0.1, 0.2, 0.3, 0.45)}


@dataclass(frozen=True)
class SkillParameters:
    init: float = 0.3
    learn: float = 0.1
    slip: float = 0.1
    guess: float = 0.25


def predict_sequence(outcomes: Sequence[int], p: SkillParameters) -> list[float]:
    """P(right) before each attempt of one learner on one skill, given the outcomes.

    >>> [round(x, 3) for x in predict_sequence([1, 1], SkillParameters())]
    [0.445, 0.67]
    """
    known, predictions = p.init, []
    for outcome in outcomes:
        right = known * (1 - p.slip) + (1 - known) * p.guess
        predictions.append(right)
        if outcome:
            posterior = known * (1 - p.slip) / max(right, 1e-9)
        else:
            posterior = known * p.slip / max(1 - right, 1e-9)
        known = posterior + (1 - posterior) * p.learn
    return predictions


def _log_likelihood(sequences: list[list[int]], p: SkillParameters) -> float:
    total = 0.0
    for outcomes in sequences:
        for outcome, right in zip(outcomes, predict_sequence(outcomes, p), strict=True):
            total += math.log(max(right if outcome else 1 - right, 1e-9))
    return total


class BKT:
    def __init__(self) -> None:
        self.skills: dict[str, SkillParameters] = {}

    def fit(self, rows: Sequence[Interaction]) -> BKT:
        sequences: dict[str, dict[str, list[int]]] = {}
        for row in rows:
            sequences.setdefault(row.skill, {}).setdefault(row.learner, []).append(row.correct)
        for skill, by_learner in sequences.items():
            runs = list(by_learner.values())
            candidates = (SkillParameters(*values) for values in itertools.product(*GRID.values())
                          if values[2] + values[3] < 1)
            self.skills[skill] = max(candidates, key=lambda p: _log_likelihood(runs, p))
        return self

    def predict(self, history: Sequence[Interaction]) -> list[float]:
        """P(right) before each attempt of one learner's history, skill by skill."""
        by_skill: dict[str, list[int]] = {}
        for row in history:
            by_skill.setdefault(row.skill, []).append(row.correct)
        per_skill = {s: iter(predict_sequence(o, self.skills.get(s, SkillParameters())))
                     for s, o in by_skill.items()}
        return [next(per_skill[row.skill]) for row in history]
