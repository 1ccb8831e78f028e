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

from rbm_reciprocal.pipeline import memory, paths
from rbm_reciprocal.pipeline.config import (
    checkpoint_epochs_from_config,
    method_training_config,
    validate_config,
)
from rbm_reciprocal.pipeline.cost import (
    batched_train_job_cost,
    train_job_cost,
)
from rbm_reciprocal.pipeline.plans import final_models
from rbm_reciprocal.pipeline.step import (
    TRAIN_STEP,
    Step,
    per_model,
)
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


def train_jobs(config: dict) -> int:
    """``train_rbm``: one job per model, unless replicas are batched or models imported."""
    if not _trains(config) or config["training"]["batch_replicas"]:
        return 0
    return len(final_models(config))


def batched_train_jobs(config: dict) -> int:
    """``train_rbm_batched``: one job per (method, hidden size) with ``batch_replicas``."""
    if not _trains(config) or not config["training"]["batch_replicas"]:
        return 0
    return len(config["model"]["hidden"]) * len(config["training"]["methods"])


def _trains(config: dict) -> bool:
    return not config["models"]["source"]


#: The steps of this stage (rules of ``workflow/rules/train.smk``).
STEPS = [
    Step(
        "train_rbm",
        **TRAIN_STEP,
        arrays=memory.train_rbm,
        cost=per_model(train_job_cost),
        settings=train_rbm,
        stage="train",
        count=train_jobs,
        outputs=paths.train_outputs,
        log="train/{method}_M{hidden}_replica{replica}",
    ),
    Step(
        "train_rbm_batched",
        **TRAIN_STEP,
        arrays=memory.train_rbm_batched,
        cost=per_model(batched_train_job_cost),
        settings=train_rbm_batched,
        stage="train_replicas",
        count=batched_train_jobs,
        outputs=paths.batched_train_outputs,
        log="train/{method}_M{hidden}_replicas",
    ),
]


def default_train_settings(**kw: Any) -> TrainSettings:
    """:class:`TrainSettings` of the schema's defaults (seed 0, PCD, M = 500, replica 0) with
    the fields ``kw`` replaced; ``optimizer`` and ``init`` may be dicts of the fields to
    change. For scripts and benchmarks that train outside the workflow."""
    base = TrainSettings.from_dict(
        train_settings_from_config(validate_config({"seed": 0}), "PCD", 500, 0)
    )
    for name in ("optimizer", "init"):
        if isinstance(kw.get(name), dict):
            kw[name] = dataclasses.replace(getattr(base, name), **kw[name])
    return dataclasses.replace(base, **kw)
