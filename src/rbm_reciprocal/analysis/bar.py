"""Free-energy differences between neighbouring models from their works (PTT ladder).

For models ``p_0 = exp(-F_0)/Z_0`` and ``p_1 = exp(-F_1)/Z_1``, samples ``x ~ p_0`` give
forward works ``w_F = F_1(x) - F_0(x)`` and samples ``y ~ p_1`` reverse works
``w_R = F_0(y) - F_1(y)``. Then ``E_0[exp(-w_F)] = Z_1/Z_0 = 1 / E_1[exp(-w_R)]``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logsumexp


def log_ratio_forward(w_f: np.ndarray) -> float:
    """``log Z_1/Z_0 = log mean exp(-w_F)`` (Zwanzig's exponential average from ``p_0``;
    biased low in expectation, like AIS)."""
    w = np.asarray(w_f, np.float64).ravel()
    return float(logsumexp(-w) - np.log(w.size))


def log_ratio_reverse(w_r: np.ndarray) -> float:
    """``log Z_1/Z_0 = -log mean exp(-w_R)`` (from ``p_1``; biased high in expectation,
    like reverse AIS)."""
    w = np.asarray(w_r, np.float64).ravel()
    return float(-(logsumexp(-w) - np.log(w.size)))


def log_ratio_bar(w_f: np.ndarray, w_r: np.ndarray) -> float:
    """``log Z_1/Z_0`` by Bennett's acceptance ratio (Bennett 1976; Shirts & Chodera 2008).

    With ``n_F`` forward and ``n_R`` reverse works and ``M = log(n_F/n_R)``, the free-energy
    difference ``dF = -log Z_1/Z_0`` solves

    ``sum_F fermi(M + w_F - dF) = sum_R fermi(-M + w_R + dF)``, ``fermi(x) = 1/(1 + e^x)``,

    the minimum-variance estimator that uses both directions; returns ``-dF``.
    """
    f = np.asarray(w_f, np.float64).ravel()
    r = np.asarray(w_r, np.float64).ravel()
    if f.size == 0 or r.size == 0:
        raise ValueError("BAR needs forward and reverse works")
    m = np.log(f.size / r.size)

    def balance(df: float) -> float:
        return float(expit(-(m + f - df)).sum() - expit(-(-m + r + df)).sum())

    lo = min(f.min(), -r.max()) - abs(m) - 50.0
    hi = max(f.max(), -r.min()) + abs(m) + 50.0
    return -float(brentq(balance, lo, hi, xtol=1e-12))
