from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_COURSE
from tutor.runtime import Runtime
from tutor.settings import Settings


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The real models over the sample course, with its question bank: one per module."""
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("fronts")), _env_file=None,
                        stream_edit_interval_s=0.5)
    runtime = Runtime(settings)
    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    yield runtime
    runtime.close()
