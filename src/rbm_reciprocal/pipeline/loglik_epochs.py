"""Which checkpoints the log-likelihood step evaluates, from the config: the one reading of
``loglik.method``, ``loglik.epochs``, ``loglik.trajectory.rows`` and ``loglik.crosscheck``
that the rules, the job counts, the cost and the memory estimates all use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rbm_reciprocal.analysis.loglik_settings import ESTIMATORS
from rbm_reciprocal.core.errors import ConfigError


def loglik_method(config: dict[str, Any]) -> str:
    """``loglik.method``: ``trajectory`` or ``standard``."""
    method = str(config["loglik"]["method"])
    if method not in ESTIMATORS:
        raise ConfigError(f"unknown loglik.method {method!r}; use one of {ESTIMATORS}")
    return method


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
