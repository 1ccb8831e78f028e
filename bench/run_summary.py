"""What a workflow run took, read from its own records (not a test).

``python bench/run_summary.py --dir ../quick --json docs/measurements/quick_run.json``

Reads, in the run directory ``--dir``, every Snakemake log ``.snakemake/log/*.snakemake.log``
(or the ones named by ``--logs``): its start, command, "Elapsed time", how many steps it
finished and whether a job failed; and the time of every job of the run: Snakemake's
benchmark files ``results/benchmarks/<rule>/*.tsv`` (column ``s``) and, for the rules that
keep no benchmark (the cached training and log-likelihood rules), the last line
``<command>: <seconds> s, peak RSS <MB> MB`` of their logs under ``results/logs``.
Writes them, per rule (jobs, total and largest seconds), stamped with the date, the machine
and this command (``bench/_stamp.py``), to ``--json``.
The numbers are those of the machine that ran the workflow (the log's host), which the
summary names; the stamp's machine is the one that read them.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

from _stamp import stamp

# logs of the rules that keep no benchmark file (cached: train_rbm, loglik, loglik_trajectory,
# loglik_crosscheck); None: the rule is named by the CLI command of the log's last line
CACHED = {"train": "train_rbm", "loglik": None}
LOG_TIME = re.compile(r"^[\w-]+: ([0-9.]+) s, peak RSS ([0-9.]+) MB$")


def snakemake_log(path: Path) -> dict:
    """Start, command, host, elapsed time, steps done and failure of one Snakemake log."""
    text = path.read_text(errors="replace")

    def first(pattern: str) -> str | None:
        m = re.search(pattern, text, re.M)
        return m.group(1).strip() if m else None

    steps = re.findall(r"^(\d+) of (\d+) steps", text, re.M)
    elapsed = first(r"^Elapsed time: (.+)$")
    seconds = None
    if elapsed:
        h, m, s = elapsed.split(":")
        seconds = round(int(h) * 3600 + int(m) * 60 + float(s), 1)
    return {
        "log": path.name,
        "started": first(r"^\s*Date: (.+)$"),
        "host": first(r"^\s*Host: (.+)$"),
        "command": first(r"^\s*Command: (.+)$"),
        "snakemake": first(r"^\s*Snakemake version: (.+)$"),
        "elapsed_seconds": seconds,
        "steps_done": f"{steps[-1][0]} of {steps[-1][1]}" if steps else None,
        "failed": "Error in rule" in text,
        "failed_rules": sorted(set(re.findall(r"^Error in rule (\w+):", text, re.M))),
    }


def job_seconds(results: Path) -> dict[str, list[float]]:
    """Seconds of every job of the latest run of each, per rule (benchmarks, cached rules' logs)."""
    per_rule: dict[str, list[float]] = {}
    for tsv in sorted((results / "benchmarks").glob("*/*.tsv")):
        with tsv.open() as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        if rows:
            per_rule.setdefault(tsv.parent.name, []).append(float(rows[-1]["s"]))
    for folder, rule in CACHED.items():
        for log in sorted((results / "logs" / folder).glob("*.log")):
            lines = log.read_text(errors="replace").strip().splitlines()
            m = LOG_TIME.match(lines[-1]) if lines else None
            if m:
                name = rule or lines[-1].split(":")[0].replace("-", "_")
                per_rule.setdefault(name, []).append(float(m.group(1)))
    return per_rule


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=Path("."), help="the run's working directory")
    ap.add_argument("--logs", nargs="*", help="Snakemake logs (default: all of the run)")
    ap.add_argument("--results", default="results", help="its results_dir")
    ap.add_argument("--json", type=Path, help="stamped JSON output")
    args = ap.parse_args(argv)
    logs = [Path(p) for p in args.logs] if args.logs else sorted(
        (args.dir / ".snakemake" / "log").glob("*.snakemake.log")
    )  # fmt: skip
    per_rule = job_seconds(args.dir / args.results)
    out = {
        "stamp": stamp(argv),
        "runs": [snakemake_log(p) for p in logs],
        "jobs": {
            rule: {"jobs": len(s), "total_seconds": round(sum(s), 1), "max_seconds": max(s)}
            for rule, s in sorted(per_rule.items())
        },
        "total_job_seconds": round(sum(sum(s) for s in per_rule.values()), 1),
        "total_jobs_timed": sum(len(s) for s in per_rule.values()),
    }
    text = json.dumps(out, indent=1) + "\n"
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
