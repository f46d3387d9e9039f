"""Helpers for the course and upload pages' tests: a console over the test runtime,
signed in as an admin or a trainer, and an embedder the test can hold mid-batch."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

import numpy as np
from fastapi.testclient import TestClient

from tests.fakes import FakeEmbedder
from tutor.console.accounts import add_account

PASSWORD = "correct horse battery"


def signed_in(app: object, email: str, role: str = "admin",
              courses: list[str] | None = None) -> tuple[TestClient, str]:
    """A client signed in with a password as a new account, and its CSRF token."""
    add_account(app.state.runtime.engine, email, role, courses, password=PASSWORD)  # type: ignore[attr-defined]
    client = TestClient(app)  # type: ignore[arg-type]
    token = csrf_of(client.get("/sign-in").text)
    answer = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                           "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client, csrf_of(client.get("/courses").text)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


class GatedEmbedder(FakeEmbedder):
    """The fake embedder, which waits at `gate` while `holding` (a test looks at an
    upload mid-embedding, then lets it go on)."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def embed(self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None
              ) -> np.ndarray:
        if self.holding:
            self.waiting.set()
            assert self.gate.wait(30), "the test never let the embedder go on"
        return super().embed(texts, on_progress=on_progress)
