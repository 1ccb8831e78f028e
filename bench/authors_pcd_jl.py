"""The literal reading of the authors' ``pcd.jl``: how far do 100 updates get? (not a test)

``OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python bench/authors_pcd_jl.py --json
docs/measurements/authors_pcd_jl.json``

``pcd.jl`` (jquetzalcoatl/RBM, commit 146a362) computes
``iter_per_epoch = Int((floor(59500/500) + 1)/120) = 1``; run with ``-e 100``, as its comments
show, it makes 100 parameter updates in all. This script trains that model with the
package's trainer, with the settings the workflow would give the job under
``--configfile config.yaml workflow/presets/authors-pcd-jl.yaml`` (M = 500, PCD-500, batch and
chains 500, Adam 1e-3, one update per "epoch", 100 of them; the full binarized MNIST from
``--mnist``), and records the largest singular values of W after every update. The paper's
Fig. 3f has bins up to 41 and reports a gap near 33-35; the default of ``config.yaml``
(an epoch of 119 updates, 11,900 updates) is the reading consistent with it
(docs/fidelity.md).

Writes ``--json`` (stamped with date, machine and command; ``bench/_stamp.py``):
``settings`` (the TrainSettings used), ``final_top`` (the ``--top`` largest singular values
after the last update, per replica), ``trajectory`` (per replica and update: the top 5),
``seconds`` per replica.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from _stamp import stamp

from rbm_reciprocal.data.dataset import prepare_mnist
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.pipeline.settings import train_settings_from_config
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]


def top_singular_values(W: np.ndarray, k: int) -> list[float]:
    """The ``k`` largest singular values of ``W`` (float64 SVD), largest first."""
    s = np.linalg.svd(np.asarray(W, np.float64), compute_uv=False)
    return [round(float(x), 4) for x in s[:k]]


def train(data: np.ndarray, settings: TrainSettings, top: int, log) -> dict:
    """Train one replica for ``settings.epochs`` epochs; top singular values after each."""
    trainer = Trainer(data, settings)
    rows = [{"epoch": 0, "updates": 0, "top": top_singular_values(trainer.params.W, 5)}]
    t0 = time.perf_counter()
    for e in range(1, settings.epochs + 1):
        trainer.run_epoch()
        top5 = top_singular_values(trainer.params.W, 5)
        rows.append({"epoch": e, "updates": trainer.updates, "top": top5})
        if e % 10 == 0 or e == settings.epochs:
            log(f"replica {settings.replica} epoch {e}: updates {trainer.updates}, "
                f"top {rows[-1]['top'][:3]}, {time.perf_counter() - t0:.0f} s")  # fmt: skip
    return {
        "replica": settings.replica,
        "updates": trainer.updates,
        "seconds": round(time.perf_counter() - t0, 1),
        "final_top": top_singular_values(trainer.params.W, top),
        "trajectory": rows,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--mnist",
        type=Path,
        default=Path("../shared/data/mnist"),
        help="folder of the four MNIST IDX files (default: ../shared/data/mnist)",
    )
    ap.add_argument(
        "--configfile",
        nargs="+",
        default=["config.yaml", "workflow/presets/authors-pcd-jl.yaml"],
        help="merged in order (relative paths: from here, else from the repository root)",
    )
    ap.add_argument("--replicas", type=int, default=1, help="replicas 0..R-1 (the preset has 5)")
    ap.add_argument("--top", type=int, default=10, help="singular values kept at the end")
    ap.add_argument("--json", type=Path, help="stamped JSON output")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    config = load_config([p if Path(p).exists() else ROOT / p for p in args.configfile])
    d = config["data"]
    data = prepare_mnist(
        args.mnist, d["binarization"], d["threshold"], d["n_train"], d["n_test"], d["digits"],
        seed=config["seed"],
    ).train  # fmt: skip
    (hidden,) = config["model"]["hidden"]
    results, settings = [], None
    for r in range(args.replicas):
        settings = TrainSettings.from_dict(train_settings_from_config(config, "PCD", hidden, r))
        results.append(train(data, settings, args.top, log))
        log(f"replica {r}: largest singular values {results[-1]['final_top'][:3]}")
    out = {
        "stamp": stamp(argv, "bench/authors_pcd_jl.py"),
        "configfile": args.configfile,
        "settings": settings.to_dict() if settings else None,
        "n_train_images": int(data.shape[0]),
        "replicas": results,
    }
    print(json.dumps({r["replica"]: r["final_top"] for r in results}))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
