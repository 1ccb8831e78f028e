"""Threads, memory and time limit of every rule's jobs, computed from the config.

Each rule of the workflow declares

.. code-block:: python

    threads: threads_of("<rule>")
    resources:
        **resources_of("<rule>"),

with the helpers of ``workflow/rules/common.smk``, which call :func:`job_threads`, and
:func:`job_mem_mb` and :func:`rbm_reciprocal.pipeline.runtime.job_runtime_minutes` (as
``mem_mb`` and ``runtime``) with the job's wildcards, threads and attempt. These are the
requests a SLURM job gets (``--cpus-per-task``, ``--mem``, ``--time``); a local run caps
``threads`` at ``--cores`` and only schedules by them. What each rule needs is its
:class:`~.step.Step` (:data:`rbm_reciprocal.stages.registry.STEPS`).

* **threads**: the config key of the step (``training.threads`` for ``train_rbm`` and
  ``train_rbm_batched``, whose replicas share them: on CPUs their epochs run one after
  another; ``loglik.threads`` for the log-likelihood jobs; ``resources.analysis_threads`` for
  the steps whose time is GEMMs, Gibbs sweeps or SVDs), 1 for the rest (I/O, tables,
  figures).
* **mem_mb**: ``resources.mem_factor`` times the estimated peak resident memory, times the
  attempt number (a job that runs out of memory is retried with more). The estimate is the
  measured resident size of the job's imports (:data:`~.memory.BASE_MB`: Python, numpy,
  numba's compiled kernels, pandas/pyarrow or matplotlib) plus the arrays the job holds at
  once, counted from the config by the step's :mod:`.memory` function (data set, weights,
  chains, Monte-Carlo batches).
* **runtime**: :func:`rbm_reciprocal.pipeline.runtime.job_runtime_minutes` (FLOPs of the job
  at a conservative single-core rate, with a safety factor, scaled by the attempt).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from rbm_reciprocal.pipeline.memory import BASE_MB
from rbm_reciprocal.pipeline.runtime import job_runtime_minutes
from rbm_reciprocal.pipeline.step import Step

_MB = 1e6


def job_threads(config: dict, step: Step) -> int:
    """``threads`` of every job of ``step`` (see the module docstring)."""
    key = step.threads
    if key is None:
        return 1
    section, name = key
    return max(1, int(config[section][name]))


def array_mb(config: dict, step: Step, wildcards: Any = None) -> float:
    """Bytes (not megabytes, despite the name) of the arrays one job of ``step`` holds at its
    peak, counted from the config by its :mod:`.memory` function."""
    return step.arrays(config, wildcards)


def job_mem_mb(config: dict, step: Step, wildcards: Any = None, attempt: int = 1) -> int:
    """``mem_mb`` of one job of ``step``: ``mem_factor x (BASE_MB + arrays) x attempt``,
    rounded up to 100 MB."""
    factor = float(config["resources"]["mem_factor"])
    arrays = step.arrays(config, wildcards) / _MB
    mb = factor * (BASE_MB[step.kind] + arrays) * max(int(attempt), 1)
    return int(math.ceil(mb / 100.0) * 100)


def resources_table(config: dict, steps: Mapping[str, Step]) -> str:
    """Markdown table of the per-job requests of every step in ``steps`` (range over its
    hidden sizes).

    Printed by ``python -m rbm_reciprocal cost``; runtimes at the rule's threads, first
    attempt.
    """

    def fmt(values: list[int]) -> str:
        lo, hi = min(values), max(values)
        return f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"

    method = list(config["training"]["methods"])[0]
    lines = [
        "| rule | threads | mem_mb | runtime (min) |",
        "| --- | --- | --- | --- |",
    ]
    for rule, s in steps.items():
        threads = job_threads(config, s)
        mems, times = [], []
        for m in s.sizes(config) or [None]:
            w = None if m is None else SimpleNamespace(hidden=str(m), method=method)
            mems.append(job_mem_mb(config, s, w))
            times.append(job_runtime_minutes(config, s, w, threads))
        lines.append(f"| {rule} | {threads} | {fmt(mems)} | {fmt(times)} |")
    return "\n".join(lines)
