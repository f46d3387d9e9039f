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


class SimulatedLearner:
    """One simulated learner: what they know, and how they answer, learn and forget.
    Who chooses what they practise (course order, `/next`) is up to the caller."""

    def __init__(self, rng: random.Random, skills: int, items: list[list[tuple[float, float]]],
                 process: Process = Process()) -> None:
        self.rng, self.items, self.process = rng, items, process
        self.speed = rng.lognormvariate(0, 0.5)
        self.known = [rng.random() < process.p_init for _ in range(skills)]
        self.last_seen = [0.0] * skills

    def answer(self, skill: int, clock: float) -> tuple[int, int]:
        """An attempt on a random item of `skill` at `clock` seconds: (item, correct)."""
        rng, process = self.rng, self.process
        days = (clock - self.last_seen[skill]) / 86400
        if self.known[skill] and self.last_seen[skill] and rng.random() > math.exp(
                -days / process.forget_days):
            self.known[skill] = False
        item = rng.randrange(process.items_per_skill)
        slip_factor, guess_factor = self.items[skill][item]
        p = (1 - process.slip * slip_factor) if self.known[skill] else (
            process.guess * guess_factor)
        correct = int(rng.random() < p)
        self.last_seen[skill] = clock
        if not self.known[skill]:
            ready = skill == 0 or self.known[skill - 1]
            rate = process.p_learn * self.speed * (1 if ready else process.without_prerequisite)
            self.known[skill] = rng.random() < min(0.9, rate)
        return item, correct


def item_factors(rng: random.Random, skills: int, process: Process = Process()
                 ) -> list[list[tuple[float, float]]]:
    """How often each item of each skill is slipped and guessed, relative to the mean."""
    return [[(rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5))
             for _ in range(process.items_per_skill)] for _ in range(skills)]


def simulate(learners: int, skills: int, *, seed: int = 0,
             process: Process = Process()) -> list[Interaction]:
    """Interactions of `learners` simulated learners on `skills` skills, each working
    through the course in order (moving on after three right in a row) with one
    attempt in five on a skill at random.

    >>> rows = simulate(3, 2, seed=1)
    >>> len(rows), sorted({r.skill for r in rows}), rows[0].learner
    (180, ['skill-1', 'skill-2'], 'sim-0001')
    """
    rng = random.Random(seed)
    items = item_factors(rng, skills, process)
    rows: list[Interaction] = []
    for learner in range(learners):
        name = f"sim-{learner + 1:04d}"
        student = SimulatedLearner(rng, skills, items, process)
        clock = 0.0
        current = 0  # the skill the learner works on: course order, moving on when it feels known
        streak = 0
        for attempt in range(process.attempts):
            if attempt and attempt % process.session == 0:
                clock += rng.expovariate(1 / (2 * 86400))  # days between sessions
            clock += rng.uniform(20, 90)
            skill = current if rng.random() < 0.8 else rng.randrange(skills)
            item, correct = student.answer(skill, clock)
            rows.append(Interaction(name, f"skill-{skill + 1}-item-{item + 1}",
                                    f"skill-{skill + 1}", correct, round(clock)))
            if skill == current:
                streak = streak + 1 if correct else 0
                if streak >= 3 and current < skills - 1:
                    current, streak = current + 1, 0
    return rows
