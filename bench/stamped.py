"""Run a benchmark that prints JSON and write its output with a stamp (not a test).

``OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python bench/stamped.py --json
docs/measurements/gibbs_random.json -- python bench/gibbs.py --json --states random``

For the bench scripts whose ``--json`` prints JSON lines to stdout without saying when or
where (``bench/gibbs.py``): runs the command, parses every stdout line that is a JSON object
(the other lines are kept as ``log``), and writes ``{"stamp": ..., "rows": [...],
"log": [...]}``, the stamp (``bench/_stamp.py``) naming the date, the machine (cores, BLAS,
thread variables) and the whole command line, so that a documentation page can show the
rows (docs/measurements.py).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

from _stamp import stamp


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        print("usage: bench/stamped.py --json OUT -- COMMAND ...", file=sys.stderr)
        return 2
    cut = argv.index("--")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, required=True, help="stamped JSON output")
    args = ap.parse_args(argv[:cut])
    command = argv[cut + 1 :]
    run = [sys.executable, *command[1:]] if command[0] in ("python", "python3") else command
    out = subprocess.run(run, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    rows, log = [], []
    for line in out.stdout.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if isinstance(row, dict):
            rows.append(row)
        else:
            log.append(line)
            print(line)
    if out.returncode:
        print(f"command failed ({out.returncode}): {shlex.join(command)}", file=sys.stderr)
        return out.returncode
    st = stamp(argv, "bench/stamped.py")
    st["wrapped_command"] = shlex.join(command)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"stamp": st, "rows": rows, "log": log}, indent=1) + "\n")
    print(f"wrote {len(rows)} rows to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
