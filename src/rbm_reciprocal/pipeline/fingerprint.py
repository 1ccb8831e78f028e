"""Which config made the outputs of a results folder, so that a run with another config stops.

Every real run writes ``<results_dir>/config_fingerprint.json``: the merged config less the
keys that do not change a result (folders, threads, resources). The next run compares its
own config with it while the workflow is parsed (dry runs and ``--report`` included) and
stops with one line naming the keys that differ, unless it was told what to do: write to
another folder, or rerun the jobs whose settings changed (``--rerun-triggers params``; the
default profile's ``mtime`` alone never retrains silently).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FILE_NAME = "config_fingerprint.json"

#: Keys (dotted paths; ``*`` matches one level) that do not change any result.
NOT_RESULTS = (
    "results_dir",
    "figures_dir",
    "resources",
    "training.threads",
    "loglik.threads",
    "data.sources",
    "data.retries",
    "data.timeout",
    "models.retries",
    "models.timeout",
)


def _ignored(path: str) -> bool:
    return any(path == k or path.startswith(k + ".") for k in NOT_RESULTS)


def flatten(config: Mapping, prefix: str = "") -> dict[str, Any]:
    """``{"a.b": value}`` of every leaf of a nested mapping (lists are leaves)."""
    out = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def fingerprint(config: Mapping) -> dict[str, Any]:
    """The keys of ``config`` that can change a result, flattened, as JSON values."""
    flat = flatten(json.loads(json.dumps(config, default=str)))
    return {k: v for k, v in sorted(flat.items()) if not _ignored(k)}


def config_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """``key old -> new`` of every key whose value differs (added and removed keys too)."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, "(unset)"), new.get(key, "(unset)")
        if a != b:
            out.append(f"{key} {json.dumps(a)} -> {json.dumps(b)}")
    return out


def read_fingerprint(results_dir: str | Path) -> dict[str, Any] | None:
    """The fingerprint of the run that wrote ``results_dir``, or None (none yet, or unreadable:
    then nothing can be compared)."""
    try:
        data = json.loads((Path(results_dir) / FILE_NAME).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_fingerprint(results_dir: str | Path, config: Mapping) -> None:
    """Record the config of this run in ``results_dir`` (atomically)."""
    path = Path(results_dir) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fingerprint(config), indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def mismatch_message(config: Mapping, changes: list[str], rerun: str, shown: int = 4) -> str:
    """One line: what differs from the config that made the results folder, and the two ways
    out (another folder, or rerunning every job whose settings changed)."""
    res, fig = config["results_dir"], config["figures_dir"]
    more = f"; and {len(changes) - shown} more" if len(changes) > shown else ""
    return (
        f"{res}/ holds the outputs of another config ({'; '.join(changes[:shown])}{more}). "
        f"Either keep both runs: add --config results_dir={res}-2 figures_dir={fig}-2; or "
        f"rerun every job whose settings changed: {rerun} --rerun-triggers mtime params"
    )
