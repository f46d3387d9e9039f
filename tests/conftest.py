from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import FakeEmbedder, FakeGenerator, first_passage_sentence
from tutor.runtime import Runtime
from tutor.settings import Settings

SAMPLE_COURSE = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Thresholds suit the bag-of-words fake embedder, not MiniLM.
    return Settings(data_dir=tmp_path / "data", relevance_threshold=0.1, support_threshold=0.5,
                    _env_file=None)


@pytest.fixture
def generator() -> FakeGenerator:
    return FakeGenerator(first_passage_sentence)


@pytest.fixture
def runtime(settings: Settings, generator: FakeGenerator) -> Iterator[Runtime]:
    rt = Runtime(settings, embedder=FakeEmbedder(), generator_factory=lambda: generator)
    yield rt
    rt.close()
