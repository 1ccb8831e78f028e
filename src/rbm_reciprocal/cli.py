"""Command-line entry points called by the Snakemake rules (``python -m rbm_reciprocal``).

Each subcommand is a thin I/O edge around package functions. Errors raised on purpose
(:class:`rbm_reciprocal.errors.RBMError`) are printed as one line, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import RBMError


def _cmd_download(args: argparse.Namespace) -> None:
    from .data import download_mnist

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
    from .data import MNIST_FILES, prepare_mnist, save_dataset, sha256_decompressed

    s = json.loads(args.settings)
    ds = prepare_mnist(args.raw_dir, **s)
    meta = dict(
        s, sources={n: sha256_decompressed(Path(args.raw_dir) / f"{n}.gz") for n in MNIST_FILES}
    )
    save_dataset(args.out, ds, meta)
    print(
        f"prepared {ds.train.shape[0]} train / {ds.test.shape[0]} test images -> {args.out}",
        file=sys.stderr,
    )


def _cmd_train(args: argparse.Namespace) -> None:
    from .data import load_dataset
    from .train import TrainSettings, run_training

    settings = TrainSettings.from_dict(json.loads(args.settings))
    ds = load_dataset(args.data)
    run_training(ds.train, settings, args.out_dir)


def _cmd_random_spectrum(args: argparse.Namespace) -> None:
    from .spectra import run_random_spectrum

    ks = run_random_spectrum(
        args.visible,
        args.hidden,
        args.sigma,
        args.n_matrices,
        args.bins,
        args.seed,
        args.out_table,
        args.out_curve,
    )
    print(
        f"N={args.visible} M={args.hidden}: KS distance to Marchenko-Pastur {ks:.4f}",
        file=sys.stderr,
    )


def _cmd_trained_spectra(args: argparse.Namespace) -> None:
    from .spectra import run_trained_spectra

    items = []
    for spec in args.checkpoint:
        hidden, method, replica, path = spec.split(":", 3)
        items.append((int(hidden), method, int(replica), path))
    run_trained_spectra(items, None, args.out_table)


def _cmd_figure(args: argparse.Namespace) -> None:
    from .figure_tasks import render

    render(args.name, args.inputs, args.stem, json.loads(args.options or "{}"))


def _cmd_concat(args: argparse.Namespace) -> None:
    import pandas as pd

    from .io import save_parquet

    save_parquet(args.out, pd.concat([pd.read_parquet(p) for p in args.inputs], ignore_index=True))


def _cmd_run_parameters(args: argparse.Namespace) -> None:
    import yaml

    from .io import atomic_path
    from .provenance import run_parameters, run_parameters_html

    params = run_parameters(json.loads(args.config_json), args.checkout)
    with atomic_path(args.out_yaml) as tmp:
        tmp.write_text(yaml.safe_dump(params, sort_keys=False))
    with atomic_path(args.out_html) as tmp:
        tmp.write_text(run_parameters_html(params))
    print(f"code {params['code']}", file=sys.stderr)


def _cmd_rotation_js(args: argparse.Namespace) -> None:
    from .rotations import run_rotation_js

    js = run_rotation_js(
        args.checkpoint,
        args.out_table,
        args.out_pdfs,
        json.loads(args.labels),
        args.seed,
        args.bins,
        args.fraction,
        args.variant,
    )
    print(f"JS divergence rotated vs unrotated W: {js:.3e}", file=sys.stderr)


def _cmd_untrained_reference(args: argparse.Namespace) -> None:
    from .rotations import run_untrained_reference

    js = run_untrained_reference(
        args.visible, args.hidden, args.std, args.seed, args.out, args.out_noise, args.bins
    )
    print(f"JS divergence of two independent inits: {js:.3e}", file=sys.stderr)


def _cmd_rotated_samples(args: argparse.Namespace) -> None:
    from .rotations import run_rotated_samples

    r = run_rotated_samples(
        args.checkpoint,
        args.out_npz,
        args.out_table,
        args.seed,
        args.chains,
        args.sweeps,
        args.local_rotations,
        args.avoid_top,
    )
    print(
        f"pixels changed: global {r['frac_changed_global']:.2%}, "
        f"local {r['frac_changed_local']:.2%}",
        file=sys.stderr,
    )


def _cmd_landscape_sample(args: argparse.Namespace) -> None:
    from .reciprocal_tasks import run_landscape_sample

    t = run_landscape_sample(
        args.checkpoint,
        args.data,
        args.indices,
        args.digit,
        args.chains,
        args.sweeps,
        args.seed,
        args.out_table,
        args.out_image,
    )
    r = t.iloc[0]
    print(
        f"chain {int(r['chain'])} of {args.chains}: nearest centroid {int(r['classified_as'])} "
        f"(wanted {args.digit}); classifier accuracy on the test set {r['centroid_accuracy']:.3f}",
        file=sys.stderr,
    )


def _cmd_landscape_points(args: argparse.Namespace) -> None:
    from .reciprocal_tasks import run_landscape_points

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


def _cmd_kurtosis(args: argparse.Namespace) -> None:
    from .reciprocal_tasks import run_kurtosis

    _, fits = run_kurtosis(
        args.variant,
        args.sizes,
        args.fixed,
        args.sigma,
        args.samples,
        args.batch_size,
        args.seed,
        args.out_summary,
        args.out_fit,
        args.out_components,
    )
    for _, r in fits.iterrows():
        print(
            f"{args.variant} ({r['source']}): kurtosis at infinite size "
            f"{r['intercept']:.5f} +- {r['intercept_se']:.5f}",
            file=sys.stderr,
        )


def _cmd_uniform_projections(args: argparse.Namespace) -> None:
    from .reciprocal_tasks import run_uniform_projections

    run_uniform_projections(
        {"untrained": args.untrained, "trained": args.trained},
        args.x_indices,
        args.y_indices,
        args.samples,
        args.bins,
        args.seed,
        args.out_table,
    )


def _cmd_spectral_gap(args: argparse.Namespace) -> None:
    from .spectra import run_spectral_gap

    table = run_spectral_gap(args.values, args.out_table, tuple(args.window))
    for _, r in table.iterrows():
        print(f"M={r['hidden']} {r['method']}: {r['verdict']}", file=sys.stderr)


def _cmd_mode_trajectory(args: argparse.Namespace) -> None:
    from .landau import run_mode_trajectory

    digits = json.loads(args.digits) if args.digits else None
    r = run_mode_trajectory(
        args.checkpoint,
        args.data,
        args.out,
        json.loads(args.labels),
        args.seed,
        digits,
        args.uniform_states,
        args.bins,
        args.chains,
        args.sweeps,
    )
    print(
        f"lambda_1 {r['lambda_1']:.3f}: Landau wells u {r['landau_u_wells']}, "
        f"w {r['landau_w_wells']}",
        file=sys.stderr,
    )


def _cmd_loglik(args: argparse.Namespace) -> None:
    from .loglik import LoglikSettings, run_loglik

    run_loglik(
        args.checkpoint,
        args.data,
        args.out,
        LoglikSettings.from_dict(json.loads(args.settings)),
        args.method,
        args.hidden,
        args.replica,
        args.epoch,
    )


def _cmd_loglik_table(args: argparse.Namespace) -> None:
    from .loglik import collect_loglik

    collect_loglik(args.inputs, args.out)


def _cmd_cost(args: argparse.Namespace) -> None:
    if "numpy" not in sys.modules:  # CPU-hours: BLAS on one thread (threadpoolctl may be absent)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = "1"
    from .cost import report

    print(report(args.configfile, args.calibrate_seconds, args.gflops, detail=not args.brief))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rbm_reciprocal", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

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
    d.set_defaults(func=_cmd_download)

    pr = sub.add_parser("prepare", help="parse IDX files, binarize, write the dataset npz")
    pr.add_argument("--raw-dir", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--settings", required=True, help="JSON of prepare_mnist keyword arguments")
    pr.set_defaults(func=_cmd_prepare)

    t = sub.add_parser("train", help="train one RBM replica with checkpoints (resumable)")
    t.add_argument("--data", required=True, help="dataset npz written by 'prepare'")
    t.add_argument("--out-dir", required=True)
    t.add_argument("--settings", required=True, help="JSON of TrainSettings")
    t.set_defaults(func=_cmd_train)

    r = sub.add_parser("random-spectrum", help="singular values of random inits vs MP (Fig. 3a-d)")
    r.add_argument("--visible", type=int, default=784)
    r.add_argument("--hidden", type=int, required=True)
    r.add_argument("--sigma", type=float, default=0.01)
    r.add_argument("--n-matrices", type=int, default=1000)
    r.add_argument("--bins", type=int, default=100)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out-table", required=True)
    r.add_argument("--out-curve", required=True)
    r.set_defaults(func=_cmd_random_spectrum)

    ts = sub.add_parser("trained-spectra", help="singular values of trained checkpoints (Fig. 3f)")
    ts.add_argument(
        "--checkpoint", action="append", required=True, help="HIDDEN:METHOD:REPLICA:PATH (repeat)"
    )
    ts.add_argument("--out-table", required=True)
    ts.set_defaults(func=_cmd_trained_spectra)

    f = sub.add_parser("figure", help="render one figure from its tables")
    f.add_argument("name")
    f.add_argument("--inputs", nargs="+", required=True)
    f.add_argument("--stem", required=True, help="output path without suffix (.pdf and .png)")
    f.add_argument("--options", help="JSON of figure options")
    f.set_defaults(func=_cmd_figure)
    c = sub.add_parser("concat", help="concatenate parquet tables (same columns)")
    c.add_argument("--inputs", nargs="+", required=True)
    c.add_argument("--out", required=True)
    c.set_defaults(func=_cmd_concat)

    rp = sub.add_parser("run-parameters", help="merged config and versions, for the report")
    rp.add_argument("--config-json", required=True, help="the merged config as JSON")
    rp.add_argument("--checkout", help="the workflow's checkout (for its git commit)")
    rp.add_argument("--out-yaml", required=True)
    rp.add_argument("--out-html", required=True)
    rp.set_defaults(func=_cmd_run_parameters)

    rj = sub.add_parser("rotation-js", help="JS divergence of rotated vs unrotated W (Fig. 4)")
    rj.add_argument("--checkpoint", required=True)
    rj.add_argument("--labels", required=True, help="JSON of columns to add to the row")
    rj.add_argument("--seed", type=int, default=0)
    rj.add_argument("--bins", type=int, default=1000)
    rj.add_argument("--fraction", type=float, default=0.1)
    rj.add_argument("--variant", choices=["authors", "left"], default="authors")
    rj.add_argument("--out-table", required=True)
    rj.add_argument("--out-pdfs", required=True)
    rj.set_defaults(func=_cmd_rotation_js)

    ur = sub.add_parser("untrained-reference", help="untrained reference RBM + JS noise level")
    ur.add_argument("--visible", type=int, default=784)
    ur.add_argument("--hidden", type=int, default=500)
    ur.add_argument("--std", type=float, default=0.01)
    ur.add_argument("--seed", type=int, default=0)
    ur.add_argument("--bins", type=int, default=1000)
    ur.add_argument("--out", required=True)
    ur.add_argument("--out-noise", required=True)
    ur.set_defaults(func=_cmd_untrained_reference)

    rs = sub.add_parser("rotated-samples", help="Gibbs samples decoded with rotated U (Fig. 6)")
    rs.add_argument("--checkpoint", required=True)
    rs.add_argument("--seed", type=int, default=0)
    rs.add_argument("--chains", type=int, default=200)
    rs.add_argument("--sweeps", type=int, default=1000)
    rs.add_argument("--local-rotations", type=int, default=10)
    rs.add_argument("--avoid-top", type=int, default=5)
    rs.add_argument("--out-npz", required=True)
    rs.add_argument("--out-table", required=True)
    rs.set_defaults(func=_cmd_rotated_samples)

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
    mt.add_argument("--out", required=True)
    mt.set_defaults(func=_cmd_mode_trajectory)
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
    ls.set_defaults(func=_cmd_landscape_sample)

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
    lp.set_defaults(func=_cmd_landscape_points)

    k = sub.add_parser("kurtosis", help="kurtosis of projected random states vs size (Fig. 3e)")
    k.add_argument("--variant", choices=["code", "text"], required=True)
    k.add_argument("--sizes", type=int, nargs="+", required=True)
    k.add_argument("--fixed", type=int, required=True, help="hidden (code) / visible (text) size")
    k.add_argument("--sigma", type=float, default=0.01)
    k.add_argument("--samples", type=int, default=7_000_000)
    k.add_argument("--batch-size", type=int, default=10_000)
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--out-summary", required=True)
    k.add_argument("--out-fit", required=True)
    k.add_argument("--out-components", required=True)
    k.set_defaults(func=_cmd_kurtosis)

    up = sub.add_parser("uniform-projections", help="PDFs of projected random states (Fig. 5)")
    up.add_argument("--untrained", required=True)
    up.add_argument("--trained", required=True)
    up.add_argument("--x-indices", type=int, nargs="+", required=True)
    up.add_argument("--y-indices", type=int, nargs="+", required=True)
    up.add_argument("--samples", type=int, default=10_000)
    up.add_argument("--bins", type=int, default=60)
    up.add_argument("--seed", type=int, default=0)
    up.add_argument("--out-table", required=True)
    up.set_defaults(func=_cmd_uniform_projections)

    sg = sub.add_parser("spectral-gap", help="gap of trained spectra in a window (Fig. 3f)")
    sg.add_argument("--values", required=True, help="trained_values.parquet")
    sg.add_argument("--window", type=float, nargs=2, default=[33.0, 35.0])
    sg.add_argument("--out-table", required=True)
    sg.set_defaults(func=_cmd_spectral_gap)
    ll = sub.add_parser("loglik", help="AIS + reverse-AIS log-likelihood of a checkpoint (Fig. 1)")
    ll.add_argument("--checkpoint", required=True, help="checkpoint npz written by 'train'")
    ll.add_argument("--data", required=True, help="dataset npz written by 'prepare'")
    ll.add_argument("--out", required=True, help="one-row parquet")
    ll.add_argument("--settings", required=True, help="JSON of LoglikSettings")
    ll.add_argument("--method", required=True)
    ll.add_argument("--hidden", type=int, required=True)
    ll.add_argument("--replica", type=int, required=True)
    ll.add_argument("--epoch", type=int, required=True)
    ll.set_defaults(func=_cmd_loglik)

    lt = sub.add_parser("loglik-table", help="collect the per-checkpoint log-likelihood rows")
    lt.add_argument("--inputs", nargs="+", required=True)
    lt.add_argument("--out", required=True)
    lt.set_defaults(func=_cmd_loglik_table)
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
    co.set_defaults(func=_cmd_cost)

    # --- claims and diffusion (issue 7) ---
    um = sub.add_parser("uniform-moments", help="means/stds of projected uniform states (Eq. 51)")
    um.add_argument("--checkpoint", action="append", required=True, help="STATE:PATH (repeat)")
    um.add_argument("--samples", type=int, default=20_000)
    um.add_argument("--seed", type=int, default=0)
    um.add_argument("--out", required=True)
    um.set_defaults(func=_cmd_uniform_moments)

    pa = sub.add_parser("pc-alignment", help="overlap of u_1 with the data's principal components")
    pa.add_argument("--data", required=True, help="dataset npz (training images)")
    pa.add_argument(
        "--checkpoint", action="append", required=True, help="HIDDEN:METHOD:REPLICA:EPOCH:PATH"
    )
    pa.add_argument("--pcs", type=int, default=5)
    pa.add_argument("--out", required=True)
    pa.set_defaults(func=_cmd_pc_alignment)

    df = sub.add_parser("diffusion", help="Sec. 4.1 relaxation spectrum + Langevin test")
    df.add_argument("--untrained", required=True, help="epoch-0 checkpoint npz")
    df.add_argument("--trained", required=True, help="last checkpoint npz")
    df.add_argument("--settings", required=True, help="JSON of the config section diffusion")
    df.add_argument("--seed", type=int, default=0)
    df.add_argument("--out-spectrum", required=True)
    df.add_argument("--out-series", required=True)
    df.add_argument("--out-summary", required=True)
    df.add_argument("--out-final", required=True)
    df.set_defaults(func=_cmd_diffusion)

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
    cl.set_defaults(func=_cmd_claims)
    return p


def _cmd_uniform_moments(args: argparse.Namespace) -> None:
    from .claims import run_uniform_moments

    cks = dict(spec.split(":", 1) for spec in args.checkpoint)
    t = run_uniform_moments(cks, args.samples, args.seed, args.out)
    print(
        f"max |mean - mu| {(t['mean'] - t['mu']).abs().max():.4f}, "
        f"max |std - 1/2| {(t['std'] - 0.5).abs().max():.4f}",
        file=sys.stderr,
    )


def _cmd_pc_alignment(args: argparse.Namespace) -> None:
    from .claims import run_pc_alignment

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
    from .diffusion import run_diffusion

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
    from .claims import run_claims

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


def _match_numba_threads() -> None:
    """Give numba the thread count Snakemake gave BLAS (OMP_NUM_THREADS), if set."""
    want = os.environ.get("OMP_NUM_THREADS")
    if want and want.isdigit():
        import numba

        numba.set_num_threads(max(1, min(int(want), numba.config.NUMBA_NUM_THREADS)))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _match_numba_threads()
    try:
        args.func(args)
    except RBMError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
