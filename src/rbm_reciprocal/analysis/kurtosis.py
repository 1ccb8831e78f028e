"""Kurtosis of projected random binary states (Fig. 3e): closed form, Haar mean, Monte Carlo."""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.analysis.reciprocal import random_binary

#: Fig. 3e variants: which variable is projected and which size is varied.
KURTOSIS_VARIANTS: dict[str, str] = {
    "code": "x = U^T v, visible size N varied, hidden size fixed (the authors' code)",
    "text": "y = V^T h, hidden size M varied, visible size fixed (the paper's text)",
}


def kurtosis_closed_form(basis: np.ndarray) -> np.ndarray:
    """Exact kurtosis of ``x_i = sum_k U_ki v_k`` for uniform binary ``v`` (Sec. 4, Fig. 3e).

    With ``v_k - 1/2 = s_k / 2`` and iid signs ``s_k``, ``<(x_i - mu_i)^4> / <(x_i - mu_i)^2>^2
    = 3 (sum_k U_ki^2)^2 - 2 sum_k U_ki^4``; for a unit column

    .. math:: \\kappa_i = 3 - 2 \\sum_k U_{ki}^4 .

    Parameters
    ----------
    basis : ndarray, shape (n, k)
        Columns ``U[:, i]`` (any number of them); need not be unit vectors.

    Returns
    -------
    ndarray, shape (k,), float64 -- Pearson kurtosis (3 for a Gaussian).
    """
    c = np.asarray(basis, dtype=np.float64)
    c2 = c * c
    norm2 = c2.sum(axis=0)
    return 3.0 - 2.0 * (c2 * c2).sum(axis=0) / norm2**2


def kurtosis_haar_mean(n: int | np.ndarray) -> np.ndarray:
    """Mean kurtosis ``3 - 6/(n+2)`` of :func:`kurtosis_closed_form` over Haar unit vectors.

    For a uniformly random unit vector in ``R^n``; follows from ``E[U_ki^4] = 3 / (n (n + 2))``.
    """
    n = np.asarray(n, dtype=np.float64)
    return 3.0 - 6.0 / (n + 2.0)


def kurtosis_monte_carlo(
    basis: np.ndarray,
    n_samples: int,
    rng: np.random.Generator,
    batch_size: int,
) -> np.ndarray:
    """Monte-Carlo Pearson kurtosis ``m4 / m2^2`` of projected Bernoulli(1/2) states (Fig. 3e).

    Draws ``n_samples`` uniform binary states ``v`` (N,) in batches of ``batch_size``,
    projects them on every column, ``x_i = sum_k U_ki v_k`` (one float32 GEMM per batch), and
    accumulates power sums of ``x_i - mu_i`` (float32 powers, float64 sums) with the exact mean
    ``mu_i`` of Eq. (51a) as the shift; the sample moments about the sample mean follow from
    them without cancellation. The result is the biased (population) estimator used by the authors.

    Parameters
    ----------
    basis : ndarray, shape (N, k)
        Columns to project on (e.g. the first ``min(N, M)`` columns of ``U``).
    n_samples : int
        Number of random states (7,000,000 in the authors' code).
    rng : numpy.random.Generator
    batch_size : int
        States per batch; memory is about ``batch_size * (N + 2 k) * 8`` bytes.

    Returns
    -------
    ndarray, shape (k,), float64
    """
    basis64 = np.asarray(basis, dtype=np.float64)
    if basis64.ndim != 2:
        raise ValueError(f"basis must be 2-D (N, k), got shape {basis64.shape}")
    n_samples, batch_size = int(n_samples), int(batch_size)
    if n_samples < 2 or batch_size < 1:
        raise ValueError(f"need n_samples >= 2 and batch_size >= 1, got {n_samples}, {batch_size}")
    n, k = basis64.shape
    # Signs s = 2 v - 1, so x - mu = (s @ U) / 2; the shift is exact.
    half_basis = (0.5 * basis64).astype(np.float32)
    sums = np.zeros((4, k), dtype=np.float64)
    done = 0
    while done < n_samples:
        size = min(batch_size, n_samples - done)
        signs = random_binary(size, n, rng)
        signs *= 2.0
        signs -= 1.0
        d = signs @ half_basis
        d2 = d * d
        # float32 powers (relative error ~1e-7), float64 accumulation over the batch
        sums[0] += d.sum(axis=0, dtype=np.float64)
        sums[1] += d2.sum(axis=0, dtype=np.float64)
        sums[2] += (d2 * d).sum(axis=0, dtype=np.float64)
        sums[3] += (d2 * d2).sum(axis=0, dtype=np.float64)
        done += size
    p1, p2, p3, p4 = sums / n_samples
    m2 = p2 - p1**2
    m4 = p4 - 4.0 * p1 * p3 + 6.0 * p1**2 * p2 - 3.0 * p1**4
    return m4 / m2**2
