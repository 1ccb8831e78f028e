"""Choice of the implementation of the hot loops (config key ``backend``), without torch.

``cpu`` (default): numpy/BLAS + numba (:mod:`.gibbs`, :mod:`.ais`).
``torch``: PyTorch on ``cuda`` or ``cpu`` (:mod:`.torch_gibbs`, :mod:`.torch_ais`), an optional
extra (``pip install -e .[gpu]``). This module never imports torch at import time, so the CPU
path does not pay for it; :func:`require_torch` checks it at the start of a job.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import dataclass, field
from typing import Any

from rbm_reciprocal.core.errors import ConfigError, RBMError

BACKENDS = ("cpu", "torch")


DEVICES = ("cuda", "cpu")


DTYPES = ("float32",)


#: The one error of ``backend: torch`` without PyTorch.
TORCH_MISSING = "backend 'torch' needs PyTorch: pip install -e .[gpu]"


@dataclass(frozen=True)
class BackendSettings:
    """Which implementation runs the hot loops (config key ``backend``).

    Attributes
    ----------
    name : {"cpu", "torch"}
        ``cpu``: numpy/BLAS + numba (default, no extra dependency); ``torch``: PyTorch.
    device : {"cuda", "cpu"}
        Torch device (ignored by the ``cpu`` backend). ``cuda`` uses the first visible GPU
        (``CUDA_VISIBLE_DEVICES``, set by SLURM for ``--gres=gpu:1``).
    dtype : {"float32"}
        Floating type of parameters and samples (float32 on both backends).
    sparse_density : float
        CPU backend: a Gibbs half-sweep whose binary input has a fraction of ones below this
        uses the gather product (sum of the rows of W where the state is 1) instead of the
        dense GEMM; 0 keeps the dense product always (bit-identical to the dense sampler).
        Required (keyword): its default is the config schema's (``backend.sparse_density``,
        the measured crossover; README, "The Gibbs core").
    """

    name: str = "cpu"
    device: str = "cuda"
    dtype: str = "float32"
    sparse_density: float = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.name not in BACKENDS:
            raise ConfigError(f"unknown backend {self.name!r}; use one of {BACKENDS}")
        if self.device not in DEVICES:
            raise ConfigError(f"unknown backend device {self.device!r}; use one of {DEVICES}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"unsupported backend dtype {self.dtype!r}; use one of {DTYPES}")
        if not 0.0 <= float(self.sparse_density) <= 1.0:
            raise ConfigError(
                f"backend.sparse_density must be in [0, 1], got {self.sparse_density!r}"
            )

    @classmethod
    def from_value(cls, value: BackendSettings | dict[str, Any]) -> BackendSettings:
        """From a settings object or a plain dict (the config's ``backend`` section, JSON),
        which must give ``sparse_density``."""
        if isinstance(value, cls):
            return value
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ConfigError(f"unknown backend settings {unknown}; known: {sorted(known)}")
        if "sparse_density" not in value:
            raise ConfigError("backend settings without sparse_density (config backend section)")
        return cls(**value)

    @property
    def is_torch(self) -> bool:
        """Whether the torch backend is selected."""
        return self.name == "torch"


def torch_available() -> bool:
    """Whether PyTorch is installed (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def import_torch() -> Any:
    """The ``torch`` module, or one :class:`RBMError` (:data:`TORCH_MISSING`) without it.

    The torch modules (``torch_gibbs``, ``torch_ais``, ``torch_trainer``) bind ``torch`` with
    it at import; only :mod:`.kernel_backend` and
    :mod:`~rbm_reciprocal.training.trainer_backend` import them, once the torch backend is chosen.
    """
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised where torch is absent
        raise RBMError(TORCH_MISSING) from exc
    return torch


def require_torch(backend: BackendSettings) -> Any:
    """Check that the torch backend can run here; return its ``torch.device``.

    Called at the start of a job, before any work.

    Raises
    ------
    RBMError
        Without PyTorch (:data:`TORCH_MISSING`), or with ``device: cuda`` where PyTorch
        sees no GPU.
    """
    torch = import_torch()
    if backend.device == "cuda" and not torch.cuda.is_available():
        raise RBMError(
            "backend 'torch' with device 'cuda', but PyTorch sees no GPU "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}); "
            "run on a GPU node, or set backend.device: cpu"
        )
    return torch.device(backend.device)
