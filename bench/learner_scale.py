"""The learner model at scale, on this CPU.

1. Training at 1M interactions (simulated learners, `tutorbot learner simulate`):
   building the features, fitting the MLP, and fitting logistic regression on the
   same features as the reference.
2. Predicting for one learner: `estimate` (features from their history, then the
   network on every skill of the course), next to the bare network on the same
   rows.
3. `/next` in-process through the dialogue manager on the sample course, with
   its bank built and the model in use (trained on simulated learners' answers
   to the course's real questions), next to `/help`, which does no work, in the
   same run.

    python -m bench.learner_scale [--interactions 1000000] [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlmodel import Session, col, select

from bench.answer_quality import RESULTS
from bench.next_policy import chain, renamed
from knowledge.library import find_course
from knowledge.tables import Skill
from tutor.dialogue import DialogueManager
from tutor.errors import ModelLoadError
from tutor.learner.evaluate import features_of
from tutor.learner.features import Difficulty, LearnerState
from tutor.learner.interactions import by_learner
from tutor.learner.knowledge import TrainedModel, estimate
from tutor.learner.model import LearnerModel, MLPConfig
from tutor.learner.simulate import simulate
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import Attempt, Question

SAMPLE_COURSE = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"
COURSE = "workplace-safety"
SKILLS = 8


def ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}


def training(interactions: int, runs: int) -> dict[str, object]:
    learners = max(5, interactions // 60)
    started = time.perf_counter()
    rows = [renamed(r) for r in simulate(learners, SKILLS, seed=0)]
    simulated_s = time.perf_counter() - started
    started = time.perf_counter()
    difficulty = Difficulty.fit(rows)
    histories = list(by_learner(rows).values())
    x, y = features_of(histories, difficulty)
    features_s = time.perf_counter() - started
    started = time.perf_counter()
    mlp = LearnerModel().fit(x, y)
    mlp_s = time.perf_counter() - started
    started = time.perf_counter()
    LearnerModel(MLPConfig(hidden=(), dropout=0.0)).fit(x, y)
    logistic_s = time.perf_counter() - started
    trained = TrainedModel(mlp, difficulty, {}, len(histories), 0.0)
    history = histories[0]
    now = history[-1].timestamp + 3600
    infos = chain(SKILLS)
    whole, network = [], []
    for _ in range(runs):  # interleaved: the whole estimate, then the network alone
        started = time.perf_counter()
        estimate("bench", infos, history, trained, {}, now)
        whole.append((time.perf_counter() - started) * 1000)
        state = LearnerState(difficulty)
        for attempt in history:
            state.add(attempt)
        batch = np.array([state.row("", str(s.skill_id), now) for s in infos] * 2,
                         dtype=np.float32)
        started = time.perf_counter()
        mlp.predict_proba(batch)
        network.append((time.perf_counter() - started) * 1000)
    return {"interactions": len(rows), "learners": learners, "skills": SKILLS,
            "simulate_s": round(simulated_s, 1), "features_s": round(features_s, 1),
            "fit_mlp_s": round(mlp_s, 1), "fit_logistic_s": round(logistic_s, 1),
            "epochs": MLPConfig().epochs,
            "estimate_one_learner": {**ms(whole), "attempts": len(history)},
            "network_alone": ms(network)}


def no_model():  # type: ignore[no-untyped-def]
    raise ModelLoadError("the learner bench loads no language model")


def fill_attempts(runtime: Runtime, learners: int) -> list[str]:
    """Simulated learners' answers to the course's real questions, skill by skill in
    course order; returns the learners."""
    course_id = find_course(runtime.engine, COURSE).id
    with Session(runtime.engine) as session:
        questions = session.exec(select(Question.id, Question.skill_id, Skill.position)
                                 .join(Skill, col(Skill.id) == Question.skill_id)
                                 .where(Question.course_id == course_id,
                                        Question.status == "active")).all()
    by_skill: dict[int, list[int]] = {}
    for question_id, skill_id, _ in sorted(questions, key=lambda q: q[2]):
        by_skill.setdefault(skill_id, []).append(question_id)
    skills = list(by_skill)
    rows = simulate(learners, len(skills), seed=1)
    rng = random.Random(1)
    start = datetime.now(UTC) - timedelta(days=60)
    with Session(runtime.engine) as session:
        for row in rows:
            skill_id = skills[int(row.skill.removeprefix("skill-")) - 1]
            session.add(Attempt(learner_id=f"bench:{row.learner}", course=COURSE,
                                question_id=rng.choice(by_skill[skill_id]), skill_id=skill_id,
                                response="", score=float(row.correct), correct=bool(row.correct),
                                created_at=start + timedelta(seconds=row.timestamp)))
        session.commit()
    return sorted({f"bench:{row.learner}" for row in rows})


async def next_latency(learners: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), _env_file=None,
                            learner_min_attempts=1600)  # type: ignore[call-arg]
        runtime = Runtime(settings)
        runtime._generator_factory = no_model
        runtime.add_material([SAMPLE_COURSE], COURSE)
        names = fill_attempts(runtime, learners)
        report = runtime.knowledge.train()
        assert runtime.knowledge.in_use(COURSE), report
        manager = DialogueManager(runtime)
        timings: dict[str, list[float]] = {"next": [], "path": [], "help": []}
        for run in range(runs):  # interleaved: /next, /path, /help for one learner
            learner = names[run % len(names)]
            for command in timings:
                started = time.perf_counter()
                replies = [r async for r in manager.respond(
                    IncomingMessage(learner, f"/{command}", COURSE))]
                timings[command].append((time.perf_counter() - started) * 1000)
                assert not any(r.error for r in replies), replies
        runtime.close()
    return {"attempts": report.attempts, "learners": report.learners,
            "train_s": round(report.seconds, 1),
            **{f"{command}_ms": ms(values) for command, values in timings.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--course-learners", type=int, default=500)
    args = parser.parse_args()
    result = {"training": training(args.interactions, args.runs)}
    print(json.dumps(result, indent=1), flush=True)
    result["chat"] = asyncio.run(next_latency(args.course_learners, args.runs))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learner-scale.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
