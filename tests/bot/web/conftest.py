from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from tests.bot.web.browser import (  # noqa: F401  (the browser's fixtures, for every test here)
    chromium,
    console_errors,
    live_console,
    page,
)
from tests.bot.web.pseudo_locale import pseudo_language  # noqa: F401  (a fixture)
from tests.fakes import FakeEmbedder, cheap_password_hashes
from tutor.runtime import Runtime
from tutor.settings import Settings


@pytest.fixture(autouse=True)
def console_cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashes(monkeypatch)


@pytest.fixture
def console_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A runtime over SQLite in a temporary data dir, with the fake embedder (the
    console's pages load no model)."""
    runtime = Runtime(Settings(data_dir=tmp_path / "data", _env_file=None),
                      embedder=FakeEmbedder())
    yield runtime
    runtime.close()


@pytest.fixture
def console_client(console_runtime: Runtime) -> TestClient:
    """A browser on the console: it keeps cookies, follows no redirect by itself."""
    return TestClient(create_app(console_runtime), follow_redirects=False)
