"""Stage kurtosis (workflow/rules/spectra.smk): the kurtosis of the projections of uniform
states on the singular vectors, extrapolated in the number of hidden units (Fig. 3e)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.kurtosis import (
    KURTOSIS_VARIANTS,
    kurtosis_closed_form,
    kurtosis_haar_mean,
    kurtosis_monte_carlo,
)
from rbm_reciprocal.analysis.stats import linear_fit
from rbm_reciprocal.analysis.svd import signed_svd
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, kurtosis_cost

pd = lazy_module("pandas")
spectra = lazy_module("rbm_reciprocal.analysis.spectra")


@dataclass(frozen=True)
class Kurtosis:
    """Fig. 3e (``spectra.kurtosis``), one ``variant``: ``code`` (sizes of the visible
    layer at ``fixed`` hidden units) or ``text`` (the transpose)."""

    variant: str
    sizes: list[int]
    fixed: int
    sigma: float
    n_samples: int
    batch_size: int
    seed: int


def kurtosis(config: dict, wildcards: Any) -> Kurtosis:
    k = config["spectra"]["kurtosis"]
    fixed = k["fixed_hidden"] if wildcards.variant == "code" else k["fixed_visible"]
    return Kurtosis(
        str(wildcards.variant), [int(n) for n in k["sizes"]], int(fixed), float(k["sigma"]),
        int(k["n_samples"]), int(k["batch_size"]), int(config["seed"]),
    )  # fmt: skip


def kurtosis_variants(config: dict) -> int:
    """``kurtosis``: one per variant of Fig. 3e."""
    return len(config["spectra"]["kurtosis"]["variants"])


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


def kurtosis_job(job: Job) -> None:
    """Rule kurtosis: :func:`run_kurtosis` of one variant of Fig. 3e."""
    s = Kurtosis(**job.settings)
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


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "kurtosis": kurtosis_job,
}

#: The steps of this stage (rules of ``workflow/rules/spectra.smk``).
STEPS = [
    Step(
        "kurtosis",
        **ANALYSIS_STEP,
        arrays=memory.kurtosis,
        cost=kurtosis_cost,
        settings=kurtosis,
        stage="kurtosis",
        count=kurtosis_variants,
        outputs={
            "summary": "results/spectra/kurtosis_{variant}.parquet",
            "fit": "results/spectra/kurtosis_{variant}_fit.parquet",
            "components": "results/spectra/kurtosis_{variant}_components.parquet",
        },
        log="spectra/kurtosis_{variant}",
    ),
    Step("fig3_e", "figure", stage="figures", figure="fig3_e", log="figures/fig3_e"),
]
