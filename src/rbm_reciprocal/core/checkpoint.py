"""The checkpoint format: one file name, one writer, one reader.

A checkpoint is an uncompressed ``.npz`` named ``epoch_EEEE.npz`` (epoch zero-padded to four
digits) in the run's folder ``results/train/{method}/M{hidden}/replica{r}/``, holding

- ``W`` (N, M), ``a`` (N,), ``b`` (M,): the parameters (float32 for trained models; the
  untrained reference keeps the dtype it was drawn in);
- ``epoch`` and ``updates``: 0-d integers (epoch 0 is the initialisation).

Every module reads checkpoints through :func:`read_checkpoint` (the arrays as stored) or
:func:`load_checkpoint` (:class:`~rbm_reciprocal.core.rbm.RBMParams`, float32), and writes them
through :func:`save_checkpoint`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.core.io import PathLike, load_npz, rerun_command, save_npz
from rbm_reciprocal.core.rbm import RBMParams

#: Arrays every checkpoint holds.
CHECKPOINT_KEYS = ("W", "a", "b")


def checkpoint_name(epoch: int) -> str:
    """File name of the checkpoint at ``epoch``: ``epoch_EEEE.npz``."""
    return f"epoch_{int(epoch):04d}.npz"


def checkpoint_path(run_dir: PathLike, epoch: int) -> Path:
    """Path of the checkpoint at ``epoch`` in the run folder ``run_dir``."""
    return Path(run_dir) / checkpoint_name(epoch)


def checkpoint_paths(run_dir: PathLike, epochs: Sequence[int]) -> list[Path]:
    """Paths of the checkpoints of a run at ``epochs``."""
    return [checkpoint_path(run_dir, e) for e in epochs]


def checkpoint_rule(path: PathLike) -> str:
    """The rule that writes a checkpoint file: ``untrained_reference`` for the untrained
    reference (``untrained_M{M}.npz``), else ``train_rbm``."""
    return "untrained_reference" if Path(path).name.startswith("untrained") else "train_rbm"


@dataclass(frozen=True)
class Checkpoint:
    """The arrays of one checkpoint file, as stored.

    ``epoch`` and ``updates`` are None where the file has no such entry.
    """

    W: np.ndarray
    a: np.ndarray
    b: np.ndarray
    epoch: int | None
    updates: int | None

    @property
    def params(self) -> RBMParams:
        """The parameters as float32 :class:`RBMParams`."""
        return RBMParams(self.W, self.a, self.b)


def save_checkpoint(
    path: PathLike, W: np.ndarray, a: np.ndarray, b: np.ndarray, *, epoch: int, updates: int
) -> None:
    """Write a checkpoint atomically (arrays in the dtype given)."""
    save_npz(path, W=W, a=a, b=b, epoch=np.array(epoch), updates=np.array(updates))


def read_checkpoint(path: PathLike) -> Checkpoint:
    """Read a checkpoint file.

    Raises
    ------
    DataError
        One line naming the file and the rule to rerun if it is missing, truncated or
        corrupt, or lacks one of ``W``, ``a``, ``b``.
    """
    d = load_npz(path, checkpoint_rule(path))
    missing = [k for k in CHECKPOINT_KEYS if k not in d]
    if missing:
        raise DataError(
            f"{path} is not a checkpoint: it lacks {missing}; delete it and rerun rule "
            f"{checkpoint_rule(path)}: {rerun_command(path)}"
        )
    return Checkpoint(
        W=d["W"],
        a=d["a"],
        b=d["b"],
        epoch=int(d["epoch"]) if "epoch" in d else None,
        updates=int(d["updates"]) if "updates" in d else None,
    )


def load_checkpoint(path: PathLike) -> RBMParams:
    """The parameters of a checkpoint file as float32 :class:`RBMParams`."""
    return read_checkpoint(path).params
