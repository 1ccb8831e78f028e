"""Translations of a validated config into the settings of a log-likelihood job (plain
dicts, JSON-able), checked by
:class:`~rbm_reciprocal.analysis.loglik_settings.LoglikSettings` so a bad value fails at
parse time. The training steps' settings and the backend's are in :mod:`.step_settings.train`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rbm_reciprocal.analysis.loglik_settings import ESTIMATORS, LoglikSettings
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.step_settings.train import backend_from_config


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
