"""Trainer answers matched with the real MiniLM on the sample course: the same question
worded alike gets them unasked, a paraphrase is offered them on a button, a near miss
never gets them unasked (bench/trainer_matching.py measures the public sets)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import add_sample_course
from tutor.answers import trainer
from tutor.runtime import Runtime
from tutor.settings import Settings

pytestmark = pytest.mark.e2e
COURSE = "workplace-safety"
BURN = "How do you cool a burn?"
POINT = "What is the fire assembly point?"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The real embedder over the sample course, with two trainer answers."""
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("trainer")), _env_file=None)
    runtime = Runtime(settings)
    add_sample_course(runtime)
    for question in (BURN, POINT):
        trainer.create(runtime.engine, COURSE, question, "As the trainer says.",
                       author="ana@example.org", author_name="Ana Ruiz")
    yield runtime
    runtime.close()


@pytest.mark.parametrize(("asked", "trainers"), [
    ("how should I cool a burn", BURN),
    ("What is the fire assembly point", POINT),
    ("What's the fire assembly point?", POINT),
])
async def test_the_same_question_worded_alike_is_served(runtime: Runtime, asked: str,
                                                        trainers: str) -> None:
    found = await runtime.trainer_answers.find(COURSE, asked)
    assert found.served is not None and found.served.answer.question == trainers


@pytest.mark.parametrize(("asked", "trainers"), [
    ("how do I cool down a burn", BURN),
    ("How should a burn be cooled?", BURN),
    ("what is the assembly point for a fire", POINT),
])
async def test_a_paraphrase_is_offered_the_trainer_answer(runtime: Runtime, asked: str,
                                                         trainers: str) -> None:
    found = await runtime.trainer_answers.find(COURSE, asked)
    assert found.served is None
    assert found.offered is not None and found.offered.answer.question == trainers


@pytest.mark.parametrize("asked", [
    "How long do you cool a burn?",
    "How do you cool a chemical burn?",
    "Why do you cool a burn?",
    "who checks the fire assembly point",
    "Where is the fire assembly point?",
    "What is the second fire assembly point?",
])
async def test_a_near_miss_is_never_served_unasked(runtime: Runtime, asked: str) -> None:
    assert (await runtime.trainer_answers.find(COURSE, asked)).served is None
