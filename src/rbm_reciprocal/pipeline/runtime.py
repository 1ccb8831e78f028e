"""Runtimes of the workflow's jobs from the cost model: the ``runtime`` of every rule (SLURM
``--time``), at a reference speed or at the speeds :mod:`.calibrate` measured here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline.cost import (
    FAMILIES,
    REFERENCE_GFLOPS,
    TABLES_FAMILY,
    Cost,
    analysis_costs,
    spectra_costs,
    train_job_cost,
    training_costs,
)
from rbm_reciprocal.pipeline.cost_loglik import loglik_costs, loglik_job_cost
from rbm_reciprocal.pipeline.step import Step


@dataclass
class Calibration:
    """Measured single-thread rates: FLOP/s of Gibbs sweeps per ``(chains, hidden)`` shape
    and of float64 singular values."""

    gemm: dict[tuple[int, int], float]
    svd: float
    seconds: float = 0.0

    def gemm_rate(self, rows: int, hidden: int) -> float:
        """Rate of the measured shape closest to ``(rows, hidden)`` (log distance)."""
        if (rows, hidden) in self.gemm:
            return self.gemm[(rows, hidden)]

        def dist(shape: tuple[int, int]) -> float:
            return abs(math.log(shape[0] / max(rows, 1))) + abs(math.log(shape[1] / max(hidden, 1)))

        return self.gemm[min(self.gemm, key=dist)]


def seconds_at(cost: Cost, calibration: Calibration | None = None, gflops: float | None = None):
    """Single-thread seconds of one job: by calibrated rates, or at ``gflops`` GFLOP/s."""
    if calibration is not None:
        rate = calibration.gemm_rate(cost.rows, cost.hidden) * cost.speedup
        t = cost.gemm / rate if cost.gemm else 0.0
        return t + (cost.svd / calibration.svd if cost.svd else 0.0)
    if gflops is None:
        raise ValueError("give a calibration or a GFLOP/s figure")
    return (cost.gemm / cost.speedup + cost.svd) / (float(gflops) * 1e9)


#: Singular values (LAPACK, float64) run at 3-8 GFLOP/s on one core of the same machine.
REFERENCE_SVD_GFLOPS = 3.0


#: Time limit of resumable jobs (training, trajectory log-likelihood): 48 h, a common
#: partition maximum. A longer job is stopped by SLURM and continues from its last saved
#: state in the next attempt.
MAX_RESUMABLE_MINUTES = 2880


def runtime_minutes(
    cost: Cost | float,
    threads: int = 1,
    attempt: int = 1,
    gflops: float = REFERENCE_GFLOPS,
    svd_gflops: float = REFERENCE_SVD_GFLOPS,
    safety: float = 2.0,
    overhead: float = 5.0,
    cap: float | None = None,
) -> int:
    """A SLURM time limit (minutes) for one job of ``cost`` (a :class:`Cost` or GEMM FLOPs).

    ``overhead + safety * attempt * seconds / 60`` with ``seconds`` the GEMM FLOPs at
    ``gflops`` (times the cost's ``speedup``) plus the SVD FLOPs at ``svd_gflops``, divided
    by the speedup of ``threads`` threads, taken as ``1 + 0.75 (threads - 1)``; at most
    ``cap`` minutes.
    """
    if isinstance(cost, Cost):
        gemm, svd = cost.gemm / cost.speedup, cost.svd
    else:
        gemm, svd = float(cost), 0.0
    seconds = gemm / (gflops * 1e9) + svd / (svd_gflops * 1e9)
    speedup = 1.0 + 0.75 * (max(int(threads), 1) - 1)
    minutes = overhead + safety * int(attempt) * seconds / speedup / 60.0
    if cap is not None:
        minutes = min(minutes, cap)
    return int(math.ceil(minutes))


def job_cost(config: dict, step: Step, wildcards: Any = None) -> Cost | None:
    """Cost of one job of ``step`` with ``wildcards`` (attributes, as Snakemake's); None for
    steps whose cost is negligible (data, tables, figures)."""
    return step.cost(config, wildcards)


def job_runtime_minutes(
    config: dict, step: Step, wildcards: Any = None, threads: int = 1, attempt: int = 1, **kw
) -> int:
    """``runtime`` resource of one job of ``step`` (see :func:`runtime_minutes`).

    Resumable steps (training, trajectory log-likelihood) continue from their last saved
    state, so their limit is capped at :data:`MAX_RESUMABLE_MINUTES`; other jobs get their
    full estimate. Rules of negligible cost (data, tables, figures) get 10 minutes per attempt.
    """
    cost = step.cost(config, wildcards)
    if cost is None:
        return 10 * int(attempt)
    if step.resumable:
        kw.setdefault("cap", MAX_RESUMABLE_MINUTES)
    return runtime_minutes(cost, threads, attempt, **kw)


def train_runtime_minutes(
    config: dict, method: str, hidden: int, threads: int = 1, attempt: int = 1, **kw
) -> int:
    """``runtime`` of one ``train_rbm`` job (capped at :data:`MAX_RESUMABLE_MINUTES`)."""
    kw.setdefault("cap", MAX_RESUMABLE_MINUTES)
    return runtime_minutes(train_job_cost(config, method, hidden), threads, attempt, **kw)


def loglik_runtime_minutes(
    config: dict, method: str, hidden: int, threads: int = 1, attempt: int = 1, **kw
) -> int:
    """``runtime`` of one ``loglik`` job (one checkpoint; not resumable, so never capped)."""
    return runtime_minutes(loglik_job_cost(config, method, hidden), threads, attempt, **kw)


def workflow_costs(config: dict, steps: Mapping[str, Step]) -> list[Cost]:
    """A line per job family of every step in ``steps`` (the workflow's:
    :data:`rbm_reciprocal.stages.registry.STEPS`) a fresh run plans, in :data:`FAMILIES` order,
    plus Snakemake's target rule ``all``: their jobs add up to what ``snakemake -n`` plans.

    Steps without a cost model of their own (tables, figures, small analyses) get one line of
    their :meth:`~.step.Step.count` jobs and no work.
    """
    lines = [
        *training_costs(config),
        *loglik_costs(config),
        *spectra_costs(config),
        *analysis_costs(config),
    ]
    covered = {c.rule for c in lines}
    family = {"figure": "figures", "light": TABLES_FAMILY, "compute": "analyses"}
    label = {"figure": "plotting", "light": "tables and files", "compute": "not estimated (small)"}
    for name, spec in steps.items():
        jobs = spec.count(config)
        if name not in covered and jobs:
            lines.append(Cost(family[spec.kind], name, label[spec.kind], jobs))
    lines.append(Cost(TABLES_FAMILY, "all", "the target rule", 1))
    return sorted(lines, key=lambda c: FAMILIES.index(c.family))
