"""Stage train (workflow/rules/train.smk): train one replica, checkpoints, metrics, resume."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rbm_reciprocal.core.checkpoint import checkpoint_path, save_checkpoint
from rbm_reciprocal.core.errors import DataError, DivergenceError
from rbm_reciprocal.core.io import PathLike, load_npz, save_npz
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.training.select import make_trainer
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.trainer import Trainer

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
    if log is None:

        def log(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)

    s = settings
    out_dir = Path(out_dir)
    partial = out_dir / ".partial"
    partial.mkdir(parents=True, exist_ok=True)
    tag = f"[{s.method}-{s.gibbs_steps} M={s.hidden} replica {s.replica}]"
    trainer = make_trainer(data, s)
    rows: list[dict] = []

    resume_file = partial / "resume.npz"
    if resume_file.exists():
        try:
            st = load_npz(resume_file, "train_rbm")
            metrics_file = partial / "metrics.parquet"
            old_rows = read_table(metrics_file).to_dict("records") if metrics_file.exists() else []
        except DataError as exc:  # a run killed while writing: start again
            st, old_rows = {}, []
            log(f"{tag} {str(exc).split(';')[0]}")
        if "fingerprint" in st and str(st["fingerprint"]) == s.fingerprint():
            trainer.load_state(st)
            rows = [r for r in old_rows if r["epoch"] <= trainer.epoch]
            log(f"{tag} resuming from epoch {trainer.epoch} ({trainer.updates} updates)")
        else:
            log(f"{tag} discarding a partial run (other settings, or damaged)")
            shutil.rmtree(partial)
            partial.mkdir(parents=True)

    def write_checkpoint() -> None:
        p = trainer.params
        save_checkpoint(
            checkpoint_path(partial, trainer.epoch),
            p.W,
            p.a,
            p.b,
            epoch=trainer.epoch,
            updates=trainer.updates,
        )

    if trainer.epoch == 0:
        if 0 in s.checkpoints:
            write_checkpoint()
        rows = [_metrics_row(trainer, 0.0, 0.0)]

    total_seconds = sum(r["epoch_seconds"] for r in rows)
    while trainer.epoch < s.epochs:
        t0 = time.perf_counter()
        trainer.run_epoch()
        dt = time.perf_counter() - t0
        if not trainer.params.is_finite():
            raise DivergenceError(
                f"{tag}: parameters became NaN/inf during epoch {trainer.epoch} "
                f"(after {trainer.updates} updates). Lower the learning rate "
                f"(training.optimizer.lr = {s.optimizer.lr}) or change the initialisation."
            )
        total_seconds += dt
        rows.append(_metrics_row(trainer, dt, total_seconds))
        r = rows[-1]
        eta = (s.epochs - trainer.epoch) * total_seconds / max(len(rows) - 1, 1)
        log(
            f"{tag} epoch {trainer.epoch}/{s.epochs}  updates {trainer.updates}  "
            f"{r['updates_per_second']:.2f} updates/s  recon {r['recon_error']:.5f}  "
            f"ETA {_format_eta(eta)}"
        )
        if trainer.epoch in s.checkpoints:
            write_checkpoint()
        if trainer.epoch % s.resume_every == 0 or trainer.epoch == s.epochs:
            save_parquet(partial / "metrics.parquet", pd.DataFrame(rows))
            save_npz(resume_file, **trainer.state())
        if stop_after_epoch is not None and trainer.epoch >= stop_after_epoch:
            return pd.DataFrame(rows)

    metrics = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    for e in s.checkpoints:
        checkpoint_path(partial, e).replace(checkpoint_path(out_dir, e))
    save_parquet(out_dir / "metrics.parquet", metrics)
    shutil.rmtree(partial)
    log(f"{tag} done: {trainer.updates} updates in {_format_eta(total_seconds)}")
    return metrics


def _metrics_row(trainer: Trainer, epoch_seconds: float, wall_seconds: float) -> dict:
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


def run_train(data: PathLike, out_dir: PathLike, settings: dict[str, Any]) -> pd.DataFrame:
    """Train one replica on the training split of the dataset npz ``data`` (``settings``:
    a :class:`~rbm_reciprocal.training.settings.TrainSettings` dict) into ``out_dir``."""
    return run_training(load_dataset(data).train, TrainSettings.from_dict(settings), out_dir)
