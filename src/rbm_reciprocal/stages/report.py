"""Stage report (workflow/rules/report.smk): the run's parameters as YAML and HTML."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import yaml

from rbm_reciprocal.core.io import PathLike, atomic_path
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.provenance import run_parameters, run_parameters_html
from rbm_reciprocal.pipeline.step import Step


@dataclass(frozen=True)
class RunParameters:
    """run_parameters: the merged config (as the workflow validated it, defaults filled) and
    the checkout the workflow runs from (for its git commit)."""

    config: dict[str, Any]
    checkout: str


def run_parameters_settings(config: dict, wildcards: Any, checkout: str) -> RunParameters:
    """``checkout``: the workflow's checkout (common.smk's CHECKOUT, the rule passes it to
    ``job``; "" when the workflow runs as a module from a URL)."""
    return RunParameters(config, str(checkout))


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


#: The steps of this stage (rules of ``workflow/rules/report.smk``).
STEPS = [
    Step(
        "run_parameters",
        "light",
        settings=run_parameters_settings,
        stage="report",
        outputs={"yaml": "results/run_parameters.yaml", "html": "results/run_parameters.html"},
        log="run_parameters",
        report=("html", "Run parameters", {"table": "merged config and versions"}),
    ),
]
