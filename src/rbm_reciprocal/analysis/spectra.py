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

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.marchenko_pastur import check_shape


def trained_spectrum_edges(
    values: np.ndarray,
    window: tuple[float, float] = (0.0, 41.0),
    n_bins: int = 40,
    min_occupied: int = 5,
) -> tuple[np.ndarray, str]:
    """Histogram edges of Fig. 3f: the authors' bins unless the spectrum is far below them.

    The authors' code bins every trained spectrum on ``window = (0, 41)`` in ``n_bins = 40``
    equal bins. When the values fall in fewer than ``min_occupied`` of those bins (the
    spectrum lies far below the window, e.g. small or briefly trained models), one or two
    bins would hold the whole spectrum; then the same number of bins spans
    ``[window[0], max(values)]`` instead.

    Parameters
    ----------
    values : ndarray
        Every singular value to histogram (pooled over models).
    window : (float, float)
    n_bins, min_occupied : int

    Returns
    -------
    edges : ndarray, shape (n_bins + 1,)
    binning : str
        ``"authors"`` or ``"refined"`` (the second case).
    """
    lo, hi = float(window[0]), float(window[1])
    if not hi > lo or n_bins < 1:
        raise ValueError(f"need window[1] > window[0] and n_bins >= 1, got {window}, {n_bins}")
    values = np.asarray(values, dtype=np.float64)
    edges = np.linspace(lo, hi, int(n_bins) + 1)
    counts, _ = np.histogram(values, edges)
    if np.count_nonzero(counts) >= min_occupied or values.size == 0 or values.max() <= lo:
        return edges, "authors"
    return np.linspace(lo, float(values.max()), int(n_bins) + 1), "refined"


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
    check_shape(n, m, sigma)
    out = np.empty((int(n_matrices), min(n, m)), dtype=np.float64)
    for k in range(int(n_matrices)):
        w = rng.standard_normal((n, m), dtype=np.float32) * np.float32(sigma)
        out[k] = singular_values(w)
    return out


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
