"""Stage training_report (workflow/rules/train.smk): how every model's training ended, as a
table and as a page of the report.

A reader judging Figs. 1-8 wants to know that the models behind them trained as configured
and alike across replicas: this step reads each model's ``metrics.parquet`` (one row per
checkpointed epoch, written by the training job) and keeps its last row, and the page adds
the spread over the replicas of each method and hidden size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.pipeline.config import final_models, method_training_config
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import Step
from rbm_reciprocal.stages.tables import html_table

pd = lazy_module("pandas")

#: The columns of ``training.parquet``, one row per model (``train_hours``,
#: ``updates_per_second``: wall clock).
COLUMNS = (
    "method", "hidden", "replica", "epochs", "epochs_configured", "updates", "recon_error",
    "recon_error_start", "weight_norm", "max_singular_value", "train_hours",
    "updates_per_second", "complete",
)  # fmt: skip
#: Final values averaged over the replicas on the page.
SPREAD = ("recon_error", "weight_norm", "max_singular_value")


@dataclass(frozen=True)
class TrainingReport:
    """training_report: the models (method, hidden, replica), in the order of the rule's
    ``metrics`` inputs, and the epochs each method's config asks for."""

    models: list[tuple[str, int, int]]
    epochs: dict[str, int]


def training_report_settings(config: dict, wildcards: Any) -> TrainingReport:
    methods = config["training"]["methods"]
    return TrainingReport(
        [(meth, m, r) for m, meth, r in final_models(config)],
        {str(meth): int(method_training_config(config, meth)["epochs"]) for meth in methods},
    )


def training_table(metrics: Sequence[pd.DataFrame], settings: TrainingReport) -> pd.DataFrame:
    """One row per model: the last row of its metrics (``recon_error_start``: the first
    trained epoch's), its wall time, and whether it trained every configured epoch with
    finite values (``complete``).

    Raises
    ------
    DataError
        If the number of tables is not the number of models, or a table has no trained epoch.
    """
    if len(metrics) != len(settings.models):
        raise DataError(f"{len(metrics)} metrics tables for {len(settings.models)} models")
    rows = []
    for table, (method, hidden, replica) in zip(metrics, settings.models, strict=True):
        trained = table[table["epoch"] > 0].sort_values("epoch")
        if trained.empty:
            raise DataError(f"{method} M{hidden} replica {replica}: no trained epoch in metrics")
        last, first = trained.iloc[-1], trained.iloc[0]
        wall = float(last["wall_seconds"])
        row = {
            "method": method,
            "hidden": int(hidden),
            "replica": int(replica),
            "epochs": int(last["epoch"]),
            "epochs_configured": settings.epochs[method],
            "updates": int(last["updates"]),
            "recon_error": float(last["recon_error"]),
            "recon_error_start": float(first["recon_error"]),
            "weight_norm": float(last["weight_norm"]),
            "max_singular_value": float(last["max_singular_value"]),
            "train_hours": wall / 3600.0,
            "updates_per_second": int(last["updates"]) / wall if wall > 0 else float("nan"),
        }
        finite = np.isfinite([row[c] for c in SPREAD]).all()
        row["complete"] = bool(finite and row["epochs"] == row["epochs_configured"])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def replica_spread(table: pd.DataFrame) -> pd.DataFrame:
    """Per method and hidden size: the number of replicas and the mean and sample standard
    deviation (``ddof=1``; NaN for one replica) of the final :data:`SPREAD` values."""
    groups = table.groupby(["method", "hidden"], sort=False)[list(SPREAD)]
    out = groups.agg(["mean", "std"])
    out.columns = [f"{c}_{stat}" for c, stat in out.columns]
    out.insert(0, "replicas", groups.size())
    return out.reset_index()


def training_report_html(table: pd.DataFrame) -> str:
    """One HTML page (the report's "Training" page): the replica spread of each method and
    size, then :func:`training_table` with the incomplete models marked."""
    bad = ~table["complete"].astype(bool)
    return (
        "<html><body><h3>Training of every model</h3>"
        f"<p>{len(table)} models, {int(bad.sum())} incomplete (fewer epochs than configured, "
        "or a non-finite value; red).</p><h4>Spread over replicas (final epoch)</h4>"
        + html_table(replica_spread(table), float_format=".4g")
        + "<h4>Every model (final epoch)</h4>"
        + html_table(table, bad.tolist(), float_format=".4g")
        + "</body></html>"
    )


def training_report_job(job: Job) -> None:
    """Rule training_report: :func:`training_table` of the models' metrics, as a table and
    as :func:`training_report_html`."""
    s = TrainingReport([tuple(m) for m in job.settings["models"]], job.settings["epochs"])
    table = training_table([read_table(p) for p in job.input["metrics"]], s)
    save_parquet(job.output["table"], table)
    Path(job.output["html"]).write_text(training_report_html(table))


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"training_report": training_report_job}

#: The steps of this stage (rules of ``workflow/rules/train.smk``).
STEPS = [
    Step(
        "training_report",
        "light",
        settings=training_report_settings,
        stage="training_report",
        outputs={
            "table": "results/train/training.parquet",
            "html": "results/train/training.html",
        },
        log="train/training_report",
        report=("html", "Training", {"table": "every model's final epoch, replica spread"}),
    ),
]
