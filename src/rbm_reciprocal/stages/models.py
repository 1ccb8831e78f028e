"""Stage models (workflow/rules/models.smk): export the trained models of a run as an
archive (:mod:`rbm_reciprocal.data.archive`), and import them instead of training.

What makes two runs train the same models is :func:`training_fingerprint` (compared on
import, written on export); the models of a run are :func:`trained_models`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rbm_reciprocal import __version__
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.core.io import PathLike, atomic_path
from rbm_reciprocal.core.tables import read_table
from rbm_reciprocal.data.archive import (
    ARCHIVE_FORMAT,
    MANIFEST_NAME,
    fetch_archive,
    file_entries,
    write_manifest,
)
from rbm_reciprocal.data.fetch import Log
from rbm_reciprocal.pipeline import paths
from rbm_reciprocal.pipeline.config import load_config, method_training_config
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.paths import run_dir
from rbm_reciprocal.pipeline.provenance import read_run_parameters
from rbm_reciprocal.pipeline.step import Step

#: Training keys that do not change a trained model (which methods run, what is saved).
_NOT_MODEL_KEYS = ("methods", "checkpoints", "resume_every", "threads", "overrides")


def training_fingerprint(config: dict[str, Any]) -> dict[str, Any]:
    """What makes two runs train the same models: compared when importing a model archive.

    The seed, the data preparation (``data``: binarization, threshold, n_train, n_test,
    digits), ``model.init`` and each method's training settings (``training`` with
    ``training.overrides`` merged), without the keys that do not change the models
    (checkpoints, resume_every, threads) and without the backend, so that models trained on a
    GPU serve a CPU run. Hidden sizes and replicas are the archive's list of models.
    """
    data = {k: config["data"][k] for k in ("binarization", "threshold", "n_train", "n_test")}
    data["digits"] = config["data"]["digits"]
    methods = {
        m: {k: v for k, v in method_training_config(config, m).items() if k not in _NOT_MODEL_KEYS}
        for m in config["training"]["methods"]
    }
    return {
        "seed": int(config["seed"]),
        "data": data,
        "model": {"init": dict(config["model"]["init"])},
        "training": methods,
    }


def trained_models(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Every model the config trains: ``method``, ``hidden``, ``replica`` and ``run``, its
    folder relative to ``results_dir``, in the order of ``rule all``."""
    return [
        {"method": meth, "hidden": int(m), "replica": r, "run": run_dir("", meth, m, r)[1:]}
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
        for r in range(int(config["model"]["replicas"]))
    ]


@dataclass(frozen=True)
class ImportModels:
    """import_models: the archive (``models.source``), the run's training fingerprint (the
    archive's must equal it), attempts per file from a network source and seconds per
    request. The files to fetch are the job's outputs."""

    source: str
    training: dict[str, Any]
    retries: int
    timeout: float


def import_models_settings(config: dict, wildcards: Any) -> ImportModels:
    m = config["models"]
    return ImportModels(
        str(m["source"]), training_fingerprint(config), int(m["retries"]), float(m["timeout"])
    )


def import_jobs(config: dict) -> int:
    """``import_models``: one job with ``models.source``."""
    return 1 if config["models"]["source"] else 0


def _model_files(results: Path, model: Mapping[str, Any], epochs: int) -> list[str]:
    """Checked files (relative to ``results``) of one trained model: every checkpoint, then
    the metrics table; a damaged file or an unfinished training is a DataError."""
    run = results / model["run"]
    checkpoints = sorted(run.glob("epoch_*.npz"))
    metrics = run / "metrics.parquet"
    if not checkpoints or not metrics.is_file():
        raise DataError(f"{run}: no trained model there (checkpoints and metrics.parquet)")
    for path in checkpoints:
        read_checkpoint(path)  # a damaged checkpoint is not exported
    last = int(read_table(metrics)["epoch"].max())
    if last != epochs:
        raise DataError(
            f"{metrics}: trained for {last} epochs, the config says training.epochs {epochs}; "
            "export with the config the models were trained with (--configfile)"
        )
    return [str(p.relative_to(results)) for p in [*checkpoints, metrics]]


def export_models(
    results: PathLike,
    out: PathLike,
    models: Sequence[Mapping[str, Any]],
    training: Mapping[str, Any],
    config_training: Mapping[str, Any],
    code: Mapping[str, Any],
    log: Log = print,
) -> dict[str, Any]:
    """Copy the checkpoints and metrics of ``models`` from ``results`` to ``out`` with a manifest.

    Parameters
    ----------
    results, out : path-like
        The run's results folder; the archive folder (created; files of the same name are
        replaced).
    models : sequence of mapping
        ``{"method", "hidden", "replica", "run"}``, ``run`` the model's folder relative to
        ``results``.
    training : mapping
        The run's training fingerprint (compared on import).
    config_training, code : mapping
        The run's ``training`` config section and code version, recorded for people.

    Returns
    -------
    dict
        The manifest (also written to ``out/manifest.json``).
    """
    results, out = Path(results), Path(out)
    entries, files = [], []
    for model in models:
        epochs = int(training["training"][model["method"]]["epochs"])
        own = _model_files(results, model, epochs)
        entries.append({k: model[k] for k in ("method", "hidden", "replica")} | {"files": own})
        files += own
    for f in files:
        with atomic_path(out / f) as tmp:
            shutil.copyfile(results / f, tmp)
    manifest = {
        "format": ARCHIVE_FORMAT,
        "training": dict(training),
        "config": {"training": dict(config_training)},
        "code": dict(code),
        "models": entries,
        "files": file_entries(out, files),
    }
    write_manifest(out / MANIFEST_NAME, manifest)
    size = sum(e["bytes"] for e in manifest["files"].values())
    log(f"exported {len(entries)} models, {len(files)} files ({size / 1e6:.1f} MB) to {out}")
    return manifest


def import_models(
    source: str,
    results: PathLike,
    files: Sequence[str],
    training: Mapping[str, Any],
    manifest_out: PathLike,
    retries: int,
    timeout: float,
    backoff: float = 1.0,
    log: Log = print,
) -> dict[str, Any]:
    """Fetch the model files ``files`` (relative to ``results``) of the archive at ``source``,
    checked against ``training`` and the manifest's sha256 (see
    :func:`rbm_reciprocal.data.archive.fetch_archive`)."""
    return fetch_archive(
        source, results, files, training, manifest_out, retries, timeout, backoff, log
    )


def export_run(results: PathLike, out: PathLike, configfiles: Sequence[str] | None = None) -> dict:
    """:func:`export_models` of every model of a run: its config from ``configfiles``, or from
    the run's ``run_parameters.yaml`` (which also gives the code version)."""
    if configfiles:
        run = {"config": load_config(configfiles), "code": {}}
    else:
        run = read_run_parameters(results)
    config = run["config"]
    code = run["code"] | {"exported_by": f"rbm_reciprocal {__version__}"}
    return export_models(
        results,
        out,
        trained_models(config),
        training_fingerprint(config),
        config["training"],
        code,
    )


def import_models_job(job: Job) -> None:
    """Rule import_models: :func:`import_models` of the job's ``files`` (the models of the
    config) into the results folder of its ``manifest`` (``<results>/models/manifest.json``)."""
    s = ImportModels(**job.settings)
    manifest = job.output["manifest"]
    results = os.path.dirname(os.path.dirname(manifest))
    files = [os.path.relpath(f, results) for f in job.output["files"]]
    import_models(s.source, results, files, s.training, manifest, s.retries, s.timeout)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"import_models": import_models_job}


#: The steps of this stage (rules of ``workflow/rules/models.smk``).
STEPS = [
    Step(
        "import_models",
        "light",
        settings=import_models_settings,
        stage="models",
        count=import_jobs,
        outputs=paths.imported_model_outputs,
        log="import_models",
    ),
]
