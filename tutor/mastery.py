"""How mastery of a skill moves after each attempt: an exponentially weighted
success rate that starts from a prior. Transparent on purpose (a learner can be
told why a bar moved) and kept in this one place, so the learner model can
replace it.

Each attempt's score (0 to 1, after hints and retries) pulls the estimate a share
`RATE` of the way towards it, so recent attempts count most and an old mistake
fades. Mastery of a skill is reached once the estimate reaches `MASTERED` over at
least `MIN_ATTEMPTS` attempts (`reached_mastery`); a skill is mastered while it is
also recalled now (tutor/learner/knowledge.py, `SkillKnowledge.mastered`).
"""

from __future__ import annotations

from dataclasses import dataclass

PRIOR = 0.3  # what a skill nobody has practised starts at: probably not known yet
RATE = 0.35  # how far one attempt moves the estimate
MASTERED = 0.8
MIN_ATTEMPTS = 3


@dataclass(frozen=True)
class SkillState:
    estimate: float = PRIOR
    attempts: int = 0
    correct: int = 0


def reached_mastery(estimate: float, attempts: int) -> bool:
    """Whether an estimate counts as mastery: high enough, over enough attempts to
    tell knowing from luck.

    >>> reached_mastery(0.9, 3), reached_mastery(0.9, 2), reached_mastery(0.7, 9)
    (True, False, False)
    """
    return estimate >= MASTERED and attempts >= MIN_ATTEMPTS


def updated(state: SkillState, score: float, correct: bool) -> SkillState:
    """The state after one more attempt.

    >>> state = updated(SkillState(), 1.0, True)
    >>> round(state.estimate, 3), state.attempts
    (0.545, 1)
    >>> for _ in range(3):
    ...     state = updated(state, 1.0, True)
    >>> round(state.estimate, 3), reached_mastery(state.estimate, state.attempts)
    (0.875, True)
    >>> round(updated(state, 0.0, False).estimate, 3)
    0.569
    """
    score = min(1.0, max(0.0, score))
    return SkillState(state.estimate + RATE * (score - state.estimate), state.attempts + 1,
                      state.correct + int(correct))


def combined(a: SkillState, b: SkillState) -> SkillState:
    """A learner's mastery of two skills merged into one: their attempts and right
    answers added, the estimate each skill's weighted by its attempts (a skill never
    practised adds nothing).

    >>> merged = combined(SkillState(0.9, 3, 3), SkillState(0.3, 1, 0))
    >>> round(merged.estimate, 3), merged.attempts, merged.correct
    (0.75, 4, 3)
    >>> combined(SkillState(), SkillState())
    SkillState(estimate=0.3, attempts=0, correct=0)
    """
    attempts = a.attempts + b.attempts
    if not attempts:
        return SkillState(max(a.estimate, b.estimate), 0, 0)
    estimate = (a.estimate * a.attempts + b.estimate * b.attempts) / attempts
    return SkillState(estimate, attempts, a.correct + b.correct)
