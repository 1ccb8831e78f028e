"""Stage report (workflow/rules/report.smk): the run's parameters as YAML and HTML."""

from __future__ import annotations

import sys
from typing import Any

import yaml

from rbm_reciprocal.core.io import PathLike, atomic_path
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans.report import RunParameters
from rbm_reciprocal.pipeline.provenance import run_parameters, run_parameters_html


def write_run_parameters(
    config: dict[str, Any], checkout: PathLike | None, out_yaml: PathLike, out_html: PathLike
) -> dict:
    """Write :func:`~rbm_reciprocal.pipeline.provenance.run_parameters` to ``out_yaml`` and
    ``out_html``; return them."""
    params = run_parameters(config, checkout)
    with atomic_path(out_yaml) as tmp:
        tmp.write_text(yaml.safe_dump(params, sort_keys=False))
    with atomic_path(out_html) as tmp:
        tmp.write_text(run_parameters_html(params))
    print(f"code {params['code']}", file=sys.stderr)
    return params


def run_parameters_job(job: Job) -> None:
    """Rule run_parameters: :func:`write_run_parameters` of the job's config and checkout."""
    s = RunParameters(**job.settings)
    write_run_parameters(s.config, s.checkout, job.output["yaml"], job.output["html"])


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"run_parameters": run_parameters_job}
