"""``python -m rbm_reciprocal``: ``run --job FILE`` (what every Snakemake rule calls: the job's
step's function in its stage module) and the user commands ``figure``, ``cost``, ``models
export`` and ``claims-calibration``.

Each subcommand is a thin I/O edge around package functions. Errors raised on purpose
(:class:`rbm_reciprocal.core.errors.RBMError`) are printed as one line, exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
import time

import numba

from rbm_reciprocal.cli_args import build_parser
from rbm_reciprocal.core.errors import ConfigError, RBMError
from rbm_reciprocal.figures.render import render
from rbm_reciprocal.pipeline.cost_report import report, report_json
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.stages.claims import (
    run_claims_calibration,
)
from rbm_reciprocal.stages.models import export_run
from rbm_reciprocal.stages.registry import STEPS
from rbm_reciprocal.stages.registry import step as find_step


def _cmd_run(args: argparse.Namespace) -> None:
    """One job of a step: ``JOBS[step]`` of its stage module, given the job file."""
    job = Job.read(args.job)
    if args.step and job.step != args.step:
        raise ConfigError(f"{args.job} is a job of step {job.step!r}, not {args.step!r}")
    spec = find_step(job.step)
    args.step = job.step  # for the closing line of the log
    importlib.import_module(f"rbm_reciprocal.stages.{spec.stage}").JOBS[spec.name](job)


def _cmd_figure(args: argparse.Namespace) -> None:
    render(args.name, args.inputs, args.stem, json.loads(args.options or "{}"))


def _cmd_cost(args: argparse.Namespace) -> None:
    # (python -m rbm_reciprocal cost sets one BLAS thread before numpy loads: __main__.py)
    if args.json:
        print(json.dumps(report_json(args.configfile, STEPS, args.calibrate_seconds, args.gflops)))
        return
    detail = not args.brief
    print(report(args.configfile, STEPS, args.calibrate_seconds, args.gflops, detail=detail))


def _cmd_models(args: argparse.Namespace) -> None:
    export_run(args.results, args.out, args.configfile)


def _cmd_claims_calibration(args: argparse.Namespace) -> None:
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    run_claims_calibration(args.trials, args.seed, args.out, args.claims, log=log)


#: The handler of every subcommand of :func:`~rbm_reciprocal.cli_args.build_parser`.
COMMANDS = {
    "run": _cmd_run,
    "figure": _cmd_figure,
    "cost": _cmd_cost,
    "models": _cmd_models,
    "claims-calibration": _cmd_claims_calibration,
}


def _match_numba_threads() -> None:
    """Give numba the thread count Snakemake gave BLAS (OMP_NUM_THREADS), if set."""
    want = os.environ.get("OMP_NUM_THREADS")
    if want and want.isdigit():
        numba.set_num_threads(max(1, min(int(want), numba.config.NUMBA_NUM_THREADS)))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _match_numba_threads()
    start = time.perf_counter()
    try:
        COMMANDS[args.command](args)
    except RBMError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # the job's benchmark where Snakemake keeps none (rules with cache: True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{getattr(args, 'step', None) or args.command}: {time.perf_counter() - start:.1f} s, "
        f"peak RSS {peak_mb:.0f} MB",
        file=sys.stderr,
    )
    return 0
