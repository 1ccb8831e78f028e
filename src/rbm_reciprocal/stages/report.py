"""Stage report (workflow/rules/report.smk): the run's parameters as YAML and HTML."""

from __future__ import annotations

import sys
from typing import Any

import yaml

from rbm_reciprocal.core.io import PathLike, atomic_path
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
