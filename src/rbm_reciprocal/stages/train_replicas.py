"""Stage train, replicas in one job (``training.batch_replicas``; rule ``train_rbm_batched``).

Trains the replicas of one (method, hidden size) in one process. Each replica keeps its own
run directory with the layout of :mod:`rbm_reciprocal.stages.train` (same checkpoints,
metrics table and ``.partial/resume.npz``), its own random stream and its own settings
fingerprint, so the files equal those of one job per replica: bit-for-bit on the
numpy/numba backend (the replicas' epochs run one after another), up to the rounding of
batched products on torch (the replicas' Gibbs sweeps run as one ``baddbmm``; see
:mod:`rbm_reciprocal.training.torch_replicas`).

Resume: every replica continues from its own resume file (also one written by a
per-replica job). When an interruption left them at different epochs, the ones behind
catch up one at a time before the batched epochs continue. The final files of every
replica are moved out of ``.partial/`` only when all replicas are done, so an interrupted
job never leaves one replica's outputs looking complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.paths import replica_output
from rbm_reciprocal.stages.train import ReplicaRun, TrainReplicas, stderr_log
from rbm_reciprocal.training.settings import TrainSettings

pd = lazy_module("pandas")
replica_training = lazy_module("rbm_reciprocal.training.replicas")
trainer_backend = lazy_module("rbm_reciprocal.training.trainer_backend")


def run_training_replicas(
    data: np.ndarray,
    settings: Sequence[TrainSettings],
    out_dirs: Sequence[str | Path],
    log: Callable[[str], None] | None = None,
    stop_after_epoch: int | None = None,
) -> list[pd.DataFrame]:
    """Train the replicas ``settings`` of one job into ``out_dirs``; return their metrics.

    Parameters
    ----------
    data : ndarray, shape (n, N)
        Binary training images.
    settings : sequence of TrainSettings
        One per replica, equal but for ``replica``.
    out_dirs : sequence of path
        One run directory per replica.
    log : callable, optional
        Receives the progress lines, one per replica and epoch, tagged with the replica
        (default: print to stderr, flushed).
    stop_after_epoch : int, optional
        Stop (as if killed) once every replica has run this epoch. For tests.

    Notes
    -----
    A replica's ``epoch_seconds`` (and ``updates_per_second``) in the metrics table is its
    own epoch's wall time on numpy/numba, and the wall time of the batched epoch of all
    replicas on torch.

    Raises
    ------
    ConfigError
        If ``out_dirs`` and ``settings`` differ in length, or the settings are not replicas
        of one run.
    DivergenceError
        When a replica's parameters become non-finite (the message names it).
    """
    if len(out_dirs) != len(settings):
        raise ConfigError(f"{len(settings)} replicas but {len(out_dirs)} output directories")
    replica_training.check_replica_settings(settings)
    log = log or stderr_log
    for d in out_dirs:
        (Path(d) / ".partial").mkdir(parents=True, exist_ok=True)
    group = trainer_backend.make_replica_group(data, settings)
    runs = [ReplicaRun(t, d, log) for t, d in zip(group.trainers, out_dirs, strict=True)]
    for run in runs:
        run.start()
    s = settings[0]
    how = "batched Gibbs sweeps" if group.batched else "one after another"
    log(
        f"[{s.method}-{s.gibbs_steps} M={s.hidden}] {len(runs)} replicas "
        f"{[x.replica for x in settings]} in one job ({how}; backend {s.backend.name})"
    )
    while not all(run.done for run in runs):
        behind = min(run.trainer.epoch for run in runs if not run.done)
        due = [i for i, run in enumerate(runs) if run.trainer.epoch == behind]
        for i, seconds in zip(due, group.run_epoch(due), strict=True):
            runs[i].end_epoch(seconds)
        if stop_after_epoch is not None and min(r.trainer.epoch for r in runs) >= stop_after_epoch:
            return [run.metrics() for run in runs]
    return [run.finish() for run in runs]


def run_train_replicas(
    data: PathLike, out_dirs: Sequence[PathLike], settings: Sequence[dict[str, Any]]
) -> list[pd.DataFrame]:
    """Train the replicas ``settings`` (:class:`TrainSettings` dicts) of one job on the training
    split of the dataset npz ``data`` into ``out_dirs`` (one per replica)."""
    return run_training_replicas(
        load_dataset(data).train, [TrainSettings.from_dict(d) for d in settings], out_dirs
    )


def train_rbm_batched_job(job: Job) -> None:
    """Rule train_rbm_batched: :func:`run_train_replicas` of the job's replicas, each into the
    folder of its ``metrics`` output (``r{R}_metrics``)."""
    replicas = TrainReplicas(**job.settings).replicas
    out_dirs = [Path(job.output[replica_output(s["replica"], "metrics")]).parent for s in replicas]
    run_train_replicas(job.input["data"], out_dirs, replicas)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"train_rbm_batched": train_rbm_batched_job}
