"""Backend selection of the annealers: the one place that picks numpy/numba or torch.

The torch modules are imported only when the torch backend is selected, so the CPU path never
imports PyTorch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from rbm_reciprocal.sampling.ais import ais, model_samples, reverse_ais
from rbm_reciprocal.sampling.backend import BackendSettings, require_torch
from rbm_reciprocal.sampling.trajectory import forward_temperature_leg, trajectory_interval


def loglik_kernels(backend: BackendSettings) -> tuple[Callable[..., Any], ...]:
    """``(model_samples, ais, reverse_ais)`` of ``backend``, with the numpy signatures."""
    if not backend.is_torch:
        return model_samples, ais, reverse_ais
    dev = require_torch(backend)  # before importing the torch port
    from rbm_reciprocal.sampling.torch_ais import torch_ais, torch_reverse_ais
    from rbm_reciprocal.sampling.torch_gibbs import torch_model_samples

    return (
        functools.partial(torch_model_samples, device=dev),
        functools.partial(torch_ais, device=dev),
        functools.partial(torch_reverse_ais, device=dev),
    )


def trajectory_kernels(backend: BackendSettings) -> tuple[Callable[..., Any], ...]:
    """``(model_samples, forward_temperature_leg, trajectory_interval, reverse_ais)`` of
    ``backend``, with the numpy signatures (:mod:`.trajectory`)."""
    if not backend.is_torch:
        return model_samples, forward_temperature_leg, trajectory_interval, reverse_ais
    dev = require_torch(backend)  # before importing the torch port
    from rbm_reciprocal.sampling.torch_ais import torch_reverse_ais
    from rbm_reciprocal.sampling.torch_gibbs import torch_model_samples
    from rbm_reciprocal.sampling.torch_trajectory import (
        torch_forward_temperature_leg,
        torch_trajectory_interval,
    )

    return (
        functools.partial(torch_model_samples, device=dev),
        functools.partial(torch_forward_temperature_leg, device=dev),
        functools.partial(torch_trajectory_interval, device=dev),
        functools.partial(torch_reverse_ais, device=dev),
    )
