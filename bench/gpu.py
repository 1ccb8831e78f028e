"""Benchmark of the torch backend (not a test): ``python bench/gpu.py [--device cuda]``.

Needs PyTorch (``pip install -e .[gpu]``). For B = 500 chains, N = 784 visible and M in
{500, 3000} hidden units it prints, on one torch device:

- ms per block-Gibbs sweep of :class:`rbm_reciprocal.sampling.torch_gibbs.TorchGibbsSampler`,
- ms of just the two float32 matrix products of a sweep (the floor on that device),
- their ratio,
- ms per AIS step (one beta: weight update + sweep) at the config's ``loglik.n_chains``,
- with ``--replicas R`` (default 5, the paper's): sweeps/s per replica of ``R`` replicas run
  one after another (one :class:`TorchGibbsSampler` each) and batched in one
  :class:`~rbm_reciprocal.sampling.torch_gibbs.TorchReplicaGibbsSampler` (``baddbmm``), and
  the gain of batching (> 1: training the replicas of one M in one job pays on this device),
  also with one random stream per replica (``sweeps_each``, what training uses),
- PCD-``--train-k`` training updates/s per replica, ``R`` :class:`TorchTrainer` in turn vs one
  :class:`~rbm_reciprocal.training.torch_replicas.TorchReplicaTrainer`: the jobs of
  ``training.batch_replicas`` false and true,

then the projected wall time of a config (default ``config.yaml``, the paper) with every
job run one after another on this one device: the sweep counts come from
:mod:`rbm_reciprocal.pipeline.cost` (training: ``updates x K`` sweeps per job; log-likelihood:
``2 (n_betas - 1)`` AIS steps + ``sample_sweeps`` sweeps per job), times the measured ms at
each job's (chains, M). Element-wise work, the training update's statistics and I/O are
included only through the per-sweep time, so this is a lower bound of a few percent.
The label of every number says which device made it: CPU-torch numbers are not GPU numbers.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.pipeline.cost import training_costs
from rbm_reciprocal.pipeline.cost_loglik import loglik_costs
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.sampling.torch_ais import _TorchAnnealer
from rbm_reciprocal.sampling.torch_gibbs import TorchGibbsSampler, TorchReplicaGibbsSampler
from rbm_reciprocal.stages.train import default_train_settings
from rbm_reciprocal.training.torch_replicas import TorchReplicaTrainer
from rbm_reciprocal.training.torch_trainer import TorchTrainer

ROOT = Path(__file__).resolve().parents[1]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def best_ms(fn: Callable[[], None], device: torch.device, repeats: int, inner: int) -> float:
    """Best over ``repeats`` of the mean ms of ``inner`` calls (after one warm-up call)."""
    fn()
    _sync(device)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        _sync(device)
        best = min(best, (time.perf_counter() - t0) / inner)
    return best * 1e3


def _params(n: int, m: int) -> RBMParams:
    rng = np.random.default_rng(0)
    return RBMParams(rng.normal(0, 0.01, (n, m)), rng.normal(0, 0.1, n), np.zeros(m))


def bench_sweep(
    b: int, n: int, m: int, device: torch.device, repeats: int, inner: int
) -> dict[str, float]:
    """ms per sweep and per two-GEMM floor of ``b`` chains at (N, M) = (n, m)."""
    rng = np.random.default_rng(0)
    smp = TorchGibbsSampler.from_params(_params(n, m), b, device)
    v = (torch.rand((b, n), device=device) < 0.5).float()
    h = torch.empty((b, m), device=device)
    sweep = best_ms(lambda: smp.sweeps(v, h, inner, rng), device, repeats, 1) / inner
    fh, fv = torch.empty((b, m), device=device), torch.empty((b, n), device=device)

    def gemms() -> None:
        torch.matmul(v, smp.W, out=fh)
        torch.matmul(h, smp.W.T, out=fv)

    floor = best_ms(gemms, device, repeats, inner)
    return {"B": b, "N": n, "M": m, "sweep_ms": sweep, "floor_ms": floor, "ratio": sweep / floor}


def bench_replicas(
    r: int, b: int, n: int, m: int, device: torch.device, repeats: int, inner: int
) -> dict[str, float]:
    """Sweeps/s per replica of ``r`` replicas: one sampler each in turn vs one batched."""
    rng = np.random.default_rng(0)
    reps = [_params(n, m) for _ in range(r)]
    single = [TorchGibbsSampler.from_params(p, b, device) for p in reps]
    vs = [(torch.rand((b, n), device=device) < 0.5).float() for _ in range(r)]
    hs = [torch.empty((b, m), device=device) for _ in range(r)]

    def one_by_one() -> None:
        for smp, v, h in zip(single, vs, hs, strict=True):
            smp.sweeps(v, h, inner, rng)

    batched = TorchReplicaGibbsSampler.from_params(reps, b, device)
    vb = (torch.rand((r, b, n), device=device) < 0.5).float()
    hb = torch.empty((r, b, m), device=device)
    rngs = [np.random.default_rng(i) for i in range(r)]
    t_one = best_ms(one_by_one, device, repeats, 1) / inner
    t_batch = best_ms(lambda: batched.sweeps(vb, hb, inner, rng), device, repeats, 1) / inner
    t_each = best_ms(lambda: batched.sweeps_each(vb, hb, inner, rngs), device, repeats, 1) / inner
    return {
        "R": r,
        "M": m,
        "per_replica_sweeps_s": 1e3 / t_one,  # each replica advances one sweep per t_one
        "batched_sweeps_s": 1e3 / t_batch,
        "batched_own_streams_sweeps_s": 1e3 / t_each,  # what training uses
        "gain": t_one / t_batch,
        "gain_own_streams": t_one / t_each,
    }


def bench_train_updates(
    r: int, b: int, n: int, m: int, k: int, device: torch.device, repeats: int, inner: int
) -> dict[str, float]:
    """PCD-``k`` parameter updates/s per replica of ``r`` replicas (``b`` chains, batch ``b``):
    one :class:`TorchTrainer` each in turn vs one :class:`TorchReplicaTrainer` (the jobs of
    ``training.batch_replicas`` false and true)."""
    data = (np.random.default_rng(0).random((2 * b, n)) < 0.13).astype(np.float32)
    settings = [
        default_train_settings(
            method="PCD",
            hidden=m,
            replica=i,
            gibbs_steps=k,
            batch_size=b,
            n_chains=b,
            epochs=1,
            checkpoints=(0, 1),
            monitor_size=b,
            backend=BackendSettings(
                name="torch", device=str(device), dtype="float32", sparse_density=0.0
            ),
        )
        for i in range(r)
    ]
    single = [TorchTrainer(data, s) for s in settings]
    group = TorchReplicaTrainer(data, settings)
    batches = [data[:b]] * r

    def one_by_one() -> None:
        for t in single:
            t.update(data[:b])

    t_one = best_ms(one_by_one, device, repeats, inner)
    t_batch = best_ms(lambda: group.update(batches), device, repeats, inner)
    return {
        "per_replica_updates_s": 1e3 / t_one,
        "batched_updates_s": 1e3 / t_batch,
        "gain": t_one / t_batch,
    }


def bench_ais_step(c: int, n: int, m: int, device: torch.device, repeats: int, inner: int) -> float:
    """ms per interior AIS step (weight update + Gibbs sweep) of ``c`` chains."""
    params = _params(n, m)
    run = _TorchAnnealer(params, params.a, c, device)
    run.gen.manual_seed(0)
    betas = np.linspace(0.1, 0.9, inner + 1).astype(np.float32)

    def steps() -> None:
        for k in range(1, inner + 1):
            run.step(betas[k], betas[k - 1], sample_visible=True)

    with torch.no_grad():
        return best_ms(steps, device, repeats, 1) / inner


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:,.1f} h"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--hidden", type=int, nargs="+", default=[500, 3000])
    ap.add_argument("--chains", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--inner", type=int, default=10)
    ap.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (device cpu; default 1)"
    )
    ap.add_argument("--replicas", type=int, default=5, help="replicas batched (0: skip)")
    ap.add_argument("--train-k", type=int, default=10, help="K of the timed PCD updates")
    ap.add_argument("--no-projection", action="store_true", help="skip the config projection")
    ap.add_argument("--configfile", nargs="+", default=[str(ROOT / "config.yaml")])
    args = ap.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)  # OpenMP threads thrash on a loaded shared machine
    label = (
        f"GPU-torch ({torch.cuda.get_device_name(device)})"
        if device.type == "cuda"
        else f"CPU-torch ({torch.get_num_threads()} threads; NOT a GPU number)"
    )
    print(f"device: {label}; torch {torch.__version__}; best of {args.repeats} x {args.inner}")
    print(f"{'B':>5} {'N':>5} {'M':>5} {'sweep ms':>9} {'GEMM floor':>10} {'ratio':>6}")
    for m in args.hidden:
        r = bench_sweep(args.chains, 784, m, device, args.repeats, args.inner)
        print(
            f"{r['B']:>5} {r['N']:>5} {r['M']:>5} {r['sweep_ms']:>9.2f} "
            f"{r['floor_ms']:>10.2f} {r['ratio']:>6.2f}"
        )

    if args.replicas > 0:
        print(f"\nreplicas of one M, sweeps/s per replica ({args.replicas} replicas, {label}):")
        print(
            f"{'M':>5} {'one job each':>13} {'batched':>9} {'gain':>6} "
            f"{'batched, own streams':>21} {'gain':>6}"
        )
        for m in args.hidden:
            r = bench_replicas(args.replicas, args.chains, 784, m, device, args.repeats, args.inner)
            print(
                f"{m:>5} {r['per_replica_sweeps_s']:>13.1f} {r['batched_sweeps_s']:>9.1f} "
                f"{r['gain']:>6.2f} {r['batched_own_streams_sweeps_s']:>21.1f} "
                f"{r['gain_own_streams']:>6.2f}"
            )
        k = args.train_k
        print(
            f"\ntraining, PCD-{k} updates/s per replica ({args.replicas} replicas, {label}; "
            "training.batch_replicas false | true):"
        )
        print(f"{'M':>5} {'one job each':>13} {'batched':>9} {'gain':>6}")
        for m in args.hidden:
            u = bench_train_updates(
                args.replicas, args.chains, 784, m, k, device, args.repeats, max(1, args.inner // 5)
            )
            print(
                f"{m:>5} {u['per_replica_updates_s']:>13.2f} {u['batched_updates_s']:>9.2f} "
                f"{u['gain']:>6.2f}"
            )
    if args.no_projection:
        return

    config = load_config(args.configfile)
    sweep_ms: dict[tuple[int, int], float] = {}
    ais_ms: dict[tuple[int, int], float] = {}
    total = {"training": 0.0, "loglik": 0.0}
    print(f"\nprojection for {', '.join(args.configfile)} on one {label}:")
    for c in training_costs(config):
        key = (c.rows, c.hidden)
        if key not in sweep_ms:
            sweep_ms[key] = bench_sweep(c.rows, 784, c.hidden, device, 3, args.inner)["sweep_ms"]
        sec = c.jobs * c.sweeps * sweep_ms[key] / 1e3
        total["training"] += sec
        print(f"  train   {c.label:<18} {c.jobs:>3} jobs x {c.sweeps:>11,} sweeps  {_hours(sec)}")
    for c in loglik_costs(config):
        key = (c.rows, c.hidden)
        if key not in ais_ms:
            ais_ms[key] = bench_ais_step(c.rows, 784, c.hidden, device, 3, args.inner)
            sweep_ms[key] = bench_sweep(c.rows, 784, c.hidden, device, 3, args.inner)["sweep_ms"]
        n_betas = int(c.extra["betas"])
        ais_steps = 2 * (n_betas - 1)
        sample_sweeps = c.sweeps - ais_steps
        sec = c.jobs * (ais_steps * ais_ms[key] + sample_sweeps * sweep_ms[key]) / 1e3
        total["loglik"] += sec
        print(
            f"  loglik  {c.label:<18} {c.jobs:>3} jobs x {ais_steps:>11,} AIS steps  {_hours(sec)}"
            f"  ({ais_ms[key]:.2f} ms/step at {c.rows} chains)"
        )
    print(
        f"  total: training {_hours(total['training'])}, log-likelihood "
        f"{_hours(total['loglik'])}, together {_hours(sum(total.values()))} on one device"
    )


if __name__ == "__main__":
    main()
