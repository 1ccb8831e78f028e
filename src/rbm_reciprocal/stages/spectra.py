"""Stage spectra (workflow/rules/spectra.smk, Fig. 3): random-init spectra vs
Marchenko-Pastur, trained spectra and their gap (the kurtosis of Fig. 3e: stage kurtosis)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.io import PathLike, save_npz
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import final_models
from rbm_reciprocal.pipeline.cost import random_spectrum_costs, trained_spectra_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, job_line, random_sizes

pd = lazy_module("pandas")
marchenko_pastur = lazy_module("rbm_reciprocal.analysis.marchenko_pastur")
spectra = lazy_module("rbm_reciprocal.analysis.spectra")


@dataclass(frozen=True)
class RandomSpectrum:
    """Fig. 3a-d (``spectra.random``): ``visible x hidden`` inits vs Marchenko-Pastur."""

    visible: int
    hidden: int
    sigma: float
    n_matrices: int
    bins: int
    seed: int


def random_spectrum(config: dict, wildcards: Any) -> RandomSpectrum:
    r = config["spectra"]["random"]
    return RandomSpectrum(
        int(wildcards.visible), int(wildcards.hidden), float(r["sigma"]),
        int(r["n_matrices"]), int(r["bins"]), int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class TrainedSpectra:
    """Fig. 3f (``spectra.trained``): the last checkpoint of each model of ``models``
    ((hidden, method, replica), the order of the job's ``checkpoints``)."""

    models: list[tuple[int, str, int]]
    window: tuple[float, float]
    bins: int
    min_occupied_bins: int


def trained_spectra(config: dict, wildcards: Any) -> TrainedSpectra:
    t = config["spectra"]["trained"]
    lo, hi = t["window"]
    return TrainedSpectra(
        final_models(config), (float(lo), float(hi)), int(t["bins"]), int(t["min_occupied_bins"])
    )


@dataclass(frozen=True)
class SpectralGap:
    """Fig. 3f's gap (``spectra.gap``): the window of singular values the paper calls empty."""

    window: tuple[float, float]


def spectral_gap(config: dict, wildcards: Any) -> SpectralGap:
    lo, hi = config["spectra"]["gap"]["window"]
    return SpectralGap((float(lo), float(hi)))


def random_panels(config: dict) -> int:
    """``random_spectrum`` and ``fig3_mp``: one per panel of Fig. 3a-d."""
    return len(config["spectra"]["random"]["hidden"])


def fig3_mp(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 3a-d: the panel (its hidden size is ``spectra.random.hidden[panel]``)."""
    return {"panel": str(wildcards.panel)}


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
    svals = spectra.random_init_singular_values(n, m, sigma, n_matrices, rng)
    ks = marchenko_pastur.ks_distance_to_mp(svals, n, m, sigma)

    table = spectra.histogram_table(svals, bins=bins, density=True)
    table["n"] = np.int64(n)
    table["m"] = np.int64(m)
    table["sigma"] = np.float64(sigma)
    table["n_matrices"] = np.int64(n_matrices)
    table["ks_distance"] = np.float64(ks)

    lo, hi = marchenko_pastur.marchenko_pastur_edges(n, m, sigma)
    pad = 0.05 * (hi - lo)
    lam = np.linspace(max(0.0, lo - pad), hi + pad, 400)
    curve = pd.DataFrame(
        {"lam": lam, "pdf": marchenko_pastur.marchenko_pastur_pdf(lam, n, m, sigma)}
    )

    save_parquet(out_table, table)
    save_parquet(out_curve, curve)
    if out_values is not None:
        save_parquet(out_values, marchenko_pastur.random_values_table(svals, n, m, sigma))
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
        s = spectra.singular_values(w)
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
        edges, binning = spectra.trained_spectrum_edges(
            values["value"].to_numpy(), window, n_bins, min_occupied
        )
    else:
        edges, binning = np.asarray(bins_edges, dtype=np.float64), "explicit"
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins_edges must be a strictly increasing 1-D array of >= 2 edges")

    parts = []
    for (hidden, method), group in values.groupby(["hidden", "method"], sort=True):
        hist = spectra.histogram_table(group["value"].to_numpy(), bins=edges, density=True)
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
    table = spectra.spectral_gap_table(read_table(values_table), window)
    save_parquet(out_table, table)
    return table


def random_spectrum_job(job: Job) -> None:
    """Rule random_spectrum: :func:`run_random_spectrum` of one panel of Fig. 3a-d."""
    s = RandomSpectrum(**job.settings)
    out = job.output
    ks = run_random_spectrum(
        s.visible, s.hidden, s.sigma, s.n_matrices, s.bins, s.seed, out["table"], out["curve"],
        out_values=out["values"],
    )  # fmt: skip
    print(f"N={s.visible} M={s.hidden}: KS distance to Marchenko-Pastur {ks:.4f}", file=sys.stderr)


def trained_spectra_job(job: Job) -> None:
    """Rule trained_spectra: :func:`run_trained_spectra` of every model's last checkpoint."""
    s = TrainedSpectra(**job.settings)
    paths = job.input["checkpoints"]
    items = [(m, meth, r, path) for (m, meth, r), path in zip(s.models, paths, strict=True)]
    t = run_trained_spectra(
        items, None, job.output["table"], tuple(s.window), s.bins, s.min_occupied_bins
    )
    print(f"Fig. 3f bins: {t['binning'].iloc[0]}", file=sys.stderr)


def spectral_gap_job(job: Job) -> None:
    """Rule spectral_gap: :func:`run_spectral_gap` of the trained spectra."""
    s = SpectralGap(**job.settings)
    table = run_spectral_gap(job.input["values"], job.output["table"], tuple(s.window))
    for _, r in table.iterrows():
        print(f"M={r['hidden']} {r['method']}: {r['verdict']}", file=sys.stderr)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "random_spectrum": random_spectrum_job,
    "trained_spectra": trained_spectra_job,
    "spectral_gap": spectral_gap_job,
}

#: The steps of this stage (rules of ``workflow/rules/spectra.smk``).
STEPS = [
    Step(
        "random_spectrum",
        **ANALYSIS_STEP,
        arrays=memory.random_spectrum,
        cost=job_line(random_spectrum_costs),
        sizes=random_sizes,
        settings=random_spectrum,
        stage="spectra",
        count=random_panels,
        outputs={
            "table": "results/spectra/random_N{visible}_M{hidden}.parquet",
            "curve": "results/spectra/random_N{visible}_M{hidden}_mp.parquet",
            "values": "results/spectra/random_N{visible}_M{hidden}_values.parquet",
        },
        log="spectra/random_N{visible}_M{hidden}",
    ),
    Step(
        "fig3_mp",
        "figure",
        stage="figures",
        figure="fig3_{panel}",
        settings=fig3_mp,
        count=random_panels,
        log="figures/fig3_{panel}",
    ),
    Step(
        "trained_spectra",
        **ANALYSIS_STEP,
        arrays=memory.trained_spectra,
        cost=job_line(trained_spectra_cost),
        settings=trained_spectra,
        stage="spectra",
        outputs={
            "table": "results/spectra/trained.parquet",
            "values": "results/spectra/trained_values.parquet",
        },
        log="spectra/trained",
    ),
    Step("fig3_f", "figure", stage="figures", figure="fig3_f", log="figures/fig3_f"),
    Step(
        "spectral_gap",
        "light",
        settings=spectral_gap,
        stage="spectra",
        outputs={"table": "results/spectra/gap.parquet"},
        log="spectra/gap",
    ),
]
