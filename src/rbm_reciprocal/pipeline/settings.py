"""Translations of a validated config into the settings of one job (plain dicts, JSON-able).

Rules pass these dicts to the CLI as JSON; each is checked by the settings class it builds
(:class:`~rbm_reciprocal.training.settings.TrainSettings`,
:class:`~rbm_reciprocal.sampling.backend.BackendSettings`) so a bad value fails at parse time.
The log-likelihood steps' settings are in :mod:`.step_settings.loglik`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config, method_training_config
from rbm_reciprocal.pipeline.paths import run_dir
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


#: Training keys that do not change a trained model (which methods run, what is saved).
_NOT_MODEL_KEYS = ("methods", "checkpoints", "resume_every", "threads", "overrides")


def training_fingerprint(config: dict[str, Any]) -> dict[str, Any]:
    """What makes two runs train the same models: compared when importing a model archive.

    The seed, the data preparation (``data``: binarization, threshold, n_train, n_test,
    digits), ``model.init`` and each method's training settings (``training`` with
    ``training.overrides`` merged), without the keys that do not change the models
    (checkpoints, resume_every, threads) and without the backend, so that models trained on a
    GPU serve a CPU run. Hidden sizes and replicas are the archive's list of models.
    """
    data = {k: config["data"][k] for k in ("binarization", "threshold", "n_train", "n_test")}
    data["digits"] = config["data"]["digits"]
    methods = {
        m: {k: v for k, v in method_training_config(config, m).items() if k not in _NOT_MODEL_KEYS}
        for m in config["training"]["methods"]
    }
    return {
        "seed": int(config["seed"]),
        "data": data,
        "model": {"init": dict(config["model"]["init"])},
        "training": methods,
    }


def trained_models(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Every model the config trains: ``method``, ``hidden``, ``replica`` and ``run``, its
    folder relative to ``results_dir``, in the order of ``rule all``."""
    return [
        {"method": meth, "hidden": int(m), "replica": r, "run": run_dir("", meth, m, r)[1:]}
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
        for r in range(int(config["model"]["replicas"]))
    ]
