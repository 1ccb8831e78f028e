"""Backend selection of the trainer: the one place that picks numpy/numba or torch."""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.sampling.backend import require_torch
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
