"""Partition function of a Bernoulli RBM.

Exact ``log Z`` by enumerating the smaller layer (the other layer summed analytically);
practical for ``min(N, M) <= ~24``. Used to validate estimators and training on tiny models.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .rbm import RBMParams, free_energy


def all_binary_states(n: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows ``start..stop-1`` of the ``2**n`` binary states of length ``n`` (float64).

    Row ``k`` holds the binary digits of ``k`` (least significant first).
    """
    stop = 2**n if stop is None else stop
    k = np.arange(start, stop, dtype=np.int64)[:, None]
    return ((k >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def log_partition_exact(params: RBMParams, chunk: int = 1 << 16) -> float:
    """Exact ``log Z = log sum_{v,h} exp(-E(v,h))`` (Eq. 3) by enumeration, float64.

    Enumerates the smaller layer: for visible states ``log Z = logsumexp(-F(v))``; for
    hidden states the same with the roles of ``a`` and ``b`` exchanged.
    """
    n, m = params.W.shape
    if min(n, m) > 30:
        raise ValueError(f"exact enumeration of 2**{min(n, m)} states is not practical")
    if n <= m:
        p, size = params, n
    else:
        p, size = RBMParams(params.W.T, params.b, params.a), m
    parts = [
        logsumexp(-free_energy(all_binary_states(size, s, min(s + chunk, 2**size)), p))
        for s in range(0, 2**size, chunk)
    ]
    return float(logsumexp(parts))


def log_likelihood_exact(v: np.ndarray, params: RBMParams) -> float:
    """Mean exact log-likelihood ``mean_v [-F(v) - log Z]`` of the rows of ``v``."""
    return float(np.mean(-free_energy(v, params)) - log_partition_exact(params))
