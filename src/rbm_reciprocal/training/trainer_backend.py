"""Backend selection of the trainer: the one place that picks numpy/numba or torch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.sampling.backend import require_torch
from rbm_reciprocal.training.replicas import ReplicaGroup, check_replica_settings
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.trainer import Trainer


def make_trainer(
    data: np.ndarray, settings: TrainSettings, rng: np.random.Generator | None = None
) -> Trainer:
    """The :class:`Trainer` of ``settings.backend``: numpy/numba, or
    :class:`~rbm_reciprocal.training.torch_trainer.TorchTrainer` (PyTorch and the device are
    checked first, before torch is imported)."""
    if not settings.backend.is_torch:
        return Trainer(data, settings, rng)
    require_torch(settings.backend)
    from rbm_reciprocal.training.torch_trainer import TorchTrainer

    return TorchTrainer(data, settings, rng)


def make_replica_group(data: np.ndarray, settings: Sequence[TrainSettings]) -> ReplicaGroup:
    """The :class:`ReplicaGroup` of the replicas ``settings`` of one job (see
    :func:`~rbm_reciprocal.training.replicas.check_replica_settings`): one :class:`Trainer`
    each on numpy/numba (run one after another), or a
    :class:`~rbm_reciprocal.training.torch_replicas.TorchReplicaTrainer` (sweeps batched)."""
    check_replica_settings(settings)
    if not settings[0].backend.is_torch:
        data = np.ascontiguousarray(data, np.float32)  # one copy, shared by the trainers
        return ReplicaGroup([Trainer(data, s) for s in settings])
    require_torch(settings[0].backend)
    from rbm_reciprocal.training.torch_replicas import TorchReplicaTrainer

    return TorchReplicaTrainer(data, settings)
