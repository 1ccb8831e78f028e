"""Benchmark of trajectory AIS against standard AIS / reverse AIS (not a test; issue 14).

``python bench/loglik.py [--hidden 200 --epochs 12 --steps 100 500 --check-betas 100000]``
``python bench/loglik.py --checkpoints results/train/PCD/M500/replica0 --steps 500 1000
--resample 0 0.5 --check 30 --check-cache ref.json``

1. Trains one RBM on the full binarized MNIST (``--mnist``, default ``../shared/data/mnist``)
   with the workflow's trainer (PCD-``--gibbs``, batch 500, Adam 1e-3), a checkpoint every
   epoch, into ``--out`` (reused when it already holds the checkpoints); or takes every
   ``epoch_*.npz`` of an existing run folder ``--checkpoints`` (e.g. a workflow replica).
2. Runs trajectory AIS along every checkpoint at each ``--steps`` K and each ``--resample``
   ESS threshold (0 = plain AIS; else ``--groups`` independent groups, resampled when their
   ESS falls below the threshold; the forward pass only, or both with
   ``--resample-reverse``), with ``--chains`` chains and ``--first-betas`` betas from
   the base to the first checkpoint.
3. Runs standard AIS + reverse AIS (``--check-betas`` uniform betas, the same chains) at the
   ``--check`` epochs (default: the middle and the last); with ``--check-cache FILE`` the
   rows are read from (or written to) that JSON file, so the expensive reference runs once
   (``--steps`` with no value runs only the reference). ``--reference-rows`` adds standard
   rows of a workflow run (parquet files, e.g. the quick preset's 10,000-beta AIS/RAIS) as a
   second reference.

``--speed`` only times one trajectory interval of ``--chains`` chains at N = 784,
M = ``--hidden`` against its GEMM floor (three float32 GEMMs per step, timed alone), as
``bench/ais.py`` does for temperature AIS, interleaved over ``--rounds`` rounds (best of
each), and exits.

Prints, per epoch, the forward and reverse trajectory estimates of log Z (with their standard
errors, ESS and the forward-reverse gap), the resampling events, the standard estimates at the
crosscheck epochs and the differences, and the CPU time of each estimator (run it with one
thread: ``OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.loglik import estimate_loglik
from rbm_reciprocal.analysis.loglik_pt import pt_pass, pt_rows
from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.analysis.loglik_trajectory import trajectory_pass, trajectory_rows
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.core.streams import loglik_rng, trajectory_rng
from rbm_reciprocal.data.dataset import Dataset, prepare_mnist
from rbm_reciprocal.pipeline.config import load_config, validate_config
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.sampling.ladder import TrajectoryLadder, ladder_fields, ladder_sweep
from rbm_reciprocal.sampling.trajectory import TrajectoryAnnealer
from rbm_reciprocal.stages.loglik import estimator_settings
from rbm_reciprocal.stages.train import default_train_settings, run_training

#: The schema's backend (the paper config's): the CPU sampler of a workflow job.
BACKEND = BackendSettings.from_value(
    load_config([Path(__file__).resolve().parents[1] / "config.yaml"])["backend"]
)


def loglik_settings(**kw: Any) -> LoglikSettings:
    """The settings of a standard job from the schema's defaults, with plain trajectory AIS
    (no resampling) when ``estimator`` is ``trajectory``, and the fields ``kw``."""
    defaults = estimator_settings(validate_config({}), "standard")
    return dataclasses.replace(defaults, **{"traj_resample_ess": 0.0, "traj_sampler": "ais", **kw})


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


def ladder_speed(chains: int, hidden: int, rungs: int, rounds: int) -> None:
    """Best seconds per rung-sweep of a PTT ladder (two intervals of ``rungs`` rungs) and
    of its three float32 GEMMs, timed alone."""
    rng = np.random.default_rng(0)
    ps = [
        RBMParams(
            rng.normal(0, 0.05, (784, hidden)).astype(np.float32),
            rng.normal(0, 0.1, 784).astype(np.float32),
            rng.normal(0, 0.1, hidden).astype(np.float32),
        )
        for _ in range(3)
    ]
    ladder = TrajectoryLadder(ps, rungs)
    v = (rng.random((ladder.n_rungs, chains, 784)) < 0.5).astype(np.float32)
    field = ladder_fields(ladder, v)
    h = (rng.random((chains, hidden)) < 0.5).astype(np.float32)
    best_sweep = best_gemm = float("inf")
    for r in range(rounds):
        t0 = time.perf_counter()
        for i in range(10):
            ladder_sweep(ladder, v, field, i % 2, rng)
        best_sweep = min(best_sweep, (time.perf_counter() - t0) / (10 * ladder.n_rungs))
        t0 = time.perf_counter()
        for _ in range(100):
            _ = v[0] @ ps[0].W, v[1] @ ps[1].W, h @ ps[0].W.T
        best_gemm = min(best_gemm, (time.perf_counter() - t0) / 100)
        del r
    print(
        f"PTT ladder, {chains} chains x M={hidden}: {1e3 * best_sweep:.3f} ms per rung-sweep, "
        f"3 GEMMs {1e3 * best_gemm:.3f} ms, ratio {best_sweep / best_gemm:.2f}"
    )


def _params(args: argparse.Namespace, train: np.ndarray) -> tuple[list[int], list[RBMParams]]:
    """The path: every checkpoint of ``--checkpoints``, or of a model trained here."""
    if args.checkpoints:
        run = Path(args.checkpoints)
        found = (re.fullmatch(r"epoch_(\d+)\.npz", f.name) for f in run.iterdir())
        epochs = sorted(int(m.group(1)) for m in found if m)
        return epochs, [load_checkpoint(checkpoint_path(run, e)) for e in epochs]
    out = Path(args.out)
    epochs = list(range(args.epochs + 1))
    if not checkpoint_path(out, args.epochs).exists():
        s = default_train_settings(
            method="PCD",
            hidden=args.hidden,
            gibbs_steps=args.gibbs,
            batch_size=500,
            n_chains=500,
            epochs=args.epochs,
            checkpoints=tuple(epochs),
            optimizer={"lr": 1e-3},
            monitor_size=500,
            backend=BACKEND,
        )
        t0 = time.perf_counter()
        run_training(train, s, out, log=lambda msg: None)
        print(f"trained M={args.hidden}, {args.epochs} epochs in {time.perf_counter() - t0:.0f} s")
    return epochs, [load_checkpoint(checkpoint_path(out, e)) for e in epochs]


def _standard(
    args: argparse.Namespace,
    params: list[RBMParams],
    epochs: list[int],
    ds: Dataset,
    base: dict[str, Any],
) -> dict[int, dict[str, Any]]:
    """Standard AIS + reverse AIS rows at the ``--check`` epochs (cached in ``--check-cache``)."""
    check = args.check if args.check else [epochs[len(epochs) // 2], epochs[-1]]
    cache = Path(args.check_cache) if args.check_cache else None
    rows = {}
    if cache is not None and cache.exists():
        rows = {int(k): v for k, v in json.loads(cache.read_text()).items()}
    s = loglik_settings(**{**base, "n_betas": args.check_betas})
    hidden = params[0].n_hidden
    for e in check:
        if e in rows and rows[e]["n_betas"] == args.check_betas:
            continue
        t0 = time.process_time()
        row = estimate_loglik(
            params[epochs.index(e)], ds.train, ds.test, s, loglik_rng(1, "PCD", hidden, 0, e)
        )
        rows[e] = {k: v for k, v in row.items() if isinstance(v, int | float | str)}
        rows[e]["cpu_seconds"] = time.process_time() - t0
        if cache is not None:
            cache.write_text(json.dumps(rows, indent=1))
    return {e: rows[e] for e in check}


def _print_pass(k: int, ess: float, secs: float, events: int, rows: list[dict[str, Any]]) -> None:
    label = f"resampling at ESS < {ess:g}" if ess > 0 else "no resampling"
    print(f"\ntrajectory K={k}, {label}: {secs:.0f} CPU s, {events} group resamplings")
    print("| epoch | forward log Z | reverse log Z | reverse - forward | ESS fwd / rev |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['epoch']} | {r['log_z_ais']:.3f} ± {r['log_z_ais_se']:.3f} | "
            f"{r['log_z_rais']:.3f} ± {r['log_z_rais_se']:.3f} | "
            f"{r['log_z_rais'] - r['log_z_ais']:+.3f} | {r['ess_ais']:.0f} / {r['ess_rais']:.0f} |"
        )


def _print_ladder(rungs: str, chains: int, sweeps: int, secs: float, rows: list) -> None:
    print(
        f"\nPTT ladder, {rungs} rungs per interval x {chains} chains, {sweeps} sweeps: "
        f"{secs:.0f} CPU s"
    )
    print(
        "| epoch | BAR log Z | forward | reverse | reverse - forward | min acceptance | "
        "rungs before |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['epoch']} | {r['log_z_bar']:.3f} ± {r['log_z_bar_se']:.3f} | "
            f"{r['log_z_ais']:.3f} | {r['log_z_rais']:.3f} | "
            f"{r['log_z_rais'] - r['log_z_ais']:+.3f} | {r['pt_min_acceptance']:.2f} | "
            f"{r['pt_rungs']} |"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist", default="../shared/data/mnist")
    p.add_argument("--out", default="bench_loglik_model")
    p.add_argument("--checkpoints", help="an existing run folder (epoch_*.npz) instead")
    p.add_argument("--hidden", type=int, default=200)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--gibbs", type=int, default=10)
    p.add_argument("--chains", type=int, default=100)
    p.add_argument("--steps", type=int, nargs="*", default=[100, 500])
    p.add_argument("--resample", type=float, nargs="+", default=[0.0])
    p.add_argument("--groups", type=int, default=10)
    p.add_argument("--resample-reverse", action="store_true", help="resample the reverse too")
    p.add_argument("--first-betas", type=int, default=10_000)
    p.add_argument("--check-betas", type=int, default=100_000)
    p.add_argument("--check", type=int, nargs="*")
    p.add_argument("--check-cache", help="JSON file of the standard rows (read, or written)")
    p.add_argument("--reference-rows", nargs="*", default=[], help="standard rows (parquet)")
    p.add_argument("--sample-sweeps", type=int, default=500)
    p.add_argument("--speed", action="store_true", help="only time the trajectory step")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seed", type=int, default=1, help="seed of the trajectory passes")
    p.add_argument("--pt-segment", type=int, default=0, help="PTT ladder segment (intervals)")
    p.add_argument(
        "--pt",
        type=int,
        nargs=5,
        action="append",
        default=[],
        metavar=("RUNGS", "CHAINS", "SWEEPS", "BURN", "THIN"),
        help="also run the PTT ladder with these settings (repeatable)",
    )
    p.add_argument(
        "--pt-adapt",
        nargs=3,
        metavar=("ROUNDS", "SWEEPS", "ACCEPTANCE"),
        help="adapt the PTT ladder's rungs per interval (pilot rounds from RUNGS)",
    )
    args = p.parse_args()
    adapt = {}
    if args.pt_adapt:
        rounds, sweeps, acceptance = args.pt_adapt
        adapt = dict(
            pt_adapt_rounds=int(rounds),
            pt_adapt_sweeps=int(sweeps),
            pt_adapt_acceptance=float(acceptance),
        )
    if args.speed:
        for k in args.steps:
            speed(args.chains, args.hidden, k, args.rounds)
        for rungs, chains, *_ in args.pt:
            ladder_speed(chains, args.hidden, rungs, args.rounds)
        return

    d = validate_config({})["data"]  # the schema's (the paper's) binarization
    ds = prepare_mnist(args.mnist, d["binarization"], d["threshold"])
    epochs, params = _params(args, ds.train)
    hidden = params[0].n_hidden
    base = dict(
        n_chains=args.chains,
        n_betas=args.first_betas,
        sample_sweeps=args.sample_sweeps,
        exact_max_units=0,
        seed=1,
        backend=BACKEND,
    )
    traj = {}
    for k in args.steps:
        for ess in args.resample:
            s = loglik_settings(
                **base,
                estimator="trajectory",
                traj_steps=k,
                traj_resample_ess=ess,
                traj_groups=args.groups,
                traj_resample_reverse=args.resample_reverse,
            )
            t0 = time.process_time()
            state = trajectory_pass(params, ds.train, s, trajectory_rng(1, "PCD", hidden, 0))
            secs = time.process_time() - t0
            rows = trajectory_rows(params, epochs, epochs, state, ds.train, ds.test, s)
            traj[k, ess] = {r["epoch"]: r for r in rows}
            _print_pass(k, ess, secs, int(state["events"].sum()), rows)
    for rungs, chains, sweeps, burn, thin in args.pt:
        s = loglik_settings(
            **base,
            estimator="trajectory",
            traj_sampler="pt",
            pt_rungs=rungs,
            pt_chains=chains,
            pt_sweeps=sweeps,
            pt_burn=burn,
            pt_thin=thin,
            pt_segment=args.pt_segment,
            **adapt,
        )
        t0 = time.process_time()
        state = pt_pass(params, ds.train, s, trajectory_rng(args.seed, "PCD", hidden, 0), log=print)
        secs = time.process_time() - t0
        rows = pt_rows(params, epochs, epochs, state, ds.train, ds.test, s)
        key = f"PT r={rungs} C={chains} S={sweeps} seg={args.pt_segment}" + (
            f" adapt={args.pt_adapt[2]} ({int(state['rung_counts'].sum())} rungs)" if adapt else ""
        )
        traj[key] = {r["epoch"]: r for r in rows}
        counts = state["rung_counts"]
        how = f"{rungs}" if not adapt else f"adapted from {rungs} to {int(counts.sum())} ({counts})"
        _print_ladder(how, chains, sweeps, secs, rows)
    refs = {}
    if args.check_betas:
        refs[f"standard {args.check_betas:,} betas"] = _standard(args, params, epochs, ds, base)
    for path in args.reference_rows:
        for _, r in pd.read_parquet(path).iterrows():
            refs.setdefault(f"workflow {int(r['n_betas']):,} betas", {})[int(r["epoch"])] = r
    for name, rows in refs.items():
        print(f"\n{name}: trajectory forward - AIS, reverse - RAIS (nats)")
        head = " | ".join(
            key if isinstance(key, str) else f"K={key[0]}, ESS<{key[1]:g}" for key in traj
        )
        print(f"| epoch | AIS | RAIS | CPU s | {head} |")
        print("|" + " --- |" * (4 + len(traj)))
        for e, row in sorted(rows.items()):
            diffs = " | ".join(
                f"{t[e]['log_z_ais'] - row['log_z_ais']:+.3f}, "
                f"{t[e]['log_z_rais'] - row['log_z_rais']:+.3f}"
                + (
                    f" (BAR {t[e]['log_z_bar'] - row['log_z_ais']:+.3f})"
                    if "log_z_bar" in t[e]
                    else ""
                )
                if e in t
                else "-"
                for t in traj.values()
            )
            secs = row.get("cpu_seconds", row["wall_seconds"])
            print(
                f"| {e} | {row['log_z_ais']:.3f} ± {row['log_z_ais_se']:.3f} | "
                f"{row['log_z_rais']:.3f} ± {row['log_z_rais_se']:.3f} | {secs:.0f} | {diffs} |"
            )


if __name__ == "__main__":
    main()
