"""Small statistics shared by analyses and claims."""

from __future__ import annotations

import numpy as np


def linear_fit(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Ordinary least squares ``y = intercept + slope * x`` with standard errors.

    Used for the kurtosis versus ``1/n`` extrapolated to ``1/n = 0`` (Fig. 3e). Standard
    errors are the usual ones from the residual variance with ``len(x) - 2`` degrees of
    freedom (``nan`` with two points).

    Parameters
    ----------
    x, y : ndarray, shape (P,), P >= 2

    Returns
    -------
    dict with ``slope, slope_se, intercept, intercept_se, residual_std, n_points``
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"need two 1-D arrays of equal length >= 2, got {x.shape}, {y.shape}")
    p = x.size
    xm = x.mean()
    sxx = ((x - xm) ** 2).sum()
    slope = ((x - xm) * (y - y.mean())).sum() / sxx
    intercept = y.mean() - slope * xm
    resid = y - intercept - slope * x
    if p > 2:
        sigma2 = (resid**2).sum() / (p - 2)
        slope_se = np.sqrt(sigma2 / sxx)
        intercept_se = np.sqrt(sigma2 * (1.0 / p + xm**2 / sxx))
        residual_std = np.sqrt(sigma2)
    else:
        slope_se = intercept_se = residual_std = np.nan
    return {
        "slope": float(slope),
        "slope_se": float(slope_se),
        "intercept": float(intercept),
        "intercept_se": float(intercept_se),
        "residual_std": float(residual_std),
        "n_points": int(p),
    }
