"""Stage spectra (workflow/rules/spectra.smk, Fig. 3): random-init spectra vs
Marchenko-Pastur, kurtosis of the reciprocal variables, trained spectra and their gap."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.kurtosis import (
    KURTOSIS_VARIANTS,
    kurtosis_closed_form,
    kurtosis_haar_mean,
    kurtosis_monte_carlo,
)
from rbm_reciprocal.analysis.marchenko_pastur import (
    ks_distance_to_mp,
    marchenko_pastur_edges,
    marchenko_pastur_pdf,
    random_values_table,
)
from rbm_reciprocal.analysis.spectra import (
    histogram_table,
    random_init_singular_values,
    singular_values,
    spectral_gap_table,
    trained_spectrum_edges,
)
from rbm_reciprocal.analysis.stats import linear_fit
from rbm_reciprocal.analysis.svd import signed_svd
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike, save_npz
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans import spectra as ss


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
    window: tuple[float, float],
    n_bins: int,
    min_occupied: int,
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
    values_table: PathLike, out_table: PathLike, window: tuple[float, float]
) -> pd.DataFrame:
    """Write :func:`spectral_gap_table` of ``trained_values.parquet`` to ``out_table``."""
    table = spectral_gap_table(read_table(values_table), window)
    save_parquet(out_table, table)
    return table


def _kurtosis_at_size(
    variant: str, size: int, fixed: int, sigma: float, n_samples: int, batch_size: int, seed: int
) -> tuple[dict, pd.DataFrame]:
    """One size of :func:`run_kurtosis`: its summary row and its per-component table."""
    n_vis, n_hid = (size, int(fixed)) if variant == "code" else (int(fixed), size)
    rng = stream(seed, f"kurtosis/{variant}", n_vis, n_hid)
    W = rng.standard_normal((n_vis, n_hid), dtype=np.float32) * np.float32(sigma)
    U, _, V = signed_svd(W, full_matrices=False)
    basis = U if variant == "code" else V
    mc = kurtosis_monte_carlo(basis, n_samples, rng, batch_size=batch_size)
    exact = kurtosis_closed_form(basis)
    row = {
        "variant": variant,
        "variable": "x" if variant == "code" else "y",
        "size": size,
        "n_visible": n_vis,
        "n_hidden": n_hid,
        "n_components": basis.shape[1],
        "n_samples": int(n_samples),
        "mc_mean": float(mc.mean()),
        "mc_std": float(mc.std()),
        "exact_mean": float(exact.mean()),
        "exact_std": float(exact.std()),
        "haar_mean": float(kurtosis_haar_mean(size)),
    }
    comp = pd.DataFrame(
        {
            "variant": variant,
            "size": np.int64(size),
            "component": np.arange(1, basis.shape[1] + 1, dtype=np.int64),
            "kurtosis_mc": mc,
            "kurtosis_exact": exact,
        }
    )
    return row, comp


def run_kurtosis(
    variant: str,
    sizes: Sequence[int],
    fixed: int,
    sigma: float,
    n_samples: int,
    batch_size: int,
    seed: int,
    out_summary: PathLike,
    out_fit: PathLike,
    out_components: PathLike,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fig. 3e: kurtosis of reciprocal variables of Bernoulli(1/2) states versus size.

    For each size ``n`` a random init ``W ~ Normal(0, sigma^2)`` is decomposed: variant
    ``"code"`` takes ``W`` of shape (n, fixed) and the variables ``x = U^T v`` (``v`` in
    ``{0,1}^n``); variant ``"text"`` takes ``W`` of shape (fixed, n) and ``y = V^T h``. The
    kurtosis of the first ``min(n, fixed)`` components (those with nonzero singular values) is
    estimated by Monte Carlo (:func:`~rbm_reciprocal.analysis.kurtosis.kurtosis_monte_carlo`) and
    computed in closed form (``3 - 2 sum_k U_ki^4``); the means over components are fitted
    linearly in ``1/n`` and extrapolated to ``1/n = 0`` (target 3).

    Parameters
    ----------
    variant : {"code", "text"}
    sizes : sequence of int
        Varied size (500, 700, 784, 1200, 2000 in the paper).
    fixed : int
        The other size (hidden 500 for ``code``, visible 784 for ``text``).
    sigma : float
        Std of the random init (its value does not change the singular vectors' law).
    n_samples, batch_size : int
        Monte-Carlo states (7,000,000 in the authors' code) and states per batch.
    seed : int
    out_summary : path
        One row per size: ``variant, variable, size, n_visible, n_hidden, n_components,
        n_samples, mc_mean, mc_std, exact_mean, exact_std, haar_mean`` (means and stds over
        components; ``haar_mean = 3 - 6/(size + 2)``).
    out_fit : path
        One row per source (``mc``, ``exact``): ``variant, source, slope, slope_se, intercept,
        intercept_se, residual_std, n_points`` of ``mean kurtosis = intercept + slope / size``.
    out_components : path
        One row per (size, component): ``variant, size, component`` (1-based), ``kurtosis_mc,
        kurtosis_exact``.

    Returns
    -------
    (summary, fits) : the tables written to ``out_summary`` and ``out_fit``.
    """
    if variant not in KURTOSIS_VARIANTS:
        raise ConfigError(
            f"unknown kurtosis variant {variant!r}; use one of {list(KURTOSIS_VARIANTS)}"
        )
    sizes = sorted({int(s) for s in sizes})
    if len(sizes) < 2:
        raise ConfigError("the kurtosis fit needs at least two sizes")
    rows, comps = [], []
    for size in sizes:
        row, comp = _kurtosis_at_size(variant, size, fixed, sigma, n_samples, batch_size, seed)
        rows.append(row)
        comps.append(comp)
    summary = pd.DataFrame(rows)
    inv = 1.0 / summary["size"].to_numpy(dtype=np.float64)
    fits = pd.DataFrame(
        [
            {"variant": variant, "source": source, **linear_fit(inv, summary[col].to_numpy())}
            for source, col in (("mc", "mc_mean"), ("exact", "exact_mean"))
        ]
    )
    save_parquet(out_components, pd.concat(comps, ignore_index=True))
    save_parquet(out_fit, fits)
    save_parquet(out_summary, summary)
    return summary, fits


def random_spectrum_job(job: Job) -> None:
    """Rule random_spectrum: :func:`run_random_spectrum` of one panel of Fig. 3a-d."""
    s = ss.RandomSpectrum(**job.settings)
    out = job.output
    ks = run_random_spectrum(
        s.visible, s.hidden, s.sigma, s.n_matrices, s.bins, s.seed, out["table"], out["curve"],
        out_values=out["values"],
    )  # fmt: skip
    print(f"N={s.visible} M={s.hidden}: KS distance to Marchenko-Pastur {ks:.4f}", file=sys.stderr)


def trained_spectra_job(job: Job) -> None:
    """Rule trained_spectra: :func:`run_trained_spectra` of every model's last checkpoint."""
    s = ss.TrainedSpectra(**job.settings)
    paths = job.input["checkpoints"]
    items = [(m, meth, r, path) for (m, meth, r), path in zip(s.models, paths, strict=True)]
    t = run_trained_spectra(
        items, None, job.output["table"], tuple(s.window), s.bins, s.min_occupied_bins
    )
    print(f"Fig. 3f bins: {t['binning'].iloc[0]}", file=sys.stderr)


def kurtosis_job(job: Job) -> None:
    """Rule kurtosis: :func:`run_kurtosis` of one variant of Fig. 3e."""
    s = ss.Kurtosis(**job.settings)
    out = job.output
    _, fits = run_kurtosis(
        s.variant, s.sizes, s.fixed, s.sigma, s.n_samples, s.batch_size, s.seed,
        out["summary"], out["fit"], out["components"],
    )  # fmt: skip
    for _, r in fits.iterrows():
        print(
            f"{s.variant} ({r['source']}): kurtosis at infinite size "
            f"{r['intercept']:.5f} +- {r['intercept_se']:.5f}",
            file=sys.stderr,
        )


def spectral_gap_job(job: Job) -> None:
    """Rule spectral_gap: :func:`run_spectral_gap` of the trained spectra."""
    s = ss.SpectralGap(**job.settings)
    table = run_spectral_gap(job.input["values"], job.output["table"], tuple(s.window))
    for _, r in table.iterrows():
        print(f"M={r['hidden']} {r['method']}: {r['verdict']}", file=sys.stderr)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "random_spectrum": random_spectrum_job,
    "trained_spectra": trained_spectra_job,
    "kurtosis": kurtosis_job,
    "spectral_gap": spectral_gap_job,
}
