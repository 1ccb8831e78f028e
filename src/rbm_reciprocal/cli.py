"""Command-line entry points called by the Snakemake rules (``python -m rbm_reciprocal``).

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
from rbm_reciprocal.data.fetch import download_mnist
from rbm_reciprocal.figures.render import render
from rbm_reciprocal.pipeline.cost_report import report, report_json
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.steps import step as find_step
from rbm_reciprocal.stages.claims import (
    run_claims,
    run_claims_calibration,
    run_diffusion,
    run_pc_alignment,
    run_uniform_moments,
)
from rbm_reciprocal.stages.data import run_prepare
from rbm_reciprocal.stages.landau import run_mode_trajectory, run_mode_trajectory_table
from rbm_reciprocal.stages.models import export_run, import_models
from rbm_reciprocal.stages.reciprocal import (
    run_landscape_points,
    run_landscape_sample,
    run_uniform_projections,
)
from rbm_reciprocal.stages.report import write_run_parameters
from rbm_reciprocal.stages.symmetry import (
    run_rotated_samples,
    run_rotation_js,
    run_untrained_reference,
)
from rbm_reciprocal.stages.tables import concat_tables
from rbm_reciprocal.stages.train import run_train
from rbm_reciprocal.stages.train_replicas import run_train_replicas


def _cmd_run(args: argparse.Namespace) -> None:
    """One job of a step: ``JOBS[step]`` of its stage module, given the job file."""
    job = Job.read(args.job)
    if args.step and job.step != args.step:
        raise ConfigError(f"{args.job} is a job of step {job.step!r}, not {args.step!r}")
    spec = find_step(job.step)
    args.step = job.step  # for the closing line of the log
    importlib.import_module(f"rbm_reciprocal.stages.{spec.stage}").JOBS[spec.name](job)


def _cmd_download(args: argparse.Namespace) -> None:
    sha = json.loads(args.sha256) if args.sha256 else None
    download_mnist(
        args.source,
        args.out_dir,
        sha256=sha,
        retries=args.retries,
        timeout=args.timeout,
        backoff=args.backoff,
    )


def _cmd_prepare(args: argparse.Namespace) -> None:
    run_prepare(args.raw_dir, args.out, json.loads(args.settings))


def _cmd_train(args: argparse.Namespace) -> None:
    run_train(args.data, args.out_dir, json.loads(args.settings))


def _cmd_train_replicas(args: argparse.Namespace) -> None:
    run_train_replicas(args.data, args.out_dir, json.loads(args.settings))


def _cmd_figure(args: argparse.Namespace) -> None:
    render(args.name, args.inputs, args.stem, json.loads(args.options or "{}"))


def _cmd_concat(args: argparse.Namespace) -> None:
    concat_tables(args.inputs, args.out)


def _cmd_run_parameters(args: argparse.Namespace) -> None:
    write_run_parameters(json.loads(args.config_json), args.checkout, args.out_yaml, args.out_html)


def _cmd_rotation_js(args: argparse.Namespace) -> None:
    js = run_rotation_js(
        args.checkpoint, args.out_table, args.out_pdfs, json.loads(args.labels), args.seed,
        args.bins, args.fraction, args.variant,
    )
    print(f"JS divergence rotated vs unrotated W: {js:.3e}", file=sys.stderr)


def _cmd_untrained_reference(args: argparse.Namespace) -> None:
    js = run_untrained_reference(
        args.visible, args.hidden, args.std, args.seed, args.out, args.out_noise, args.bins
    )
    print(f"JS divergence of two independent inits: {js:.3e}", file=sys.stderr)


def _cmd_rotated_samples(args: argparse.Namespace) -> None:
    r = run_rotated_samples(
        args.checkpoint, args.out_npz, args.out_table, args.seed, args.chains, args.sweeps,
        args.local_rotations, args.avoid_top,
    )
    print(
        f"pixels changed: global {r['frac_changed_global']:.2%}, "
        f"local {r['frac_changed_local']:.2%}",
        file=sys.stderr,
    )


def _cmd_landscape_sample(args: argparse.Namespace) -> None:
    t = run_landscape_sample(
        args.checkpoint, args.data, args.indices, args.digit, args.chains, args.sweeps, args.seed,
        args.out_table, args.out_image,
    )
    r = t.iloc[0]
    print(
        f"chain {int(r['chain'])} of {args.chains}: nearest centroid {int(r['classified_as'])} "
        f"(wanted {args.digit}); classifier accuracy on the test set {r['centroid_accuracy']:.3f}",
        file=sys.stderr,
    )


def _cmd_landscape_points(args: argparse.Namespace) -> None:
    run_landscape_points(
        {"untrained": args.untrained, "trained": args.trained},
        args.data,
        args.indices,
        args.n_test,
        args.chains,
        args.sweeps,
        args.seed,
        args.out_landscapes,
        args.out_points,
    )


def _cmd_uniform_projections(args: argparse.Namespace) -> None:
    run_uniform_projections(
        {"untrained": args.untrained, "trained": args.trained},
        args.x_indices,
        args.y_indices,
        args.samples,
        args.bins,
        args.seed,
        args.out_table,
    )


def _cmd_mode_trajectory(args: argparse.Namespace) -> None:
    digits = json.loads(args.digits) if args.digits else None
    r = run_mode_trajectory(
        args.checkpoint, args.data, args.out, json.loads(args.labels), args.seed, digits,
        args.uniform_states, args.bins, args.chains, args.sweeps, args.previous,
    )
    print(
        f"lambda_1 {r['lambda_1']:.3f}: Landau wells u {r['landau_u_wells']} "
        f"(unconfined {r['landau_u_unconfined']}), w {r['landau_w_wells']}; "
        f"overlap with the previous mode 1 {r['overlap_prev']:.3f}",
        file=sys.stderr,
    )


def _cmd_mode_trajectory_table(args: argparse.Namespace) -> None:
    t = run_mode_trajectory_table(args.inputs, args.out, args.orientation)
    print(f"{len(t)} rows, orientation {args.orientation}", file=sys.stderr)


def _cmd_cost(args: argparse.Namespace) -> None:
    # (python -m rbm_reciprocal cost sets one BLAS thread before numpy loads: __main__.py)
    if args.json:
        print(json.dumps(report_json(args.configfile, args.calibrate_seconds, args.gflops)))
        return
    print(report(args.configfile, args.calibrate_seconds, args.gflops, detail=not args.brief))


def _cmd_uniform_moments(args: argparse.Namespace) -> None:
    cks = dict(spec.split(":", 1) for spec in args.checkpoint)
    t = run_uniform_moments(cks, args.samples, args.seed, args.out)
    print(
        f"max |mean - mu| {(t['mean'] - t['mu']).abs().max():.4f}, "
        f"max |std - 1/2| {(t['std'] - 0.5).abs().max():.4f}",
        file=sys.stderr,
    )


def _cmd_pc_alignment(args: argparse.Namespace) -> None:
    items = []
    for spec in args.checkpoint:
        hidden, method, replica, epoch, path = spec.split(":", 4)
        items.append((int(hidden), method, int(replica), int(epoch), path))
    t = run_pc_alignment(items, args.data, args.out, args.pcs)
    for _, r in t.iterrows():
        print(
            f"M={r['hidden']} replica {r['replica']} epoch {r['epoch']}: "
            f"|u_1 . PC_1| = {r['overlap_pc1']:.3f}",
            file=sys.stderr,
        )


def _cmd_diffusion(args: argparse.Namespace) -> None:
    s = json.loads(args.settings)
    run_diffusion(
        {"untrained": args.untrained, "trained": args.trained},
        args.seed,
        args.out_spectrum,
        args.out_series,
        args.out_summary,
        args.out_final,
        beta=s["beta"],
        uniform_states=s["uniform_states"],
        n_divergent=s["modes"]["divergent"],
        n_stable=s["modes"]["stable"],
        n_walkers=s["walkers"],
        n_steps=s["steps"],
        horizon=s["horizon"],
        n_records=s["records"],
        max_steps=s["max_steps"],
        n_grid=s["grid"],
        metropolis=s["metropolis"],
        log=lambda msg: print(msg, file=sys.stderr, flush=True),
    )


def _cmd_claims(args: argparse.Namespace) -> None:
    keys = (
        "random kurtosis kurtosis_fit moments loglik js alignment rotated trajectories gap "
        "diffusion_spectrum diffusion_summary"
    ).split()
    t = run_claims(
        {k: getattr(args, k) for k in keys},
        args.out,
        args.out_md,
        args.epochs,
        args.min_epochs,
        args.title,
        out_html=args.out_html,
    )
    counts = t["passed"].value_counts(dropna=False)
    print(
        f"{len(t)} claims: {int(counts.get(True, 0))} pass, {int(counts.get(False, 0))} fail, "
        f"{int(t['passed'].isna().sum())} n/a",
        file=sys.stderr,
    )


def _cmd_models(args: argparse.Namespace) -> None:
    if args.action == "import":
        retry = (args.retries, args.timeout, args.backoff)
        files, manifest = args.files, args.manifest_out
        import_models(args.source, args.results, files, json.loads(args.training), manifest, *retry)
    else:
        export_run(args.results, args.out, args.configfile)


def _cmd_claims_calibration(args: argparse.Namespace) -> None:
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    run_claims_calibration(args.trials, args.seed, args.out, args.claims, log=log)


#: The handler of every subcommand of :func:`~rbm_reciprocal.cli_args.build_parser`.
COMMANDS = {
    "run": _cmd_run,
    "download": _cmd_download,
    "prepare": _cmd_prepare,
    "train": _cmd_train,
    "train-replicas": _cmd_train_replicas,
    "figure": _cmd_figure,
    "concat": _cmd_concat,
    "run-parameters": _cmd_run_parameters,
    "rotation-js": _cmd_rotation_js,
    "untrained-reference": _cmd_untrained_reference,
    "rotated-samples": _cmd_rotated_samples,
    "mode-trajectory": _cmd_mode_trajectory,
    "mode-trajectory-table": _cmd_mode_trajectory_table,
    "landscape-sample": _cmd_landscape_sample,
    "landscape-points": _cmd_landscape_points,
    "uniform-projections": _cmd_uniform_projections,
    "cost": _cmd_cost,
    "uniform-moments": _cmd_uniform_moments,
    "pc-alignment": _cmd_pc_alignment,
    "diffusion": _cmd_diffusion,
    "claims": _cmd_claims,
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
