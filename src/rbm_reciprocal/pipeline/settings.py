"""Translations of a validated config into the settings of one job (plain dicts, JSON-able).

Rules pass these dicts to the CLI as JSON; each is checked by the settings class it builds
(:class:`~rbm_reciprocal.training.settings.TrainSettings`,
:class:`~rbm_reciprocal.analysis.loglik_settings.LoglikSettings`,
:class:`~rbm_reciprocal.sampling.backend.BackendSettings`) so a bad value fails at parse time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from rbm_reciprocal.analysis.loglik_settings import ESTIMATORS, LoglikSettings
from rbm_reciprocal.core.errors import ConfigError
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


def loglik_epochs_from_config(config: dict[str, Any], checkpoints: Sequence[int]) -> list[int]:
    """``config['loglik']['epochs']``, checked against the training checkpoints.

    Raises
    ------
    ConfigError
        If an epoch is not a checkpoint of the training schedule.
    """
    wanted = sorted({int(e) for e in config["loglik"]["epochs"]})
    missing = sorted(set(wanted) - {int(e) for e in checkpoints})
    if missing:
        raise ConfigError(
            f"loglik.epochs {missing} are not training checkpoints "
            f"(training.epochs {max(checkpoints)}, checkpoints: {_short(checkpoints)}); "
            "change loglik.epochs, or training.epochs / training.checkpoints"
        )
    return wanted


def _short(values: Sequence[int]) -> str:
    """``[0, 1, ..., 100]`` for long lists (one readable line)."""
    values = [int(v) for v in values]
    if len(values) <= 8:
        return str(values)
    return f"[{values[0]}, {values[1]}, ..., {values[-1]}] ({len(values)} epochs)"


#: Roles of a log-likelihood job: a standard (temperature AIS) checkpoint, a trajectory pass,
#: a standard crosscheck of a trajectory row.
LOGLIK_ROLES = ("standard", "trajectory", "crosscheck")


def loglik_settings_from_config(config: dict[str, Any], role: str = "standard") -> dict[str, Any]:
    """Plain-dict :class:`LoglikSettings` of the workflow's ``loglik`` section for a job of
    ``role`` (:data:`LOGLIK_ROLES`): the number of betas is ``betas.n`` (standard),
    ``trajectory.first_betas`` (the temperature leg of a trajectory job) or
    ``crosscheck.betas``."""
    if role not in LOGLIK_ROLES:
        raise ConfigError(f"unknown log-likelihood job role {role!r}; use one of {LOGLIK_ROLES}")
    c = config["loglik"]
    traj, pt = c["trajectory"], c["trajectory"]["pt"]
    n_betas = {
        "standard": c["betas"]["n"],
        "trajectory": traj["first_betas"],
        "crosscheck": c["crosscheck"]["betas"],
    }[role]
    settings = {
        "n_chains": int(c["n_chains"]),
        "beta_schedule": str(c["betas"]["schedule"]),
        "n_betas": int(n_betas),
        "base": str(c["base"]),
        "rais_start": str(c["rais_start"]),
        "sample_sweeps": int(c["sample_sweeps"]),
        "exact_max_units": int(c["exact_max_units"]),
        "seed": int(config["seed"]),
        "estimator": "trajectory" if role == "trajectory" else "standard",
        "traj_steps": int(traj["steps"]),
        "save_every": int(traj["save_every"]),
        "traj_resample_ess": float(traj["resample_ess"]),
        "traj_groups": int(traj["groups"]),
        "traj_resample_reverse": bool(traj["resample_reverse"]),
        "traj_sampler": str(traj["sampler"]),
        **{f"pt_{k}": int(v) for k, v in pt.items() if k != "adapt"},
        **{
            f"pt_adapt_{k}": float(v) if k == "acceptance" else int(v)
            for k, v in pt["adapt"].items()
        },
        "backend": backend_from_config(config),
    }
    LoglikSettings.from_dict(settings)  # fail early, with the package's message
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


def loglik_method(config: dict[str, Any]) -> str:
    """``loglik.method``: ``trajectory`` or ``standard``."""
    method = str(config["loglik"]["method"])
    if method not in ESTIMATORS:
        raise ConfigError(f"unknown loglik.method {method!r}; use one of {ESTIMATORS}")
    return method


def trajectory_epochs_from_config(
    config: dict[str, Any], checkpoints: Sequence[int]
) -> tuple[list[int], list[int]]:
    """``(path, rows)`` of a trajectory job: every training checkpoint up to the last of
    ``loglik.epochs`` (the path nodes), and the epochs of its table rows (the whole path for
    ``trajectory.rows: all``, else ``loglik.epochs``)."""
    wanted = loglik_epochs_from_config(config, checkpoints)
    path = sorted(int(e) for e in checkpoints if int(e) <= wanted[-1])
    rows = config["loglik"]["trajectory"]["rows"]
    return path, (path if rows == "all" else wanted)


def crosscheck_epochs_from_config(config: dict[str, Any], checkpoints: Sequence[int]) -> list[int]:
    """``loglik.crosscheck.epochs`` of a trajectory run (none for method standard), each a row
    of the trajectory table."""
    if loglik_method(config) != "trajectory":
        return []
    check = config["loglik"]["crosscheck"]
    _, rows = trajectory_epochs_from_config(config, checkpoints)
    wanted = sorted({int(rows[-1]) if e == "last" else int(e) for e in check["epochs"] or []})
    missing = sorted(set(wanted) - set(rows))
    if missing:
        raise ConfigError(
            f"loglik.crosscheck.epochs {missing} are not rows of the trajectory table "
            f"(rows: {rows})"
        )
    return wanted
