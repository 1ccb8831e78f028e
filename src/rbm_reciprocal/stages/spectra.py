"""Stage spectra (workflow/rules/spectra.smk): random-init and trained spectra, gap table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.marchenko_pastur import (
    ks_distance_to_mp,
    marchenko_pastur_edges,
    marchenko_pastur_pdf,
    random_values_table,
)
from rbm_reciprocal.analysis.spectra import (
    PAPER_GAP,
    histogram_table,
    random_init_singular_values,
    singular_values,
    spectral_gap_table,
    trained_spectrum_edges,
)
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.io import PathLike, save_npz
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet


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
    out_values: PathLike | None = None,
) -> float:
    """Singular spectrum of random ``n x m`` inits vs Marchenko-Pastur (Fig. 3a-d, Eq. 20).

    The generator is ``stream(seed, n, m)``, so each shape has its own
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
    out_values : path, optional
        If given, parquet of every singular value (:func:`random_values_table`: columns
        ``n, m, sigma, n_matrices, matrix, index, value``), the input of claims 1 and 2.

    Returns
    -------
    float
        Kolmogorov-Smirnov distance of the pooled singular values to Eq. 20.
    """
    rng = stream(seed, int(n), int(m))
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
    if out_values is not None:
        save_parquet(out_values, random_values_table(svals, n, m, sigma))
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
    window: tuple[float, float] = (0.0, 41.0),
    n_bins: int = 40,
    min_occupied: int = 5,
) -> pd.DataFrame:
    """Singular-value distributions of trained RBMs per hidden size and method (Fig. 3f).

    Parameters
    ----------
    checkpoints : sequence of (hidden, method, replica, npz_path)
        Each ``.npz`` holds the weight matrix under key ``"W"`` with shape (N, hidden).
    bins_edges : ndarray of shape (n_bins + 1,) or None
        Explicit common histogram edges, or ``None`` for
        :func:`~rbm_reciprocal.analysis.spectra.trained_spectrum_edges` with ``window``,
        ``n_bins`` and ``min_occupied`` (config ``spectra.trained``): the authors' bins,
        0..41 in 40, unless the spectra lie far below them.
    out_table : path
        Parquet long table, one row per (hidden, method, bin): columns ``hidden, method,
        bin_left, bin_right, bin_center, count, density, n_replicas, binning`` (``authors``,
        ``refined`` or ``explicit``, see ``bins_edges``); the density is pooled
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
        w = read_checkpoint(path).W
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
        edges, binning = trained_spectrum_edges(
            values["value"].to_numpy(), window, n_bins, min_occupied
        )
    else:
        edges, binning = np.asarray(bins_edges, dtype=np.float64), "explicit"
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins_edges must be a strictly increasing 1-D array of >= 2 edges")

    parts = []
    for (hidden, method), group in values.groupby(["hidden", "method"], sort=True):
        hist = histogram_table(group["value"].to_numpy(), bins=edges, density=True)
        hist.insert(0, "method", method)
        hist.insert(0, "hidden", np.int64(hidden))
        hist["n_replicas"] = np.int64(group["replica"].nunique())
        hist["binning"] = binning
        parts.append(hist)
    table = pd.concat(parts, ignore_index=True)

    save_parquet(values_path(out_table), values)
    save_parquet(out_table, table)
    return table


def run_spectral_gap(
    values_table: PathLike, out_table: PathLike, window: tuple[float, float] = PAPER_GAP
) -> pd.DataFrame:
    """Write :func:`spectral_gap_table` of ``trained_values.parquet`` to ``out_table``."""
    table = spectral_gap_table(read_table(values_table), window)
    save_parquet(out_table, table)
    return table
