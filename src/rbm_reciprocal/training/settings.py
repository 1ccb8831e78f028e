"""Training settings (numba-free): methods, optimizer, init, checkpoint schedule."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.sampling.backend import BackendSettings

METHODS = ("PCD", "CD", "Rdm")


OPTIMIZERS = ("adam", "sgd")


@dataclass(frozen=True)
class OptimizerSettings:
    """Optimizer hyper-parameters: Adam (lr, beta1, beta2, eps) or SGD (lr, momentum)."""

    name: str
    lr: float
    beta1: float
    beta2: float
    eps: float
    momentum: float

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.name!r}; use one of {OPTIMIZERS}")
        if not self.lr > 0:
            raise ConfigError(f"learning rate must be positive, got {self.lr}")


@dataclass(frozen=True)
class InitSettings:
    """Initialisation (see :func:`rbm_reciprocal.core.rbm.init_params`)."""

    weight_std: float
    visible_bias: str
    hidden_bias: str
    bias_std: float
    logit_clip: float


@dataclass(frozen=True)
class TrainSettings:
    """Everything that determines one training run (with the replica identity). Every
    field is required: the workflow builds them from the config
    (:func:`rbm_reciprocal.stages.train.train_settings_from_config`), whose defaults
    are the schema's.

    ``checkpoints`` is the sorted list of epochs at which parameters are saved; it
    always contains 0 (the initialisation) and ``epochs``.
    """

    method: str
    hidden: int
    replica: int
    seed: int
    gibbs_steps: int
    batch_size: int
    n_chains: int
    epochs: int
    updates_per_epoch: int | None
    shuffle: bool
    monitor_size: int
    checkpoints: tuple[int, ...]
    resume_every: int
    optimizer: OptimizerSettings
    init: InitSettings
    backend: BackendSettings

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown training method {self.method!r}; use one of {METHODS}")
        for name in ("hidden", "gibbs_steps", "batch_size", "n_chains", "epochs", "resume_every"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(
                    f"training setting {name} must be >= 1, got {getattr(self, name)}"
                )
        bad = [e for e in self.checkpoints if not 0 <= e <= self.epochs]
        if bad:
            raise ConfigError(f"checkpoint epochs {bad} outside 0..{self.epochs}")

    @classmethod
    def from_dict(cls, d: dict) -> TrainSettings:
        """Build from a plain dict (e.g. the JSON passed by the Snakemake rule)."""
        d = dict(d)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown training settings {unknown}; known: {sorted(known)}")
        missing = sorted(known - set(d))
        if missing:
            raise ConfigError(f"training settings without {missing} (see the config schema)")
        if "optimizer" in d:
            d["optimizer"] = OptimizerSettings(**d["optimizer"])
        if "init" in d:
            d["init"] = InitSettings(**d["init"])
        if "backend" not in d:
            raise ConfigError("training settings without backend (config backend section)")
        d["backend"] = BackendSettings.from_value(d["backend"])
        if "checkpoints" in d:
            d["checkpoints"] = tuple(sorted({int(e) for e in d["checkpoints"]}))
        return cls(**d)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        """Hash of every setting that changes the numbers (used to validate a resume)."""
        d = self.to_dict()
        d.pop("resume_every")
        if d["backend"]["name"] == "cpu":  # keeps CPU fingerprints of older partial runs
            d.pop("backend")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def checkpoint_epochs(
    epochs: int,
    every: int | None = None,
    at: Sequence[int] | None = None,
    geometric: int | None = None,
) -> list[int]:
    """Resolve a checkpoint schedule to a sorted list of epochs, always with 0 and ``epochs``.

    Parameters
    ----------
    every : int, optional
        Every ``every`` epochs.
    at : sequence of int, optional
        Explicit epochs.
    geometric : int, optional
        About ``geometric`` epochs spaced geometrically between 1 and ``epochs``.
    """
    chosen = {0, int(epochs)}
    if every is not None:
        if every < 1:
            raise ConfigError(f"checkpoints.every must be >= 1, got {every}")
        chosen.update(range(0, epochs + 1, every))
    if at is not None:
        bad = [e for e in at if not 0 <= int(e) <= epochs]
        if bad:
            raise ConfigError(f"checkpoint epochs {bad} outside 0..{epochs}")
        chosen.update(int(e) for e in at)
    if geometric is not None:
        if geometric < 1:
            raise ConfigError(f"checkpoints.geometric must be >= 1, got {geometric}")
        chosen.update(int(round(x)) for x in np.geomspace(1, epochs, geometric))
    return sorted(chosen)
