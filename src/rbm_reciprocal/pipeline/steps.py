"""The workflow's steps: one :class:`Step` per Snakemake rule (same name), in :data:`STEPS`.

A step says what its jobs need, as small functions of the validated config and the job's
wildcards: the kind of its imports (a key of :data:`~.memory.BASE_MB`), the config key of its
threads, the bytes of the arrays it holds (:mod:`.memory`), its work (a
:class:`~.cost.Cost`, from :mod:`.cost` and :mod:`.cost_loglik`), whether it resumes after a
time limit, and the hidden sizes its jobs span (for the ``cost`` command's table).
:mod:`.resources` and :mod:`.runtime` turn these into the ``threads``, ``mem_mb`` and
``runtime`` of every job; nothing else knows a rule by its name. A new rule is one entry
here (``tests/test_architecture.py`` checks that every rule of ``workflow/rules/*.smk`` has
one and every entry a rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline import counts, memory
from rbm_reciprocal.pipeline.cost import (
    Cost,
    batched_train_job_cost,
    diffusion_cost,
    kurtosis_job_cost,
    landscape_cost,
    mode_trajectory_costs,
    random_spectrum_costs,
    rotated_samples_cost,
    train_job_cost,
    trained_spectra_cost,
    uniform_projections_cost,
)
from rbm_reciprocal.pipeline.cost_loglik import loglik_job_cost, loglik_trajectory_job_cost
from rbm_reciprocal.pipeline.job import Job, plain, settings_dict
from rbm_reciprocal.pipeline.step_settings import claims as claims_settings
from rbm_reciprocal.pipeline.step_settings import data as data_settings
from rbm_reciprocal.pipeline.step_settings import diffusion as diffusion_settings
from rbm_reciprocal.pipeline.step_settings import figures as figure_settings
from rbm_reciprocal.pipeline.step_settings import landau as landau_settings
from rbm_reciprocal.pipeline.step_settings import loglik as loglik_settings
from rbm_reciprocal.pipeline.step_settings import models as models_settings
from rbm_reciprocal.pipeline.step_settings import reciprocal as reciprocal_settings
from rbm_reciprocal.pipeline.step_settings import report as report_settings
from rbm_reciprocal.pipeline.step_settings import spectra as spectra_settings
from rbm_reciprocal.pipeline.step_settings import symmetry as symmetry_settings
from rbm_reciprocal.pipeline.step_settings import train as train_settings

#: ``fn(config, wildcards)``: bytes of arrays, or the work of one job (None: negligible).
Arrays = Callable[[dict, Any], float]
JobCost = Callable[[dict, Any], "Cost | None"]

#: Config keys (section, key) of the threads of a step's jobs.
TRAINING_THREADS = ("training", "threads")
LOGLIK_THREADS = ("loglik", "threads")
#: Steps whose time is dense linear algebra (GEMMs of Gibbs sweeps, batched projections,
#: SVDs).
ANALYSIS_THREADS = ("resources", "analysis_threads")


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
        ``settings(config, wildcards)``: the job's settings (a frozen dataclass of
        :mod:`.step_settings`, or a plain dict), written into its job file (:mod:`.job`).
    stage : str
        The module (under ``rbm_reciprocal.stages``) whose ``JOBS[name]`` runs the job.
    count : callable
        ``count(config)``: how many jobs a fresh run plans (:mod:`.counts`).
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
    count: Callable[[dict], int] = counts.one


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


_TRAIN = dict(kind="compute", threads=TRAINING_THREADS, resumable=True, sizes=model_sizes)
_LOGLIK = dict(kind="compute", threads=LOGLIK_THREADS, sizes=model_sizes, stage="loglik")
_ANALYSIS = dict(kind="compute", threads=ANALYSIS_THREADS)

#: Figure steps with more than one job.
FIGURE_COUNTS = {"fig3_mp": counts.random_panels, "fig7_8": counts.landau_figures}

#: Every step of the workflow by name, in the order of the ``cost`` command's table.
STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step(
            "download_mnist",
            "light",
            arrays=memory.download_mnist,
            settings=data_settings.download_mnist,
            stage="data",
        ),
        Step(
            "prepare_mnist",
            "light",
            arrays=memory.prepare_mnist,
            settings=data_settings.prepare_mnist,
            stage="data",
        ),
        Step(
            "train_rbm",
            **_TRAIN,
            arrays=memory.train_rbm,
            cost=per_model(train_job_cost),
            settings=train_settings.train_rbm,
            stage="train",
            count=counts.train_jobs,
        ),
        Step(
            "train_rbm_batched",
            **_TRAIN,
            arrays=memory.train_rbm_batched,
            cost=per_model(batched_train_job_cost),
            settings=train_settings.train_rbm_batched,
            stage="train_replicas",
            count=counts.batched_train_jobs,
        ),
        Step(
            "import_models",
            "light",
            settings=models_settings.import_models,
            stage="models",
            count=counts.import_jobs,
        ),
        Step(
            "loglik",
            **_LOGLIK,
            arrays=memory.loglik,
            cost=per_model(loglik_job_cost),
            settings=loglik_settings.loglik,
            count=counts.standard_loglik_jobs,
        ),
        Step(
            "loglik_trajectory",
            **_LOGLIK,
            arrays=memory.loglik_trajectory,
            cost=per_model(loglik_trajectory_job_cost),
            resumable=True,
            settings=loglik_settings.loglik_trajectory,
            count=counts.trajectory_jobs,
        ),
        Step(
            "loglik_crosscheck",
            **_LOGLIK,
            arrays=memory.loglik,
            cost=per_model(loglik_job_cost, role="crosscheck"),
            settings=loglik_settings.loglik_crosscheck,
            count=counts.crosscheck_jobs,
        ),
        Step("loglik_table", "light", stage="loglik"),
        Step(
            "random_spectrum",
            **_ANALYSIS,
            arrays=memory.random_spectrum,
            cost=job_line(random_spectrum_costs),
            sizes=random_sizes,
            settings=spectra_settings.random_spectrum,
            stage="spectra",
            count=counts.random_panels,
        ),
        Step(
            "trained_spectra",
            **_ANALYSIS,
            arrays=memory.trained_spectra,
            cost=job_line(trained_spectra_cost),
            settings=spectra_settings.trained_spectra,
            stage="spectra",
        ),
        Step(
            "kurtosis",
            **_ANALYSIS,
            arrays=memory.kurtosis,
            cost=kurtosis_cost,
            settings=spectra_settings.kurtosis,
            stage="spectra",
            count=counts.kurtosis_variants,
        ),
        Step("spectral_gap", "light", settings=spectra_settings.spectral_gap, stage="spectra"),
        Step(
            "untrained_reference",
            "compute",
            arrays=memory.symmetry_reference,
            settings=symmetry_settings.untrained_reference,
            stage="symmetry",
            count=counts.untrained_references,
        ),
        Step(
            "rotation_js",
            **_ANALYSIS,
            arrays=memory.symmetry_reference,
            settings=symmetry_settings.rotation_js,
            stage="symmetry",
            count=counts.rotation_js_jobs,
        ),
        Step("rotation_js_table", "light", stage="symmetry"),
        Step(
            "rotated_samples",
            **_ANALYSIS,
            arrays=memory.rotated_samples,
            cost=job_line(rotated_samples_cost),
            settings=symmetry_settings.rotated_samples,
            stage="symmetry",
        ),
        Step(
            "landscape_sample",
            **_ANALYSIS,
            arrays=memory.landscape,
            cost=job_line(landscape_cost, "landscape_sample"),
            settings=reciprocal_settings.landscape_sample,
            stage="reciprocal",
        ),
        Step(
            "landscape_points",
            **_ANALYSIS,
            arrays=memory.landscape,
            cost=job_line(landscape_cost, "landscape_points"),
            settings=reciprocal_settings.landscape_points,
            stage="reciprocal",
        ),
        Step(
            "uniform_projections",
            **_ANALYSIS,
            arrays=memory.uniform_projections,
            cost=job_line(uniform_projections_cost),
            settings=reciprocal_settings.uniform_projections,
            stage="reciprocal",
        ),
        Step(
            "mode_trajectory",
            **_ANALYSIS,
            arrays=memory.mode_trajectory,
            cost=job_line(mode_trajectory_costs),
            sizes=model_sizes,
            settings=landau_settings.mode_trajectory,
            stage="landau",
            count=counts.mode_trajectory_jobs,
        ),
        Step(
            "mode_trajectory_table",
            "light",
            settings=landau_settings.mode_trajectory_table,
            stage="landau",
        ),
        Step(
            "uniform_moments",
            **_ANALYSIS,
            arrays=memory.uniform_moments,
            settings=claims_settings.uniform_moments,
            stage="claims",
        ),
        Step(
            "pc_alignment",
            **_ANALYSIS,
            arrays=memory.pc_alignment,
            settings=claims_settings.pc_alignment,
            stage="claims",
        ),
        Step(
            "diffusion",
            **_ANALYSIS,
            arrays=memory.diffusion,
            cost=job_line(diffusion_cost),
            settings=diffusion_settings.diffusion,
            stage="diffusion",
        ),
        Step("claims", "compute", settings=claims_settings.claims, stage="claims"),
        Step("run_parameters", "light", settings=report_settings.run_parameters, stage="report"),
        *(
            Step(
                name,
                "figure",
                settings=figure_settings.options(name),
                stage="figures",
                count=FIGURE_COUNTS.get(name, counts.one),
            )
            for name in (
                "fig1_left",
                "fig1_right",
                "fig2",
                "fig3_mp",
                "fig3_f",
                "fig3_e",
                "fig4",
                "fig5",
                "fig6",
                "fig7_8",
                "fig_diffusion",
            )
        ),
    )
}


def step(name: str) -> Step:
    """The :class:`Step` of rule ``name``.

    Raises
    ------
    ConfigError
        If no step has that name.
    """
    found = STEPS.get(name)
    if found is None:
        raise ConfigError(
            f"no resource model for rule {name!r}; "
            "add its Step to rbm_reciprocal.pipeline.steps.STEPS"
        )
    return found


def job_json(config: dict, name: str, wildcards: Any, input: Any, output: Any, **extra: Any) -> str:
    """The job file of one job of step ``name`` (:mod:`.job`), from what Snakemake passes to
    a rule's ``params`` function; ``extra``: keyword arguments of the step's settings
    function that are not in the config (the workflow's checkout of run_parameters)."""
    spec = step(name)
    return Job(
        step=name,
        input=plain(input),
        output=plain(output),
        wildcards={k: str(v) for k, v in wildcards.items()},
        settings=settings_dict(spec.settings(config, wildcards, **extra)),
    ).to_json()
