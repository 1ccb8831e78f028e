"""Stage train (workflow/rules/train.smk): train one replica, checkpoints, metrics, resume.

A training job's settings are a plain :class:`~rbm_reciprocal.training.settings.TrainSettings`
dict (checked by the class when built, so a bad value fails when the workflow is planned);
a batched job (``training.batch_replicas``) has one per replica. :func:`backend_from_config`
is the ``backend`` of every job that samples.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rbm_reciprocal.core.checkpoint import checkpoint_path, save_checkpoint
from rbm_reciprocal.core.errors import DataError, DivergenceError
from rbm_reciprocal.core.io import load_npz, save_npz
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline import memory, paths
from rbm_reciprocal.pipeline.config import (
    checkpoint_epochs_from_config,
    final_models,
    method_training_config,
    validate_config,
)
from rbm_reciprocal.pipeline.cost import batched_train_job_cost, train_job_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import TRAIN_STEP, Step, per_model
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.training.settings import TrainSettings

pd = lazy_module("pandas")
training = lazy_module("rbm_reciprocal.training.trainer")
trainer_backend = lazy_module("rbm_reciprocal.training.trainer_backend")


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


METRIC_COLUMNS = (
    "epoch",  # epochs completed
    "updates",  # parameter updates so far
    "recon_error",  # mean squared error of v -> p(h|v) -> p(v|h) on a fixed monitor batch
    "weight_norm",  # Frobenius norm of W
    "max_singular_value",  # largest singular value of W
    "epoch_seconds",  # wall time of the epoch
    "updates_per_second",
    "wall_seconds",  # cumulative wall time (sum over epochs, resumed runs included)
)


def _format_eta(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def stderr_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class ReplicaRun:
    """The files of one training run around its trainer: ``out_dir/.partial/`` (resume
    state, checkpoints and metrics so far), one log line per epoch, and the final move.

    :func:`run_training` drives one;
    :func:`rbm_reciprocal.stages.train_replicas.run_training_replicas` drives the replicas of
    one job, whose trainers advance together.

    Parameters
    ----------
    trainer : Trainer
        The run's trainer, freshly made (its state is restored by :meth:`start`).
    out_dir : path
        Run directory (layout in the module docstring).
    log : callable
        Receives the progress lines.
    """

    def __init__(
        self, trainer: training.Trainer, out_dir: str | Path, log: Callable[[str], None]
    ) -> None:
        s = trainer.s
        self.trainer, self.s, self.log = trainer, s, log
        self.out_dir = Path(out_dir)
        self.partial = self.out_dir / ".partial"
        self.partial.mkdir(parents=True, exist_ok=True)
        self.resume_file = self.partial / "resume.npz"
        self.tag = f"[{s.method}-{s.gibbs_steps} M={s.hidden} replica {s.replica}]"
        self.rows: list[dict] = []
        self.total_seconds = 0.0

    @property
    def done(self) -> bool:
        """Whether every epoch has run."""
        return self.trainer.epoch >= self.s.epochs

    def start(self) -> None:
        """Continue from ``.partial/resume.npz`` when it matches the settings, else start at
        epoch 0 (writing the initialisation's checkpoint)."""
        trainer, s, log, partial = self.trainer, self.s, self.log, self.partial
        if self.resume_file.exists():
            try:
                st = load_npz(self.resume_file, "train_rbm")
                metrics_file = partial / "metrics.parquet"
                old_rows = (
                    read_table(metrics_file).to_dict("records") if metrics_file.exists() else []
                )
            except DataError as exc:  # a run killed while writing: start again
                st, old_rows = {}, []
                log(f"{self.tag} {str(exc).split(';')[0]}")
            if "fingerprint" in st and str(st["fingerprint"]) == s.fingerprint():
                trainer.load_state(st)
                self.rows = [r for r in old_rows if r["epoch"] <= trainer.epoch]
                log(f"{self.tag} resuming from epoch {trainer.epoch} ({trainer.updates} updates)")
            else:
                log(f"{self.tag} discarding a partial run (other settings, or damaged)")
                shutil.rmtree(partial)
                partial.mkdir(parents=True)
        if trainer.epoch == 0:
            if 0 in s.checkpoints:
                self._write_checkpoint()
            self.rows = [_metrics_row(trainer, 0.0, 0.0)]
        self.total_seconds = sum(r["epoch_seconds"] for r in self.rows)

    def _write_checkpoint(self) -> None:
        t = self.trainer
        p = t.params
        save_checkpoint(
            checkpoint_path(self.partial, t.epoch), p.W, p.a, p.b, epoch=t.epoch, updates=t.updates
        )

    def end_epoch(self, seconds: float) -> None:
        """After an epoch of ``seconds``: check, log, and save what the schedules ask for.

        Raises
        ------
        DivergenceError
            When parameters became non-finite; the message names replica and epoch.
        """
        trainer, s = self.trainer, self.s
        if not trainer.params.is_finite():
            raise DivergenceError(
                f"{self.tag}: parameters became NaN/inf during epoch {trainer.epoch} "
                f"(after {trainer.updates} updates). Lower the learning rate "
                f"(training.optimizer.lr = {s.optimizer.lr}) or change the initialisation."
            )
        self.total_seconds += seconds
        self.rows.append(_metrics_row(trainer, seconds, self.total_seconds))
        r = self.rows[-1]
        eta = (s.epochs - trainer.epoch) * self.total_seconds / max(len(self.rows) - 1, 1)
        self.log(
            f"{self.tag} epoch {trainer.epoch}/{s.epochs}  updates {trainer.updates}  "
            f"{r['updates_per_second']:.2f} updates/s  recon {r['recon_error']:.5f}  "
            f"ETA {_format_eta(eta)}"
        )
        if trainer.epoch in s.checkpoints:
            self._write_checkpoint()
        if trainer.epoch % s.resume_every == 0 or trainer.epoch == s.epochs:
            save_parquet(self.partial / "metrics.parquet", pd.DataFrame(self.rows))
            save_npz(self.resume_file, **trainer.state())

    def metrics(self) -> pd.DataFrame:
        """The metrics rows so far."""
        return pd.DataFrame(self.rows, columns=list(METRIC_COLUMNS))

    def finish(self) -> pd.DataFrame:
        """Move the checkpoints and metrics out of ``.partial/`` (the run is done)."""
        metrics = self.metrics()
        for e in self.s.checkpoints:
            checkpoint_path(self.partial, e).replace(checkpoint_path(self.out_dir, e))
        save_parquet(self.out_dir / "metrics.parquet", metrics)
        shutil.rmtree(self.partial)
        self.log(
            f"{self.tag} done: {self.trainer.updates} updates in {_format_eta(self.total_seconds)}"
        )
        return metrics


def run_training(
    data: np.ndarray,
    settings: TrainSettings,
    out_dir: str | Path,
    log: Callable[[str], None] | None = None,
    stop_after_epoch: int | None = None,
) -> pd.DataFrame:
    """Train one replica with checkpoints and resume; return the metrics table.

    Parameters
    ----------
    data : ndarray, shape (n, N)
        Binary training images.
    settings : TrainSettings
    out_dir : path
        Run directory (layout in the module docstring).
    log : callable, optional
        Receives one progress line per epoch (default: print to stderr, flushed).
    stop_after_epoch : int, optional
        Stop (as if killed) after this epoch, leaving ``.partial/`` in place. For tests.

    Raises
    ------
    DivergenceError
        When parameters become non-finite; the message names replica and epoch.
    """
    out_dir = Path(out_dir)
    (out_dir / ".partial").mkdir(parents=True, exist_ok=True)
    run = ReplicaRun(trainer_backend.make_trainer(data, settings), out_dir, log or stderr_log)
    run.start()
    while not run.done:
        t0 = time.perf_counter()
        run.trainer.run_epoch()
        run.end_epoch(time.perf_counter() - t0)
        if stop_after_epoch is not None and run.trainer.epoch >= stop_after_epoch:
            return pd.DataFrame(run.rows)
    return run.finish()


def _metrics_row(trainer: training.Trainer, epoch_seconds: float, wall_seconds: float) -> dict:
    w = trainer.params.W
    n_updates = trainer.batches_per_epoch if trainer.epoch > 0 else 0
    return {
        "epoch": trainer.epoch,
        "updates": trainer.updates,
        "recon_error": trainer.recon_error(),
        "weight_norm": float(np.linalg.norm(w)),
        "max_singular_value": float(np.linalg.norm(w.astype(np.float64), 2)),
        "epoch_seconds": epoch_seconds,
        "updates_per_second": n_updates / epoch_seconds if epoch_seconds > 0 else float("nan"),
        "wall_seconds": wall_seconds,
    }


def train_rbm_job(job: Job) -> None:
    """Rule train_rbm: :func:`run_training` of one replica on the training split of the
    dataset file, into the folder of its ``metrics`` output (the run directory, which also
    holds its checkpoints)."""
    settings = TrainSettings.from_dict(job.settings)
    run_training(
        load_dataset(job.input["data"]).train, settings, Path(job.output["metrics"]).parent
    )


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"train_rbm": train_rbm_job}


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
