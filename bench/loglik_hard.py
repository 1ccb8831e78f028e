"""The log-likelihood estimators on models where they fail (issue 23; not a test).

``python bench/loglik_hard.py --preset smoke --out docs/measurements/loglik_hard_smoke.json``

Trains the 784 x 12 RBM of the tests (the MNIST sample in ``tests/data``, PCD-5, lr 0.01,
5 epochs, a checkpoint each), builds the hard trajectories of
:mod:`rbm_reciprocal.sampling.hard_models` (weights x 4 and x 8, a planted mode, two modes),
and runs on each, with the preset's settings as the workflow builds them and the exact value
hidden: the PTT ladder along the trajectory, and standard AIS + reverse AIS (``--betas``
betas, 100 chains) at its last checkpoint. Every row is compared with the enumerated
``log Z`` and assessed by :mod:`rbm_reciprocal.analysis.loglik_reliability`. Writes the rows
(estimate, error, s.e., bound, flags) with the date, the machine and the command to ``--out``
(JSON) and prints a summary.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.loglik import estimate_loglik
from rbm_reciprocal.analysis.loglik_pt import pt_pass, pt_rows
from rbm_reciprocal.analysis.loglik_reliability import assess_rows
from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint
from rbm_reciprocal.core.streams import loglik_rng, trajectory_rng
from rbm_reciprocal.data.dataset import prepare_mnist
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.sampling.hard_models import hard_paths
from rbm_reciprocal.sampling.partition import log_partition_exact
from rbm_reciprocal.stages.loglik import estimator_settings
from rbm_reciprocal.stages.train import default_train_settings, run_training

ROOT = Path(__file__).resolve().parents[1]
PRESETS = {"smoke": ["config.yaml", "workflow/presets/smoke.yaml"], "paper": ["config.yaml"]}


def settings(preset: str, role: str) -> LoglikSettings:
    config = load_config([ROOT / p for p in PRESETS[preset]])
    return dataclasses.replace(estimator_settings(config, role), exact_max_units=0)


def trained(out: Path):
    d = load_config([ROOT / "config.yaml"])["data"]
    data = prepare_mnist(
        ROOT / "tests" / "data" / "mnist",
        d["binarization"],
        d["threshold"],
        n_train=1000,
        n_test=200,
    )
    s = default_train_settings(
        method="PCD", hidden=12, gibbs_steps=5, batch_size=100, n_chains=100, epochs=5,
        checkpoints=tuple(range(6)), optimizer={"lr": 0.01}, monitor_size=100,
        backend=BackendSettings.from_value(load_config([ROOT / "config.yaml"])["backend"]),
    )  # fmt: skip
    run_training(data.train, s, out, log=lambda _: None)
    return [load_checkpoint(checkpoint_path(out, e)) for e in range(6)], data


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="smoke")
    ap.add_argument("--betas", type=int, default=1000, help="betas of the standard AIS rows")
    ap.add_argument("--out", type=Path, help="JSON file of the rows, stamped")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        params, data = trained(Path(tmp))
    pt = settings(args.preset, "trajectory")
    std = dataclasses.replace(settings(args.preset, "standard"), n_betas=args.betas, n_chains=100)
    rows = []
    for name, path in hard_paths(params).items():
        exact = [log_partition_exact(p) for p in path]
        t0 = time.perf_counter()
        final = pt_pass(path, data.train, pt, trajectory_rng(0, "PCD", 12, 0))
        found = pt_rows(path, range(6), range(6), final, data.train, data.test, pt)
        seconds = time.perf_counter() - t0
        for r, z in zip(found, exact, strict=True):
            rows.append(r | {"case": name, "exact": z, "seconds": seconds})
        r = estimate_loglik(path[-1], data.train, data.test, std, loglik_rng(0, "PCD", 12, 0, 5))
        rows.append(r | {"case": name, "epoch": 5, "exact": exact[-1]})
        print(f"{name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    t = assess_rows(pd.DataFrame(rows))
    t["estimate"] = np.where(t["estimator"] == "standard", t["log_z_rais"], t["log_z_bar"])
    t["se"] = np.where(t["estimator"] == "standard", t["log_z_rais_se"], t["log_z_bar_se"])
    t["error"] = t["estimate"] - t["exact"]
    t["within_3se"] = t["error"].abs() <= 3 * t["se"]
    t["bound_minus_exact"] = t["log_z_lower"] - t["exact"]
    keep = ["case", "estimator", "epoch", "exact", "estimate", "se", "error", "within_3se",
            "log_z_ais", "log_z_lower", "bound_minus_exact", "pt_min_acceptance", "ess_ais",
            "reliable", "flags"]  # fmt: skip
    t = t[keep]
    with pd.option_context("display.width", 200):
        print(t.round(3).to_string(index=False))
    ok = bool((t["within_3se"] | ~t["reliable"]).all())
    print(f"every row within 3 s.e. of exact log Z or flagged: {ok}")
    if args.out:
        stamp = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
            "command": "python bench/loglik_hard.py " + " ".join(argv or sys.argv[1:]),
            "preset": args.preset,
            "every_row_right_or_flagged": ok,
        }
        rec = json.loads(t.to_json(orient="records"))
        args.out.write_text(json.dumps({"stamp": stamp, "rows": rec}, indent=1) + "\n")


if __name__ == "__main__":
    main()
