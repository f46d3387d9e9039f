"""The lean embedder must give the vectors sentence-transformers gives (real model)."""

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedder import PACKAGED_EMBEDDER, PoolingConfig, TransformerEmbedder

TEXTS = [
    "Cool a burn under cool running water for at least 20 minutes.",
    "Fire safety > Extinguishers\nCO2 extinguishers are the first choice for electrical fires.",
    "Short.",
    "word " * 400,  # longer than the model's limit: truncated the same way
]


@pytest.fixture(scope="module")
def embedder() -> TransformerEmbedder:
    return TransformerEmbedder(PACKAGED_EMBEDDER, device="cpu")


def test_vectors_match_sentence_transformers(embedder: TransformerEmbedder) -> None:
    from sentence_transformers import SentenceTransformer

    from knowledge.embedder import resolve_embedder_path

    reference = SentenceTransformer(resolve_embedder_path(PACKAGED_EMBEDDER), device="cpu",
                                    local_files_only=True)
    expected = reference.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    ours = embedder.embed(TEXTS)
    assert ours.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(ours * expected, axis=1)) > 0.9999
    assert embedder.max_tokens == reference.max_seq_length


def test_progress_counts_every_text(embedder: TransformerEmbedder) -> None:
    seen: list[int] = []
    embedder.batch_size = 2
    vectors = embedder.embed(TEXTS * 5, on_progress=seen.append)
    assert sum(seen) == len(TEXTS) * 5 and len(vectors) == len(TEXTS) * 5
    assert embedder.embed([]).shape == (0, 384)


def test_pooling_config_is_read_from_the_model_files(tmp_path: Path) -> None:
    assert PoolingConfig.read(tmp_path) == PoolingConfig("mean", 512)
    (tmp_path / "pool").mkdir()
    (tmp_path / "pool" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128}))
    (tmp_path / "modules.json").write_text(json.dumps([
        {"path": "", "type": "sentence_transformers.models.Transformer"},
        {"path": "pool", "type": "sentence_transformers.models.Pooling"},
    ]))
    assert PoolingConfig.read(tmp_path) == PoolingConfig("cls", 128)
    (tmp_path / "modules.json").write_text(json.dumps([
        {"path": "dense", "type": "sentence_transformers.models.Dense"},
    ]))
    with pytest.raises(ValueError, match="unsupported sentence-transformers module Dense"):
        PoolingConfig.read(tmp_path)
