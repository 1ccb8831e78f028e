"""The Marchenko-Pastur law of random inits (Eq. 20): edges, density, mode, CDF, KS distance."""

from __future__ import annotations

import numpy as np

# Number of points of the angular grid used by `marchenko_pastur_cdf`.
_CDF_GRID = 8193


def _check_shape(n: int, m: int, sigma: float) -> None:
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
    _check_shape(n, m, sigma)
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
    _check_shape(n, m, sigma)
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
