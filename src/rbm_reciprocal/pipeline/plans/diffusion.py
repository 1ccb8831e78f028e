"""Settings of the diffusion step (``diffusion`` section): the test of Sec. 4.1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import (
    diffusion_cost,
)
from rbm_reciprocal.pipeline.step import (
    ANALYSIS_STEP,
    Step,
    job_line,
)


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


#: The steps of this stage (rules of ``workflow/rules/diffusion.smk``).
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
