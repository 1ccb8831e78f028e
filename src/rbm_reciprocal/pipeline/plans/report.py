"""Settings of the report step: the run's merged config and the workflow's checkout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline.step import (
    Step,
)


@dataclass(frozen=True)
class RunParameters:
    """run_parameters: the merged config (as the workflow validated it, defaults filled) and
    the checkout the workflow runs from (for its git commit)."""

    config: dict[str, Any]
    checkout: str


def run_parameters(config: dict, wildcards: Any, checkout: str) -> RunParameters:
    """``checkout``: the workflow's checkout (common.smk's CHECKOUT, the rule passes it to
    ``job``; "" when the workflow runs as a module from a URL)."""
    return RunParameters(config, str(checkout))


#: The steps of this stage (rules of ``workflow/rules/report.smk``).
STEPS = [
    Step(
        "run_parameters",
        "light",
        settings=run_parameters,
        stage="report",
        outputs={"yaml": "results/run_parameters.yaml", "html": "results/run_parameters.html"},
        log="run_parameters",
        report=("html", "Run parameters", {"table": "merged config and versions"}),
    ),
]
