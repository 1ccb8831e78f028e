"""Train one replica briefly and save its persistent chains (not a test).

``python bench/train_states.py --hidden 500 --epochs 3 --out results/bench/pcd_M500.npz``
trains PCD with the quick preset's settings (PCD-25, batch 500, 500 chains, Adam 1e-3) on
full MNIST (``--mnist``: the folder of the four IDX files) and saves ``W``, ``a``, ``b``,
``v_chain``, ``h_chain``, ``updates`` and ``updates_per_second`` (per epoch). It prints one
line per epoch with updates/s (wall) and updates per CPU-second of the process (with one
thread the latter is the work rate whatever the load of the machine): the "training a
replica" numbers of README's Gibbs-core section. `bench/gibbs.py --states trained` reads
the file.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from rbm_reciprocal.data.dataset import prepare_mnist
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.stages.train import default_train_settings
from rbm_reciprocal.training.trainer import Trainer


def train_states(
    mnist: Path,
    hidden: int,
    epochs: int,
    updates_per_epoch: int | None,
    sparse_density: float | None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train PCD-25 for ``epochs`` epochs; return the chain state and updates/s per epoch."""
    config = load_config([Path(__file__).resolve().parents[1] / "config.yaml"])
    data = prepare_mnist(mnist, config["data"]["binarization"], config["data"]["threshold"]).train
    backend = config["backend"]
    if sparse_density is not None:
        backend = backend | {"sparse_density": sparse_density}
    s = default_train_settings(
        method="PCD",
        hidden=hidden,
        gibbs_steps=25,
        batch_size=500,
        n_chains=500,
        epochs=epochs,
        updates_per_epoch=updates_per_epoch,
        checkpoints=(0, epochs),
        backend=BackendSettings.from_value(backend),
    )
    trainer = Trainer(data, s)
    rates = []
    for e in range(epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        trainer.run_epoch()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        rates.append(trainer.batches_per_epoch / dt)
        print(
            f"M={hidden} epoch {e + 1}/{epochs} updates {trainer.updates} "
            f"{rates[-1]:.2f} updates/s, {trainer.batches_per_epoch / dc:.2f} updates/CPU-s",
            flush=True,
        )
    p = trainer.params
    state = {
        "W": p.W,
        "a": p.a,
        "b": p.b,
        "v_chain": trainer.v_chain,
        "h_chain": trainer.h_chain,
        "updates": np.array(trainer.updates),
        "updates_per_second": np.array(rates),
    }
    return state, rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--mnist",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist",
        help="folder of the four MNIST IDX files (default: ../shared/data/mnist)",
    )
    ap.add_argument("--hidden", type=int, default=500)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--updates-per-epoch", type=int, default=None)
    ap.add_argument(
        "--sparse-density", type=float, default=None, help="backend.sparse_density (0: dense)"
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    state, rates = train_states(
        args.mnist, args.hidden, args.epochs, args.updates_per_epoch, args.sparse_density
    )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.out, **state)
    print(json.dumps({"M": args.hidden, "updates_per_second": rates}))


if __name__ == "__main__":
    main()
