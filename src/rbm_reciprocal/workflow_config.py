"""Translate the workflow's validated ``config`` dict into package settings.

Kept in the package (not in ``common.smk``) so that it is tested without Snakemake.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

from .backend import backend_from_config
from .errors import ConfigError
from .train import TrainSettings, checkpoint_epochs


def _deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def method_training_config(config: dict[str, Any], method: str) -> dict[str, Any]:
    """``config['training']`` with ``training.overrides[method]`` merged in."""
    tr = config["training"]
    overrides = (tr.get("overrides") or {}).get(method, {})
    bad = sorted(set(overrides) - set(tr))
    if bad:
        raise ConfigError(f"training.overrides.{method} has unknown keys {bad}")
    return _deep_merge({k: v for k, v in tr.items() if k != "overrides"}, overrides)


def checkpoint_epochs_from_config(config: dict[str, Any], method: str | None = None) -> list[int]:
    """Checkpoint epochs of ``training.checkpoints`` (``every``, ``at``, ``geometric``)."""
    methods = [method] if method else list(config["training"]["methods"])
    schedules = set()
    for m in methods:
        tr = method_training_config(config, m)
        c = tr["checkpoints"]
        schedules.add(
            tuple(
                checkpoint_epochs(
                    int(tr["epochs"]),
                    every=c.get("every"),
                    at=c.get("at"),
                    geometric=c.get("geometric"),
                )
            )
        )
    if len(schedules) != 1:
        raise ConfigError(
            "all training methods must share one checkpoint schedule (epochs and checkpoints)"
        )
    return list(schedules.pop())


def train_settings_from_config(
    config: dict[str, Any], method: str, hidden: int, replica: int
) -> dict[str, Any]:
    """Plain-dict :class:`~rbm_reciprocal.train.TrainSettings` for one training job."""
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
        "updates_per_epoch": tr.get("updates_per_epoch"),
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


def prepare_job_environment(basedir: str | os.PathLike) -> None:
    """Let jobs run ``python -m rbm_reciprocal`` from the checkout at ``basedir``.

    Prepends ``basedir/src`` to ``PYTHONPATH`` (no install step needed, also under
    ``--sdm conda``, whose environment puts its own python first on ``PATH``) and the
    directory of the interpreter running Snakemake to ``PATH`` (a venv works without being
    activated). Jobs inherit this environment; Snakemake sets ``OMP_NUM_THREADS`` and the
    BLAS thread variables to the job's threads, and the CLI gives numba the same number.
    """
    src = str(Path(basedir) / "src")
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if src not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([src, *paths])
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])


def config_error_message(exc: BaseException) -> str:
    """Short message for a config that fails the JSON schema: where, and what is wrong.

    ``snakemake.utils.validate`` wraps a ``jsonschema.ValidationError`` whose ``str`` dumps
    the whole schema; this keeps the key path and the one-line reason.
    """
    chain = [*getattr(exc, "args", ()), exc.__cause__, exc.__context__]
    errors = [a for a in chain if hasattr(a, "absolute_path") and hasattr(a, "message")]
    if not errors:
        return f"invalid configuration: {exc}"
    err = errors[0]
    where = ".".join(str(p) for p in err.absolute_path) or "<top level>"
    return (
        f"invalid configuration at '{where}': {err.message}. "
        "See workflow/schemas/config.schema.yaml for every key, its type and its default."
    )
