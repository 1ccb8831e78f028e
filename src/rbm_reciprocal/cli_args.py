"""The argument parser of ``python -m rbm_reciprocal``: one subcommand per workflow step.

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

    ll = sub.add_parser("loglik", help="AIS + reverse-AIS log-likelihood of a checkpoint (Fig. 1)")
    ll.add_argument("--checkpoint", required=True, help="checkpoint npz written by 'train'")
    ll.add_argument("--data", required=True, help="dataset npz written by 'prepare'")
    ll.add_argument("--out", required=True, help="one-row parquet")
    ll.add_argument("--settings", required=True, help="JSON of LoglikSettings")
    ll.add_argument("--method", required=True)
    ll.add_argument("--hidden", type=int, required=True)
    ll.add_argument("--replica", type=int, required=True)
    ll.add_argument("--epoch", type=int, required=True)

    lj = sub.add_parser(
        "loglik-trajectory", help="trajectory AIS along a replica's checkpoints (resumable)"
    )
    lj.add_argument("--checkpoints", nargs="+", required=True, help="the path, in epoch order")
    lj.add_argument("--epochs", type=int, nargs="+", required=True, help="epochs of --checkpoints")
    lj.add_argument("--rows", type=int, nargs="+", required=True, help="epochs of the table rows")
    lj.add_argument("--data", required=True, help="dataset npz written by 'prepare'")
    lj.add_argument("--out", required=True, help="parquet, one row per --rows epoch")
    lj.add_argument("--settings", required=True, help="JSON of LoglikSettings")
    lj.add_argument("--method", required=True)
    lj.add_argument("--hidden", type=int, required=True)
    lj.add_argument("--replica", type=int, required=True)

    lt = sub.add_parser("loglik-table", help="collect the per-checkpoint log-likelihood rows")
    lt.add_argument("--inputs", nargs="+", required=True)
    lt.add_argument("--checks", nargs="*", default=[], help="crosscheck rows (standard AIS)")
    lt.add_argument("--out", required=True)
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
