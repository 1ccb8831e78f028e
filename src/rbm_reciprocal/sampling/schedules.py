"""Inverse-temperature schedules of AIS (numpy only, no numba: the config layer uses them)."""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.errors import ConfigError

BETA_SCHEDULES = ("uniform", "piecewise")


# Salakhutdinov & Murray (2008): steps of 1e-3 on [0, 0.5], 1e-4 on [0.5, 0.9], 1e-5 on
# [0.9, 1]: 500 + 4000 + 10000 intervals.
_PIECEWISE_EDGES = (0.0, 0.5, 0.9, 1.0)


_PIECEWISE_INTERVALS = (500, 4000, 10000)


#: Size of the Salakhutdinov-Murray schedule (``beta_schedule("piecewise", 14501)``).
SALAKHUTDINOV_MURRAY_BETAS = sum(_PIECEWISE_INTERVALS) + 1


def beta_schedule(kind: str, n: int) -> np.ndarray:
    """Inverse temperatures ``0 = beta_0 < ... < beta_{n-1} = 1`` (float64, shape (n,)).

    Parameters
    ----------
    kind : {"uniform", "piecewise"}
        ``uniform``: ``n`` equally spaced values (the authors' choice, with n = 500,000).
        ``piecewise``: the schedule of Salakhutdinov & Murray (2008), uniform on
        [0, 0.5], [0.5, 0.9] and [0.9, 1] with 500 : 4000 : 10000 of the ``n - 1`` steps
        (``n = 14501`` gives their steps 1e-3, 1e-4, 1e-5 exactly).
    n : int
        Number of inverse temperatures, ``>= 2`` (``>= 4`` for ``piecewise``); the number of
        annealing steps (Gibbs sweeps) is ``n - 1``.
    """
    n = int(n)
    if kind == "uniform":
        if n < 2:
            raise ConfigError(f"a uniform beta schedule needs n >= 2 betas, got {n}")
        return np.linspace(0.0, 1.0, n)
    if kind == "piecewise":
        if n < 4:
            raise ConfigError(f"a piecewise beta schedule needs n >= 4 betas, got {n}")
        total = sum(_PIECEWISE_INTERVALS)
        counts = [max(1, round((n - 1) * c / total)) for c in _PIECEWISE_INTERVALS[:2]]
        counts.append(max(1, n - 1 - sum(counts)))
        parts = [
            np.linspace(lo, hi, c, endpoint=False)
            for lo, hi, c in zip(_PIECEWISE_EDGES[:-1], _PIECEWISE_EDGES[1:], counts, strict=True)
        ]
        return np.concatenate([*parts, [1.0]])
    raise ConfigError(f"unknown beta schedule {kind!r}; use one of {BETA_SCHEDULES}")


def check_betas(betas: np.ndarray) -> np.ndarray:
    betas = np.asarray(betas, dtype=np.float64)
    if (
        betas.ndim != 1
        or betas.size < 2
        or betas[0] != 0.0
        or betas[-1] != 1.0
        or np.any(np.diff(betas) <= 0)
    ):
        raise ConfigError("betas must increase strictly from 0 to 1 (at least 2 values)")
    return betas
