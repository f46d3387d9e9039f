"""The learner model: a small MLP predicting P(right) of a learner's next attempt
from the features of their history (tutor/learner/features.py). One readable
file: hyper-parameters in a frozen dataclass, `fit`, `predict_proba`, `to_dict`/`from_dict`.
Logistic regression is the same network without its hidden layer, so the two are
compared on exactly the same features, scaling and training."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

# Standardised inputs are clipped to this many standard deviations: a feature seen
# only in a narrow range in training (hours since practice, when every training
# learner did a course in one sitting; hints, when nobody took one) must not push
# the network far outside what it learned from.
CLIP = 4.0
VERSION = 2  # 2: eleven features (item memory and prerequisites left by ablation)


@dataclass(frozen=True)
class MLPConfig:
    hidden: tuple[int, ...] = (32, 16)  # () is logistic regression
    dropout: float = 0.1
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    epochs: int = 20
    batch_size: int = 512
    seed: int = 0


class LearnerModel:
    def __init__(self, config: MLPConfig = MLPConfig()) -> None:
        self.config = config
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None
        self.net: nn.Module | None = None

    def _build(self, inputs: int) -> nn.Module:
        layers: list[nn.Module] = []
        width = inputs
        for hidden in self.config.hidden:
            layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(self.config.dropout)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        return nn.Sequential(*layers)

    def fit(self, x: np.ndarray, y: np.ndarray) -> LearnerModel:
        torch.manual_seed(self.config.seed)
        # A feature constant in training taught the network nothing: it reads as 0.
        spread = x.std(axis=0)
        self.mean, self.scale = x.mean(axis=0), np.where(spread > 1e-6, spread, np.inf)
        inputs = self._inputs(x)
        targets = torch.from_numpy(y.astype(np.float32))
        self.net = self._build(x.shape[1])
        optimiser = torch.optim.AdamW(self.net.parameters(), lr=self.config.learning_rate,
                                      weight_decay=self.config.weight_decay)
        loss_fn = nn.BCEWithLogitsLoss()
        generator = torch.Generator().manual_seed(self.config.seed)
        self.net.train()
        for _ in range(self.config.epochs):
            order = torch.randperm(len(inputs), generator=generator)
            for start in range(0, len(inputs), self.config.batch_size):
                batch = order[start:start + self.config.batch_size]
                optimiser.zero_grad()
                loss = loss_fn(self.net(inputs[batch]).squeeze(1), targets[batch])
                loss.backward()
                optimiser.step()
        self.net.eval()
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        assert self.net is not None and self.mean is not None and self.scale is not None
        with torch.no_grad():
            return torch.sigmoid(self.net(self._inputs(x)).squeeze(1)).numpy()

    def _inputs(self, x: np.ndarray) -> torch.Tensor:
        assert self.mean is not None and self.scale is not None
        scaled = np.clip((x - self.mean) / self.scale, -CLIP, CLIP)
        return torch.from_numpy(scaled.astype(np.float32))

    def to_dict(self) -> dict[str, object]:
        """Weights, feature scaling, hyper-parameters and the version, for torch.save."""
        assert self.net is not None
        assert self.mean is not None and self.scale is not None
        return {"version": VERSION, "config": asdict(self.config),
                "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "state": self.net.state_dict()}

    @classmethod
    def from_dict(cls, saved: dict) -> LearnerModel:
        if saved.get("version") != VERSION:
            raise ValueError(f"a learner model of version {saved.get('version')}, "
                             f"not {VERSION}")
        config = saved["config"]
        model = cls(MLPConfig(**{**config, "hidden": tuple(config["hidden"])}))
        model.mean = np.array(saved["mean"], dtype=np.float32)
        model.scale = np.array(saved["scale"], dtype=np.float32)
        model.net = model._build(len(model.mean))
        model.net.load_state_dict(saved["state"])
        model.net.eval()
        return model
