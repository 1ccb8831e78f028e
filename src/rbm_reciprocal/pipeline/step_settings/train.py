"""Settings of the training steps (``training``, ``model`` and ``backend`` sections).

A training job's settings are a plain :class:`~rbm_reciprocal.training.settings.TrainSettings`
dict (checked by the class when built, so a bad value fails when the workflow is planned);
a batched job (``training.batch_replicas``) has one per replica. :func:`backend_from_config`
is the ``backend`` of every job that samples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config, method_training_config
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.training.settings import TrainSettings


def backend_from_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Plain-dict :class:`BackendSettings` of the workflow's top-level ``backend`` section."""
    settings = dataclasses.asdict(BackendSettings.from_value(config["backend"]))
    return {k: str(v) for k, v in settings.items()}


def train_settings_from_config(
    config: dict[str, Any], method: str, hidden: int, replica: int
) -> dict[str, Any]:
    """Plain-dict :class:`~rbm_reciprocal.training.settings.TrainSettings` for one training job."""
    tr = method_training_config(config, method)
    settings = {
        "method": method,
        "hidden": int(hidden),
        "replica": int(replica),
        "seed": int(config["seed"]),
        "gibbs_steps": int(tr["gibbs_steps"]),
        "batch_size": int(tr["batch_size"]),
        "n_chains": int(tr["n_chains"]),
        "epochs": int(tr["epochs"]),
        "updates_per_epoch": tr["updates_per_epoch"],
        "shuffle": bool(tr["shuffle"]),
        "monitor_size": int(tr["monitor_size"]),
        "checkpoints": checkpoint_epochs_from_config(config, method),
        "resume_every": int(tr["resume_every"]),
        "optimizer": dict(tr["optimizer"]),
        "init": dict(config["model"]["init"]),
        "backend": backend_from_config(config),
    }
    TrainSettings.from_dict(settings)  # fail early, with the package's message
    return settings


def train_rbm(config: dict, wildcards: Any) -> dict[str, Any]:
    """train_rbm: the TrainSettings of the job's ``{method}``, ``{hidden}``, ``{replica}``."""
    return train_settings_from_config(
        config, str(wildcards.method), int(wildcards.hidden), int(wildcards.replica)
    )


@dataclass(frozen=True)
class TrainReplicas:
    """train_rbm_batched: the TrainSettings dict of every replica of the job's ``{method}``
    and ``{hidden}``, in replica order (equal but for ``replica``)."""

    replicas: list[dict[str, Any]]


def train_rbm_batched(config: dict, wildcards: Any) -> TrainReplicas:
    method, hidden = str(wildcards.method), int(wildcards.hidden)
    return TrainReplicas(
        [
            train_settings_from_config(config, method, hidden, r)
            for r in range(int(config["model"]["replicas"]))
        ]
    )
