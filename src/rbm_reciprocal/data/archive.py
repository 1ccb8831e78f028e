"""Model archives: the trained models of a run as a folder that can be published as is.

An archive (written by ``python -m rbm_reciprocal models export``) mirrors the layout of
``results/`` for the files it holds and has a ``manifest.json``:

- ``format``: :data:`ARCHIVE_FORMAT`;
- ``training``: what makes two trainings give the same models (seed, data preparation,
  initialisation, each method's training settings; see
  :func:`rbm_reciprocal.stages.models.training_fingerprint`), compared on
  import;
- ``config``: the run's ``training`` section as written (for people);
- ``code``: the package version and git commit of the run;
- ``models``: one entry per model (``method``, ``hidden``, ``replica``, ``files``);
- ``files``: ``{relative path: {"sha256": ..., "bytes": ...}}`` for every file.

:func:`fetch_archive` obtains the files a config needs from a folder, ``file://`` or
http(s) URL with the retries and atomic writes of :mod:`rbm_reciprocal.data.fetch`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rbm_reciprocal.core.errors import ConfigError, DataError
from rbm_reciprocal.core.io import atomic_path, sha256_file
from rbm_reciprocal.data.fetch import Log, fetch_verified

#: The ``format`` entry of a manifest this code reads and writes.
ARCHIVE_FORMAT = "rbm-reciprocal-models/1"

#: File name of the manifest at the archive's root.
MANIFEST_NAME = "manifest.json"


def file_entries(root: str | os.PathLike, files: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{path: {"sha256", "bytes"}}`` of ``files`` (paths relative to ``root``)."""
    root = Path(root)
    return {
        f: {"sha256": sha256_file(root / f), "bytes": (root / f).stat().st_size}
        for f in sorted(files)
    }


def write_manifest(path: str | os.PathLike, manifest: Mapping[str, Any]) -> None:
    """Write a manifest as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def read_manifest(path: str | os.PathLike, source: str | None = None) -> dict[str, Any]:
    """Read and check a manifest.

    Raises
    ------
    DataError
        One line if it is not JSON, of another format, or lacks an entry.
    """
    where = source or str(path)
    try:
        manifest = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{where}: {MANIFEST_NAME} is not a readable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise DataError(
            f"{where}: {MANIFEST_NAME} is not a model archive of format {ARCHIVE_FORMAT} "
            f"(format {found!r})"
        )
    missing = [k for k in ("training", "models", "files") if k not in manifest]
    if missing:
        raise DataError(f"{where}: {MANIFEST_NAME} lacks {missing}")
    return manifest


def settings_differences(archive: Any, wanted: Any, prefix: str = "") -> list[str]:
    """Dotted keys where two nested settings differ, with both values.

    >>> settings_differences({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}})
    ['b.c (archive 2, config 3)']
    """
    if isinstance(archive, Mapping) and isinstance(wanted, Mapping):
        out = []
        for key in sorted(set(archive) | set(wanted), key=str):
            sub = f"{prefix}.{key}" if prefix else str(key)
            if key not in archive:
                out.append(f"{sub} (not in the archive)")
            elif key not in wanted:
                out.append(f"{sub} (archive {archive[key]!r}, not in the config)")
            else:
                out += settings_differences(archive[key], wanted[key], sub)
        return out
    if isinstance(archive, (list, tuple)) and isinstance(wanted, (list, tuple)):
        archive, wanted = list(archive), list(wanted)
    if archive != wanted:
        return [f"{prefix} (archive {archive!r}, config {wanted!r})"]
    return []


def check_archive(
    manifest: Mapping[str, Any], training: Mapping[str, Any], files: Sequence[str], source: str
) -> None:
    """Refuse an archive trained with other settings or lacking a needed file.

    Raises
    ------
    ConfigError
        One line naming every key whose training setting differs from ``training``.
    DataError
        One line if a file of ``files`` is not in the archive.
    """
    diffs = settings_differences(manifest["training"], training)
    if diffs:
        raise ConfigError(
            f"models.source {source} holds models trained with other settings: "
            f"{'; '.join(diffs)}. Use an archive exported from a run with this config, or set "
            "models.source to null to train"
        )
    missing = [f for f in files if f not in manifest["files"]]
    if missing:
        raise DataError(
            f"models.source {source} lacks {len(missing)} file(s) this config needs "
            f"(first: {missing[0]}); it holds {len(manifest['models'])} model(s). Reduce "
            "model.hidden / model.replicas / training.checkpoints, or set models.source to null"
        )


def fetch_archive(
    source: str,
    dest_root: str | os.PathLike,
    files: Sequence[str],
    training: Mapping[str, Any],
    manifest_out: str | os.PathLike,
    retries: int,
    timeout: float,
    backoff: float = 1.0,
    log: Log = print,
) -> dict[str, Any]:
    """Fetch ``files`` of the archive at ``source`` into ``dest_root``, verified.

    The manifest is fetched first and checked (:func:`check_archive`); then every file is
    fetched and its sha256 compared with the manifest's; the manifest is written to
    ``manifest_out`` last, so that it exists only when every file is in place.

    Raises
    ------
    DownloadError
        One line when the source cannot deliver a file or a file's sha256 differs.
    ConfigError, DataError
        See :func:`check_archive` and :func:`read_manifest`.
    """
    dest_root = Path(dest_root)
    with tempfile.TemporaryDirectory() as tmp:
        fetched = fetch_verified(
            source, MANIFEST_NAME, Path(tmp) / MANIFEST_NAME, None, retries, timeout, backoff, log
        )
        manifest = read_manifest(fetched, source)
    check_archive(manifest, training, files, source)
    for f in files:
        sha = manifest["files"][f]["sha256"]
        fetch_verified(source, f, dest_root / f, sha, retries, timeout, backoff, log)
        log(f"{f}: sha256 OK")
    write_manifest(manifest_out, manifest)
    code = manifest.get("code", {})
    log(
        f"{len(files)} files of {len(manifest['models'])} models from {source} "
        f"(trained by {code.get('package')}, commit {code.get('git_commit')})"
    )
    return manifest
