"""Partition function of a Bernoulli RBM.

Exact ``log Z`` by enumerating the smaller layer (the other layer summed analytically);
practical for ``min(N, M) <= ~24``. Used to validate the AIS estimators
(:mod:`rbm_reciprocal.sampling.ais`) and training on tiny models.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams, free_energy
from rbm_reciprocal.sampling import _ais_kernels

#: Largest enumerated layer accepted by :func:`log_partition_exact` (2**30 states).
MAX_EXACT_UNITS = 30


def all_binary_states(n: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows ``start..stop-1`` of the ``2**n`` binary states of length ``n`` (float64).

    Row ``k`` holds the binary digits of ``k`` (least significant first).
    """
    stop = 2**n if stop is None else stop
    k = np.arange(start, stop, dtype=np.int64)[:, None]
    return ((k >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def _smaller_layer_first(params: RBMParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W_s, a_s, b_o)`` in float64 with the smaller layer as rows of ``W_s``.

    ``log Z`` is symmetric under exchanging the layers (``W -> W^T``, ``a <-> b``).
    """
    W, a, b = (np.asarray(x, dtype=np.float64) for x in (params.W, params.a, params.b))
    if W.shape[0] <= W.shape[1]:
        return np.ascontiguousarray(W), a, b
    return np.ascontiguousarray(W.T), b, a


def log_partition_exact(params: RBMParams, chunk_bits: int = 12) -> float:
    """Exact ``log Z = log sum_{v,h} exp(-E(v,h))`` (Eq. 3) by enumeration, float64.

    The smaller layer (size ``n = min(N, M)``, say the visible one) is enumerated and the
    other summed analytically:

    .. math::

        \\log Z = \\log \\sum_{v \\in \\{0,1\\}^n}
                  \\exp\\Big(a \\cdot v + \\sum_j \\mathrm{softplus}(b_j + (vW)_j)\\Big)
                = \\log \\sum_v e^{-F(v)}.

    The ``2**n`` states are visited in Gray-code order in chunks of ``2**chunk_bits``
    (numba, parallel over chunks): consecutive states differ in one unit, so the field of
    the other layer is updated with one row of ``W`` per state (cost ``O(2**n max(N, M))``).
    Each chunk keeps an online log-sum-exp, and the chunks are combined with ``logsumexp``,
    so nothing overflows. The chunking is fixed, so the result does not depend on the
    number of threads.

    Parameters
    ----------
    params : RBMParams
        Any object with ``W`` (N, M), ``a`` (N,), ``b`` (M,); computed in float64.
    chunk_bits : int
        log2 of the states per chunk (the unit of parallel work).

    Returns
    -------
    float
        ``log Z``.

    Raises
    ------
    ConfigError
        If ``min(N, M) > MAX_EXACT_UNITS``.
    """
    W, a, b = _smaller_layer_first(params)
    n = W.shape[0]
    if n > MAX_EXACT_UNITS:
        raise ConfigError(
            f"exact enumeration of 2**{n} states is not practical "
            f"(min(N, M) must be <= {MAX_EXACT_UNITS})"
        )
    bits = min(int(chunk_bits), n)
    n_chunks = 1 << (n - bits)
    mx = np.empty(n_chunks, np.float64)
    sm = np.empty(n_chunks, np.float64)
    _ais_kernels.exact_log_partition_chunks(W, a, b, bits, mx, sm)
    return float(logsumexp(mx + np.log(sm)))


def log_partition_exact_numpy(params: RBMParams, chunk: int = 1 << 16) -> float:
    """Reference implementation of :func:`log_partition_exact` in numpy (slow, simple).

    ``logsumexp(-F(s))`` over the binary states ``s`` of the smaller layer, in chunks of
    ``chunk`` states. Kept for tests.
    """
    W, a, b = _smaller_layer_first(params)
    n = W.shape[0]
    if n > MAX_EXACT_UNITS:
        raise ConfigError(f"exact enumeration of 2**{n} states is not practical")
    p = RBMParams(W, a, b)
    parts = [
        logsumexp(-free_energy(all_binary_states(n, s, min(s + chunk, 2**n)), p))
        for s in range(0, 2**n, chunk)
    ]
    return float(logsumexp(parts))


def log_likelihood_exact(v: np.ndarray, params: RBMParams) -> float:
    """Mean exact log-likelihood ``mean_v [-F(v) - log Z]`` of the rows of ``v``."""
    return float(np.mean(-free_energy(v, params)) - log_partition_exact(params))
