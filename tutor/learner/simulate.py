"""Simulated learners from a known process, so anyone can reproduce the evaluation:
skills in a chain of prerequisites, each known or not; an attempt on a known skill
is right unless the learner slips, on an unknown one right only by a guess; a
learner learns a skill with some chance after each attempt (less while its
prerequisite is unknown), forgets it as days pass, and differs from others in
how fast they learn. Items differ in how often they are slipped or guessed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from tutor.learner.interactions import Interaction


@dataclass(frozen=True)
class Process:
    items_per_skill: int = 6
    attempts: int = 60  # per learner
    p_init: float = 0.15
    p_learn: float = 0.25
    without_prerequisite: float = 0.3  # learning rate factor while the prerequisite is unknown
    slip: float = 0.1
    guess: float = 0.25
    forget_days: float = 20.0  # mean days a skill is kept without practice
    session: int = 8  # attempts a session


def simulate(learners: int, skills: int, *, seed: int = 0,
             process: Process = Process()) -> list[Interaction]:
    """Interactions of `learners` simulated learners on `skills` skills.

    >>> rows = simulate(3, 2, seed=1)
    >>> len(rows), sorted({r.skill for r in rows}), rows[0].learner
    (180, ['skill-1', 'skill-2'], 'sim-0001')
    """
    rng = random.Random(seed)
    items = {s: [(rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5))
                  for _ in range(process.items_per_skill)] for s in range(skills)}
    rows: list[Interaction] = []
    for learner in range(learners):
        name = f"sim-{learner + 1:04d}"
        speed = rng.lognormvariate(0, 0.5)
        known = [rng.random() < process.p_init for _ in range(skills)]
        last_seen = [0.0] * skills
        clock = 0.0
        current = 0  # the skill the learner works on: course order, moving on when it feels known
        streak = 0
        for attempt in range(process.attempts):
            if attempt and attempt % process.session == 0:
                clock += rng.expovariate(1 / (2 * 86400))  # days between sessions
            clock += rng.uniform(20, 90)
            skill = current if rng.random() < 0.8 else rng.randrange(skills)
            days = (clock - last_seen[skill]) / 86400
            if known[skill] and last_seen[skill] and rng.random() > math.exp(
                    -days / process.forget_days):
                known[skill] = False
            item = rng.randrange(process.items_per_skill)
            slip_factor, guess_factor = items[skill][item]
            p = (1 - process.slip * slip_factor) if known[skill] else process.guess * guess_factor
            correct = int(rng.random() < p)
            rows.append(Interaction(name, f"skill-{skill + 1}-item-{item + 1}",
                                    f"skill-{skill + 1}", correct, round(clock)))
            last_seen[skill] = clock
            if not known[skill]:
                ready = skill == 0 or known[skill - 1]
                rate = process.p_learn * speed * (1 if ready else process.without_prerequisite)
                known[skill] = rng.random() < min(0.9, rate)
            if skill == current:
                streak = streak + 1 if correct else 0
                if streak >= 3 and current < skills - 1:
                    current, streak = current + 1, 0
    return rows
