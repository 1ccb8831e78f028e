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
    return p


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
