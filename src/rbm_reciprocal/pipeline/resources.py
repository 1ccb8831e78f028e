"""Threads, memory and time limit of every rule's jobs, computed from the config.

Each rule of the workflow declares

.. code-block:: python

    threads: rule_threads("<rule>")
    resources:
        mem_mb=rule_mem_mb("<rule>"),
        runtime=rule_runtime("<rule>"),

with the helpers of ``workflow/rules/common.smk``, which call :func:`job_threads`,
:func:`job_mem_mb` and :func:`rbm_reciprocal.pipeline.cost.job_runtime_minutes` with the job's
wildcards, threads and attempt. These are the requests a SLURM job gets
(``--cpus-per-task``, ``--mem``, ``--time``); a local run caps ``threads`` at ``--cores`` and
only schedules by them.

* **threads**: ``training.threads`` for ``train_rbm`` and ``train_rbm_batched`` (its replicas
  share them: on CPUs their epochs run one after another), ``loglik.threads`` for ``loglik``,
  ``loglik_trajectory`` and ``loglik_crosscheck``,
  ``resources.analysis_threads`` for the rules whose time is GEMMs, Gibbs sweeps or SVDs
  (:data:`ANALYSIS_RULES`), 1 for the rest (I/O, tables, figures).
* **mem_mb**: ``resources.mem_factor`` times the estimated peak resident memory, times the
  attempt number (a job that runs out of memory is retried with more). The estimate is the
  measured resident size of the job's imports (:data:`BASE_MB`: Python, numpy, numba's
  compiled kernels, pandas/pyarrow or matplotlib) plus the arrays the job holds at once,
  counted from the config by :func:`array_mb` (data set, weights, chains, Monte-Carlo
  batches). ``tests/test_resources.py`` checks the estimate against the peak RSS Snakemake
  measured (``benchmark:`` files, column ``max_rss``) for every job of the smoke run.
* **runtime**: :func:`rbm_reciprocal.pipeline.cost.job_runtime_minutes` (FLOPs of the job at a
  conservative single-core rate, with a safety factor, scaled by the attempt).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.cost import N_VISIBLE, model_hidden, n_images
from rbm_reciprocal.pipeline.cost_loglik import trajectory_nodes
from rbm_reciprocal.pipeline.runtime import job_runtime_minutes

F32, F64 = 4, 8


#: Peak RSS (MB) of a job's imports, before its arrays. Every job runs the CLI, which imports
#: the whole package (numpy, numba, scipy, pandas, pyarrow, matplotlib) at start-up; the kinds
#: differ by what the job then does: ``light`` (tables, downloads), ``compute`` (compiles and
#: runs the Gibbs/AIS kernels), ``figure`` (renders with matplotlib). Snakemake's benchmarks
#: of the smoke run (tiny arrays) measured up to 381, 453 and 426 MB in a fresh clone (first
#: imports, numba compiling its kernels, matplotlib building its font cache).
BASE_MB = {"light": 450, "compute": 550, "figure": 500}


#: Rules whose time is dense linear algebra (GEMMs of Gibbs sweeps, batched projections,
#: SVDs): they get ``resources.analysis_threads`` threads.
ANALYSIS_RULES = frozenset(
    {
        "random_spectrum",
        "trained_spectra",
        "kurtosis",
        "landscape_sample",
        "landscape_points",
        "uniform_projections",
        "mode_trajectory",
        "rotated_samples",
        "rotation_js",
        "pc_alignment",
        "uniform_moments",
        "diffusion",
    }
)


#: Every rule of the workflow and the kind of its imports (a key of :data:`BASE_MB`).
RULE_KINDS = {
    "download_mnist": "light",
    "prepare_mnist": "light",
    "train_rbm": "compute",
    "train_rbm_batched": "compute",
    "import_models": "light",
    "loglik": "compute",
    "loglik_trajectory": "compute",
    "loglik_crosscheck": "compute",
    "loglik_table": "light",
    "random_spectrum": "compute",
    "trained_spectra": "compute",
    "kurtosis": "compute",
    "spectral_gap": "light",
    "untrained_reference": "compute",
    "rotation_js": "compute",
    "rotation_js_table": "light",
    "rotated_samples": "compute",
    "landscape_sample": "compute",
    "landscape_points": "compute",
    "uniform_projections": "compute",
    "mode_trajectory": "compute",
    "mode_trajectory_table": "light",
    "uniform_moments": "compute",
    "pc_alignment": "compute",
    "diffusion": "compute",
    "claims": "compute",
    "run_parameters": "light",
    "fig1_left": "figure",
    "fig1_right": "figure",
    "fig2": "figure",
    "fig3_mp": "figure",
    "fig3_f": "figure",
    "fig3_e": "figure",
    "fig4": "figure",
    "fig5": "figure",
    "fig6": "figure",
    "fig7_8": "figure",
    "fig_diffusion": "figure",
}


_MB = 1e6


def _check_rule(rule: str) -> str:
    if rule not in RULE_KINDS:
        raise ConfigError(
            f"no resource model for rule {rule!r}; "
            "add it to rbm_reciprocal.pipeline.resources.RULE_KINDS"
        )
    return RULE_KINDS[rule]


def _wc_int(wildcards: Any, name: str, default: int) -> int:
    value = getattr(wildcards, name, None) if wildcards is not None else None
    return int(value) if value is not None else default


def job_threads(config: dict, rule: str) -> int:
    """``threads`` of every job of ``rule`` (see the module docstring)."""
    _check_rule(rule)
    if rule in ("train_rbm", "train_rbm_batched"):
        return max(1, int(config["training"]["threads"]))
    if rule in ("loglik", "loglik_trajectory", "loglik_crosscheck"):
        return max(1, int(config["loglik"]["threads"]))
    if rule in ANALYSIS_RULES:
        return max(1, int(config["resources"]["analysis_threads"]))
    return 1


def array_mb(config: dict, rule: str, wildcards: Any = None) -> float:
    """Megabytes of the arrays one job of ``rule`` holds at its peak, counted from the config.

    Upper bounds by construction: every array the job's code keeps alive at once is counted
    at its stored dtype, plus temporaries of the same size where numpy makes them.
    """
    _check_rule(rule)
    n = N_VISIBLE
    n_train, n_test = n_images(config, "train"), n_images(config, "test")
    data_f32 = (n_train + n_test) * n * F32  # a loaded data set as float32
    hidden_all = [int(m) for m in config["model"]["hidden"]]
    m_max = max(hidden_all)

    def weights(m: int, copies: int, itemsize: int = F64) -> float:
        return copies * n * m * itemsize

    def chains(c: int, m: int, copies: int = 6, itemsize: int = F64) -> float:
        return copies * c * (n + m) * itemsize

    if rule == "download_mnist":
        return 2 * 60_000 * n  # the largest file, compressed and decompressed
    if rule == "prepare_mnist":
        return (60_000 + 10_000) * n + 3 * data_f32  # uint8 images, float copies
    if rule in ("train_rbm", "train_rbm_batched"):
        tr = config["training"]
        m = _wc_int(wildcards, "hidden", m_max)
        c = max(int(tr["batch_size"]), int(tr["n_chains"]))
        # the batched job: one data set, every replica's parameters, moments and chains
        r = int(config["model"]["replicas"]) if rule == "train_rbm_batched" else 1
        return data_f32 + r * (weights(m, 12, F32) + chains(c, m, 8, F32))
    if rule in ("loglik", "loglik_crosscheck", "loglik_trajectory"):
        ll = config["loglik"]
        m = _wc_int(wildcards, "hidden", m_max)
        exact = 0.0
        small = min(n, m)
        if small <= int(ll["exact_max_units"]):
            exact = 3 * 2**small * max(n, m) * F64
        c = int(ll["n_chains"])
        base = 2 * data_f32 + weights(m, 6) + chains(c, m, 10) + exact
        if rule != "loglik_trajectory":
            return base
        # every checkpoint of the path (float32), [W_k | W_k+1] and W(t), the state's
        # per-node log-weights (forward, reverse) and its second copy while saving
        method = getattr(wildcards, "method", None) or config["training"]["methods"][0]
        nodes = trajectory_nodes(config, method)[0]
        traj = ll["trajectory"]
        if traj["sampler"] == "pt":
            # the ladder state (chains and fields float32, recorded works float64) three
            # times (the state, its working copy, the saved copy), and two rung models
            pt = traj["pt"]
            r, cp = int(pt["rungs"]), int(pt["chains"])
            rungs = r * (nodes - 1) + 1 + (nodes - 1)  # + segment cuts at most
            sweeps, burn = int(pt["sweeps"]), int(pt["burn"])
            rec = max(0, (sweeps - burn) // (2 * int(pt["thin"])))
            ladder = 3 * (rungs * cp * (n + m) * F32 + 2 * rungs * rec * cp * F64)
            return base + weights(m, nodes + 4, F32) + ladder
        return base + weights(m, nodes + 3, F32) + 4 * nodes * c * F64 + chains(c, m, 8)
    if rule == "random_spectrum":
        m = _wc_int(wildcards, "hidden", m_max)
        rnd = config["spectra"]["random"]
        v = int(rnd["visible"])
        # + the table of every singular value (7 columns) and its arrow copy (claims 1-2)
        return 6 * v * m * F64 + 2 * 7 * int(rnd["n_matrices"]) * min(v, m) * F64
    if rule == "trained_spectra":
        return weights(m_max, 6)
    if rule == "kurtosis":
        k = config["spectra"]["kurtosis"]
        size = max([int(s) for s in k["sizes"]] + [int(k["fixed_hidden"])])
        size = max(size, int(k["fixed_visible"]))
        batch = int(k["batch_size"])
        return 5 * batch * size * F64 + 6 * size * size * F64
    if rule in ("untrained_reference", "rotation_js"):
        m = max(m_max, int(config["symmetry"]["reference"]["hidden"]))
        bins = int(config["symmetry"]["js_bins"])
        return weights(m, 8) + 4 * (n * n + m * m) * F64 + 4 * bins * m * F64
    if rule == "rotated_samples":
        m = model_hidden(config, "symmetry")
        s = config["symmetry"]["samples"]
        return weights(m, 8) + 4 * (n * n + m * m) * F64 + chains(int(s["chains"]), m)
    if rule in ("landscape_sample", "landscape_points"):
        m = model_hidden(config, "reciprocal")
        g = config["reciprocal"]["gibbs"]
        return 3 * data_f32 + 2 * weights(m, 4) + chains(int(g["n_chains"]), m)
    if rule == "uniform_projections":
        m = model_hidden(config, "reciprocal")
        f5 = config["reciprocal"]["fig5"]
        return 2 * weights(m, 4) + 4 * int(f5["n_samples"]) * (n + m) * F64
    if rule == "mode_trajectory":
        m = _wc_int(wildcards, "hidden", m_max)
        lan = config["landau"]
        batch = min(int(lan["uniform_states"]), 100_000)
        return (
            3 * data_f32
            + weights(m, 7)  # this and the previous checkpoint, SVD factors
            + chains(int(lan["gibbs_chains"]), m)
            # a batch of uniform states (bits, then float32), or the large-deviation
            # potential's (grid x units) temporaries, which are freed before
            + max(5 * batch * max(n, m), 4 * 4001 * (n + m) * F64)
        )
    if rule == "uniform_moments":
        m = model_hidden(config, "diffusion")
        return 2 * weights(m, 4) + 4 * 5000 * (n + m) * F64
    if rule == "pc_alignment":
        return 3 * data_f32 * 2 + 4 * n * n * F64 + len(hidden_all) * weights(m_max, 2)
    if rule == "diffusion":
        m = model_hidden(config, "diffusion")
        d = config["diffusion"]
        dim = n + m + 2
        walkers = int(d["walkers"])
        grid = int(d["grid"])
        return (
            weights(m, 4)
            + 6 * dim * dim * F64
            + 4 * 5000 * dim * F64
            + 8 * walkers * F64 * int(d["records"])
            + 8 * grid * grid * F64 / max(grid, 1)
        )
    return 0.0  # tables, claims, figures: small inputs


def job_mem_mb(config: dict, rule: str, wildcards: Any = None, attempt: int = 1) -> int:
    """``mem_mb`` of one job of ``rule``: ``mem_factor x (BASE_MB + array_mb) x attempt``,
    rounded up to 100 MB."""
    kind = _check_rule(rule)
    factor = float(config["resources"]["mem_factor"])
    mb = factor * (BASE_MB[kind] + array_mb(config, rule, wildcards) / _MB) * max(int(attempt), 1)
    return int(math.ceil(mb / 100.0) * 100)


def _hidden_values(config: dict, rule: str) -> list[int | None]:
    """Hidden sizes over which a rule's jobs vary (its ``{hidden}`` wildcard), or [None]."""
    if rule in (
        "train_rbm",
        "train_rbm_batched",
        "loglik",
        "loglik_trajectory",
        "loglik_crosscheck",
        "mode_trajectory",
    ):
        return [int(m) for m in config["model"]["hidden"]]
    if rule == "random_spectrum":
        return [int(m) for m in config["spectra"]["random"]["hidden"]]
    return [None]


def resources_table(config: dict) -> str:
    """Markdown table of every rule's per-job requests (range over its hidden sizes).

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
    for rule in RULE_KINDS:
        threads = job_threads(config, rule)
        mems, times = [], []
        for m in _hidden_values(config, rule) or [None]:
            w = None if m is None else SimpleNamespace(hidden=str(m), method=method)
            mems.append(job_mem_mb(config, rule, w))
            times.append(job_runtime_minutes(config, rule, w, threads))
        lines.append(f"| {rule} | {threads} | {fmt(mems)} | {fmt(times)} |")
    return "\n".join(lines)
