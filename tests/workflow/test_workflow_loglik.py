"""End to end: the smoke DAG's log-likelihood table and Fig. 1 (left)."""

import re

import numpy as np
import pandas as pd
import pytest
from conftest import SMOKE, SMOKE_EPOCHS, SMOKE_MODELS

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS
from rbm_reciprocal.figures.loglik import crosscheck_points


@pytest.mark.slow
def test_smoke_loglik_table_and_fig1_left(smoke_run):
    ll = SMOKE["loglik"]
    pt = ll["trajectory"]["pt"]
    assert (ll["method"], ll["trajectory"]["sampler"]) == ("trajectory", "pt")
    end = max(ll["epochs"])  # the path's end; the crosscheck at the last epoch
    last = SMOKE["training"]["epochs"]
    path = [e for e in SMOKE_EPOCHS if e <= end]
    table = pd.read_parquet(smoke_run / "results/loglik/loglik.parquet")
    assert list(table.columns) == list(LOGLIK_COLUMNS)
    # trajectory, PTT ladder: a row for every training checkpoint on the path
    cols = [table[c] for c in ("method", "hidden", "replica", "epoch")]
    keys = set(zip(*cols, strict=True))
    assert keys == {(*model, e) for model in SMOKE_MODELS for e in path}
    assert len(table) == len(keys) and (table["estimator"] == "trajectory-pt").all()
    assert (table["traj_steps"] == pt["sweeps"]).all()
    assert (table["path_checkpoints"] == len(path)).all()
    assert (table["pt_rungs"] == pt["rungs"]).all() and (table["traj_groups"] == pt["groups"]).all()
    later = table[table["epoch"] > 0]
    assert ((later["pt_min_acceptance"] > 0.05) & (later["pt_min_acceptance"] <= 1)).all()
    prefixes = ("log_z_a", "log_z_r", "log_z_b", "test_ll_a", "test_ll_b")
    numeric = [c for c in LOGLIK_COLUMNS if c.startswith(prefixes)]
    numeric = [c for c in numeric if "check" not in c]
    assert np.isfinite(table[numeric].to_numpy(float)).all()
    assert (table["test_ll_ais"] < 0).all() and (table["n_chains"] == pt["chains"]).all()
    # the ESS is that of the first leg (temperature AIS to epoch 0, loglik.n_chains chains)
    first = table[table["epoch"] == 0]
    assert ((first["ess_ais"] >= 1) & (first["ess_ais"] <= ll["n_chains"])).all()
    # hidden sizes up to exact_max_units are enumerated exactly; forward and reverse agree
    exact = table["hidden"] <= ll["exact_max_units"]
    assert 0 < exact.sum() < len(table)  # the preset has both kinds
    small = table[exact]
    assert np.isfinite(small["log_z_exact"]).all()
    assert np.isnan(table.loc[~exact, "log_z_exact"]).all()
    for kind in ("ais", "rais", "bar"):
        err = (small[f"test_ll_{kind}"] - small["test_ll_exact"]).abs()
        assert (err < np.maximum(4 * small[f"log_z_{kind}_se"], 0.05)).all(), err
    # the crosscheck (standard AIS) fills the last epoch only, close to the trajectory
    assert ll["crosscheck"]["epochs"] == ["last"]
    at_last = table[table["epoch"] == last]
    assert (at_last["check_betas"] == ll["crosscheck"]["betas"]).all()
    assert table.loc[table["epoch"] < last, "log_z_ais_check"].isna().all()
    assert ((at_last["log_z_ais_check"] - at_last["log_z_ais"]).abs() < 0.5).all()
    # every job logged its estimates and ended its log with time and peak memory (cache: True
    # rules keep no benchmark)
    method, m, r = SMOKE_MODELS[-1]
    logs = smoke_run / "results/logs/loglik"
    log = (logs / f"trajectory_{method}_M{m}_replica{r}.log").read_text()
    assert f"epoch {end}: log Z" in log and "Traceback" not in log
    assert re.search(r"loglik_trajectory: [\d.]+ s, peak RSS \d+ MB", log)
    assert not (smoke_run / "results/benchmarks/loglik_trajectory").exists()
    log = (logs / f"crosscheck_{method}_M{m}_replica{r}_epoch{last:04d}.log").read_text()
    assert "AIS:" in log and "RAIS:" in log
    # Fig. 1 (left) marks each crosscheck as an LL: the BAR row shifted by its log Z
    # difference, equal to the LL the crosscheck job wrote itself
    pts = crosscheck_points(table).set_index(["hidden", "replica"])
    assert len(pts) == len(SMOKE_MODELS) and (pts["epoch"] == last).all()
    for m, r in pts.index:
        own = pd.read_parquet(
            smoke_run
            / f"results/loglik/crosscheck/{method}/M{m}/replica{r}"
            / f"epoch_{last:04d}.parquet"
        )
        for kind in ("ais", "rais"):
            got = pts.loc[(m, r), f"test_ll_{kind}_check"]
            assert got == pytest.approx(float(own[f"test_ll_{kind}"].iloc[0]), abs=1e-9)
    for ext, magic in (("pdf", b"%PDF"), ("png", b"\x89PNG\r\n\x1a\n")):
        assert (smoke_run / f"figures/fig1_left.{ext}").read_bytes().startswith(magic)
