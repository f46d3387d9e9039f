"""The learner model in the tutor: trained from the database, saved in the data dir,
switched on per course past the cold-start threshold, estimates per learner."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from tests.conftest import SAMPLE_COURSE
from tutor import personal_data
from tutor.errors import TutorError
from tutor.learner.features import FEATURES
from tutor.learner.knowledge import FILE_VERSION, MODEL_FILE, Knowledge
from tutor.learner.model import VERSION
from tutor.runtime import Runtime
from tutor.tables import Attempt, Question

COURSE = "workplace-safety"
START = datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.fixture
def course(runtime: Runtime) -> Runtime:
    runtime.add_material([SAMPLE_COURSE], COURSE)
    return runtime


def add_answers(runtime: Runtime, learners: int, per_learner: int, *, seed: int = 0,
                prefix: str = "sim") -> set[int]:
    """Learners who know half the skills (right 85 %) and not the rest (30 %); returns
    the known skills."""
    with Session(runtime.engine) as session:
        questions = session.exec(select(Question).where(Question.status == "active")
                                 .order_by(col(Question.skill_id))).all()
        skills = sorted({q.skill_id for q in questions})
        rng = random.Random(seed)
        for learner in range(learners):
            at = START
            for _ in range(per_learner):
                question = rng.choice(questions)
                known = skills.index(question.skill_id) < len(skills) // 2
                right = rng.random() < (0.85 if known else 0.3)
                at += timedelta(minutes=2)
                session.add(Attempt(learner_id=f"{prefix}:{learner}", course=COURSE,
                                    question_id=question.id or 0, skill_id=question.skill_id,
                                    response="", score=float(right), correct=right,
                                    created_at=at))
        session.commit()
    return set(skills[:len(skills) // 2])


def knowledge_for(runtime: Runtime, min_attempts: int) -> Knowledge:
    return Knowledge(runtime.engine, runtime.settings.data_dir, min_attempts,
                     clock=lambda: (START + timedelta(days=1)).timestamp())


def test_too_few_answers_to_train_is_a_clear_error(course: Runtime) -> None:
    add_answers(course, 2, 10)
    with pytest.raises(TutorError, match="20 of at least 50"):
        knowledge_for(course, 100).train()


def test_the_model_takes_over_a_course_only_past_the_threshold(course: Runtime) -> None:
    known = add_answers(course, 30, 20)  # 600 answers
    below = knowledge_for(course, 601)
    report = below.train()
    assert report.attempts == 600 and report.in_use == [] and report.waiting == {COURSE: 1}
    assert below.course("sim:0", COURSE).source == "mastery"  # the cold-start prior
    above = knowledge_for(course, 600)
    assert above.in_use(COURSE)
    estimates = above.course("sim:0", COURSE)
    assert estimates.source == "model"
    practised = [s for s in estimates.skills if s.attempts]
    assert practised and all(0 < s.recall < 1 for s in practised)
    # The model learned what the answers say: the first half of the skills is known.
    first = [s.recall for s in practised if s.skill_id in known]
    second = [s.recall for s in practised if s.skill_id not in known]
    assert sum(first) / len(first) > sum(second) / len(second) + 0.2


def test_the_saved_model_holds_no_learner_and_is_read_as_data(course: Runtime) -> None:
    add_answers(course, 30, 20, prefix="telegram")
    knowledge_for(course, 10).train()
    saved = (course.settings.data_dir / MODEL_FILE).read_bytes()
    assert b"telegram:" not in saved
    import torch

    content = torch.load(course.settings.data_dir / MODEL_FILE, weights_only=True)
    assert content["version"] == FILE_VERSION and content["model"]["version"] == VERSION
    assert len(content["model"]["mean"]) == len(content["model"]["scale"]) == len(FEATURES)


def test_a_second_process_picks_up_a_retrained_model_and_a_broken_file_falls_back(
        course: Runtime) -> None:
    serving = knowledge_for(course, 10)
    assert serving.course("sim:0", COURSE).source == "mastery"  # nothing trained yet
    add_answers(course, 30, 20)
    knowledge_for(course, 10).train()  # `tutorbot learner train` in another process
    assert serving.course("sim:0", COURSE).source == "model"
    path = course.settings.data_dir / MODEL_FILE
    path.write_bytes(b"not a model")
    assert serving.course("sim:0", COURSE).source == "mastery"


def test_retraining_runs_only_when_answers_came_in(course: Runtime) -> None:
    knowledge = knowledge_for(course, 10)
    assert knowledge.retrain_if_new() is None  # none at all
    add_answers(course, 30, 20)
    assert knowledge.retrain_if_new() is not None
    assert knowledge.retrain_if_new() is None  # nothing new since
    add_answers(course, 1, 5, seed=3, prefix="late")
    report = knowledge.retrain_if_new()
    assert report is not None and report.attempts == 605


def test_forget_retrains_and_another_course_answers_count_only_there(course: Runtime) -> None:
    knowledge = knowledge_for(course, 10)
    add_answers(course, 30, 20)
    knowledge.train()
    assert personal_data.forget(course.engine, "sim:3") == 20
    add_answers(course, 1, 20, seed=9, prefix="new")  # as many answers as before
    report = knowledge.retrain_if_new()
    assert report is not None and report.learners == 30  # sim:3 is gone from the model
    course.add_material([SAMPLE_COURSE], "forklifts")
    other = knowledge.course("sim:0", "forklifts")
    assert all(s.attempts == 0 for s in other.skills)
