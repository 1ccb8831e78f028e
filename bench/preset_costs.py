"""Predicted cost of every preset, from the workflow's cost model (not a test).

``python bench/preset_costs.py --json docs/measurements/preset_costs.json``

Runs ``python -m rbm_reciprocal cost --configfile config.yaml [PRESET] --json
--calibrate-seconds 0 --gflops G`` (default G = 35, the cost model's conservative
single-core reference rate; no timing of this machine, so the numbers do not depend on its
load) for ``config.yaml`` (the paper) and each ``workflow/presets/*.yaml``, and writes the
jobs, Gibbs sweeps, FLOPs and single-thread CPU-hours per family and in total, stamped with
the date, the machine and this command (``bench/_stamp.py``), to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from _stamp import stamp

ROOT = Path(__file__).resolve().parents[1]


def cost(configfiles: list[str], gflops: float) -> dict:
    """The ``cost --json`` output of these config files at ``gflops``."""
    cmd = [sys.executable, "-m", "rbm_reciprocal", "cost", "--configfile", *configfiles,
           "--json", "--calibrate-seconds", "0", "--gflops", str(gflops)]  # fmt: skip
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gflops", type=float, default=35.0, help="GEMM rate of one core")
    ap.add_argument("--json", type=Path, help="stamped JSON output")
    args = ap.parse_args(argv)
    presets = {"paper (config.yaml)": ["config.yaml"]}
    for p in sorted((ROOT / "workflow" / "presets").glob("*.yaml")):
        presets[p.stem] = ["config.yaml", str(p.relative_to(ROOT))]
    rows = {}
    for name, files in presets.items():
        fam = cost(files, args.gflops)["families"]
        rows[name] = {
            "configfile": files,
            "families": fam,
            "jobs": sum(f["jobs"] for f in fam.values()),
            "cpu_hours": round(sum(f["cpu_hours"] for f in fam.values()), 3),
        }
        print(f"{name}: {rows[name]['jobs']} jobs, {rows[name]['cpu_hours']:.2f} CPU-hours")
    out = {"stamp": stamp(argv), "gflops": args.gflops, "presets": rows}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
