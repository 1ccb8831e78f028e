"""Check that every SLURM job got the threads, mem_mb and runtime its rule computed.

Usage: ``python check_requests.py SNAKEMAKE_LOG SQUEUE_TABLE`` where SQUEUE_TABLE is the
output of ``squeue -h -t all -o '%i|%k|%m|%l|%C|%T'`` (job id, comment, memory, time limit,
CPUs, state). Snakemake's log gives each job's ``resources:`` line and the SLURM job id it
was submitted as. Prints one line per rule; exits 1 on the first mismatch.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def snakemake_jobs(log: str) -> dict[str, dict]:
    """SLURM job id -> {rule, threads, mem_mb, runtime} from Snakemake's log."""
    blocks: dict[str, dict] = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", log):
        head = re.match(r"(local)?rule (\w+):", block)
        jobid = re.search(r"\n\s+jobid: (\d+)", block)
        res = re.search(r"\n\s+resources: (.*)", block)
        if not head or head.group(1) or not jobid or not res:
            continue
        kv = dict(p.split("=", 1) for p in res.group(1).split(", ") if "=" in p)
        threads = re.search(r"\n\s+threads: (\d+)", block)
        blocks[jobid.group(1)] = {
            "rule": head.group(2),
            "threads": int(threads.group(1)) if threads else 1,
            "mem_mb": int(kv["mem_mb"]),
            "runtime": int(kv["runtime"]),
        }
    out = {}
    for sm_id, slurm_id in re.findall(r"Job (\d+) has been submitted with SLURM jobid (\d+)", log):
        out[slurm_id] = blocks[sm_id]
    return out


def minutes(limit: str) -> int:
    """SLURM's time limit ``[D-]H:MM:SS`` or ``MM:SS`` in minutes."""
    days, _, rest = limit.rpartition("-")
    parts = [int(x) for x in rest.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return (int(days or 0) * 24 + h) * 60 + m + (1 if s else 0)


def main(log_path: str, squeue_path: str) -> int:
    jobs = snakemake_jobs(Path(log_path).read_text())
    seen: dict[str, int] = {}
    for line in Path(squeue_path).read_text().splitlines():
        slurm_id, comment, mem, limit, cpus, _state = line.split("|")
        if slurm_id not in jobs:
            print(f"SLURM job {slurm_id} ({comment}) is not in Snakemake's log")
            return 1
        want = jobs[slurm_id]
        if not comment.startswith(f"rule_{want['rule']}"):
            print(f"job {slurm_id}: comment {comment!r}, expected rule {want['rule']}")
            return 1
        got = {"mem_mb": int(mem.rstrip("M")), "runtime": minutes(limit), "threads": int(cpus)}
        for key, value in got.items():
            if value != want[key]:
                print(f"job {slurm_id} ({want['rule']}): SLURM has {key}={value}, rule {want}")
                return 1
        seen[want["rule"]] = seen.get(want["rule"], 0) + 1
    if len(seen) == 0 or sum(seen.values()) != len(jobs):
        print(f"{sum(seen.values())} SLURM jobs checked of {len(jobs)} submitted")
        return 1
    for rule, n in sorted(seen.items()):
        print(f"  {rule}: {n} job(s), requests as computed by the rule")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
