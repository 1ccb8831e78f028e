"""Stage uniform_projections (workflow/rules/reciprocal.smk): histograms of the projections of
uniform Bernoulli(1/2) states on the singular vectors (Fig. 5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.reciprocal import (
    decompose,
    haar_null_basis,
    high_temperature_means,
    project_states,
    random_binary,
)
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import uniform_projections_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, job_line
from rbm_reciprocal.stages.reciprocal import load_params_epoch, untrained_and_trained

pd = lazy_module("pandas")
landscape = lazy_module("rbm_reciprocal.analysis.landscape")
spectra = lazy_module("rbm_reciprocal.analysis.spectra")


@dataclass(frozen=True)
class UniformProjections:
    """Fig. 5 (``reciprocal.fig5``): histograms (``bins``) of ``x_i`` and ``y_i`` of
    ``n_samples`` Bernoulli(1/2) states at the 1-based ``x_indices`` and ``y_indices``."""

    x_indices: list[int]
    y_indices: list[int]
    n_samples: int
    bins: int
    seed: int


def uniform_projections(config: dict, wildcards: Any) -> UniformProjections:
    f = config["reciprocal"]["fig5"]
    return UniformProjections(
        [int(i) for i in f["x_indices"]], [int(i) for i in f["y_indices"]],
        int(f["n_samples"]), int(f["bins"]), int(config["seed"]),
    )  # fmt: skip


def run_uniform_projections(
    checkpoints: Mapping[str, PathLike],
    settings: UniformProjections,
    out_table: PathLike,
) -> pd.DataFrame:
    """Fig. 5: histograms of ``x_i`` and ``y_i`` of uniform binary states, per model.

    ``n_samples`` states ``v`` and ``h`` with iid Bernoulli(1/2) units (10,000 in the paper)
    are drawn once and projected on every model's signed singular vectors. Eq. (51) predicts
    mean ``mu_i = (1/2) sum_k U_ki`` (or ``V_ki``) and standard deviation exactly 1/2.

    For ``i > min(N, M)`` the SVD's columns (LAPACK's orthonormal basis of the null space of
    ``W^T``, or ``W``) are nearly unit vectors, so their projections are two spikes at 0 and 1;
    that basis is arbitrary, and these indices use a Haar-random orthonormal basis of the same
    null space instead (:func:`~rbm_reciprocal.analysis.reciprocal.haar_null_basis`, drawn from
    the stream ``(seed, "fig5/haar-null", state, variable, N, M)``), where the central limit
    behind Eq. (51) applies; ``mu_i`` is that basis vector's. Indices ``i <= min(N, M)`` keep
    the singular vectors.

    Parameters
    ----------
    checkpoints : mapping state -> path
        E.g. ``{"untrained": epoch 0, "trained": last epoch}``; the models must share N and M.
    settings : UniformProjections
        ``x_indices``, ``y_indices``: 1-based indices, clipped to N and M; ``n_samples``,
        ``bins``, ``seed``.
    out_table : path
        One row per (state, variable, index, bin): ``state, epoch, variable`` (``x`` or
        ``y``), ``index, bin_left, bin_right, bin_center, count, density`` and the constants
        per histogram ``paired`` (``index <= min(N, M)``), ``basis`` (``svd`` for paired
        indices, ``haar-null`` for the others), ``mu`` (Eq. 51a-b), ``sigma`` (0.5, Eq. 51c),
        ``sample_mean, sample_std, sample_kurtosis`` (Pearson ``m4 / m2^2``, 3 for a
        Gaussian), ``n_samples``.

    Returns
    -------
    pandas.DataFrame, the table written.
    """
    loaded = {state: load_params_epoch(path) for state, path in checkpoints.items()}
    shapes = {p.W.shape for p, _ in loaded.values()}
    if len(shapes) != 1:
        raise ValueError(f"models of different shapes: {sorted(shapes)}")
    n_vis, n_hid = shapes.pop()
    n_samples, bins, seed = settings.n_samples, settings.bins, settings.seed
    rng = stream(seed, "fig5", n_vis, n_hid)
    v = random_binary(n_samples, n_vis, rng)
    h = random_binary(n_samples, n_hid, rng)
    parts = []
    for state, (params, epoch) in loaded.items():
        rec = decompose(params.W, params.a, params.b)
        tags = ("fig5/haar-null", str(state))
        U = haar_null_basis(rec.U, rec.n_modes, stream(seed, *tags, "x", n_vis, n_hid))
        V = haar_null_basis(rec.V, rec.n_modes, stream(seed, *tags, "y", n_vis, n_hid))
        mu_x, mu_y = high_temperature_means(U, V)
        for variable, states, basis, mu, idx in (
            ("x", v, U, mu_x, landscape.clip_indices(settings.x_indices, n_vis)),
            ("y", h, V, mu_y, landscape.clip_indices(settings.y_indices, n_hid)),
        ):
            k = np.asarray(idx) - 1
            values = project_states(states, basis[:, k])
            dev = values - values.mean(axis=0)
            kurt = (dev**4).mean(axis=0) / (dev**2).mean(axis=0) ** 2
            for j, i in enumerate(idx):
                hist = spectra.histogram_table(values[:, j], bins=int(bins))
                hist.insert(0, "index", np.int64(i))
                hist.insert(0, "variable", variable)
                hist.insert(0, "epoch", np.int64(epoch))
                hist.insert(0, "state", str(state))
                hist["paired"] = bool(i <= rec.n_modes)
                hist["basis"] = "svd" if i <= rec.n_modes else "haar-null"
                hist["mu"] = float(mu[i - 1])
                hist["sigma"] = 0.5
                hist["sample_mean"] = float(values[:, j].mean())
                hist["sample_std"] = float(values[:, j].std())
                hist["sample_kurtosis"] = float(kurt[j])
                hist["n_samples"] = np.int64(n_samples)
                parts.append(hist)
    table = pd.concat(parts, ignore_index=True)
    save_parquet(out_table, table)
    return table


def uniform_projections_job(job: Job) -> None:
    """Rule uniform_projections: :func:`run_uniform_projections` (Fig. 5)."""
    s = UniformProjections(**job.settings)
    run_uniform_projections(untrained_and_trained(job), s, job.output["table"])


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "uniform_projections": uniform_projections_job,
}

#: The steps of this stage (rules of ``workflow/rules/reciprocal.smk``).
STEPS = [
    Step(
        "uniform_projections",
        **ANALYSIS_STEP,
        arrays=memory.uniform_projections,
        cost=job_line(uniform_projections_cost),
        settings=uniform_projections,
        stage="uniform_projections",
        outputs={"table": "results/reciprocal/fig5.parquet"},
        log="reciprocal/fig5",
    ),
    Step("fig5", "figure", stage="figures", figure="fig5", log="figures/fig5"),
]
