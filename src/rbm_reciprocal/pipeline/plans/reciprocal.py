"""Settings of the reciprocal-space steps (``reciprocal`` section): Figs. 1 (right), 2, 5."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import (
    landscape_cost,
    uniform_projections_cost,
)
from rbm_reciprocal.pipeline.step import (
    ANALYSIS_STEP,
    Step,
    job_line,
)


@dataclass(frozen=True)
class LandscapeSample:
    """Fig. 1 (right) (``reciprocal.fig1_right``, ``reciprocal.gibbs``): a generated ``digit``
    on the 1-based landscapes ``indices``, chosen among ``n_chains`` Gibbs chains of
    ``sweeps`` sweeps."""

    indices: list[int]
    digit: int
    n_chains: int
    sweeps: int
    seed: int


def landscape_sample(config: dict, wildcards: Any) -> LandscapeSample:
    r = config["reciprocal"]
    f, g = r["fig1_right"], r["gibbs"]
    return LandscapeSample(
        [int(i) for i in f["indices"]], int(f["digit"]), int(g["n_chains"]), int(g["sweeps"]),
        int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class LandscapePoints:
    """Fig. 2 (``reciprocal.fig2``, ``reciprocal.gibbs``): the first ``n_test`` test images
    (None: all) and ``n_chains`` Gibbs samples on the landscapes ``indices``."""

    indices: list[int]
    n_test: int | None
    n_chains: int
    sweeps: int
    seed: int


def landscape_points(config: dict, wildcards: Any) -> LandscapePoints:
    r = config["reciprocal"]
    f, g = r["fig2"], r["gibbs"]
    n_test = None if f["n_test"] is None else int(f["n_test"])
    return LandscapePoints(
        [int(i) for i in f["indices"]], n_test, int(g["n_chains"]), int(g["sweeps"]),
        int(config["seed"]),
    )  # fmt: skip


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


#: The steps of this stage (rules of ``workflow/rules/reciprocal.smk``).
STEPS = [
    Step(
        "landscape_sample",
        **ANALYSIS_STEP,
        arrays=memory.landscape,
        cost=job_line(landscape_cost, "landscape_sample"),
        settings=landscape_sample,
        stage="reciprocal",
        outputs={
            "table": "results/reciprocal/fig1_right.parquet",
            "image": "results/reciprocal/fig1_right_image.parquet",
        },
        log="reciprocal/fig1_right",
    ),
    Step(
        "landscape_points",
        **ANALYSIS_STEP,
        arrays=memory.landscape,
        cost=job_line(landscape_cost, "landscape_points"),
        settings=landscape_points,
        stage="reciprocal",
        outputs={
            "landscapes": "results/reciprocal/fig2_landscapes.parquet",
            "points": "results/reciprocal/fig2_points.parquet",
        },
        log="reciprocal/fig2",
    ),
    Step(
        "uniform_projections",
        **ANALYSIS_STEP,
        arrays=memory.uniform_projections,
        cost=job_line(uniform_projections_cost),
        settings=uniform_projections,
        stage="reciprocal",
        outputs={"table": "results/reciprocal/fig5.parquet"},
        log="reciprocal/fig5",
    ),
    Step("fig1_right", "figure", stage="figures", figure="fig1_right", log="figures/fig1_right"),
    Step("fig2", "figure", stage="figures", figure="fig2", log="figures/fig2"),
    Step("fig5", "figure", stage="figures", figure="fig5", log="figures/fig5"),
]
