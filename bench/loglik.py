"""Benchmark of trajectory AIS against standard AIS / reverse AIS (not a test; issue 14).

``python bench/loglik.py [--hidden 200 --epochs 12 --steps 100 500 --check-betas 100000]``

1. Trains one RBM on the full binarized MNIST (``--mnist``, default ``../shared/data/mnist``)
   with the workflow's trainer (PCD-``--gibbs``, batch 500, Adam 1e-3), a checkpoint every
   epoch, into ``--out`` (reused when it already holds the checkpoints).
2. Runs trajectory AIS along every checkpoint (epochs 0..E) at each ``--steps`` K, with
   ``--chains`` chains and ``--first-betas`` betas from the base to the init.
3. Runs standard AIS + reverse AIS (``--check-betas`` uniform betas, the same chains) at the
   ``--check`` epochs (default: the middle and the last).

Prints, per epoch, the forward and reverse trajectory estimates of log Z (with their standard
errors and the forward-reverse gap), the standard estimates at the crosscheck epochs and
the differences, and the wall time of each estimator (one thread).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rbm_reciprocal.analysis.loglik import estimate_loglik
from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.analysis.loglik_trajectory import trajectory_pass, trajectory_rows
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint
from rbm_reciprocal.core.streams import loglik_rng, trajectory_rng
from rbm_reciprocal.data.dataset import prepare_mnist
from rbm_reciprocal.stages.train import run_training
from rbm_reciprocal.training.settings import OptimizerSettings, TrainSettings


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default="../shared/data/mnist")
    p.add_argument("--out", default="bench_loglik_model")
    p.add_argument("--hidden", type=int, default=200)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--gibbs", type=int, default=10)
    p.add_argument("--chains", type=int, default=100)
    p.add_argument("--steps", type=int, nargs="+", default=[100, 500])
    p.add_argument("--first-betas", type=int, default=10_000)
    p.add_argument("--check-betas", type=int, default=100_000)
    p.add_argument("--check", type=int, nargs="*")
    p.add_argument("--sample-sweeps", type=int, default=500)
    args = p.parse_args()

    ds = prepare_mnist(args.mnist)
    out = Path(args.out)
    epochs = list(range(args.epochs + 1))
    if not checkpoint_path(out, args.epochs).exists():
        s = TrainSettings(
            method="PCD",
            hidden=args.hidden,
            gibbs_steps=args.gibbs,
            batch_size=500,
            n_chains=500,
            epochs=args.epochs,
            checkpoints=tuple(epochs),
            optimizer=OptimizerSettings(lr=1e-3),
            monitor_size=500,
        )
        t0 = time.perf_counter()
        run_training(ds.train, s, out, log=lambda msg: None)
        print(f"trained M={args.hidden}, {args.epochs} epochs in {time.perf_counter() - t0:.0f} s")
    params = [load_checkpoint(checkpoint_path(out, e)) for e in epochs]
    base = dict(
        n_chains=args.chains,
        n_betas=args.first_betas,
        sample_sweeps=args.sample_sweeps,
        exact_max_units=0,
        seed=1,
    )
    traj = {}
    for k in args.steps:
        s = LoglikSettings(**base, estimator="trajectory", traj_steps=k)
        t0 = time.perf_counter()
        state = trajectory_pass(params, ds.train, s, trajectory_rng(1, "PCD", args.hidden, 0))
        secs = time.perf_counter() - t0
        traj[k] = trajectory_rows(params, epochs, epochs, state, ds.train, ds.test, s)
        print(f"\ntrajectory K={k}: {secs:.0f} s (one thread)")
        print("| epoch | forward log Z | reverse log Z | reverse - forward | test LL (fwd) |")
        print("| --- | --- | --- | --- | --- |")
        for r in traj[k]:
            print(
                f"| {r['epoch']} | {r['log_z_ais']:.3f} ± {r['log_z_ais_se']:.3f} | "
                f"{r['log_z_rais']:.3f} ± {r['log_z_rais_se']:.3f} | "
                f"{r['log_z_rais'] - r['log_z_ais']:+.3f} | {r['test_ll_ais']:.2f} |"
            )
    check = args.check if args.check else [args.epochs // 2, args.epochs]
    s = LoglikSettings(**{**base, "n_betas": args.check_betas})
    print(f"\nstandard AIS / RAIS, {args.check_betas:,} betas, {args.chains} chains:")
    head = " | ".join(f"traj K={k} fwd - AIS, rev - RAIS" for k in args.steps)
    print(f"| epoch | AIS | RAIS | {head} | seconds |")
    print("|" + " --- |" * (4 + len(args.steps)))
    for e in check:
        t0 = time.perf_counter()
        row = estimate_loglik(
            params[e], ds.train, ds.test, s, loglik_rng(1, "PCD", args.hidden, 0, e)
        )
        secs = time.perf_counter() - t0
        diffs = " | ".join(
            f"{traj[k][e]['log_z_ais'] - row['log_z_ais']:+.3f}, "
            f"{traj[k][e]['log_z_rais'] - row['log_z_rais']:+.3f}"
            for k in args.steps
        )
        print(
            f"| {e} | {row['log_z_ais']:.3f} ± {row['log_z_ais_se']:.3f} | "
            f"{row['log_z_rais']:.3f} ± {row['log_z_rais_se']:.3f} | {diffs} | {secs:.0f} |"
        )


if __name__ == "__main__":
    main()
