"""What a workflow step declares: :class:`Step`, and the small functions steps share.

Each stage module (:mod:`rbm_reciprocal.stages`) declares its steps with these;
:mod:`rbm_reciprocal.stages.registry` collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import Cost, kurtosis_job_cost

#: ``fn(config, wildcards)``: bytes of arrays, or the work of one job (None: negligible).
Arrays = Callable[[dict, Any], float]
JobCost = Callable[[dict, Any], "Cost | None"]

#: Config keys (section, key) of the threads of a step's jobs.
TRAINING_THREADS = ("training", "threads")
LOGLIK_THREADS = ("loglik", "threads")
#: Steps whose time is dense linear algebra (GEMMs of Gibbs sweeps, batched projections,
#: SVDs).
ANALYSIS_THREADS = ("resources", "analysis_threads")


def one(config: dict) -> int:
    """A step with a single job."""
    return 1


def negligible(config: dict, wildcards: Any) -> None:
    """Data, tables, figures: no cost line (a 10-minute limit per attempt)."""
    return None


def no_settings(config: dict, wildcards: Any) -> None:
    """A step whose jobs need nothing but their files."""
    return None


def one_size(config: dict) -> list[int | None]:
    """A step without a ``{hidden}`` wildcard."""
    return [None]


def model_sizes(config: dict) -> list[int | None]:
    """``model.hidden``: one job (or more) per trained hidden size."""
    return [int(m) for m in config["model"]["hidden"]]


def random_sizes(config: dict) -> list[int | None]:
    """``spectra.random.hidden``: one job per panel of Fig. 3a-d."""
    return [int(m) for m in config["spectra"]["random"]["hidden"]]


@dataclass(frozen=True)
class Step:
    """One rule of the workflow and what each of its jobs needs.

    Attributes
    ----------
    name : str
        The rule's name in ``workflow/rules/*.smk``.
    kind : str
        What the job imports and does, a key of :data:`~.memory.BASE_MB`: ``light`` (I/O,
        tables), ``compute`` (numba/BLAS kernels) or ``figure`` (matplotlib).
    threads : tuple of str, optional
        Config ``(section, key)`` of the job's threads; None: one thread.
    arrays : callable
        ``arrays(config, wildcards)``: bytes of the arrays the job holds at its peak.
    cost : callable
        ``cost(config, wildcards)``: the job's :class:`~.cost.Cost`, or None (negligible).
    resumable : bool
        The job continues from its saved state in the next attempt, so its time limit is
        capped (:data:`~.runtime.MAX_RESUMABLE_MINUTES`).
    sizes : callable
        ``sizes(config)``: the values of the job's ``{hidden}`` wildcard ([None]: none).
    settings : callable
        ``settings(config, wildcards)``: the job's settings (a frozen dataclass of its
        stage module, or a plain dict), written into its job file (:mod:`.job`).
    stage : str
        The module (under ``rbm_reciprocal.stages``) whose ``JOBS[name]`` runs the job.
    count : callable
        ``count(config)``: how many jobs a fresh run plans (``snakemake -n`` in an empty folder).
    outputs : dict or callable
        Named output templates under ``results/`` or ``figures/`` (with Snakemake
        wildcards), or ``outputs(config)`` for steps whose files depend on the config.
    log : str
        The job's log under ``results/logs/`` without ``.log``; its job file is
        ``<log>.job.json`` beside it. Its last line gives the job's time and peak RSS.
    figure : str
        A figure step's stem under ``figures/`` (``.pdf`` and ``.png``); its outputs.
    report : tuple, optional
        ``(output, category, labels)``: the output that goes into the Snakemake report
        (figures: their PNG), with its caption ``workflow/report/<name>.rst``.
    """

    name: str
    kind: str
    threads: tuple[str, str] | None = None
    arrays: Arrays = memory.nothing
    cost: JobCost = negligible
    resumable: bool = False
    sizes: Callable[[dict], list[int | None]] = one_size
    settings: Callable[[dict, Any], Any] = no_settings
    stage: str = ""
    count: Callable[[dict], int] = one
    outputs: dict[str, str] | Callable[[dict], dict] = field(default_factory=dict)
    log: str = ""
    figure: str = ""
    report: tuple[str, str, dict[str, str]] | None = None


def job_line(costs_of: Callable[..., Cost | list[Cost]], *args: Any) -> JobCost:
    """A step's cost: the line of ``costs_of(config, *args)`` (a cost or a list, one per
    hidden size) of the job's ``{hidden}`` wildcard, or the first line without one."""

    def cost(config: dict, wildcards: Any) -> Cost | None:
        lines = costs_of(config, *args)
        lines = lines if isinstance(lines, list) else [lines]
        hidden = getattr(wildcards, "hidden", None) if wildcards is not None else None
        return next((c for c in lines if hidden is None or c.hidden == int(hidden)), None)

    return cost


def per_model(job_cost: Callable[..., Cost], **kw: Any) -> JobCost:
    """A step's cost: ``job_cost(config, method, hidden, **kw)`` of the model of the job's
    ``{method}`` and ``{hidden}`` wildcards."""

    def cost(config: dict, wildcards: Any) -> Cost:
        return job_cost(config, str(wildcards.method), int(wildcards.hidden), **kw)

    return cost


def kurtosis_cost(config: dict, wildcards: Any) -> Cost:
    return kurtosis_job_cost(config)  # one job per variant, every size


TRAIN_STEP = dict(kind="compute", threads=TRAINING_THREADS, resumable=True, sizes=model_sizes)
LOGLIK_STEP = dict(kind="compute", threads=LOGLIK_THREADS, sizes=model_sizes, stage="loglik")
ANALYSIS_STEP = dict(kind="compute", threads=ANALYSIS_THREADS)
