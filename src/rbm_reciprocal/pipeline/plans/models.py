"""Settings of the model-archive step (``models`` section): what makes two runs train the
same models (:func:`training_fingerprint`, compared on import and written on export) and
the models of a run (:func:`trained_models`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import paths
from rbm_reciprocal.pipeline.config import method_training_config
from rbm_reciprocal.pipeline.paths import run_dir
from rbm_reciprocal.pipeline.step import (
    Step,
)

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


def import_models(config: dict, wildcards: Any) -> ImportModels:
    m = config["models"]
    return ImportModels(
        str(m["source"]), training_fingerprint(config), int(m["retries"]), float(m["timeout"])
    )


def import_jobs(config: dict) -> int:
    """``import_models``: one job with ``models.source``."""
    return 1 if config["models"]["source"] else 0


#: The steps of this stage (rules of ``workflow/rules/models.smk``).
STEPS = [
    Step(
        "import_models",
        "light",
        settings=import_models,
        stage="models",
        count=import_jobs,
        outputs=paths.imported_model_outputs,
        log="import_models",
    ),
]
