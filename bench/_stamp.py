"""The stamp of a measurement file: when, where and by which command it was written.

Every file under ``docs/measurements/`` that a documentation page includes carries one
(``docs/measurements.py`` checks it; ``tests/test_docs.py`` fails without it)::

    {"date": "2026-12-06T10:00:00+00:00",
     "machine": "vm x86_64, 2 cores, scipy-openblas 0.3.31 (threads: OPENBLAS_NUM_THREADS=1)",
     "command": "python bench/authors_pcd_jl.py --json docs/measurements/authors_pcd_jl.json",
     "commit": "0ce3dba"}
"""

from __future__ import annotations

import datetime
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def blas() -> str:
    """Name and version of numpy's BLAS, e.g. ``scipy-openblas 0.3.31.188.0``."""
    try:
        import numpy as np

        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name', '?')} {info.get('version', '?')}"
    except Exception:  # numpy < 1.25 has no mode="dicts"
        return "BLAS unknown"


def machine() -> str:
    """Host, architecture, cores, BLAS and the thread variables that were set."""
    threads = ", ".join(f"{k}={os.environ[k]}" for k in THREAD_VARS if k in os.environ)
    text = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, {blas()}"
    try:
        load = f", load average {os.getloadavg()[0]:.1f}"
    except OSError:
        load = ""
    return text + (f" (threads: {threads})" if threads else "") + load


def commit() -> str:
    """Short git commit of this checkout ('unknown' outside git)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def stamp(argv: list[str] | None = None, script: str | None = None) -> dict[str, str]:
    """The stamp of a file written now by ``python <script> <argv>``."""
    argv = sys.argv[1:] if argv is None else argv
    script = script or os.path.relpath(sys.argv[0])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python " + shlex.join([script, *argv]),
        "commit": commit(),
    }
