"""Stage figures: each figure step renders its figure from the tables of its inputs."""

from __future__ import annotations

from rbm_reciprocal.figures.render import render
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.stages.registry import STEPS


def figure_job(job: Job) -> None:
    """A figure rule: :func:`~rbm_reciprocal.figures.render.render` of the job's inputs (in
    their declared order) to the stem of its ``pdf`` output, with its settings as options."""
    inputs = []
    for value in job.input.values():
        inputs.extend(value if isinstance(value, list) else [value])
    render(job.step, inputs, job.output["pdf"].removesuffix(".pdf"), job.settings)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {name: figure_job for name, step in STEPS.items() if step.kind == "figure"}
