"""Fig. 4 outputs of the shared smoke run."""

import pandas as pd
import pytest
from conftest import SMOKE, SMOKE_MODELS


@pytest.mark.slow
def test_fig4_outputs(smoke_run):
    js = pd.read_parquet(smoke_run / "results/symmetry/fig4_js.parquet")
    trained = js[js["kind"] == "trained"]
    hidden = sorted(SMOKE["model"]["hidden"])
    assert sorted(set(trained["hidden"])) == hidden and len(trained) == len(SMOKE_MODELS)
    assert (js["js"] > 0).all() and (js["js"] < 0.7).all()  # 0 < JS < log 2
    # one untrained baseline per model shape, plus the paper's 784 x 500
    untrained = js[js["kind"] == "untrained"].sort_values("hidden")
    shapes = sorted({*hidden, SMOKE["symmetry"]["reference"]["hidden"]})
    assert list(untrained["hidden"]) == shapes
    assert (untrained["n_visible"] == 784).all()
    assert (untrained["n_hidden"] == untrained["hidden"]).all()
    assert (untrained["js"] < 3 * untrained["js_noise"]).all()
    for m in shapes:
        noise = pd.read_parquet(smoke_run / f"results/reference/untrained_M{m}_js_noise.parquet")
        assert noise["n_hidden"].iloc[0] == m and 0 < noise["js_independent_inits"].iloc[0] < 0.1
    for ext in ("pdf", "png"):
        assert (smoke_run / f"figures/fig4.{ext}").stat().st_size > 1000


@pytest.mark.slow
def test_fig6_outputs(smoke_run):
    summary = pd.read_parquet(smoke_run / "results/symmetry/rotated_samples.parquet").iloc[0]
    samples = SMOKE["symmetry"]["samples"]
    assert (summary["n_chains"], summary["sweeps"]) == (samples["chains"], samples["sweeps"])
    assert 0 <= summary["frac_changed_local"] < summary["frac_changed_global"] < 0.5
    assert summary["local_directions"] == 784 - samples["avoid_top"]
    for ext in ("pdf", "png"):
        assert (smoke_run / f"figures/fig6.{ext}").stat().st_size > 1000
