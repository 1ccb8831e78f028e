"""Benchmark of trajectory AIS against standard AIS / reverse AIS (not a test; issue 14).

``python bench/loglik.py [--hidden 200 --epochs 12 --steps 100 500 --check-betas 100000]``

1. Trains one RBM on the full binarized MNIST (``--mnist``, default ``../shared/data/mnist``)
   with the workflow's trainer (PCD-``--gibbs``, batch 500, Adam 1e-3), a checkpoint every
   epoch, into ``--out`` (reused when it already holds the checkpoints).
2. Runs trajectory AIS along every checkpoint (epochs 0..E) at each ``--steps`` K, with
   ``--chains`` chains and ``--first-betas`` betas from the base to the init.
3. Runs standard AIS + reverse AIS (``--check-betas`` uniform betas, the same chains) at the
   ``--check`` epochs (default: the middle and the last).

``--speed`` only times one trajectory interval of ``--chains`` chains at N = 784,
M = ``--hidden`` against its GEMM floor (three float32 GEMMs per step, timed alone), as
``bench/ais.py`` does for temperature AIS, interleaved over ``--rounds`` rounds (best of
each), and exits.

Prints, per epoch, the forward and reverse trajectory estimates of log Z (with their standard
errors and the forward-reverse gap), the standard estimates at the crosscheck epochs and
the differences, and the wall time of each estimator (one thread).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from rbm_reciprocal.analysis.loglik import estimate_loglik
from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.analysis.loglik_trajectory import trajectory_pass, trajectory_rows
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.core.streams import loglik_rng, trajectory_rng
from rbm_reciprocal.data.dataset import prepare_mnist
from rbm_reciprocal.sampling.trajectory import TrajectoryAnnealer
from rbm_reciprocal.stages.train import run_training
from rbm_reciprocal.training.settings import OptimizerSettings, TrainSettings


def speed(chains: int, hidden: int, steps: int, rounds: int) -> None:
    """Best seconds per step of a trajectory interval and of its three GEMMs."""
    rng = np.random.default_rng(0)
    p0, p1 = (
        RBMParams(
            rng.normal(0, 0.05, (784, hidden)).astype(np.float32),
            rng.normal(0, 0.1, 784).astype(np.float32),
            rng.normal(0, 0.1, hidden).astype(np.float32),
        )
        for _ in range(2)
    )
    v = (rng.random((chains, 784)) < 0.5).astype(np.float32)
    logw = np.zeros(chains)
    h = (rng.random((chains, hidden)) < 0.5).astype(np.float32)
    w01 = np.concatenate([p0.W, p1.W], axis=1)
    c01 = np.empty((chains, 2 * hidden), np.float32)
    d = np.empty((chains, 784), np.float32)
    run = TrajectoryAnnealer(chains, 784, hidden)
    run.interval(p0, p1, 2, v, logw, rng)  # compile
    best_step = best_gemm = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        run.interval(p0, p1, steps, v, logw, rng)
        best_step = min(best_step, (time.perf_counter() - t0) / steps)
        t0 = time.perf_counter()
        for _ in range(steps):
            np.matmul(v, w01, out=c01)
            np.matmul(h, p0.W.T, out=d)
        best_gemm = min(best_gemm, (time.perf_counter() - t0) / steps)
    print(
        f"{chains} chains, M = {hidden}: {best_step * 1e3:.2f} ms per trajectory step, "
        f"GEMM floor {best_gemm * 1e3:.2f} ms, ratio {best_step / best_gemm:.2f}"
    )


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
    p.add_argument("--speed", action="store_true", help="only time the trajectory step")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    if args.speed:
        for k in args.steps:
            speed(args.chains, args.hidden, k, args.rounds)
        return

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
    if args.check_betas == 0:  # trajectory only
        return
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
