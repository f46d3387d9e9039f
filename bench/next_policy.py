"""Simulated learners who follow /next against the same learners following the
course order: how many quiz answers each needs until they know every skill (the
simulator's ground truth, tutor/learner/simulate.py: prerequisites, learning,
forgetting, slips and guesses).

Both take quizzes of 5 questions on one skill, two quizzes a session, days
between sessions. Course order: the first skill in order the tutor's mastery
estimate does not call mastered, and once all are, the one practised longest
ago. /next: the skill tutor/learner/recommend.py picks, from the learner model
trained on course-order learners (`tutorbot learner simulate`, seed 0), and again
from the mastery estimate alone (the cold-start prior). Learner n is the same
learner (speed, what they know at the start) under every policy.

    python -m bench.next_policy [--learners 200 --skills 6]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable

from bench.answer_quality import RESULTS
from tutor.learner.evaluate import features_of
from tutor.learner.features import Difficulty
from tutor.learner.interactions import Interaction, by_learner
from tutor.learner.knowledge import SkillInfo, TrainedModel, estimate
from tutor.learner.model import LearnerModel
from tutor.learner.recommend import all_done, next_step
from tutor.learner.simulate import SimulatedLearner, item_factors, simulate
from tutor.mastery import SkillState, reached_mastery, updated

QUIZ = 5  # questions a quiz
QUIZZES_PER_SESSION = 2
CAP = 600  # answers after which a learner counts as not there


def renamed(row: Interaction) -> Interaction:
    """Simulated ids as the tutor's: skill "skill-3" as "3", its item 2 as "3-2"."""
    skill = row.skill.removeprefix("skill-")
    return Interaction(row.learner, f"{skill}-{row.item.rsplit('-', 1)[1]}", skill,
                       row.correct, row.timestamp)


def chain(skills: int) -> list[SkillInfo]:
    return [SkillInfo(k, f"skill {k}", k, (k - 1,) if k > 1 else (), 10)
            for k in range(1, skills + 1)]


def train(skills: int) -> TrainedModel:
    rows = [renamed(r) for r in simulate(300, skills, seed=0)]
    difficulty = Difficulty.fit(rows)
    histories = list(by_learner(rows).values())
    x, y = features_of(histories, difficulty)
    return TrainedModel(LearnerModel().fit(x, y), difficulty, {}, len(histories), 0.0)


Policy = Callable[[list[Interaction], dict[int, SkillState], float], int]


def course_order(skills: int) -> Policy:
    def choose(history: list[Interaction], mastery: dict[int, SkillState], now: float) -> int:
        for k in range(1, skills + 1):
            state = mastery.get(k, SkillState())
            if not reached_mastery(state.estimate, state.attempts):
                return k
        last = {int(r.skill): r.timestamp for r in history}
        return min(range(1, skills + 1), key=lambda k: last.get(k, 0.0))
    return choose


def following_next(skills: int, trained: TrainedModel | None) -> Policy:
    infos = chain(skills)

    def choose(history: list[Interaction], mastery: dict[int, SkillState], now: float) -> int:
        knowledge = estimate("sim", infos, history, trained,
                             {k: s.estimate for k, s in mastery.items()}, now)
        step = next_step(knowledge) or all_done(knowledge)
        assert step is not None
        return step.skill_id
    return choose


def answers_to_mastery(policy: Policy, learner: int, skills: int,
                       items: list[list[tuple[float, float]]]) -> int:
    """Answers until the learner knows every skill (CAP if never)."""
    student = SimulatedLearner(random.Random(learner), skills, items)
    clock_rng = random.Random(10_000 + learner)
    history: list[Interaction] = []
    mastery: dict[int, SkillState] = {}
    clock, quizzes = 0.0, 0
    while len(history) < CAP and not all(student.known):
        skill = policy(history, mastery, clock)
        for _ in range(QUIZ):
            clock += clock_rng.uniform(20, 90)
            item, correct = student.answer(skill - 1, clock)
            history.append(Interaction(str(learner), f"{skill}-{item + 1}", str(skill), correct,
                                       clock))
            mastery[skill] = updated(mastery.get(skill, SkillState()), correct, bool(correct))
        quizzes += 1
        if quizzes % QUIZZES_PER_SESSION == 0:
            clock += clock_rng.expovariate(1 / (2 * 86400))
    return len(history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--skills", type=int, default=6)
    parser.add_argument("--first", type=int, default=0,
                        help="The first learner's seed (tune on others than you report)")
    args = parser.parse_args()
    items = item_factors(random.Random(0), args.skills)
    policies = {"course_order": course_order(args.skills),
                "next_model": following_next(args.skills, train(args.skills)),
                "next_mastery_prior": following_next(args.skills, None)}
    answers: dict[str, list[int]] = {name: [] for name in policies}
    started = time.perf_counter()
    # Interleaved: each learner under every policy in turn.
    for learner in range(args.first, args.first + args.learners):
        for name, policy in policies.items():
            answers[name].append(answers_to_mastery(policy, learner, args.skills, items))
    summary: dict[str, object] = {"learners": args.learners, "first": args.first,
                                  "skills": args.skills,
                                  "cap": CAP, "seconds": round(time.perf_counter() - started)}
    for name, counts in answers.items():
        summary[name] = {"median_answers": statistics.median(counts),
                         "mean_answers": round(statistics.mean(counts), 1),
                         "reached": sum(c < CAP for c in counts)}
    base = statistics.median(answers["course_order"])
    summary["ratio_course_order_to_next_model"] = round(
        base / statistics.median(answers["next_model"]), 3)
    summary["ratio_course_order_to_next_mastery_prior"] = round(
        base / statistics.median(answers["next_mastery_prior"]), 3)
    pairs = list(zip(answers["next_model"], answers["course_order"], strict=True))
    summary["next_model_fewer_for"] = sum(n < c for n, c in pairs)
    summary["next_model_more_for"] = sum(n > c for n, c in pairs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learner-next-policy.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
