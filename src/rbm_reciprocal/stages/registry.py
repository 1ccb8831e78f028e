"""The workflow's steps: one :class:`~rbm_reciprocal.pipeline.step.Step` per Snakemake rule
(same name), in :data:`STEPS`, collected from the stage modules (each one's ``STEPS``).

A step declares what its jobs need, as small functions of the validated config and the job's
wildcards: its settings, the stage module that runs it, its outputs and log, its job count,
the kind of its imports (a key of :data:`~rbm_reciprocal.pipeline.memory.BASE_MB`), its
threads, the bytes of the arrays it holds (:mod:`~rbm_reciprocal.pipeline.memory`), its work
(a :class:`~rbm_reciprocal.pipeline.cost.Cost`), whether it resumes after a time limit.
:mod:`~rbm_reciprocal.pipeline.resources` and :mod:`~rbm_reciprocal.pipeline.runtime` turn
these into the ``threads``, ``mem_mb`` and ``runtime`` of every job, and the rules in
``workflow/rules/*.smk`` ask for them by the step's name (``tests/test_architecture.py``
checks that every rule has a step and every step a rule and a job).

Snakemake imports this module when it parses the workflow: the stage modules bind their
heavy imports (numba, scipy, pandas, matplotlib) lazily (:mod:`rbm_reciprocal.core.lazy`).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from rbm_reciprocal import stages
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.job import Job, plain, settings_dict
from rbm_reciprocal.pipeline.paths import under
from rbm_reciprocal.pipeline.step import Step

#: The stage modules in the order of the flow from data to figures; a module not named here
#: (a new stage) is found all the same, and its steps come after these.
FLOW = (
    "data", "train", "models", "loglik", "loglik_tables", "spectra", "kurtosis", "reciprocal",
    "uniform_projections", "symmetry", "rotated_samples", "landau", "claims", "diffusion",
    "report",
)  # fmt: skip


def stage_modules() -> list[ModuleType]:
    """Every module of :mod:`rbm_reciprocal.stages` (but this one), in :data:`FLOW` order,
    then by name: adding a stage module registers its ``STEPS``."""
    names = [m.name for m in pkgutil.iter_modules(stages.__path__) if m.name != "registry"]
    order = sorted(names, key=lambda n: (FLOW.index(n) if n in FLOW else len(FLOW), n))
    return [importlib.import_module(f"{stages.__name__}.{n}") for n in order]


#: Every step of the workflow by name, stage by stage (each stage module's ``STEPS``).
STEPS: dict[str, Step] = {
    s.name: s for module in stage_modules() for s in getattr(module, "STEPS", ())
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
            "add its Step to the STEPS of its stage module (rbm_reciprocal.stages)"
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


def step_outputs(config: dict, name: str) -> dict[str, str | list[str]]:
    """Named output patterns of step ``name`` under the config's folders (figure steps:
    ``pdf`` and ``png``)."""
    spec = step(name)
    if spec.figure:
        stem = under(config, f"figures/{spec.figure}")
        return {"pdf": f"{stem}.pdf", "png": f"{stem}.png"}
    if callable(spec.outputs):
        return spec.outputs(config)
    return {key: under(config, t) for key, t in spec.outputs.items()}


def step_log(config: dict, name: str) -> dict[str, str]:
    """The log (``log``) and job file (``job``) patterns of step ``name``'s jobs."""
    stem = under(config, f"results/logs/{step(name).log}")
    return {"log": f"{stem}.log", "job": f"{stem}.job.json"}
