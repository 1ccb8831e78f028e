"""The cost report of `python -m rbm_reciprocal cost`: per-family hours and per-rule requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rbm_reciprocal.pipeline.calibrate import calibrate, calibration_shapes
from rbm_reciprocal.pipeline.config import SCHEMA, load_config
from rbm_reciprocal.pipeline.cost import FAMILIES, N_VISIBLE, REFERENCE_GFLOPS, Cost
from rbm_reciprocal.pipeline.resources import resources_table
from rbm_reciprocal.pipeline.runtime import Calibration, seconds_at, workflow_costs
from rbm_reciprocal.pipeline.step import Step


def _fmt_count(x: float) -> str:
    return "0" if x == 0 else f"{x:.3g}" if x < 1e4 else f"{x:.2e}"


def _fmt_hours(seconds: float) -> str:
    h = seconds / 3600.0
    if h == 0:
        return "0"
    if h < 0.01:
        return "< 0.01"
    return f"{h:,.2f}" if h < 10 else f"{h:,.0f}"


def cost_table(
    costs: Sequence[Cost],
    calibration: Calibration | None = None,
    gflops: float | None = None,
    detail: bool = True,
) -> str:
    """Markdown table: jobs, Gibbs sweeps, FLOPs and CPU-hours per family (and per rule line).

    Sweeps and FLOPs are totals over the family's jobs; CPU-hours are single-thread.
    """
    cols = ["family / rule", "jobs", "Gibbs sweeps", "FLOPs"]
    if calibration is not None:
        cols.append("CPU-h (this machine)")
    if gflops is not None:
        cols.append(f"CPU-h at {gflops:g} GFLOP/s")
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join([" --- "] * len(cols)) + "|"]

    def row(name: str, group: Sequence[Cost]) -> str:
        jobs = sum(c.jobs for c in group)
        sweeps = sum(c.jobs * c.sweeps for c in group)
        flops = sum(c.jobs * c.flops for c in group)
        cells = [name, f"{jobs:,}", _fmt_count(sweeps), _fmt_count(flops)]
        if calibration is not None:
            cells.append(_fmt_hours(sum(c.jobs * seconds_at(c, calibration) for c in group)))
        if gflops is not None:
            cells.append(_fmt_hours(sum(c.jobs * seconds_at(c, gflops=gflops) for c in group)))
        return "| " + " | ".join(cells) + " |"

    for fam in FAMILIES:
        group = [c for c in costs if c.family == fam]
        if not group:
            continue
        lines.append(row(f"**{fam}**", group))
        if detail and fam != "figures":
            for c in group:
                lines.append(row(f"↳ {c.rule}: {c.label}", [c]))
    lines.append(row("**total**", list(costs)))
    return "\n".join(lines)


def report(
    configfiles: Sequence[str | Path],
    steps: Mapping[str, Step],
    calibrate_seconds: float = 30.0,
    gflops: float | None = None,
    detail: bool = True,
    schema: str | Path | None = SCHEMA,
) -> str:
    """The text of ``python -m rbm_reciprocal cost``: what was measured, then the table of
    the workflow's ``steps`` (:data:`rbm_reciprocal.stages.registry.STEPS`)."""
    config = load_config(configfiles, schema=schema)
    costs = workflow_costs(config, steps)
    out = [f"Cost of {' + '.join(str(p) for p in configfiles)} (N = {N_VISIBLE} visible units)"]
    calibration = None
    if calibrate_seconds and calibrate_seconds > 0:
        calibration = calibrate(calibration_shapes(costs) or [(500, 500)], calibrate_seconds)
        rates = ", ".join(
            f"{c} x {m}: {r / 1e9:.1f}" for (c, m), r in sorted(calibration.gemm.items())
        )
        out.append(
            f"Calibrated in {calibration.seconds:.0f} s on one thread of this machine: Gibbs "
            f"sweeps (chains x M: GFLOP/s) {rates}; singular values {calibration.svd / 1e9:.1f} "
            "GFLOP/s."
        )
    out.append(
        "Sweeps and FLOPs are totals over each row's jobs; CPU-hours are single-thread "
        "(divide by the cores of a job for its wall time)."
    )
    out.append("")
    out.append(cost_table(costs, calibration, gflops, detail=detail))
    if detail:
        out += ["", "Per-job requests of every rule (SLURM --cpus-per-task, --mem, --time):", ""]
        out.append(resources_table(config, steps))
    return "\n".join(out)


def report_json(
    configfiles: Sequence[str | Path],
    steps: Mapping[str, Step],
    calibrate_seconds: float = 30.0,
    gflops: float | None = None,
    schema: str | Path | None = SCHEMA,
) -> dict:
    """The data of ``python -m rbm_reciprocal cost --json``.

    ``{"families": {name: {"jobs", "sweeps", "flops", "cpu_hours"}}, "rules": [...]}``, one
    entry of ``rules`` per cost line (``family, rule, label, jobs, sweeps, flops, cpu_hours``,
    totals over the line's jobs). CPU-hours are single-thread: at the rates calibrated here
    (``calibrate_seconds > 0``), else at ``gflops`` (default the reference rate).
    """
    config = load_config(configfiles, schema=schema)
    costs = workflow_costs(config, steps)
    calibration = None
    if calibrate_seconds and calibrate_seconds > 0:
        calibration = calibrate(calibration_shapes(costs) or [(500, 500)], calibrate_seconds)
    rate = gflops if gflops is not None else REFERENCE_GFLOPS

    def hours(c: Cost) -> float:
        if calibration is not None:
            return c.jobs * seconds_at(c, calibration) / 3600.0
        return c.jobs * seconds_at(c, gflops=rate) / 3600.0

    rules = [
        {
            "family": c.family,
            "rule": c.rule,
            "label": c.label,
            "jobs": c.jobs,
            "sweeps": c.jobs * c.sweeps,
            "flops": c.jobs * c.flops,
            "cpu_hours": hours(c),
        }
        for c in costs
    ]
    families = {}
    for fam in FAMILIES:
        group = [r for r in rules if r["family"] == fam]
        if group:
            families[fam] = {
                k: sum(r[k] for r in group) for k in ("jobs", "sweeps", "flops", "cpu_hours")
            }
    return {
        "families": families,
        "rules": rules,
        "rates": "calibrated" if calibration is not None else f"{rate:g} GFLOP/s",
    }
