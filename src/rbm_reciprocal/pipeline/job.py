"""One job of a workflow step as a JSON file: what ``python -m rbm_reciprocal run`` reads.

A rule writes its job (the step's name, its named inputs and outputs, its wildcards, and the
step's settings built from the config by its stage module) to
``results/logs/<...>.job.json`` and runs ``python -m rbm_reciprocal run STEP --job FILE``.
The file stays beside the job's log, so a job can be rerun by hand, outside Snakemake, with
the same command. The layout (version 1)::

    {"version": 1, "step": "random_spectrum",
     "input": {"name": "path" | ["path", ...], ...},
     "output": {"name": "path" | ["path", ...], ...},
     "wildcards": {"hidden": "500", ...},
     "settings": {...}}            # the step's settings dataclass, as a dict

The file is the job's ``params`` (so ``--rerun-triggers params`` reruns exactly the jobs
whose settings changed); threads come from the environment Snakemake sets.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rbm_reciprocal.core.errors import ConfigError

VERSION = 1


@dataclass(frozen=True)
class Job:
    """One job of a step: named inputs and outputs, wildcards and settings."""

    step: str
    input: dict[str, Any] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)
    wildcards: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The job as one line of JSON (the file's layout, see the module docstring)."""
        return json.dumps({"version": VERSION, **dataclasses.asdict(self)}, sort_keys=False)

    @classmethod
    def from_json(cls, text: str, source: str = "job") -> Job:
        """Parse :meth:`to_json`'s text; ``source`` names the file in errors.

        Raises
        ------
        ConfigError
            If the text is not a job of this version.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: not a job file ({exc})") from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ConfigError(f"{source}: not a version-{VERSION} job file")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names - {"version"})
        if unknown or "step" not in data:
            raise ConfigError(f"{source}: unexpected keys {unknown} or no 'step'")
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def read(cls, path: str | Path) -> Job:
        """Read a job file (see :meth:`from_json`)."""
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise ConfigError(f"cannot read job file {path}: {exc.strerror}") from None
        return cls.from_json(text, str(path))


def plain(files: Any) -> dict[str, Any]:
    """Named files of a Snakemake ``input``/``output`` (a Namedlist) or a mapping, as
    JSON-able strings and lists of strings."""
    out = {}
    for name, value in files.items():
        out[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    named = sum(len(v) if isinstance(v, list) else 1 for v in out.values())
    if not isinstance(files, Mapping) and named != len(files):
        raise ConfigError(f"every input and output of a step must be named: {list(files)}")
    return out


def settings_dict(settings: Any) -> dict[str, Any]:
    """A step's settings (a dataclass, a mapping or None) as a plain dict."""
    if settings is None:
        return {}
    if dataclasses.is_dataclass(settings):
        return dataclasses.asdict(settings)
    return dict(settings)
