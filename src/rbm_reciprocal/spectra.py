"""Singular spectra of RBM weight matrices and the Marchenko-Pastur law (Sec. 3, Eq. 20, Fig. 3).

The pure functions at the top work on arrays. The two functions at the bottom, under
"I/O edge", read checkpoints and write the parquet tables behind Fig. 3a-d and Fig. 3f.

Notation: an ``n x m`` matrix ``W`` with iid entries of standard deviation ``sigma`` has
``min(n, m)`` nonzero singular values. Their density converges to the Marchenko-Pastur law
written for singular values (Eq. 20),

.. math::

    \\lambda_\\pm = \\sqrt{\\max(n, m)\\,\\sigma^2} \\pm \\sqrt{\\min(n, m)\\,\\sigma^2},

    \\rho(\\lambda) = \\frac{\\sqrt{(\\lambda_+^2 - \\lambda^2)(\\lambda^2 - \\lambda_-^2)}}
                          {\\pi \\sigma^2 \\min(n, m)\\, \\lambda},
    \\qquad \\lambda_- \\le \\lambda \\le \\lambda_+ .
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from rbm_reciprocal.io import load_npz, save_npz, save_parquet

__all__ = [
    "FIG3F_EDGES",
    "PAPER_GAP",
    "histogram_table",
    "ks_distance_to_mp",
    "marchenko_pastur_cdf",
    "marchenko_pastur_edges",
    "marchenko_pastur_mode",
    "marchenko_pastur_pdf",
    "random_init_singular_values",
    "run_random_spectrum",
    "run_spectral_gap",
    "run_trained_spectra",
    "singular_values",
    "spectral_gap_table",
]

#: Bin edges of Fig. 3f in the authors' code: 0..41 in 40 bins.
FIG3F_EDGES: np.ndarray = np.linspace(0.0, 41.0, 41)

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


def singular_values(w: np.ndarray) -> np.ndarray:
    """Singular values of a weight matrix, in descending order.

    The SVD is done in float64 even for a float32 matrix.

    Parameters
    ----------
    w : ndarray, shape (n, m)

    Returns
    -------
    ndarray, shape (min(n, m),), float64, descending
    """
    w = np.asarray(w)
    if w.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {w.shape}")
    return np.linalg.svd(w.astype(np.float64), compute_uv=False)


def random_init_singular_values(
    n: int, m: int, sigma: float, n_matrices: int, rng: np.random.Generator
) -> np.ndarray:
    """Singular values of random RBM initializations ``W_ij ~ Normal(0, sigma^2)`` (Fig. 3a-d).

    Each matrix is drawn in float32, as an RBM init is stored, and decomposed in float64.

    Parameters
    ----------
    n, m : int
        Matrix shape (visible x hidden).
    sigma : float
        Standard deviation of the entries (0.01 in the paper).
    n_matrices : int
        Number of independent matrices.
    rng : numpy.random.Generator
        Source of randomness; matrices are drawn one after the other from it.

    Returns
    -------
    ndarray, shape (n_matrices, min(n, m)), float64, each row descending
    """
    _check_shape(n, m, sigma)
    out = np.empty((int(n_matrices), min(n, m)), dtype=np.float64)
    for k in range(int(n_matrices)):
        w = rng.standard_normal((n, m), dtype=np.float32) * np.float32(sigma)
        out[k] = singular_values(w)
    return out


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


def histogram_table(
    values: np.ndarray,
    bins: int | np.ndarray,
    range: tuple[float, float] | None = None,  # noqa: A002 - mirrors np.histogram
    density: bool = True,
) -> pd.DataFrame:
    """Histogram of ``values`` as a table, with the conventions of `numpy.histogram`.

    Parameters
    ----------
    values : ndarray, any shape
        Flattened before binning.
    bins : int or ndarray of shape (n_bins + 1,)
        Number of bins or explicit edges.
    range : (float, float), optional
        Lower and upper edge when ``bins`` is an int; default the data range.
    density : bool
        If true the ``density`` column integrates to 1 over the bins (values outside the
        edges are not counted, as in `numpy.histogram`); if false it holds the counts.

    Returns
    -------
    pandas.DataFrame, one row per bin, columns
        ``bin_left, bin_right, bin_center`` (float64), ``count`` (int64), ``density`` (float64).
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(values, bins=bins, range=range)
    if density:
        total = counts.sum()
        widths = np.diff(edges)
        dens = counts / (total * widths) if total > 0 else np.zeros(counts.size)
    else:
        dens = counts.astype(np.float64)
    return pd.DataFrame(
        {
            "bin_left": edges[:-1],
            "bin_right": edges[1:],
            "bin_center": 0.5 * (edges[:-1] + edges[1:]),
            "count": counts.astype(np.int64),
            "density": dens.astype(np.float64),
        }
    )


# ---------------------------------------------------------------------------------------------
# I/O edge: the functions below read checkpoints and write the tables behind Fig. 3a-d and 3f.
# ---------------------------------------------------------------------------------------------

PathLike = str | os.PathLike


def run_random_spectrum(
    n: int,
    m: int,
    sigma: float,
    n_matrices: int,
    bins: int,
    seed: int,
    out_table: PathLike,
    out_curve: PathLike,
    out_npz: PathLike | None = None,
) -> float:
    """Singular spectrum of random ``n x m`` inits vs Marchenko-Pastur (Fig. 3a-d, Eq. 20).

    The generator is ``default_rng(SeedSequence([seed, n, m]))``, so each shape has its own
    stream and the same arguments give identical tables.

    Parameters
    ----------
    n, m : int
        Matrix shape (784 x M in the paper).
    sigma : float
        Entry standard deviation (0.01).
    n_matrices : int
        Number of random matrices (1000 in the authors' code).
    bins : int
        Number of histogram bins over the data range (100 in the authors' code).
    seed : int
        Base seed.
    out_table : path
        Parquet histogram of all singular values: columns ``bin_left, bin_right, bin_center,
        count, density`` and the constant columns ``n, m, sigma, n_matrices, ks_distance``.
    out_curve : path
        Parquet Marchenko-Pastur curve: columns ``lam, pdf``, 400 points from
        ``max(0, lambda_- - 5% width)`` to ``lambda_+ + 5% width``.
    out_npz : path, optional
        If given, ``.npz`` with ``svals`` of shape (n_matrices, min(n, m)) and scalars
        ``n, m, sigma``.

    Returns
    -------
    float
        Kolmogorov-Smirnov distance of the pooled singular values to Eq. 20.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(n), int(m)]))
    svals = random_init_singular_values(n, m, sigma, n_matrices, rng)
    ks = ks_distance_to_mp(svals, n, m, sigma)

    table = histogram_table(svals, bins=bins, density=True)
    table["n"] = np.int64(n)
    table["m"] = np.int64(m)
    table["sigma"] = np.float64(sigma)
    table["n_matrices"] = np.int64(n_matrices)
    table["ks_distance"] = np.float64(ks)

    lo, hi = marchenko_pastur_edges(n, m, sigma)
    pad = 0.05 * (hi - lo)
    lam = np.linspace(max(0.0, lo - pad), hi + pad, 400)
    curve = pd.DataFrame({"lam": lam, "pdf": marchenko_pastur_pdf(lam, n, m, sigma)})

    save_parquet(out_table, table)
    save_parquet(out_curve, curve)
    if out_npz is not None:
        save_npz(
            out_npz,
            svals=svals,
            n=np.int64(n),
            m=np.int64(m),
            sigma=np.float64(sigma),
        )
    return ks


def values_path(out_table: PathLike) -> Path:
    """Path of the per-value table written beside ``out_table`` by `run_trained_spectra`."""
    out_table = Path(out_table)
    return out_table.with_name(f"{out_table.stem}_values.parquet")


def run_trained_spectra(
    checkpoints: Sequence[tuple[int, str, int, PathLike]],
    bins_edges: np.ndarray | None,
    out_table: PathLike,
) -> pd.DataFrame:
    """Singular-value distributions of trained RBMs per hidden size and method (Fig. 3f).

    Parameters
    ----------
    checkpoints : sequence of (hidden, method, replica, npz_path)
        Each ``.npz`` holds the weight matrix under key ``"W"`` with shape (N, hidden).
    bins_edges : ndarray of shape (n_bins + 1,) or None
        Common histogram edges (`FIG3F_EDGES`, i.e. 0..41 in 40 bins, in the authors' code).
        ``None`` uses 40 bins from 0 to the largest singular value over all checkpoints (for
        small smoke-test models whose spectra lie far below 41).
    out_table : path
        Parquet long table, one row per (hidden, method, bin): columns ``hidden, method,
        bin_left, bin_right, bin_center, count, density, n_replicas``; the density is pooled
        over replicas and integrates to 1 over the edges (values outside are not counted).
        Beside it, ``<stem>_values.parquet`` holds every singular value: columns ``hidden,
        method, replica, index, value`` with ``index`` the 1-based rank ``i`` of
        ``lambda_i`` (1 = largest).

    Returns
    -------
    pandas.DataFrame
        The histogram table written to ``out_table``.
    """
    if len(checkpoints) == 0:
        raise ValueError("no checkpoints given")
    rows = []
    for hidden, method, replica, path in checkpoints:
        w = load_npz(path)["W"]
        if w.shape[1] != int(hidden):
            raise ValueError(f"{path}: W has shape {w.shape}, expected {hidden} hidden units")
        s = singular_values(w)
        rows.append(
            pd.DataFrame(
                {
                    "hidden": np.int64(hidden),
                    "method": str(method),
                    "replica": np.int64(replica),
                    "index": np.arange(1, s.size + 1, dtype=np.int64),
                    "value": s,
                }
            )
        )
    values = pd.concat(rows, ignore_index=True)

    if bins_edges is None:
        edges = np.linspace(0.0, float(values["value"].max()), 41)
    else:
        edges = np.asarray(bins_edges, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins_edges must be a strictly increasing 1-D array of >= 2 edges")

    parts = []
    for (hidden, method), group in values.groupby(["hidden", "method"], sort=True):
        hist = histogram_table(group["value"].to_numpy(), bins=edges, density=True)
        hist.insert(0, "method", method)
        hist.insert(0, "hidden", np.int64(hidden))
        hist["n_replicas"] = np.int64(group["replica"].nunique())
        parts.append(hist)
    table = pd.concat(parts, ignore_index=True)

    save_parquet(values_path(out_table), values)
    save_parquet(out_table, table)
    return table


# ---------------------------------------------------------------------------------------------
# The gap the paper reports in trained spectra (Fig. 3f, issue 4)
# ---------------------------------------------------------------------------------------------

#: Window of the gap the paper reports in trained spectra, lambda in [33, 35].
PAPER_GAP: tuple[float, float] = (33.0, 35.0)


def spectral_gap_table(
    values: pd.DataFrame, window: tuple[float, float] = PAPER_GAP
) -> pd.DataFrame:
    """Does a trained spectrum show a gap in ``window`` (Sec. 3: lambda in [33, 35])?

    A spectrum *has the gap* when it has singular values on both sides of the window and none
    inside it. Per (hidden, method) the values of all replicas are pooled for the counts and
    the verdict; ``replicas_with_gap`` counts the replicas that show it on their own.
    ``expected_in_window`` is the mean count of the two flanking windows of the same width,
    i.e. roughly what a smooth spectrum would put inside.

    Parameters
    ----------
    values : DataFrame
        Columns ``hidden, method, replica, value`` (``trained_values.parquet`` of
        `run_trained_spectra`).
    window : (float, float)
        Closed interval ``[lo, hi]``.

    Returns
    -------
    pandas.DataFrame, one row per (hidden, method), columns
        ``hidden, method, window_lo, window_hi, n_replicas, n_values, lam_min, lam_max,
        n_below, n_in_window, n_above, expected_in_window, replicas_with_gap, gap, verdict``
        with ``verdict`` one of ``"gap"``, ``"no gap"``, ``"spectrum below window"``,
        ``"spectrum above window"``.
    """
    lo, hi = float(window[0]), float(window[1])
    if not hi > lo:
        raise ValueError(f"gap window must have lo < hi, got {window}")
    width = hi - lo

    def has_gap(lam: np.ndarray) -> bool:
        inside = np.count_nonzero((lam >= lo) & (lam <= hi))
        return bool(lam.min() < lo and lam.max() > hi and inside == 0)

    rows = []
    for (hidden, method), group in values.groupby(["hidden", "method"], sort=True):
        lam = group["value"].to_numpy(dtype=np.float64)
        n_in = int(np.count_nonzero((lam >= lo) & (lam <= hi)))
        flank = np.count_nonzero((lam >= lo - width) & (lam < lo)) + np.count_nonzero(
            (lam > hi) & (lam <= hi + width)
        )
        if lam.max() < lo:
            verdict = "spectrum below window"
        elif lam.min() > hi:
            verdict = "spectrum above window"
        else:
            verdict = "gap" if has_gap(lam) else "no gap"
        rows.append(
            {
                "hidden": np.int64(hidden),
                "method": str(method),
                "window_lo": lo,
                "window_hi": hi,
                "n_replicas": int(group["replica"].nunique()),
                "n_values": int(lam.size),
                "lam_min": float(lam.min()),
                "lam_max": float(lam.max()),
                "n_below": int(np.count_nonzero(lam < lo)),
                "n_in_window": n_in,
                "n_above": int(np.count_nonzero(lam > hi)),
                "expected_in_window": flank / 2.0,
                "replicas_with_gap": int(
                    sum(
                        has_gap(g["value"].to_numpy(np.float64))
                        for _, g in group.groupby("replica")
                    )
                ),
                "gap": verdict == "gap",
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def run_spectral_gap(
    values_table: PathLike, out_table: PathLike, window: tuple[float, float] = PAPER_GAP
) -> pd.DataFrame:
    """Write :func:`spectral_gap_table` of ``trained_values.parquet`` to ``out_table``."""
    table = spectral_gap_table(pd.read_parquet(values_table), window)
    save_parquet(out_table, table)
    return table
