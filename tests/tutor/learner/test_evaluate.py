"""The learner model's evaluation on simulated learners, and bad interaction files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tutor.learner.evaluate import evaluate, split
from tutor.learner.interactions import (
    InteractionFileError,
    parse,
    read_interactions,
    write_interactions,
)
from tutor.learner.model import LearnerModel, MLPConfig
from tutor.learner.simulate import simulate


def test_the_mlp_beats_the_items_success_rate_on_simulated_learners() -> None:
    result = evaluate(simulate(150, 4, seed=5), MLPConfig(epochs=8))
    models = result["models"]
    assert result["n_train"] + result["n_test"] == 150 * 60
    assert models["mlp"]["auc"] > models["item_difficulty"]["auc"] + 0.05
    assert models["bkt"]["auc"] > models["item_difficulty"]["auc"]
    assert set(models) == {"mlp", "logistic", "item_difficulty", "bkt"}


def test_held_out_learners_are_never_trained_on() -> None:
    train, test = split(simulate(50, 2, seed=2))
    assert not {r.learner for r in train} & {r.learner for r in test}
    assert len({r.learner for r in test}) == 10


def test_a_file_round_trips_and_a_bad_one_names_its_line(tmp_path: Path) -> None:
    rows = simulate(5, 2, seed=1)
    path = tmp_path / "sim.csv.gz"
    write_interactions(rows, path)
    assert read_interactions(path) == sorted(rows, key=lambda r: (r.learner, r.timestamp))
    with pytest.raises(InteractionFileError, match="missing column"):
        parse(io.StringIO("learner_id,item_id,correct\na,b,1\n"))
    with pytest.raises(InteractionFileError, match="line 3: correct must be 0 or 1"):
        parse(io.StringIO("learner_id,item_id,skill_id,correct,timestamp\n"
                          "a,q,s,1,0\na,q,s,2,5\n"))


def test_a_saved_model_predicts_the_same_and_ignores_what_training_never_varied(
        tmp_path: Path) -> None:
    import numpy as np
    import torch

    x = np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)
    x[:, 2] = 0.0  # constant in training, as hints are where nobody takes one
    y = (x[:, 0] > 0).astype(np.float32)
    model = LearnerModel(MLPConfig(epochs=3)).fit(x, y)
    torch.save(model.to_dict(), tmp_path / "learner.pt")
    again = LearnerModel.from_dict(torch.load(tmp_path / "learner.pt", weights_only=True))
    assert np.allclose(model.predict_proba(x), again.predict_proba(x))
    unseen = x.copy()
    unseen[:, 2] = 5.0
    assert np.allclose(again.predict_proba(x), again.predict_proba(unseen))
