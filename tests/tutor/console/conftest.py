from __future__ import annotations

import pytest

from tests.fakes import cheap_password_hashes


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashes(monkeypatch)
