"""Figs. 7-8 outputs of the shared smoke run."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.slow
def test_fig7_8_outputs(smoke_run):
    t = pd.read_parquet(smoke_run / "results/landau/mode_trajectories.parquet")
    assert sorted(set(t["hidden"])) == [16, 32]
    assert sorted(set(t["epoch"])) == [0, 1, 2, 3]
    assert (t["mu_w"] >= 0).all()  # multiplied by sign(mu_w)
    assert set(t["landau_u_wells"]) <= {1, 2}
    assert (t["n_test"] > 0).all() and np.isfinite(t["test_u_mean"]).all()
    # the top singular value grows with training
    for _, g in t.groupby("hidden"):
        g = g.sort_values("epoch")
        assert g["lambda_1"].iloc[-1] > g["lambda_1"].iloc[0]
    for n in (7, 8):
        for ext in ("pdf", "png"):
            assert (smoke_run / f"figures/fig{n}.{ext}").stat().st_size > 1000
