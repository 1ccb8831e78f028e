"""Benchmark of the block Gibbs sweep (not a test): ``python bench/gibbs.py``.

``--states random`` (default): iid Bernoulli(1/2) visible states and a random model, as
before. ``--states trained``: the persistent chains and parameters of a PCD model trained
on MNIST, read from ``--models/pcd_M{M}.npz`` (written by ``bench/train_states.py``).
``--json`` prints one JSON object per M with ``M``, ``states``, ``density_v``,
``density_h``, ``sweep_ms``, ``sweep_dense_ms`` (the sampler with ``sparse_density=0``),
``gemm_floor_ms`` (the two dense float32 GEMMs at the same shapes), ``ratio`` and the
medians. The sweep, the dense sweep and the floor are timed interleaved (one call of each
per round, ``--rounds`` rounds), so that load from other processes hits all three alike;
minima and medians of wall time, and minima of the process's CPU time
(``cpu_*``; with one thread the work of the call, whatever else runs) are reported.

For B = 500 chains, N = 784 visible and M in {500, 3000} hidden units the table prints
- ms per block-Gibbs sweep of :class:`rbm_reciprocal.sampling.gibbs.GibbsSampler`,
- ms of just the two float32 GEMMs of a sweep at the same shapes (the floor),
- their ratio (target <= 1.25),
- ms per sweep of scikit-learn's ``BernoulliRBM.gibbs``, with float64 parameters (what it
  holds after ``fit`` on float64 data, its default) and with float32 parameters, and our
  speed-up over each (target >= 5x).
Threads: whatever OPENBLAS_NUM_THREADS / NUMBA_NUM_THREADS say (default: all cores).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.gibbs import ANALYSIS_SPARSE_DENSITY, GibbsSampler


def best_ms(fn, repeats: int, inner: int) -> float:
    fn()  # warm-up (JIT, caches)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best * 1e3


def interleaved_ms(fns: dict, rounds: int) -> dict[str, tuple[float, float, float]]:
    """(min, median, min CPU) ms of each callable, one call each per round, round-robin.

    The CPU time is the process's (``time.process_time``): with one thread it is the work of
    the call, whatever else runs on the machine.
    """
    for fn in fns.values():
        fn()  # warm-up (JIT, caches)
    times: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    return {
        k: (min(t) * 1e3, float(np.median(t)) * 1e3, min(cpu[k]) * 1e3) for k, t in times.items()
    }


def bench_states(m: int, states: str, models: Path, rounds: int, sparse_density: float) -> dict:
    """Sweep vs dense sweep vs two-GEMM floor on trained or random states (``--json``)."""
    rng = np.random.default_rng(0)
    if states == "trained":
        d = np.load(models / f"pcd_M{m}.npz")
        params = RBMParams(d["W"], d["a"], d["b"])
        v = np.ascontiguousarray(d["v_chain"], np.float32)
        b = v.shape[0]
    else:
        b, n = 500, 784
        params = RBMParams(rng.normal(0, 0.01, (n, m)), rng.normal(0, 0.1, n), np.zeros(m))
        v = (rng.random((b, n)) < 0.5).astype(np.float32)
    h = np.empty((b, m), np.float32)
    fast = GibbsSampler(params, b, sparse_density)
    fast.sweeps(v, h, 20, rng)  # equilibrate the chains under this exact model
    v2, h2 = v.copy(), h.copy()
    dense = GibbsSampler(params, b, 0.0)
    fh, fv = np.empty_like(h), np.empty_like(v)

    def gemms() -> None:
        np.matmul(v, params.W, out=fh)
        np.matmul(h, params.W.T, out=fv)

    t = interleaved_ms(
        {
            "sweep": lambda: fast.sweeps(v, h, 1, rng),
            "dense": lambda: dense.sweeps(v2, h2, 1, rng),
            "floor": gemms,
        },
        rounds,
    )
    return {
        "M": m,
        "states": states,
        "B": b,
        "density_v": float(v.mean()),
        "density_h": float(h.mean()),
        "sparse_density": sparse_density,
        "paths": dict(fast.paths),
        "sweep_ms": t["sweep"][0],
        "sweep_dense_ms": t["dense"][0],
        "gemm_floor_ms": t["floor"][0],
        "ratio": t["sweep"][0] / t["floor"][0],
        "ratio_dense": t["dense"][0] / t["floor"][0],
        "median_sweep_ms": t["sweep"][1],
        "median_sweep_dense_ms": t["dense"][1],
        "median_gemm_floor_ms": t["floor"][1],
        "cpu_sweep_ms": t["sweep"][2],
        "cpu_sweep_dense_ms": t["dense"][2],
        "cpu_gemm_floor_ms": t["floor"][2],
        "cpu_ratio": t["sweep"][2] / t["floor"][2],
        "rounds": rounds,
        "threads": {
            "blas": os.environ.get("OPENBLAS_NUM_THREADS", "all"),
            "numba": os.environ.get("NUMBA_NUM_THREADS", "all"),
            "affinity": len(os.sched_getaffinity(0)),
        },
    }


def bench_shape(b: int, n: int, m: int, repeats: int, inner: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    params = RBMParams(rng.normal(0, 0.01, (n, m)), rng.normal(0, 0.1, n), np.zeros(m))
    v = (rng.random((b, n)) < 0.5).astype(np.float32)
    h = np.empty((b, m), np.float32)
    sampler = GibbsSampler(params, b)
    sweep = best_ms(lambda: sampler.sweeps(v, h, 1, rng), repeats, inner)

    fh, fv = np.empty((b, m), np.float32), np.empty((b, n), np.float32)

    def gemms() -> None:
        np.matmul(v, params.W, out=fh)
        np.matmul(h, params.W.T, out=fv)

    floor = best_ms(gemms, repeats, inner)
    out = {
        "B": b,
        "N": n,
        "M": m,
        "sweep_ms": sweep,
        "gemm_floor_ms": floor,
        "ratio": sweep / floor,
    }
    try:
        from sklearn.neural_network import BernoulliRBM
    except ImportError:
        out["sklearn64_ms"] = out["sklearn32_ms"] = float("nan")
        return out
    for dtype, key in ((np.float64, "sklearn64_ms"), (np.float32, "sklearn32_ms")):
        sk = BernoulliRBM(n_components=m, random_state=0)
        sk.components_ = np.ascontiguousarray(params.W.T, dtype=dtype)
        sk.intercept_hidden_ = params.b.astype(dtype)
        sk.intercept_visible_ = params.a.astype(dtype)
        sk.random_state_ = np.random.RandomState(0)
        sk.n_features_in_ = n
        vs = v.astype(dtype)
        out[key] = best_ms(lambda: sk.gibbs(vs), max(2, repeats // 2), max(1, inner // 2))  # noqa: B023
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[500, 3000])
    ap.add_argument("--chains", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--inner", type=int, default=10)
    ap.add_argument("--states", choices=["random", "trained", "both"], default=None)
    ap.add_argument("--json", action="store_true", help="interleaved timing, JSON lines")
    ap.add_argument("--models", type=Path, default=Path("results/bench"))
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--sparse-density", type=float, default=ANALYSIS_SPARSE_DENSITY)
    args = ap.parse_args()
    if args.json or args.states is not None:
        kinds = ["trained", "random"] if args.states in (None, "both") else [args.states]
        for kind in kinds:
            for m in args.hidden:
                r = bench_states(m, kind, args.models, args.rounds, args.sparse_density)
                print(json.dumps(r), flush=True)
        return
    threads = (
        os.environ.get("OPENBLAS_NUM_THREADS", "all"),
        os.environ.get("NUMBA_NUM_THREADS", "all"),
    )
    print(f"threads: BLAS {threads[0]}, numba {threads[1]}; best of {args.repeats} x {args.inner}")
    print(
        f"{'B':>5} {'N':>5} {'M':>5} {'sweep ms':>9} {'GEMM floor':>10} {'ratio':>6} "
        f"{'sk f64 ms':>10} {'x':>6} {'sk f32 ms':>10} {'x':>6}"
    )
    for m in args.hidden:
        r = bench_shape(args.chains, 784, m, args.repeats, args.inner)
        print(
            f"{r['B']:>5} {r['N']:>5} {r['M']:>5} {r['sweep_ms']:>9.2f} "
            f"{r['gemm_floor_ms']:>10.2f} {r['ratio']:>6.2f} "
            f"{r['sklearn64_ms']:>10.2f} {r['sklearn64_ms'] / r['sweep_ms']:>5.1f}x "
            f"{r['sklearn32_ms']:>10.2f} {r['sklearn32_ms'] / r['sweep_ms']:>5.1f}x"
        )


if __name__ == "__main__":
    main()
