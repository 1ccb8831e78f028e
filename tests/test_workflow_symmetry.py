"""Fig. 4 outputs of the shared smoke run."""

import pandas as pd
import pytest


@pytest.mark.slow
def test_fig4_outputs(smoke_run):
    js = pd.read_parquet(smoke_run / "results/symmetry/fig4_js.parquet")
    trained = js[js["kind"] == "trained"]
    assert sorted(set(trained["hidden"])) == [16, 32] and len(trained) == 4
    assert (js["js"] > 0).all() and (js["js"] < 0.7).all()  # 0 < JS < log 2
    untrained = js[js["kind"] == "untrained"].iloc[0]
    assert (untrained["n_visible"], untrained["n_hidden"]) == (784, 500)
    assert untrained["js"] < 3 * untrained["js_noise"]
    noise = pd.read_parquet(smoke_run / "results/reference/untrained_M500_js_noise.parquet")
    assert 0 < noise["js_independent_inits"].iloc[0] < 1e-3
    for ext in ("pdf", "png"):
        assert (smoke_run / f"figures/fig4.{ext}").stat().st_size > 1000


@pytest.mark.slow
def test_fig6_outputs(smoke_run):
    summary = pd.read_parquet(smoke_run / "results/symmetry/rotated_samples.parquet").iloc[0]
    assert summary["n_chains"] == 36 and summary["sweeps"] == 50
    assert 0 <= summary["frac_changed_local"] < summary["frac_changed_global"] < 0.5
    for ext in ("pdf", "png"):
        assert (smoke_run / f"figures/fig6.{ext}").stat().st_size > 1000
