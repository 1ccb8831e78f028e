"""The training report (stage training_report): each model's last epoch, the replica spread,
and the models that did not train as configured."""

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import SMOKE_CONFIGS

from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.stages.training_report import (
    TrainingReport,
    replica_spread,
    training_report_html,
    training_report_settings,
    training_table,
)


def metrics(epochs: int, recon: list[float], sv: list[float], seconds: float) -> pd.DataFrame:
    """A metrics table as the training job writes it: epoch 0 (untrained), then one row per
    epoch of 10 updates, ``seconds`` of wall time each."""
    n = epochs + 1
    return pd.DataFrame(
        {
            "epoch": np.arange(n),
            "updates": 10 * np.arange(n),
            "recon_error": [0.09, *recon],
            "weight_norm": np.linspace(1.0, 2.0, n),
            "max_singular_value": [0.3, *sv],
            "epoch_seconds": [0.0] + [seconds] * epochs,
            "updates_per_second": [np.nan] + [10 / seconds] * epochs,
            "wall_seconds": seconds * np.arange(n),
        }
    )


SETTINGS = TrainingReport([("PCD", 16, 0), ("PCD", 16, 1), ("CD", 16, 0)], {"PCD": 3, "CD": 3})


def test_rows_are_the_last_epoch_of_each_model():
    tables = [
        metrics(3, [0.08, 0.07, 0.06], [2.0, 3.0, 4.0], 2.0),
        metrics(3, [0.085, 0.075, 0.05], [2.0, 3.0, 6.0], 4.0),
        metrics(3, [0.081, 0.071, 0.061], [1.0, 1.5, 2.5], 1.0),
    ]
    t = training_table(tables, SETTINGS)
    assert list(t["method"]) == ["PCD", "PCD", "CD"] and list(t["replica"]) == [0, 1, 0]
    first = t.iloc[0]
    assert (first["epochs"], first["updates"]) == (3, 30)
    assert first["recon_error"] == 0.06 and first["recon_error_start"] == 0.08
    assert first["max_singular_value"] == 4.0 and first["weight_norm"] == 2.0
    assert first["train_hours"] == pytest.approx(6.0 / 3600)
    assert first["updates_per_second"] == pytest.approx(30 / 6.0)
    assert t["complete"].all()
    # spread over the two PCD replicas: mean 5, sample std sqrt(2) of (4, 6); CD has one
    spread = replica_spread(t).set_index("method")
    assert spread.loc["PCD", "replicas"] == 2 and spread.loc["CD", "replicas"] == 1
    assert spread.loc["PCD", "max_singular_value_mean"] == pytest.approx(5.0)
    assert spread.loc["PCD", "max_singular_value_std"] == pytest.approx(np.sqrt(2.0))
    assert spread.loc["PCD", "recon_error_std"] == pytest.approx(np.std([0.06, 0.05], ddof=1))
    assert np.isnan(spread.loc["CD", "max_singular_value_std"])


def test_models_short_of_epochs_or_not_finite_are_marked_incomplete():
    short = metrics(2, [0.08, 0.07], [2.0, 3.0], 1.0)  # 2 of the 3 epochs configured
    diverged = metrics(3, [0.08, 0.07, np.nan], [2.0, 3.0, np.inf], 1.0)
    fine = metrics(3, [0.08, 0.07, 0.06], [2.0, 3.0, 4.0], 1.0)
    t = training_table([short, diverged, fine], SETTINGS)
    assert list(t["complete"]) == [False, False, True]
    assert list(t["epochs"]) == [2, 3, 3]
    page = training_report_html(t)
    assert "3 models, 2 incomplete" in page
    assert len(re.findall(r'<tr class="flagged"', page)) == 2
    # unmarked rows: the header of each table (2), the spread rows (PCD, CD), the fine model
    assert page.count("<tr>") == 2 + 2 + 1


def test_missing_or_untrained_metrics_are_data_errors():
    fine = metrics(3, [0.08, 0.07, 0.06], [2.0, 3.0, 4.0], 1.0)
    with pytest.raises(DataError, match="2 metrics tables for 3 models"):
        training_table([fine, fine], SETTINGS)
    with pytest.raises(DataError, match="CD M16 replica 0: no trained epoch"):
        training_table([fine, fine, fine.iloc[:1]], SETTINGS)


def test_settings_follow_the_models_and_each_methods_epochs():
    config = load_config(SMOKE_CONFIGS)
    config["training"]["methods"] = ["PCD", "CD"]
    config["training"]["overrides"] = {"CD": {"epochs": 2}}
    s = training_report_settings(config, SimpleNamespace())
    hidden, replicas = config["model"]["hidden"], config["model"]["replicas"]
    assert len(s.models) == len(hidden) * 2 * replicas
    assert s.models[:2] == [("PCD", hidden[0], 0), ("PCD", hidden[0], 1)]
    assert s.epochs == {"PCD": config["training"]["epochs"], "CD": 2}
