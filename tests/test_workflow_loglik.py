"""End to end: the smoke DAG's log-likelihood table and Fig. 1 (left)."""

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS
from rbm_reciprocal.figures.loglik import crosscheck_points


@pytest.mark.slow
def test_smoke_loglik_table_and_fig1_left(smoke_run):
    smoke = yaml.safe_load((ROOT / "workflow/presets/smoke.yaml").read_text())
    assert smoke["loglik"]["epochs"] == [1, 3]
    table = pd.read_parquet(smoke_run / "results/loglik/loglik.parquet")
    assert list(table.columns) == list(LOGLIK_COLUMNS)
    # trajectory (the default), PTT ladder: a row for every training checkpoint (0..3)
    cols = [table[c] for c in ("method", "hidden", "replica", "epoch")]
    keys = set(zip(*cols, strict=True))
    assert keys == {("PCD", m, r, e) for m in (16, 32) for r in (0, 1) for e in range(4)}
    assert len(table) == len(keys) and (table["estimator"] == "trajectory-pt").all()
    assert (table["traj_steps"] == 800).all() and (table["path_checkpoints"] == 4).all()
    assert (table["pt_rungs"] == 2).all() and (table["traj_groups"] == 8).all()
    later = table[table["epoch"] > 0]
    assert ((later["pt_min_acceptance"] > 0.05) & (later["pt_min_acceptance"] <= 1)).all()
    prefixes = ("log_z_a", "log_z_r", "log_z_b", "test_ll_a", "test_ll_b")
    numeric = [c for c in LOGLIK_COLUMNS if c.startswith(prefixes)]
    numeric = [c for c in numeric if "check" not in c]
    assert np.isfinite(table[numeric].to_numpy(float)).all()
    assert (table["test_ll_ais"] < 0).all() and (table["n_chains"] == 16).all()
    # the ESS is that of the first leg (temperature AIS to epoch 0, 50 chains)
    first = table[table["epoch"] == 0]
    assert ((first["ess_ais"] >= 1) & (first["ess_ais"] <= 50)).all()
    # M = 16 is enumerated exactly; forward and reverse agree with it
    small = table[table["hidden"] == 16]
    assert np.isfinite(small["log_z_exact"]).all()
    assert np.isnan(table.loc[table["hidden"] == 32, "log_z_exact"]).all()
    for kind in ("ais", "rais", "bar"):
        err = (small[f"test_ll_{kind}"] - small["test_ll_exact"]).abs()
        assert (err < np.maximum(4 * small[f"log_z_{kind}_se"], 0.05)).all(), err
    # the crosscheck (standard AIS, 300 betas) fills epoch 3 only, close to the trajectory
    last = table[table["epoch"] == 3]
    assert (last["check_betas"] == 300).all()
    assert table.loc[table["epoch"] < 3, "log_z_ais_check"].isna().all()
    assert ((last["log_z_ais_check"] - last["log_z_ais"]).abs() < 0.5).all()
    # every job logged its estimates and ended its log with time and peak memory (cache: True
    # rules keep no benchmark)
    log = (smoke_run / "results/logs/loglik/trajectory_PCD_M32_replica1.log").read_text()
    assert "epoch 3: log Z" in log and "Traceback" not in log
    assert re.search(r"loglik_trajectory: [\d.]+ s, peak RSS \d+ MB", log)
    assert not (smoke_run / "results/benchmarks/loglik_trajectory").exists()
    log = (smoke_run / "results/logs/loglik/crosscheck_PCD_M32_replica1_epoch0003.log").read_text()
    assert "AIS:" in log and "RAIS:" in log
    # Fig. 1 (left) marks each crosscheck as an LL: the BAR row shifted by its log Z
    # difference, equal to the LL the crosscheck job wrote itself
    pts = crosscheck_points(table).set_index(["hidden", "replica"])
    assert len(pts) == 4 and (pts["epoch"] == 3).all()
    for m, r in pts.index:
        own = pd.read_parquet(
            smoke_run / f"results/loglik/crosscheck/PCD/M{m}/replica{r}/epoch_0003.parquet"
        )
        for kind in ("ais", "rais"):
            got = pts.loc[(m, r), f"test_ll_{kind}_check"]
            assert got == pytest.approx(float(own[f"test_ll_{kind}"].iloc[0]), abs=1e-9)
    for ext, magic in (("pdf", b"%PDF"), ("png", b"\x89PNG\r\n\x1a\n")):
        assert (smoke_run / f"figures/fig1_left.{ext}").read_bytes().startswith(magic)
