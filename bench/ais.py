"""Benchmark of AIS + reverse AIS (not a test): ``python bench/ais.py [--betas 10000]``.

For B = 500 chains, N = 784 visible and M = 500 hidden units (issue 3) it prints
- the wall time of forward AIS and of reverse AIS with ``--betas`` inverse temperatures
  (one block Gibbs sweep per beta, :mod:`rbm_reciprocal.sampling.ais`),
- the GEMM floor of the same number of sweeps: two float32 GEMMs per sweep
  (``v W`` (B, M) and ``h W^T`` (B, N)), timed on their own (best of ``--repeats`` x 20
  pairs) and multiplied by the number of sweeps,
- their ratio (target <= 2) and the time per step,
- the same ratio measured in interleaved short blocks (``--blocks`` rounds of AIS + RAIS
  with ``--block-betas`` betas, then the GEMM pairs of as many sweeps; best round of each),
  which is robust to other load on a shared machine, where one long run and a short
  best-of floor see different conditions.
Threads: whatever OPENBLAS_NUM_THREADS / NUMBA_NUM_THREADS say (default: all cores).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.ais import ais, reverse_ais
from rbm_reciprocal.sampling.schedules import beta_schedule


def gemm_pair_seconds(params: RBMParams, b: int, repeats: int, inner: int = 20) -> float:
    """Best time of the two float32 GEMMs of one sweep at these shapes."""
    rng = np.random.default_rng(0)
    v = (rng.random((b, params.n_visible)) < 0.5).astype(np.float32)
    h = (rng.random((b, params.n_hidden)) < 0.5).astype(np.float32)
    c = np.empty((b, params.n_hidden), np.float32)
    d = np.empty((b, params.n_visible), np.float32)
    best = float("inf")
    for _ in range(repeats + 1):  # the first round is a warm-up
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(v, params.W, out=c)
            np.matmul(h, params.W.T, out=d)
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def interleaved_ratio(
    params: RBMParams, b: int, betas: int, blocks: int, base: np.ndarray, v0: np.ndarray
) -> tuple[float, float]:
    """Best per-sweep seconds of AIS + RAIS and of the GEMM floor, over interleaved rounds."""
    sched = beta_schedule("uniform", betas)
    sweeps = 2 * (betas - 1)
    rng = np.random.default_rng(0)
    v = (rng.random((b, params.n_visible)) < 0.5).astype(np.float32)
    h = (rng.random((b, params.n_hidden)) < 0.5).astype(np.float32)
    c = np.empty((b, params.n_hidden), np.float32)
    d = np.empty((b, params.n_visible), np.float32)
    best_run = best_floor = float("inf")
    for r in range(blocks):
        t0 = time.perf_counter()
        ais(params, sched, b, np.random.default_rng(r), base)
        reverse_ais(params, sched, v0, np.random.default_rng(r), base)
        best_run = min(best_run, (time.perf_counter() - t0) / sweeps)
        t0 = time.perf_counter()
        for _ in range(sweeps):
            np.matmul(v, params.W, out=c)
            np.matmul(h, params.W.T, out=d)
        best_floor = min(best_floor, (time.perf_counter() - t0) / sweeps)
    return best_run, best_floor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--betas", type=int, default=10_000, help="inverse temperatures per run")
    ap.add_argument("--chains", type=int, default=500)
    ap.add_argument("--hidden", type=int, default=500)
    ap.add_argument("--visible", type=int, default=784)
    ap.add_argument("--repeats", type=int, default=5, help="repeats of the GEMM-floor timing")
    ap.add_argument("--blocks", type=int, default=5, help="rounds of the interleaved timing")
    ap.add_argument("--block-betas", type=int, default=200, help="betas per interleaved round")
    args = ap.parse_args()
    threads = (
        os.environ.get("OPENBLAS_NUM_THREADS", "all"),
        os.environ.get("NUMBA_NUM_THREADS", "all"),
    )
    rng = np.random.default_rng(0)
    n, m, b = args.visible, args.hidden, args.chains
    params = RBMParams(
        rng.normal(0.0, 0.05, (n, m)), rng.normal(-1.0, 1.0, n), rng.normal(-0.5, 0.5, m)
    )
    base = params.a.copy()
    betas = beta_schedule("uniform", args.betas)
    v0 = (rng.random((b, n)) < 0.2).astype(np.float32)

    # compile the kernels outside the timed runs
    ais(params, beta_schedule("uniform", 4), b, np.random.default_rng(1), base)
    reverse_ais(params, beta_schedule("uniform", 4), v0, np.random.default_rng(1), base)

    t0 = time.perf_counter()
    fwd = ais(params, betas, b, np.random.default_rng(1), base)
    t_ais = time.perf_counter() - t0
    t0 = time.perf_counter()
    rev = reverse_ais(params, betas, v0, np.random.default_rng(2), base)
    t_rais = time.perf_counter() - t0

    sweeps = 2 * (args.betas - 1)
    floor = gemm_pair_seconds(params, b, args.repeats) * sweeps
    total = t_ais + t_rais
    print(f"threads: BLAS {threads[0]}, numba {threads[1]}")
    print(f"B={b} chains, N={n}, M={m}, {args.betas} betas (uniform): {sweeps} sweeps in all")
    print(f"AIS  {t_ais:8.2f} s   log Z {fwd.log_z:.3f} +- {fwd.log_z_se:.3f}  ESS {fwd.ess:.0f}")
    print(f"RAIS {t_rais:8.2f} s   log Z {rev.log_z:.3f} +- {rev.log_z_se:.3f}  ESS {rev.ess:.0f}")
    print(f"AIS + RAIS {total:.2f} s; GEMM floor {floor:.2f} s; ratio {total / floor:.2f}")
    print(f"per step: {1e3 * total / sweeps:.3f} ms (floor {1e3 * floor / sweeps:.3f} ms)")
    run_s, floor_s = interleaved_ratio(params, b, args.block_betas, args.blocks, base, v0)
    print(
        f"interleaved ({args.blocks} rounds of {args.block_betas} betas): "
        f"{1e3 * run_s:.3f} ms per step, floor {1e3 * floor_s:.3f} ms, ratio {run_s / floor_s:.2f}"
    )


if __name__ == "__main__":
    main()
