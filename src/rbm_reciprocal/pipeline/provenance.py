"""The run's parameters for the Snakemake report: merged config, code version, libraries.

Written by rule ``run_parameters`` to ``results/run_parameters.yaml`` (machine-readable) and
``results/run_parameters.html`` (shown in the report under "Run parameters").
"""

from __future__ import annotations

import html
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from rbm_reciprocal import __version__
from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.core.io import rerun_command

#: Libraries whose versions change numbers or speed.
LIBRARIES = ("numpy", "numba", "scipy", "pandas", "pyarrow", "matplotlib", "snakemake", "torch")


def git_commit(path: str | Path) -> str | None:
    """The checkout's commit (with ``-dirty`` if it has uncommitted changes), or None."""
    try:
        out = subprocess.run(
            ["git", "-C", str(path), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed versions of ``names`` (absent ones are left out)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def run_parameters(config: dict[str, Any], checkout: str | Path | None = None) -> dict:
    """Everything that defines a run: the merged config, the code and library versions."""
    return {
        "config": config,
        "code": {
            "package": f"rbm_reciprocal {__version__}",
            "git_commit": git_commit(checkout) if checkout else None,
        },
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": library_versions(),
    }


def run_parameters_html(params: dict) -> str:
    """A small self-contained HTML page: code and libraries, then the config as YAML."""
    code = params["code"]
    libs = ", ".join(f"{k} {v}" for k, v in params["libraries"].items())
    text = yaml.safe_dump(params["config"], sort_keys=False, default_flow_style=None)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Run parameters</title>"
        "</head><body>\n<h2>Run parameters</h2>\n<ul>"
        f"<li>code: {html.escape(code['package'])}, commit "
        f"{html.escape(str(code['git_commit'] or 'unknown'))}</li>"
        f"<li>Python {html.escape(params['python'])} on {html.escape(params['platform'])}</li>"
        f"<li>libraries: {html.escape(libs)}</li></ul>\n"
        "<h3>Merged configuration</h3>\n"
        f"<pre>{html.escape(text)}</pre>\n</body></html>\n"
    )


def read_run_parameters(results: str | Path) -> dict:
    """The ``run_parameters.yaml`` of a results folder (merged config and code version).

    Raises
    ------
    DataError
        One line if it is missing or not a run-parameters file.
    """
    path = Path(results) / "run_parameters.yaml"
    try:
        params = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(
            f"{path} is missing or damaged ({type(exc).__name__}); rerun rule run_parameters "
            f"({rerun_command(path)}) or pass the run's --configfile"
        ) from exc
    if not isinstance(params, dict) or not isinstance(params.get("config"), dict):
        raise DataError(f"{path} holds no 'config' mapping: rerun rule run_parameters")
    return params
