"""Stage diffusion (workflow/rules/claims.smk): the open prediction of Sec. 4.1 (Eqs. 29-48),
a harmonic relaxation spectrum tested with Langevin dynamics in reciprocal space."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.reciprocal import decompose
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import seed_int, stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import diffusion_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, job_line

pd = lazy_module("pandas")
langevin = lazy_module("rbm_reciprocal.analysis.langevin")
mode_analysis = lazy_module("rbm_reciprocal.analysis.modes")


@dataclass(frozen=True)
class Diffusion:
    """Relaxation spectrum and Langevin test (Eqs. 29-48) of one model's checkpoints.

    ``beta``: inverse temperature; ``uniform_states``: states estimating ``Cov(z)``;
    ``n_divergent`` and ``n_stable``: modes simulated per checkpoint; ``n_walkers``,
    ``n_steps``, ``max_steps``, ``horizon`` (in relaxation times), ``n_records``: the
    Langevin runs; ``n_grid``: the constraint potential's grid; ``metropolis``: adjusted
    steps in the full potential.
    """

    beta: float
    uniform_states: int
    n_divergent: int
    n_stable: int
    n_walkers: int
    n_steps: int
    horizon: float
    n_records: int
    max_steps: int
    n_grid: int
    metropolis: bool
    seed: int


def diffusion(config: dict, wildcards: Any) -> Diffusion:
    d = config["diffusion"]
    return Diffusion(
        float(d["beta"]), int(d["uniform_states"]), int(d["modes"]["divergent"]),
        int(d["modes"]["stable"]), int(d["walkers"]), int(d["steps"]), float(d["horizon"]),
        int(d["records"]), int(d["max_steps"]), int(d["grid"]), bool(d["metropolis"]),
        int(config["seed"]),
    )  # fmt: skip


def diffuse_checkpoint(
    state: str, path: PathLike, s: Diffusion, log: Callable[[str], None]
) -> tuple[pd.DataFrame, list[pd.DataFrame], list[pd.DataFrame]]:
    """The spectrum of one checkpoint (``state``: untrained or trained) and the series and
    final positions of the modes it simulates (see :func:`run_diffusion`)."""
    ck = read_checkpoint(path)
    epoch = ck.epoch or 0
    rec = decompose(ck.W, ck.a, ck.b)
    modes = mode_analysis.z_modes(rec)
    d = modes.size
    mean, cov = mode_analysis.uniform_z_moments(
        rec, s.uniform_states, stream(s.seed, "cov", state, d)
    )
    k = mode_analysis.stiffness_matrix(cov, s.uniform_states)
    spec = mode_analysis.relaxation_spectrum(modes, np.diag(k), s.beta)
    off = k[~np.eye(d, dtype=bool)]
    spec["sample_mean"] = mean
    spec["var"] = np.diag(cov)
    spec["k_exact"] = mode_analysis.K_EXACT
    spec["k_offdiag_rms"] = float(np.sqrt(np.mean(off**2)))
    spec["n_states"] = np.int64(s.uniform_states)
    spec["beta"] = float(s.beta)
    n_div = int(spec["diverges"].sum())
    log(
        f"{state} (epoch {epoch}): k_ii = {spec['k_ii'].mean():.3f} +- "
        f"{spec['k_ii'].std():.3f} (exact 4), {n_div} of {rec.n_modes} u-modes with "
        f"lambda_i > k_ii / beta (lambda_1 = {rec.s[0]:.3f})"
    )
    chosen = mode_analysis.select_modes(spec, s.n_divergent, s.n_stable)
    series, finals = [], []
    for q in chosen:
        s_part, f_part = langevin.simulate_mode(
            rec, spec, q, seed_int(s.seed, state), s.n_walkers, s.n_steps, s.horizon,
            s.n_records, s.beta, s.max_steps, s.n_grid, s.metropolis,
        )  # fmt: skip
        for df in (s_part, f_part):
            df.insert(0, "state", state)
            df.insert(1, "epoch", np.int64(epoch))
        series.append(s_part)
        finals.append(f_part)
    spec.insert(0, "state", state)
    spec.insert(1, "epoch", np.int64(epoch))
    spec["simulated"] = spec["index"].isin([q + 1 for q in chosen])
    return spec, series, finals


def run_diffusion(
    checkpoints: Mapping[str, PathLike],
    s: Diffusion,
    out: Mapping[str, PathLike],
    log: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Predicted spectrum and Langevin test for each checkpoint (``{"untrained": .., ...}``).

    Writes four parquet tables (``out``'s paths), each with ``state`` and ``epoch`` columns:

    * ``spectrum``: :func:`relaxation_spectrum` of every component plus ``var`` (sample
      variance of ``z`` over the uniform states), ``k_exact`` (4) and ``k_offdiag_rms`` (RMS
      of the off-diagonal of ``k``, 0 in exact arithmetic), ``n_states``, ``beta``;
    * ``series``: the time series of :func:`simulate_mode`;
    * ``summary``: :func:`convergence_summary`;
    * ``final``: final-position histograms with the stationary densities.

    Returns
    -------
    DataFrame, the summary.
    """
    spectra, series, finals = [], [], []
    for state, path in checkpoints.items():
        spec, s_parts, f_parts = diffuse_checkpoint(state, path, s, log)
        spectra.append(spec)
        series += s_parts
        finals += f_parts
    series_t = pd.concat(series, ignore_index=True)
    summary = langevin.convergence_summary(series_t, s.n_walkers)
    for _, r in summary.iterrows():
        log(
            f"{r['state']} {r['kind']}_{r['mode']} (lambda {r['lam']:.2f}, kappa "
            f"{r['kappa']:.2f}) {r['potential']}: {r['verdict']} (var x{r['var_ratio']:.3g}, "
            f"KS {r['ks_final']:.3f} / crit {r['ks_crit']:.3f}, acceptance {r['acceptance']:.3f})"
        )
    save_parquet(out["spectrum"], pd.concat(spectra, ignore_index=True))
    save_parquet(out["series"], series_t)
    save_parquet(out["summary"], summary)
    save_parquet(out["final"], pd.concat(finals, ignore_index=True))
    return summary


def diffusion_job(job: Job) -> None:
    """Rule diffusion: :func:`run_diffusion` of diffusion.model's untrained and trained
    checkpoints."""
    checkpoints = {state: job.input[state] for state in ("untrained", "trained")}
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    run_diffusion(checkpoints, Diffusion(**job.settings), job.output, log=log)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"diffusion": diffusion_job}


#: The steps of this stage (rules of ``workflow/rules/claims.smk``).
STEPS = [
    Step(
        "diffusion",
        **ANALYSIS_STEP,
        arrays=memory.diffusion,
        cost=job_line(diffusion_cost),
        settings=diffusion,
        stage="diffusion",
        outputs={
            "spectrum": "results/diffusion/spectrum.parquet",
            "series": "results/diffusion/series.parquet",
            "summary": "results/diffusion/summary.parquet",
            "final": "results/diffusion/final.parquet",
        },
        log="diffusion/diffusion",
    ),
    Step(
        "fig_diffusion",
        "figure",
        stage="figures",
        figure="fig_diffusion",
        log="figures/fig_diffusion",
    ),
]
