"""Figs. 7-8 outputs of the shared smoke run."""

import numpy as np
import pandas as pd
import pytest
from conftest import SMOKE, SMOKE_EPOCHS


@pytest.mark.slow
def test_fig7_8_outputs(smoke_run):
    t = pd.read_parquet(smoke_run / "results/landau/mode_trajectories.parquet")
    assert sorted(set(t["hidden"])) == sorted(SMOKE["model"]["hidden"])
    # landau.epochs: null is every checkpoint
    assert sorted(set(t["epoch"])) == sorted(SMOKE["landau"]["epochs"] or SMOKE_EPOCHS)
    for _, g in t.groupby("hidden"):
        g = g.sort_values("epoch")
        assert g["mu_w"].iloc[0] >= 0  # oriented by sign(mu_w) at the first epoch
        # then by continuity wherever mode 1 is followed (overlap >= 0.5)
        sign, flip = g["sign"].to_numpy(), g["flip_prev"].to_numpy()
        followed = g["overlap_prev"].to_numpy() >= 0.5
        np.testing.assert_array_equal(sign[1:][followed[1:]], (sign[:-1] * flip[1:])[followed[1:]])
    assert set(t["landau_u_wells"]) <= {1, 2} and not t["landau_u_unconfined"].any()
    assert {"landau_quartic_u_wells", "landau_quartic_u_unconfined"} <= set(t.columns)
    assert (t["n_test"] > 0).all() and np.isfinite(t["test_u_mean"]).all()
    # the smoke preset's chains (claim 15's sample size)
    assert (t["n_gibbs"] == SMOKE["landau"]["gibbs_chains"]).all()
    # the top singular value grows with training
    for _, g in t.groupby("hidden"):
        g = g.sort_values("epoch")
        assert g["lambda_1"].iloc[-1] > g["lambda_1"].iloc[0]
    for n in (7, 8):
        for ext in ("pdf", "png"):
            assert (smoke_run / f"figures/fig{n}.{ext}").stat().st_size > 1000
