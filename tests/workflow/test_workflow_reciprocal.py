"""Reciprocal-space outputs of the smoke DAG (Figs. 1 right, 2, 3e, 5 and the gap table)."""

import numpy as np
import pandas as pd
import pytest
from conftest import SMOKE

FIGS = ("fig1_right", "fig2", "fig3_e", "fig5")
REC = SMOKE["reciprocal"]
#: the figures' model: its hidden size (null: the first) and its last epoch
M = REC["model"]["hidden"] or SMOKE["model"]["hidden"][0]
LAST = SMOKE["training"]["epochs"]


def _clipped(indices) -> list[int]:
    """Mode indices of a panel on the M x 784 model: those beyond M become M."""
    return sorted({min(i, M) for i in indices})


@pytest.mark.slow
def test_reciprocal_figures_exist(smoke_run):
    for name in FIGS:
        pdf = smoke_run / "figures" / f"{name}.pdf"
        png = smoke_run / "figures" / f"{name}.png"
        assert pdf.read_bytes()[:5] == b"%PDF-"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 20_000  # a real plot, not an empty canvas


@pytest.mark.slow
def test_landscape_tables(smoke_run):
    res = smoke_run / "results" / "reciprocal"
    # the model is the first hidden size, so indices are clipped to it
    f1 = pd.read_parquet(res / "fig1_right.parquet")
    assert list(f1["index"]) == _clipped(REC["fig1_right"]["indices"])
    assert (f1["epoch"] == LAST).all() and (f1["digit"] == REC["fig1_right"]["digit"]).all()
    assert np.all(np.diff(f1["lam"]) < 0) and (f1["lam"] > 0).all()
    np.testing.assert_allclose(f1["x0"], -f1["b0"] / f1["lam"])
    np.testing.assert_allclose(f1["y0"], -f1["a0"] / f1["lam"])
    assert 0.5 < f1["centroid_accuracy"].iloc[0] <= 1.0
    image = pd.read_parquet(res / "fig1_right_image.parquet")
    assert len(image) == 784 and image["row"].max() == 27 and set(image["value"]) <= {0.0, 1.0}

    land = pd.read_parquet(res / "fig2_landscapes.parquet")
    assert set(land["state"]) == {"untrained", "trained"}
    assert set(land.loc[land["state"] == "untrained", "epoch"]) == {0}
    assert set(land.loc[land["state"] == "trained", "epoch"]) == {LAST}
    assert sorted(land["index"].unique()) == _clipped(REC["fig2"]["indices"])
    # training grows the top singular value far beyond its init (~ 0.01 (sqrt(784) + 4))
    top = land[land["index"] == 1].set_index("state")["lam"]
    assert top["untrained"] < 0.5 < 2 * top["untrained"] < top["trained"]
    # reciprocal.untrained = reference (the authors'): W, a and b all Normal(0, 0.01^2), so
    # the projected biases are ~0.01, not the data-logit visible bias of epoch 0 (~ +-10)
    ref = np.load(res.parent / f"reference/untrained_M{M}.npz")
    assert ref["W"].shape == (784, M)
    for key in ("W", "a"):  # 784 M and 784 draws
        assert abs(ref[key].std() - 0.01) < 0.001 and abs(ref[key].mean()) < 0.001
    assert np.abs(ref["b"]).max() < 0.05  # M draws
    assert land.loc[land["state"] == "untrained", "a0"].abs().max() < 0.1
    points = pd.read_parquet(res / "fig2_points.parquet")
    counts = points.groupby(["state", "source", "index"]).size()
    n_test = REC["fig2"]["n_test"] or SMOKE["data"]["n_test"]  # null: every test image
    assert (counts.xs("test", level="source") == n_test).all()
    assert (counts.xs("gibbs", level="source") == REC["gibbs"]["n_chains"]).all()
    assert np.isfinite(points[["x", "y", "u", "w"]].to_numpy()).all()


@pytest.mark.slow
def test_kurtosis_and_gap_tables(smoke_run):
    spec = smoke_run / "results" / "spectra"
    kurtosis = SMOKE["spectra"]["kurtosis"]
    for variant in kurtosis["variants"]:
        summary = pd.read_parquet(spec / f"kurtosis_{variant}.parquet")
        fits = pd.read_parquet(spec / f"kurtosis_{variant}_fit.parquet").set_index("source")
        assert list(summary["size"]) == kurtosis["sizes"]
        assert (summary["mc_mean"] < 3).all() and np.all(np.diff(summary["exact_mean"]) > 0)
        np.testing.assert_allclose(summary["exact_mean"], summary["haar_mean"], atol=0.05)
        for source in ("mc", "exact"):
            assert abs(fits.loc[source, "intercept"] - 3.0) < 0.05
            assert 0 < fits.loc[source, "intercept_se"] < 0.05
    gap = pd.read_parquet(spec / "gap.parquet")
    assert sorted(gap["hidden"]) == sorted(SMOKE["model"]["hidden"])
    # smoke models' spectra stay far below the paper's window [33, 35]
    assert (gap["verdict"] == "spectrum below window").all() and not gap["gap"].any()


@pytest.mark.slow
def test_fig5_table(smoke_run):
    table = pd.read_parquet(smoke_run / "results" / "reciprocal" / "fig5.parquet")
    keys = {(s, v, int(i)) for s, v, i in table[["state", "variable", "index"]].itertuples(False)}
    fig5 = REC["fig5"]
    x_idx, y_idx = fig5["x_indices"], _clipped(fig5["y_indices"])
    expected = {(s, "x", i) for s in ("untrained", "trained") for i in x_idx}
    expected |= {(s, "y", i) for s in ("untrained", "trained") for i in y_idx}
    assert keys == expected
    per = table.groupby(["state", "variable", "index"]).first()
    n = fig5["n_samples"]
    assert (per["n_samples"] == n).all()
    # Eq. 51: std exactly 1/2, mean mu_i
    np.testing.assert_allclose(per["sample_std"], 0.5, atol=0.03)
    np.testing.assert_allclose(per["sample_mean"], per["mu"], atol=5 * 0.5 / np.sqrt(n))
    # x_i beyond min(N, M) = M (x_450, x_784): drawn in a Haar basis of the null space, near
    # Gaussian (LAPACK's nearly unit null vectors would give two spikes, kurtosis ~1.15)
    idx = per.index.get_level_values("index")
    assert list(per["basis"]) == list(np.where(idx <= M, "svd", "haar-null"))
    null = per[per["basis"] == "haar-null"]
    assert len(null) == 2 * sum(i > M for i in x_idx) > 0
    assert (np.abs(null["sample_kurtosis"] - 3.0) < 0.4).all()
