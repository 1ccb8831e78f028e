"""Stage figures: each figure step renders its figure from the tables of its inputs."""

from __future__ import annotations

from collections.abc import Callable

from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.pipeline.job import Job

render = lazy_module("rbm_reciprocal.figures.render")


def figure_job(job: Job) -> None:
    """A figure rule: :func:`~rbm_reciprocal.figures.render.render` of the job's inputs (in
    their declared order) to the stem of its ``pdf`` output, with its settings as options."""
    inputs = []
    for value in job.input.values():
        inputs.extend(value if isinstance(value, list) else [value])
    render.render(job.step, inputs, job.output["pdf"].removesuffix(".pdf"), job.settings)


class FigureJobs(dict):
    """The ``JOBS`` of this stage: every figure step (``Step(name, "figure",
    stage="figures")``, declared in the stage module of its tables) runs :func:`figure_job`;
    :func:`~rbm_reciprocal.figures.render.render` knows the figure by the step's name."""

    def __missing__(self, step: str) -> Callable[[Job], None]:
        return figure_job


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = FigureJobs()
