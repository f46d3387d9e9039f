"""The evaluation protocol `tutorbot learner evaluate` runs: learners split 80/20
with a fixed seed; every model fitted on the 80 %; each attempt of a held-out
learner predicted from that learner's earlier attempts only. AUC, accuracy and
log loss for the MLP and for the baselines fitted on the same split: the item's
success rate, logistic regression on the same features, and BKT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tutor.learner.bkt import BKT
from tutor.learner.features import Difficulty, history_features
from tutor.learner.interactions import Interaction, by_learner
from tutor.learner.metrics import scores, split
from tutor.learner.model import LearnerModel, MLPConfig


@dataclass(frozen=True)
class Prepared:
    """One split with its features, built once for every model fitted on it."""

    train: list[Interaction]
    test_histories: list[list[Interaction]]  # each held-out learner's attempts, in order
    difficulty: Difficulty
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def features_of(histories: Sequence[Sequence[Interaction]], difficulty: Difficulty
                ) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate([history_features(history, difficulty) for history in histories])
    y = np.array([r.correct for history in histories for r in history], dtype=np.float32)
    return x, y


def prepare(rows: Sequence[Interaction]) -> Prepared:
    train, test = split(rows)
    difficulty = Difficulty.fit(train)
    test_histories = list(by_learner(test).values())
    x_train, y_train = features_of(list(by_learner(train).values()), difficulty)
    x_test, y_test = features_of(test_histories, difficulty)
    return Prepared(train, test_histories, difficulty, x_train, y_train, x_test, y_test)


def mlp_scores(data: Prepared, config: MLPConfig | None = None,
               columns: Sequence[int] | None = None) -> dict[str, float]:
    """The MLP fitted on the split; `columns` keeps only those features (ablation)."""
    keep = list(columns) if columns is not None else slice(None)
    mlp = LearnerModel(config or MLPConfig()).fit(data.x_train[:, keep], data.y_train)
    return scores(data.y_test, mlp.predict_proba(data.x_test[:, keep]))


def evaluate(rows: Sequence[Interaction], config: MLPConfig | None = None) -> dict[str, object]:
    """The protocol's figures for the MLP and every baseline."""
    config = config or MLPConfig()
    data = prepare(rows)
    logistic = MLPConfig(hidden=(), dropout=0.0, epochs=config.epochs, seed=config.seed)
    ordered_test = [r for history in data.test_histories for r in history]
    bkt = BKT().fit(data.train)
    models = {
        "mlp": mlp_scores(data, config),
        "logistic": mlp_scores(data, logistic),
        "item_difficulty": scores(data.y_test, np.array(
            [data.difficulty.item(r.item, r.skill) for r in ordered_test])),
        "bkt": scores(data.y_test, np.array(
            [p for history in data.test_histories for p in bkt.predict(history)])),
    }
    return {"n_train": len(data.train), "n_test": len(ordered_test), "models": models}
