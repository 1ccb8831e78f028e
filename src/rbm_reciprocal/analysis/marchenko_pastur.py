"""The Marchenko-Pastur law of random inits (Eq. 20): edges, density, mode, CDF, KS distance,
and a test of the mode."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

# Number of points of the angular grid used by `marchenko_pastur_cdf`.
_CDF_GRID = 8193


def check_shape(n: int, m: int, sigma: float) -> None:
    if int(n) < 1 or int(m) < 1:
        raise ValueError(f"matrix shape must be positive, got n={n}, m={m}")
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma}")


def marchenko_pastur_edges(n: int, m: int, sigma: float) -> tuple[float, float]:
    """Support ``(lambda_-, lambda_+)`` of the Marchenko-Pastur singular-value law (Eq. 20).

    .. math:: \\lambda_\\pm = \\sigma\\,(\\sqrt{\\max(n, m)} \\pm \\sqrt{\\min(n, m)})

    Parameters
    ----------
    n, m : int
        Shape of the matrix (N visible x M hidden units).
    sigma : float
        Standard deviation of the iid entries.

    Returns
    -------
    (float, float)
        Lower and upper edge of the support; the lower edge is 0 when ``n == m``.
    """
    check_shape(n, m, sigma)
    big, small = max(n, m), min(n, m)
    lo = sigma * (np.sqrt(big) - np.sqrt(small))
    hi = sigma * (np.sqrt(big) + np.sqrt(small))
    return float(lo), float(hi)


def marchenko_pastur_pdf(lam: np.ndarray, n: int, m: int, sigma: float) -> np.ndarray:
    """Marchenko-Pastur density of the nonzero singular values (Eq. 20).

    .. math::

        \\rho(\\lambda) = \\frac{\\sqrt{(\\lambda_+^2 - \\lambda^2)(\\lambda^2 - \\lambda_-^2)}}
                              {\\pi \\sigma^2 \\min(n, m)\\, \\lambda}

    on ``[lambda_-, lambda_+]`` and 0 elsewhere; it integrates to 1 over the ``min(n, m)``
    nonzero singular values. For ``n == m`` it is the quarter circle
    ``sqrt(lambda_+^2 - lambda^2) / (pi sigma^2 n)``, finite at 0.

    Parameters
    ----------
    lam : ndarray, any shape
        Points at which to evaluate the density.
    n, m : int
        Shape of the matrix.
    sigma : float
        Standard deviation of the entries.

    Returns
    -------
    ndarray, same shape as ``lam``, float64
    """
    lam = np.asarray(lam, dtype=np.float64)
    lo, hi = marchenko_pastur_edges(n, m, sigma)
    inside = (lam >= lo) & (lam <= hi)
    lam_in = np.where(inside, lam, hi)  # a harmless value outside the support
    upper = np.sqrt(np.clip(hi**2 - lam_in**2, 0.0, None))
    lower = np.sqrt(np.clip(lam_in**2 - lo**2, 0.0, None))
    # sqrt(lam^2 - lo^2) / lam -> 1 as lam -> 0 when lo == 0 (square matrix).
    ratio = np.divide(lower, lam_in, out=np.ones_like(lam_in), where=lam_in > 0)
    pdf = upper * ratio / (np.pi * sigma**2 * min(n, m))
    return np.where(inside, pdf, 0.0)


def marchenko_pastur_mode(n: int, m: int, sigma: float) -> float:
    """Mode of the Marchenko-Pastur singular-value density (Eq. 20).

    .. math:: \\lambda^* = \\sqrt{\\lambda_+ \\lambda_-} = \\sigma \\sqrt{|n - m|}

    Returns 0 for a square matrix, where the density decreases monotonically.
    """
    check_shape(n, m, sigma)
    return float(sigma * np.sqrt(abs(int(n) - int(m))))


def _mp_theta_grid(n: int, m: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Angular grid ``theta`` in [0, pi] and the MP cumulative distribution on it.

    With ``x = lambda^2 = c - d cos(theta)``, ``c = (lambda_+^2 + lambda_-^2)/2``,
    ``d = (lambda_+^2 - lambda_-^2)/2``, the measure becomes

    .. math::

        \\rho\\,d\\lambda = \\frac{d^2 \\sin^2\\theta}{2\\pi\\sigma^2\\min(n,m)\\,x}\\,d\\theta,

    a smooth integrand without the square-root edges, integrated by the cumulative trapezoid
    rule (error far below 1e-6 on this grid).
    """
    lo, hi = marchenko_pastur_edges(n, m, sigma)
    b = lo**2
    d = (hi**2 - lo**2) / 2.0
    theta = np.linspace(0.0, np.pi, _CDF_GRID)
    one_minus_cos = 2.0 * np.sin(theta / 2.0) ** 2
    one_plus_cos = 2.0 * np.cos(theta / 2.0) ** 2
    x = b + d * one_minus_cos
    # sin^2 / x = (1 - cos)(1 + cos) / (b + d (1 - cos)); finite at theta = 0 even when b = 0.
    frac = np.divide(one_minus_cos, x, out=np.full_like(x, 1.0 / d), where=x > 0)
    integrand = d**2 * frac * one_plus_cos / (2.0 * np.pi * sigma**2 * min(n, m))
    steps = 0.5 * (integrand[1:] + integrand[:-1]) * np.diff(theta)
    cdf = np.concatenate([[0.0], np.cumsum(steps)])
    return theta, cdf


def marchenko_pastur_cdf(lam: np.ndarray, n: int, m: int, sigma: float) -> np.ndarray:
    """Cumulative distribution of the Marchenko-Pastur singular-value density (Eq. 20).

    ``F(lambda) = int_{lambda_-}^{lambda} rho(t) dt``, computed by a cumulative trapezoid on
    the angular substitution ``lambda^2 = c - d cos(theta)`` (see `_mp_theta_grid`), which
    removes the square-root behaviour at the edges, then interpolated linearly in theta.

    Parameters
    ----------
    lam : ndarray, any shape
    n, m : int
    sigma : float

    Returns
    -------
    ndarray, same shape as ``lam``, values in [0, 1]; 0 below ``lambda_-``, 1 above ``lambda_+``.
    """
    lam = np.asarray(lam, dtype=np.float64)
    lo, hi = marchenko_pastur_edges(n, m, sigma)
    theta_grid, cdf_grid = _mp_theta_grid(n, m, sigma)
    c = (hi**2 + lo**2) / 2.0
    d = (hi**2 - lo**2) / 2.0
    cos_theta = np.clip((c - lam**2) / d, -1.0, 1.0)
    theta = np.arccos(cos_theta)
    cdf = np.interp(theta, theta_grid, cdf_grid)
    cdf = np.where(lam <= lo, 0.0, np.where(lam >= hi, 1.0, cdf))
    return np.clip(cdf, 0.0, 1.0)


def marchenko_pastur_quantile(p: np.ndarray, n: int, m: int, sigma: float) -> np.ndarray:
    """Quantile function of the Marchenko-Pastur singular-value law (inverse of Eq. 20's CDF).

    ``F^{-1}(p)``: the angle ``theta`` with ``F = p`` is interpolated on the grid of
    `_mp_theta_grid` (where ``F`` increases strictly), then
    ``lambda = sqrt(c - d cos(theta))``.

    Parameters
    ----------
    p : ndarray, any shape, values in [0, 1]
    n, m : int
    sigma : float

    Returns
    -------
    ndarray, same shape as ``p``, in ``[lambda_-, lambda_+]``; ``F^{-1}(p) / sigma`` does not
    depend on ``sigma``.
    """
    p = np.asarray(p, dtype=np.float64)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("quantile levels must lie in [0, 1]")
    lo, hi = marchenko_pastur_edges(n, m, sigma)
    theta_grid, cdf_grid = _mp_theta_grid(n, m, sigma)
    c = (hi**2 + lo**2) / 2.0
    d = (hi**2 - lo**2) / 2.0
    theta = np.interp(p, cdf_grid / cdf_grid[-1], theta_grid)
    return np.sqrt(np.clip(c - d * np.cos(theta), lo**2, hi**2))


def mode_rank(n: int, m: int) -> tuple[int, float]:
    """The singular value of one matrix that sits at the Marchenko-Pastur mode (claim 2).

    Under Eq. 20 the mode ``sigma sqrt(|n - m|)`` is the quantile of level
    ``q* = F(sigma sqrt(|n - m|))`` whatever ``sigma`` (all singular values scale with
    ``sigma``). Of the ``k = min(n, m)`` values of one matrix, the ``j``-th smallest sits near
    the quantile of level ``(j - 1/2) / k``; the one closest to ``q*`` is the matrix's estimate
    of the mode's position.

    Returns
    -------
    index : int
        Its rank from the top (1 = largest), the ``index`` column of
        :func:`random_values_table`.
    level : float
        ``(j - 1/2) / k``: the quantile of Eq. 20 it estimates (``F^{-1}(level)`` is its
        expected position at scale ``sigma``).
    """
    k = min(int(n), int(m))
    q = float(marchenko_pastur_cdf(marchenko_pastur_mode(n, m, 1.0), n, m, 1.0))
    j = int(np.clip(np.floor(q * k) + 1, 1, k))  # (j - 1/2)/k within 1/(2k) of q*
    return k - j + 1, (j - 0.5) / k


def ks_distance_to_mp(svals: np.ndarray, n: int, m: int, sigma: float) -> float:
    """Kolmogorov-Smirnov distance between the empirical law of ``svals`` and Eq. 20.

    .. math:: D = \\sup_\\lambda |F_{emp}(\\lambda) - F_{MP}(\\lambda)|

    Parameters
    ----------
    svals : ndarray, any shape
        Singular values, pooled (e.g. ``(n_matrices, min(n, m))`` from
        `random_init_singular_values`).
    n, m : int
    sigma : float

    Returns
    -------
    float in [0, 1]
    """
    x = np.sort(np.asarray(svals, dtype=np.float64).ravel())
    if x.size == 0:
        raise ValueError("no singular values given")
    cdf = marchenko_pastur_cdf(x, n, m, sigma)
    k = np.arange(1, x.size + 1, dtype=np.float64)
    d_plus = np.max(k / x.size - cdf)
    d_minus = np.max(cdf - (k - 1) / x.size)
    return float(max(d_plus, d_minus))


#: Half-widths of the windows of `mode_window_test`, as fractions of the distance from the
#: mode to the edge of the support on that side.
MODE_TEST_FRACTIONS = (0.125, 0.25, 0.5)


def mode_window_test(
    values: np.ndarray,
    n: int,
    m: int,
    sigma: float,
    fractions: tuple[float, ...] = MODE_TEST_FRACTIONS,
) -> pd.DataFrame:
    """Is the density of ``values`` rising up to the Marchenko-Pastur mode and falling after it?

    The mode of Eq. 20 is ``lambda* = sqrt(lambda_+ lambda_-) = sigma sqrt(|n - m|)``
    (`marchenko_pastur_mode`). For every side of ``lambda*`` and every fraction ``f`` the
    window of width ``h = f x`` (distance from ``lambda*`` to the edge on that side) next to
    the mode (*near*) is compared with the next one (*far*). If the law of the values is
    unimodal with its mode at ``lambda*``, ``P(far) <= P(near)``, so given ``k = near + far``
    the count ``far`` is at most ``Binomial(k, 1/2)``: ``p = P(Bin(k, 1/2) >= far)`` is a
    valid one-sided p-value (exact for independent values; conservative for the eigenvalues
    of one matrix, whose counts fluctuate less than binomial). For ``n == m`` the mode is
    the boundary 0 and only the right side is tested (the density must fall from 0).

    Parameters
    ----------
    values : ndarray, any shape
        Singular values (pooled over matrices).
    n, m : int
    sigma : float
    fractions : tuple of float in (0, 0.5]

    Returns
    -------
    DataFrame, one row per (side, fraction): ``side`` (left/right), ``fraction, h, near, far,
    p_value``.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    lo, hi = marchenko_pastur_edges(n, m, sigma)
    mode = marchenko_pastur_mode(n, m, sigma)
    sides = [("right", hi - mode, 1.0)]
    if int(n) != int(m):
        sides.insert(0, ("left", mode - lo, -1.0))
    rows = []
    for side, span, sign in sides:
        d = sign * (x - mode)  # distance from the mode on this side (>= 0 there)
        for f in fractions:
            if not 0.0 < f <= 0.5:
                raise ValueError(f"window fractions must lie in (0, 0.5], got {f}")
            h = f * span
            near = int(np.count_nonzero((d >= 0) & (d < h)))
            far = int(np.count_nonzero((d >= h) & (d < 2 * h)))
            p = float(binom.sf(far - 1, near + far, 0.5)) if near + far else 1.0
            rows.append(
                {"side": side, "fraction": float(f), "h": h, "near": near, "far": far,
                 "p_value": p}
            )  # fmt: skip
    return pd.DataFrame(rows)


def random_values_table(svals: np.ndarray, n: int, m: int, sigma: float) -> pd.DataFrame:
    """Long table of the singular values of random ``n x m`` inits (input of claims 1-2).

    Parameters
    ----------
    svals : ndarray, shape (n_matrices, min(n, m))
    n, m : int
    sigma : float

    Returns
    -------
    DataFrame with columns ``n, m, sigma, n_matrices, matrix`` (0-based), ``index`` (1-based
    rank, 1 = largest) and ``value``.
    """
    svals = np.atleast_2d(np.asarray(svals, dtype=np.float64))
    k, r = svals.shape
    return pd.DataFrame(
        {
            "n": np.int64(n),
            "m": np.int64(m),
            "sigma": np.float64(sigma),
            "n_matrices": np.int64(k),
            "matrix": np.repeat(np.arange(k, dtype=np.int64), r),
            "index": np.tile(np.arange(1, r + 1, dtype=np.int64), k),
            "value": -np.sort(-svals, axis=1).ravel(),
        }
    )
