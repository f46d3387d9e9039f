"""Trainer answers matched with the real MiniLM on the sample course: paraphrases get
them, the near misses the issue names do not (bench/trainer_matching.py measures the
public sets)."""

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
    ("how do I cool down a burn", BURN),
    ("How should a burn be cooled?", BURN),
    ("What's the fire assembly point?", POINT),
    ("what is the assembly point for a fire", POINT),
])
async def test_a_paraphrase_gets_the_trainer_answer(runtime: Runtime, asked: str,
                                                    trainers: str) -> None:
    match = await runtime.trainer_answers.match(COURSE, asked)
    assert match is not None and match.answer.question == trainers


@pytest.mark.parametrize("asked", [
    "How long do you cool a burn?",
    "How do you cool a chemical burn?",
    "Why do you cool a burn?",
    "who checks the fire assembly point",
    "Where is the fire assembly point?",
    "What is the second fire assembly point?",
])
async def test_a_near_miss_does_not(runtime: Runtime, asked: str) -> None:
    assert await runtime.trainer_answers.match(COURSE, asked) is None
