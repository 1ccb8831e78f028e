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

    d = sub.add_parser("download", help="fetch and verify the four MNIST files")
    d.add_argument(
        "--source",
        action="append",
        required=True,
        help="mirror base URL, file:// URL or local folder (repeat; tried in order)",
    )
    d.add_argument("--out-dir", required=True)
    d.add_argument("--sha256", help="JSON object file name -> sha256 of decompressed content")
    d.add_argument("--retries", type=int, default=3)
    d.add_argument("--timeout", type=float, default=30.0)
    d.add_argument("--backoff", type=float, default=1.0)

    pr = sub.add_parser("prepare", help="parse IDX files, binarize, write the dataset npz")
    pr.add_argument("--raw-dir", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--settings", required=True, help="JSON of prepare_mnist keyword arguments")

    t = sub.add_parser("train", help="train one RBM replica with checkpoints (resumable)")
    t.add_argument("--data", required=True, help="dataset npz written by 'prepare'")
    t.add_argument("--out-dir", required=True)
    t.add_argument("--settings", required=True, help="JSON of TrainSettings")

    tb = sub.add_parser(
        "train-replicas", help="train the replicas of one hidden size in one job (resumable)"
    )
    tb.add_argument("--data", required=True, help="dataset npz written by 'prepare'")
    tb.add_argument("--out-dir", required=True, nargs="+", help="one run folder per replica")
    tb.add_argument("--settings", required=True, help="JSON list of TrainSettings, one per replica")



    f = sub.add_parser("figure", help="render one figure from its tables")
    f.add_argument("name")
    f.add_argument("--inputs", nargs="+", required=True)
    f.add_argument("--stem", required=True, help="output path without suffix (.pdf and .png)")
    f.add_argument("--options", help="JSON of figure options")
    c = sub.add_parser("concat", help="concatenate parquet tables (same columns)")
    c.add_argument("--inputs", nargs="+", required=True)
    c.add_argument("--out", required=True)

    rp = sub.add_parser("run-parameters", help="merged config and versions, for the report")
    rp.add_argument("--config-json", required=True, help="the merged config as JSON")
    rp.add_argument("--checkout", help="the workflow's checkout (for its git commit)")
    rp.add_argument("--out-yaml", required=True)
    rp.add_argument("--out-html", required=True)

    rj = sub.add_parser("rotation-js", help="JS divergence of rotated vs unrotated W (Fig. 4)")
    rj.add_argument("--checkpoint", required=True)
    rj.add_argument("--labels", required=True, help="JSON of columns to add to the row")
    rj.add_argument("--seed", type=int, default=0)
    rj.add_argument("--bins", type=int, default=1000)
    rj.add_argument("--fraction", type=float, default=0.1)
    rj.add_argument("--variant", choices=["authors", "left"], default="authors")
    rj.add_argument("--out-table", required=True)
    rj.add_argument("--out-pdfs", required=True)

    ur = sub.add_parser("untrained-reference", help="untrained reference RBM + JS noise level")
    ur.add_argument("--visible", type=int, default=784)
    ur.add_argument("--hidden", type=int, default=500)
    ur.add_argument("--std", type=float, default=0.01)
    ur.add_argument("--seed", type=int, default=0)
    ur.add_argument("--bins", type=int, default=1000)
    ur.add_argument("--out", required=True)
    ur.add_argument("--out-noise", required=True)

    rs = sub.add_parser("rotated-samples", help="Gibbs samples decoded with rotated U (Fig. 6)")
    rs.add_argument("--checkpoint", required=True)
    rs.add_argument("--seed", type=int, default=0)
    rs.add_argument("--chains", type=int, default=200)
    rs.add_argument("--sweeps", type=int, default=1000)
    rs.add_argument("--local-rotations", type=int, default=10)
    rs.add_argument("--avoid-top", type=int, default=5)
    rs.add_argument("--out-npz", required=True)
    rs.add_argument("--out-table", required=True)

    mt = sub.add_parser("mode-trajectory", help="z_1, z_{M+1} and Landau minima (Figs. 7-8)")
    mt.add_argument("--checkpoint", required=True)
    mt.add_argument("--data", required=True, help="dataset npz (test images)")
    mt.add_argument("--labels", required=True, help="JSON of columns to add to the row")
    mt.add_argument("--seed", type=int, default=0)
    mt.add_argument("--digits", help="JSON list of test digits (default: all)")
    mt.add_argument("--uniform-states", type=int, default=200_000)
    mt.add_argument("--bins", type=int, default=60)
    mt.add_argument("--chains", type=int, default=1000)
    mt.add_argument("--sweeps", type=int, default=500)
    mt.add_argument("--previous", help="checkpoint of the previous epoch followed (signs)")
    mt.add_argument("--out", required=True)
    mtt = sub.add_parser("mode-trajectory-table", help="oriented Figs. 7-8 table")
    mtt.add_argument("--inputs", nargs="+", required=True, help="mode-trajectory rows")
    mtt.add_argument("--orientation", choices=["continuity", "mu_w"], default="continuity")
    mtt.add_argument("--out", required=True)
    ls = sub.add_parser("landscape-sample", help="a generated digit on the landscapes (Fig. 1)")
    ls.add_argument("--checkpoint", required=True, help="trained checkpoint npz")
    ls.add_argument("--data", required=True, help="dataset npz (test set: centroids)")
    ls.add_argument("--indices", type=int, nargs="+", required=True, help="1-based modes")
    ls.add_argument("--digit", type=int, default=3)
    ls.add_argument("--chains", type=int, default=1000)
    ls.add_argument("--sweeps", type=int, default=500)
    ls.add_argument("--seed", type=int, default=0)
    ls.add_argument("--out-table", required=True)
    ls.add_argument("--out-image", required=True)

    lp = sub.add_parser("landscape-points", help="test data + Gibbs samples on landscapes (Fig. 2)")
    lp.add_argument("--untrained", required=True, help="epoch-0 checkpoint npz")
    lp.add_argument("--trained", required=True, help="last checkpoint npz")
    lp.add_argument("--data", required=True)
    lp.add_argument("--indices", type=int, nargs="+", required=True, help="1-based modes")
    lp.add_argument("--n-test", type=int, default=None, help="first n test images (all)")
    lp.add_argument("--chains", type=int, default=1000)
    lp.add_argument("--sweeps", type=int, default=500)
    lp.add_argument("--seed", type=int, default=0)
    lp.add_argument("--out-landscapes", required=True)
    lp.add_argument("--out-points", required=True)


    up = sub.add_parser("uniform-projections", help="PDFs of projected random states (Fig. 5)")
    up.add_argument("--untrained", required=True)
    up.add_argument("--trained", required=True)
    up.add_argument("--x-indices", type=int, nargs="+", required=True)
    up.add_argument("--y-indices", type=int, nargs="+", required=True)
    up.add_argument("--samples", type=int, default=10_000)
    up.add_argument("--bins", type=int, default=60)
    up.add_argument("--seed", type=int, default=0)
    up.add_argument("--out-table", required=True)

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
    um = sub.add_parser("uniform-moments", help="means/stds of projected uniform states (Eq. 51)")
    um.add_argument("--checkpoint", action="append", required=True, help="STATE:PATH (repeat)")
    um.add_argument("--samples", type=int, default=20_000)
    um.add_argument("--seed", type=int, default=0)
    um.add_argument("--out", required=True)

    pa = sub.add_parser("pc-alignment", help="overlap of u_1 with the data's principal components")
    pa.add_argument("--data", required=True, help="dataset npz (training images)")
    pa.add_argument(
        "--checkpoint", action="append", required=True, help="HIDDEN:METHOD:REPLICA:EPOCH:PATH"
    )
    pa.add_argument("--pcs", type=int, default=5)
    pa.add_argument("--out", required=True)

    df = sub.add_parser("diffusion", help="Sec. 4.1 relaxation spectrum + Langevin test")
    df.add_argument("--untrained", required=True, help="epoch-0 checkpoint npz")
    df.add_argument("--trained", required=True, help="last checkpoint npz")
    df.add_argument("--settings", required=True, help="JSON of the config section diffusion")
    df.add_argument("--seed", type=int, default=0)
    df.add_argument("--out-spectrum", required=True)
    df.add_argument("--out-series", required=True)
    df.add_argument("--out-summary", required=True)
    df.add_argument("--out-final", required=True)

    cl = sub.add_parser("claims", help="the paper's claims checked against our tables")
    for name in ("random", "kurtosis", "kurtosis-fit"):
        cl.add_argument(f"--{name}", nargs="+", default=[])
    for name in (
        "moments",
        "loglik",
        "js",
        "alignment",
        "rotated",
        "trajectories",
        "gap",
        "diffusion-spectrum",
        "diffusion-summary",
    ):
        cl.add_argument(f"--{name}")
    cl.add_argument("--epochs", type=int, help="training epochs of the models")
    cl.add_argument("--min-epochs", type=int, default=10)
    cl.add_argument("--title", help="heading line of the Markdown file")
    cl.add_argument("--out", required=True, help="claims parquet")
    cl.add_argument("--out-md", required=True, help="claims Markdown table")
    cl.add_argument("--out-html", help="claims HTML table (shown in the Snakemake report)")

    mo = sub.add_parser("models", help="export trained models as an archive, or import one")
    mos = mo.add_subparsers(dest="action", required=True)
    ex = mos.add_parser("export", help="checkpoints + metrics of every model, and a manifest")
    ex.add_argument("--results", default="results", help="the run's results folder")
    ex.add_argument("--out", required=True, help="archive folder (publish or tar it as is)")
    ex.add_argument(
        "--configfile", nargs="+", help="the run's config files (default: its run_parameters.yaml)"
    )
    im = mos.add_parser("import", help="fetch and verify an archive's models (rule import_models)")
    im.add_argument("--source", required=True, help="folder, file:// or http(s) URL of an archive")
    im.add_argument("--results", required=True)
    im.add_argument("--files", nargs="+", required=True, help="paths relative to --results")
    im.add_argument("--training", required=True, help="JSON training fingerprint of the config")
    im.add_argument("--manifest-out", required=True)
    im.add_argument("--retries", type=int, default=3)
    im.add_argument("--timeout", type=float, default=60.0)
    im.add_argument("--backoff", type=float, default=1.0)
    cc = sub.add_parser(
        "claims-calibration", help="pass rate of every claim in synthetic true and false worlds"
    )
    cc.add_argument("--trials", type=int, default=200, help="inputs per claim and scenario")
    cc.add_argument("--seed", type=int, default=0)
    cc.add_argument("--claims", type=int, nargs="+", help="claim ids (default: all)")
    cc.add_argument("--out", required=True, help="calibration parquet")
    return p
