"""The evaluation protocol `tutorbot learner evaluate` runs: learners split 80/20
with a fixed seed; every model fitted on the 80 %; each attempt of a held-out
learner predicted from that learner's earlier attempts only. AUC, accuracy and
log loss for the MLP and for the baselines fitted on the same split: the item's
success rate, logistic regression on the same features, and BKT."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tutor.learner.bkt import BKT
from tutor.learner.features import Difficulty, history_features
from tutor.learner.interactions import Interaction, by_learner
from tutor.learner.metrics import scores, split
from tutor.learner.model import LearnerModel, MLPConfig


def features_of(rows: Sequence[Interaction], difficulty: Difficulty) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    blocks, targets = [], []
    for history in by_learner(rows).values():
        blocks.append(history_features(history, difficulty))
        targets.append(np.array([r.correct for r in history], dtype=np.float32))
    return np.concatenate(blocks), np.concatenate(targets)


def evaluate(rows: Sequence[Interaction], config: MLPConfig | None = None,
             columns: Sequence[int] | None = None) -> dict[str, object]:
    """The protocol's figures; `columns` keeps only those features (ablation)."""
    config = config or MLPConfig()
    train, test = split(rows)
    difficulty = Difficulty.fit(train)
    x_train, y_train = features_of(train, difficulty)
    x_test, y_test = features_of(test, difficulty)
    if columns is not None:
        x_train, x_test = x_train[:, list(columns)], x_test[:, list(columns)]
    models: dict[str, dict[str, float]] = {}
    mlp = LearnerModel(config).fit(x_train, y_train)
    models["mlp"] = scores(y_test, mlp.predict_proba(x_test))
    logistic = LearnerModel(MLPConfig(hidden=(), dropout=0.0, epochs=config.epochs,
                                      seed=config.seed)).fit(x_train, y_train)
    models["logistic"] = scores(y_test, logistic.predict_proba(x_test))
    ordered_test = [r for history in by_learner(test).values() for r in history]
    models["item_difficulty"] = scores(y_test, np.array(
        [difficulty.item(r.item, r.skill) for r in ordered_test]))
    bkt = BKT().fit(train)
    models["bkt"] = scores(y_test, np.array(
        [p for history in by_learner(test).values() for p in bkt.predict(history)]))
    return {"n_train": len(train), "n_test": len(test), "models": models}
