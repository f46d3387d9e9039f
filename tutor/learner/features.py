"""Features of a learner's history before each attempt: what the learner model
predicts the next answer from. Pure: the same history gives the same numbers.

Difficulties come from the training learners only (`Difficulty.fit`), smoothed
towards the skill's rate (an item few have tried says little on its own), and
are logits, so "harder" reads the same for items and skills.

Chosen by ablation (bench/learner_model.py, docs/learner-model.md): each
group left out costs AUC beyond the seed-to-seed noise on at least one data set,
except hints, which no public set records and the tutor does. Two groups gained
nothing and went: whether the learner met the item before and how they answered
it (on every set), and the rate on the skill's prerequisites (on simulated
learners, whose process has them: 0.7429 with the chain, 0.7440 without).
Prerequisites still decide what to learn next (tutor/learner/recommend.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tutor.learner.interactions import Interaction

FEATURES = (
    "skill_attempts",  # log(1 + attempts on this skill so far)
    "skill_correct",  # log(1 + right answers on this skill)
    "skill_rate",  # (right + 1) / (attempts + 2) on this skill
    "all_attempts",  # log(1 + attempts on any skill)
    "all_rate",  # (right + 1) / (attempts + 2) on any skill
    "streak",  # run of rights (+) or wrongs (-) on this skill, over 5, clipped to ±1
    "since_skill",  # log(1 + hours since this skill was last practised)
    "new_skill",  # 1 if the skill was never practised
    "hints",  # log(1 + hints taken on the last attempt of this skill)
    "item_difficulty",  # logit of the item's success rate among training learners
    "skill_difficulty",  # logit of the skill's success rate among training learners
)
PRIOR_WEIGHT = 5.0  # attempts' worth of the skill's rate an item's rate starts from


def _logit(p: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


@dataclass
class Difficulty:
    """Success rates of items and skills among training learners."""

    items: dict[str, float] = field(default_factory=dict)
    skills: dict[str, float] = field(default_factory=dict)
    overall: float = 0.5

    @classmethod
    def fit(cls, rows: Sequence[Interaction]) -> Difficulty:
        """
        >>> d = Difficulty.fit([Interaction("a", "q1", "s", 1, 0),
        ...     Interaction("b", "q1", "s", 0, 0), Interaction("c", "q2", "s", 1, 0)])
        >>> round(d.skills["s"], 3), round(d.items["q2"], 3)
        (0.667, 0.722)
        """
        overall = sum(r.correct for r in rows) / max(1, len(rows))
        skill_counts: dict[str, list[int]] = {}
        item_counts: dict[str, tuple[str, list[int]]] = {}
        for r in rows:
            skill_counts.setdefault(r.skill, [0, 0])
            skill_counts[r.skill][0] += r.correct
            skill_counts[r.skill][1] += 1
            counts = item_counts.setdefault(r.item, (r.skill, [0, 0]))[1]
            counts[0] += r.correct
            counts[1] += 1
        skills = {s: (c + overall) / (n + 1) for s, (c, n) in skill_counts.items()}
        items = {i: (c + PRIOR_WEIGHT * skills[s]) / (n + PRIOR_WEIGHT)
                 for i, (s, (c, n)) in item_counts.items()}
        return cls(items, skills, overall)

    def item(self, item: str, skill: str) -> float:
        return self.items.get(item, self.skill(skill))

    def skill(self, skill: str) -> float:
        return self.skills.get(skill, self.overall)


@dataclass
class _SkillHistory:
    attempts: int = 0
    correct: int = 0
    streak: int = 0
    last_time: float | None = None
    last_hints: int = 0


class LearnerState:
    """What a learner's attempts so far say, kept up to date one attempt at a time:
    `row` gives the features of a next attempt, `add` takes an attempt in."""

    def __init__(self, difficulty: Difficulty) -> None:
        self.difficulty = difficulty
        self.skills: dict[str, _SkillHistory] = {}
        self.attempts = 0
        self.correct = 0

    def row(self, item: str, skill: str, timestamp: float) -> tuple[float, ...]:
        """FEATURES of an attempt on `item` (of `skill`) at `timestamp`; an item
        nobody has met ("") counts as its skill's typical item."""
        seen = self.skills.get(skill) or _SkillHistory()
        gap = 0.0 if seen.last_time is None else timestamp - seen.last_time
        hours = max(0.0, gap) / 3600
        return (
            math.log1p(seen.attempts), math.log1p(seen.correct),
            (seen.correct + 1) / (seen.attempts + 2),
            math.log1p(self.attempts), (self.correct + 1) / (self.attempts + 2),
            max(-1.0, min(1.0, seen.streak / 5)), math.log1p(hours),
            float(seen.attempts == 0),
            math.log1p(seen.last_hints),
            _logit(self.difficulty.item(item, skill)),
            _logit(self.difficulty.skill(skill)),
        )

    def add(self, attempt: Interaction) -> None:
        seen = self.skills.setdefault(attempt.skill, _SkillHistory())
        seen.attempts += 1
        seen.correct += attempt.correct
        seen.streak = (max(0, seen.streak) + 1) if attempt.correct else (min(0, seen.streak) - 1)
        seen.last_time, seen.last_hints = attempt.timestamp, attempt.hints
        self.attempts += 1
        self.correct += attempt.correct


def history_features(history: Sequence[Interaction], difficulty: Difficulty) -> np.ndarray:
    """One row of FEATURES for each attempt of one learner's history (in time order),
    each from the attempts before it only.

    >>> rows = [Interaction("a", "q1", "fire", 1, 0), Interaction("a", "q2", "fire", 0, 7200),
    ...         Interaction("a", "q1", "fire", 1, 7200)]
    >>> x = history_features(rows, Difficulty())
    >>> {k: round(float(v), 3) for k, v in zip(FEATURES[:8], x[2])}
    ... # doctest: +NORMALIZE_WHITESPACE
    {'skill_attempts': 1.099, 'skill_correct': 0.693, 'skill_rate': 0.5, 'all_attempts': 1.099,
     'all_rate': 0.5, 'streak': -0.2, 'since_skill': 0.0, 'new_skill': 0.0}
    >>> round(float(x[1][6]), 3), round(float(x[2][9]), 3)  # two hours since; q1's logit
    (1.099, 0.0)
    """
    state = LearnerState(difficulty)
    out = np.zeros((len(history), len(FEATURES)), dtype=np.float32)
    for row, attempt in enumerate(history):
        out[row] = state.row(attempt.item, attempt.skill, attempt.timestamp)
        state.add(attempt)
    return out
