"""Deterministic stand-ins for the models, for fast unit tests. The real models run
in tests/e2e."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from tutor.llm import GenerationRequest

_STOPWORDS = frozenset(
    "a an the and or of to in on at by for with from as is are be do does did i you it "
    "this that what how why when where who my your can should must not".split()
)


class FakeEmbedder:
    """Bag of hashed content words: texts sharing words are close, as with a real model."""

    name = "fake-embedder"
    dimension = 4096
    max_tokens = 256

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None
              ) -> np.ndarray:
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                if word in _STOPWORDS:
                    continue
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        if on_progress:
            on_progress(len(texts))
        return vectors / np.maximum(norms, 1e-9)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(text.split()) for text in texts]


class FakeGenerator:
    """Answers with a scripted text, streamed word by word; records its batches."""

    name = "fake-llm"

    def __init__(self, answer: Callable[[str], str] | str = "", delay_s: float = 0.0) -> None:
        self.answer = answer
        self.delay_s = delay_s  # per word: lets a test watch what happens while it "thinks"
        self.batches: list[int] = []
        self.prompts: list[str] = []

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]:
        self.batches.append(len(requests))
        texts = []
        for request in requests:
            prompt = request.messages[-1]["content"]
            self.prompts.append(prompt)
            text = self.answer(prompt) if callable(self.answer) else self.answer
            for piece in re.findall(r"\S+\s*", text):
                time.sleep(self.delay_s)
                request.on_text(piece)
            texts.append(text)
        return texts

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def first_passage_sentence(prompt: str) -> str:
    """A faithful answer: the first sentence of passage [1], cited."""
    body = prompt.split("[1] (", 1)[1].split("<passage>\n", 1)[1].split("\n</passage>")[0]
    sentence = re.split(r"(?<=[.!?])\s", body.strip(), maxsplit=1)[0]
    return f"{sentence} [1]"


def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost for the console's accounts (the recommended settings
    take ~0.1 s a check, and the guessing tests make dozens); still argon2, still
    salted, still checked. The dummy hash of unknown emails follows, as it must."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    import tutor.console.accounts as accounts

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=64, parallelism=1),))
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not a password of anyone"))
