from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import FakeEmbedder, FakeGenerator, first_passage_sentence
from tests.postgres import PostgresCluster
from tutor.runtime import Runtime
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_COURSE = ROOT / "knowledge" / "sample_course"
DATA = Path(__file__).resolve().parent / "data"
NO_POSTGRES = "PostgreSQL is not installed here (apt-get install postgresql)"
NO_CHROMIUM = "chromium is not installed here (apt-get install chromium)"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster | None]:
    """A PostgreSQL cluster for the session, where PostgreSQL is installed."""
    try:
        cluster = PostgresCluster()
    except FileNotFoundError:
        yield None
        return
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test on a database runs on both backends: SQLite in the data dir, and a
    fresh, migrated PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'tutorbot.db'}"
    cluster = request.getfixturevalue("postgres")
    if cluster is None:
        pytest.skip(NO_POSTGRES)
    return str(cluster.new_database())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Thresholds suit the bag-of-words fake embedder, not MiniLM.
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    relevance_threshold=0.1, support_threshold=0.5, _env_file=None)


@pytest.fixture
def generator() -> FakeGenerator:
    return FakeGenerator(first_passage_sentence)


@pytest.fixture
def runtime(settings: Settings, generator: FakeGenerator) -> Iterator[Runtime]:
    rt = Runtime(settings, embedder=FakeEmbedder(), generator_factory=lambda: generator)
    yield rt
    rt.close()


def add_sample_course(runtime: Runtime) -> None:
    """The sample course as `workplace-safety`, straight into the runtime's database."""
    from knowledge.ingest import ingest

    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)


def add_sample_and_one_page(runtime: Runtime, folder: Path, course: str, other: str
                            ) -> Runtime:
    """The sample course as `course`, and its first-aid page alone as `other` (two
    courses for the tests of one trainer's rights), through `Runtime.add_material`."""
    runtime.add_material([SAMPLE_COURSE], course)
    folder.mkdir()
    shutil.copy(SAMPLE_COURSE / "first-aid.html", folder)
    runtime.add_material([folder], other)
    return runtime


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line when the PostgreSQL half or the browser tests were skipped: the suite
    claims both databases and a real browser."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple)]
    for reason, what, package in ((NO_POSTGRES, "PostgreSQL cases", "postgresql"),
                                  (NO_CHROMIUM, "browser tests", "chromium")):
        if count := sum(reason in r.longrepr[2] for r in skipped):
            terminalreporter.write_line(
                f"{count} {what} skipped: {package} is not installed. Run them with "
                f"`apt-get install {package}` and `make test` (.ci/run does both).",
                yellow=True, bold=True)
