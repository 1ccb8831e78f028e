"""How many jobs of each step a fresh run plans (``snakemake -n`` in an empty folder).

Each :class:`~.steps.Step` names one of these functions; the ``cost`` command counts with them,
and ``tests/workflow/test_job_counts.py`` checks them against Snakemake's own plan for the paper
config and the presets, so that the cost report and the DAG never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
from rbm_reciprocal.pipeline.step_settings import final_models
from rbm_reciprocal.pipeline.step_settings.landau import landau_epochs
from rbm_reciprocal.pipeline.step_settings.loglik import (
    crosscheck_epochs_from_config,
    loglik_epochs_from_config,
    loglik_method,
)
from rbm_reciprocal.pipeline.step_settings.symmetry import rotation_js_models, untrained_sizes

Count = Callable[[dict], int]


def one(config: dict) -> int:
    """A step with a single job."""
    return 1


def _trains(config: dict) -> bool:
    return not config["models"]["source"]


def train_jobs(config: dict) -> int:
    """``train_rbm``: one job per model, unless replicas are batched or models imported."""
    if not _trains(config) or config["training"]["batch_replicas"]:
        return 0
    return len(final_models(config))


def batched_train_jobs(config: dict) -> int:
    """``train_rbm_batched``: one job per (method, hidden size) with ``batch_replicas``."""
    if not _trains(config) or not config["training"]["batch_replicas"]:
        return 0
    return len(config["model"]["hidden"]) * len(config["training"]["methods"])


def import_jobs(config: dict) -> int:
    """``import_models``: one job with ``models.source``."""
    return 1 if config["models"]["source"] else 0


def standard_loglik_jobs(config: dict) -> int:
    """``loglik``: one job per model and ``loglik.epochs`` entry (method standard)."""
    if loglik_method(config) != "standard":
        return 0
    epochs = loglik_epochs_from_config(config, checkpoint_epochs_from_config(config))
    return len(final_models(config)) * len(epochs)


def trajectory_jobs(config: dict) -> int:
    """``loglik_trajectory``: one job per model (method trajectory)."""
    return len(final_models(config)) if loglik_method(config) == "trajectory" else 0


def crosscheck_jobs(config: dict) -> int:
    """``loglik_crosscheck``: one job per model and crosscheck epoch (method trajectory)."""
    epochs = crosscheck_epochs_from_config(config, checkpoint_epochs_from_config(config))
    return len(final_models(config)) * len(epochs)


def random_panels(config: dict) -> int:
    """``random_spectrum`` and ``fig3_mp``: one per panel of Fig. 3a-d."""
    return len(config["spectra"]["random"]["hidden"])


def kurtosis_variants(config: dict) -> int:
    """``kurtosis``: one per variant of Fig. 3e."""
    return len(config["spectra"]["kurtosis"]["variants"])


def untrained_references(config: dict) -> int:
    """``untrained_reference``: one per hidden size that an analysis compares with."""
    return len(untrained_sizes(config))


def rotation_js_jobs(config: dict) -> int:
    """``rotation_js``: every trained model and every untrained reference (Fig. 4)."""
    return len(rotation_js_models(config))


def mode_trajectory_jobs(config: dict) -> int:
    """``mode_trajectory``: one per hidden size and Landau epoch (Figs. 7-8)."""
    return len(config["model"]["hidden"]) * len(landau_epochs(config))


def landau_figures(config: dict) -> int:
    """``fig7_8``: Fig. 7 (the first hidden size) and Fig. 8 (the others, if any)."""
    return 1 + (len(config["model"]["hidden"]) > 1)
