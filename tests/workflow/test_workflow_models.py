"""Model archives end to end: the smoke DAG from a `models export` of the shared
smoke run, and Snakemake's between-workflow output cache."""

import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from conftest import SMOKE, snakemake_run, write_override

from rbm_reciprocal.cli import main


@pytest.mark.slow
def test_smoke_dag_from_an_export(smoke_run, tmp_path):
    out = tmp_path / "export"
    assert (
        main(["models", "export", "--results", str(smoke_run / "results"), "--out", str(out)]) == 0
    )
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_override(fresh, models={"source": str(out)})
    plan = snakemake_run(fresh, "-n", "--cores", "2")
    assert plan.returncode == 0, plan.stderr[-3000:]
    assert re.search(r"^import_models\s+1$", plan.stdout, re.M)
    assert "train_rbm" not in plan.stdout
    r = snakemake_run(fresh, "--cores", "2")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    figs = {p.name for p in (fresh / "figures").iterdir()}
    assert figs == {p.name for p in (smoke_run / "figures").iterdir()} and len(figs) >= 30
    # no training job ran: the only log under train/ is the report of the imported models,
    # which finds them trained as configured
    assert {p.name for p in (fresh / "results/logs/train").rglob("*.log")} == {
        "training_report.log"
    }
    report = pd.read_parquet(fresh / "results/train/training.parquet")
    m = SMOKE["model"]
    n_models = len(m["hidden"]) * len(SMOKE["training"]["methods"]) * m["replicas"]
    assert len(report) == n_models and report["complete"].all()
    assert (report["epochs"] == SMOKE["training"]["epochs"]).all()
    for f in json.loads((out / "manifest.json").read_text())["files"]:
        assert (fresh / "results" / f).read_bytes() == (smoke_run / "results" / f).read_bytes()
    # the same models give the same numbers downstream
    a, b = (
        pd.read_parquet(d / "results/spectra/trained_values.parquet") for d in (smoke_run, fresh)
    )
    pd.testing.assert_frame_equal(a, b)

    # a corrupted file in the export: one line, nothing downstream runs
    f = next(iter(json.loads((out / "manifest.json").read_text())["files"]))
    (out / f).write_bytes((out / f).read_bytes()[:-10] + b"0123456789")
    again = tmp_path / "again"
    again.mkdir()
    write_override(again, models={"source": str(out)})
    r = snakemake_run(again, "--cores", "2", "results/models/manifest.json")
    assert r.returncode != 0
    errors = [
        ln
        for ln in (again / "results/logs/import_models.log").read_text().splitlines()
        if ln.startswith("error:")
    ]
    assert len(errors) == 1 and f in errors[0] and "sha256 mismatch" in errors[0]


@pytest.mark.slow
def test_output_cache_serves_a_second_checkout(tmp_path):
    env = dict(os.environ, SNAKEMAKE_OUTPUT_CACHE=str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    # the first model of the smoke preset, its last epoch
    method, hidden = SMOKE["training"]["methods"][0], SMOKE["model"]["hidden"][0]
    last = SMOKE["training"]["epochs"]
    run = f"{method}/M{hidden}/replica0"
    target = f"results/loglik/{run}/epoch_{last:04d}.parquet"
    rows = []
    for name in ("first", "second"):
        d = tmp_path / name
        d.mkdir()
        write_override(d)
        old = os.environ.copy()
        os.environ.update(env)
        try:
            r = snakemake_run(d, "--cache", "train_rbm", "loglik", "--cores", "2", target)
        finally:
            os.environ.clear()
            os.environ.update(old)
        assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
        rows.append(pd.read_parquet(d / target))
    first, second = tmp_path / "first", tmp_path / "second"
    train_log = f"{method}_M{hidden}_replica0.log"
    ais_log = f"{method}_M{hidden}_replica0_epoch{last:04d}.log"
    assert f"epoch {last}/{last}" in (first / "results/logs/train" / train_log).read_text()
    assert "peak RSS" in (first / "results/logs/loglik" / ais_log).read_text()
    # Snakemake creates the log files, but no training and no AIS ran: they stay empty
    assert (second / "results/logs/train" / train_log).read_text() == ""
    assert (second / "results/logs/loglik" / ais_log).read_text() == ""
    assert not (second / "results/spectra").exists()  # only the target's jobs ran
    metrics = second / f"results/train/{run}/metrics.parquet"
    assert metrics.is_symlink() and str(tmp_path / "cache") in os.readlink(metrics)
    pd.testing.assert_frame_equal(rows[0], rows[1])
    assert np.isfinite(rows[1]["test_ll_ais"]).all()
