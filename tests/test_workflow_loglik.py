"""End to end: the smoke DAG's log-likelihood table and Fig. 1 (left)."""

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS


@pytest.mark.slow
def test_smoke_loglik_table_and_fig1_left(smoke_run):
    smoke = yaml.safe_load((ROOT / "workflow/presets/smoke.yaml").read_text())
    epochs = smoke["loglik"]["epochs"]
    table = pd.read_parquet(smoke_run / "results/loglik/loglik.parquet")
    assert list(table.columns) == list(LOGLIK_COLUMNS)
    # one row per (method, hidden, replica, epoch) of the smoke preset
    cols = [table[c] for c in ("method", "hidden", "replica", "epoch")]
    keys = set(zip(*cols, strict=True))
    assert keys == {("PCD", m, r, e) for m in (16, 32) for r in (0, 1) for e in epochs}
    assert len(table) == len(keys)
    numeric = [c for c in LOGLIK_COLUMNS if c.startswith(("log_z_a", "log_z_r", "test_ll_a"))]
    assert np.isfinite(table[numeric].to_numpy(float)).all()
    assert (table["test_ll_ais"] < 0).all() and (table["n_chains"] == 50).all()
    assert ((table["ess_ais"] >= 1) & (table["ess_ais"] <= 50)).all()
    # M = 16 is enumerated exactly; both estimates agree with it
    small = table[table["hidden"] == 16]
    assert np.isfinite(small["log_z_exact"]).all()
    assert np.isnan(table.loc[table["hidden"] == 32, "log_z_exact"]).all()
    for kind in ("ais", "rais"):
        err = (small[f"test_ll_{kind}"] - small["test_ll_exact"]).abs()
        assert (err < np.maximum(4 * small[f"log_z_{kind}_se"], 0.05)).all(), err
    # every job logged its estimates, time and peak memory (cache: True rules keep no benchmark)
    log = (smoke_run / "results/logs/loglik/PCD_M32_replica1_epoch0003.log").read_text()
    assert "AIS:" in log and "RAIS:" in log and "Traceback" not in log
    assert "peak RSS" in log.splitlines()[-1]
    for ext, magic in (("pdf", b"%PDF"), ("png", b"\x89PNG\r\n\x1a\n")):
        assert (smoke_run / f"figures/fig1_left.{ext}").read_bytes().startswith(magic)
