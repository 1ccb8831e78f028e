"""The argument parser of ``python -m rbm_reciprocal``: ``run`` (the one entry point of every
rule: a job file) and the commands a user types (``figure``, ``cost``, ``models export``,
``claims-calibration``).

Only the options live here; :mod:`rbm_reciprocal.cli` maps each subcommand to its handler.
"""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m rbm_reciprocal",
        description="The steps of the RBM reciprocal-space workflow (arXiv:2503.21536).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run one job of a workflow step from its job file (what every rule calls)",
        description="Run one job of a workflow step. Each rule writes the job's inputs, "
        "outputs, wildcards and settings to results/logs/<...>.job.json beside its log; "
        "the same command reruns the job by hand.",
    )
    run.add_argument(
        "step", nargs="?", help="the step (= the rule's name), checked against the job file's"
    )
    run.add_argument("--job", required=True, help="the job file (JSON) the rule wrote")

    f = sub.add_parser("figure", help="render one figure from its tables")
    f.add_argument("name")
    f.add_argument("--inputs", nargs="+", required=True)
    f.add_argument("--stem", required=True, help="output path without suffix (.pdf and .png)")
    f.add_argument("--options", help="JSON of figure options")

    co = sub.add_parser(
        "cost", help="Gibbs sweeps, FLOPs and predicted CPU-hours per rule family of a config"
    )
    co.add_argument(
        "--configfile",
        nargs="+",
        action="extend",
        required=True,
        help="config files, merged in order as by Snakemake (e.g. config.yaml preset.yaml)",
    )
    co.add_argument("--gflops", type=float, help="also predict CPU-hours at this GFLOP/s")
    co.add_argument(
        "--calibrate-seconds",
        type=float,
        default=30.0,
        help="seconds of real Gibbs sweeps to measure this machine (0: skip)",
    )
    co.add_argument("--brief", action="store_true", help="one row per family only")
    co.add_argument(
        "--json", action="store_true", help="print {families: {...}, rules: [...]} as JSON"
    )

    # --- claims and diffusion (issue 7) ---

    mo = sub.add_parser("models", help="export the trained models of a run as an archive")
    mos = mo.add_subparsers(dest="action", required=True)
    ex = mos.add_parser("export", help="checkpoints + metrics of every model, and a manifest")
    ex.add_argument("--results", default="results", help="the run's results folder")
    ex.add_argument("--out", required=True, help="archive folder (publish or tar it as is)")
    ex.add_argument(
        "--configfile", nargs="+", help="the run's config files (default: its run_parameters.yaml)"
    )
    cc = sub.add_parser(
        "claims-calibration", help="pass rate of every claim in synthetic true and false worlds"
    )
    cc.add_argument("--trials", type=int, default=200, help="inputs per claim and scenario")
    cc.add_argument("--seed", type=int, default=0)
    cc.add_argument("--claims", type=int, nargs="+", help="claim ids (default: all)")
    cc.add_argument("--out", required=True, help="calibration parquet")
    return p
