"""Reciprocal-space outputs of the smoke DAG (Figs. 1 right, 2, 3e, 5 and the gap table)."""

import numpy as np
import pandas as pd
import pytest

FIGS = ("fig1_right", "fig2", "fig3_e", "fig5")


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
    # the model is the first hidden size (16), so indices are clipped to 16
    f1 = pd.read_parquet(res / "fig1_right.parquet")
    assert list(f1["index"]) == [1, 2, 3, 4, 16]
    assert (f1["epoch"] == 3).all() and (f1["digit"] == 3).all()
    assert np.all(np.diff(f1["lam"]) < 0) and (f1["lam"] > 0).all()
    np.testing.assert_allclose(f1["x0"], -f1["b0"] / f1["lam"])
    np.testing.assert_allclose(f1["y0"], -f1["a0"] / f1["lam"])
    assert 0.5 < f1["centroid_accuracy"].iloc[0] <= 1.0
    image = pd.read_parquet(res / "fig1_right_image.parquet")
    assert len(image) == 784 and image["row"].max() == 27 and set(image["value"]) <= {0.0, 1.0}

    land = pd.read_parquet(res / "fig2_landscapes.parquet")
    assert set(land["state"]) == {"untrained", "trained"}
    assert set(land.loc[land["state"] == "untrained", "epoch"]) == {0}
    assert set(land.loc[land["state"] == "trained", "epoch"]) == {3}
    assert sorted(land["index"].unique()) == [1, 2, 3, 16]
    # training grows the top singular value far beyond its init (~ 0.01 (sqrt(784) + 4))
    top = land[land["index"] == 1].set_index("state")["lam"]
    assert top["untrained"] < 0.5 < 2 * top["untrained"] < top["trained"]
    # reciprocal.untrained = reference (the authors'): W, a and b all Normal(0, 0.01^2), so
    # the projected biases are ~0.01, not the data-logit visible bias of epoch 0 (~ +-10)
    ref = np.load(res.parent / "reference/untrained_M16.npz")
    assert ref["W"].shape == (784, 16)
    for key in ("W", "a"):  # 12,544 and 784 draws
        assert abs(ref[key].std() - 0.01) < 0.001 and abs(ref[key].mean()) < 0.001
    assert np.abs(ref["b"]).max() < 0.05  # 16 draws
    assert land.loc[land["state"] == "untrained", "a0"].abs().max() < 0.1
    points = pd.read_parquet(res / "fig2_points.parquet")
    counts = points.groupby(["state", "source", "index"]).size()
    assert (counts.xs("test", level="source") == 200).all()
    assert (counts.xs("gibbs", level="source") == 300).all()
    assert np.isfinite(points[["x", "y", "u", "w"]].to_numpy()).all()


@pytest.mark.slow
def test_kurtosis_and_gap_tables(smoke_run):
    spec = smoke_run / "results" / "spectra"
    for variant in ("code", "text"):
        summary = pd.read_parquet(spec / f"kurtosis_{variant}.parquet")
        fits = pd.read_parquet(spec / f"kurtosis_{variant}_fit.parquet").set_index("source")
        assert list(summary["size"]) == [20, 30, 50, 80, 120]
        assert (summary["mc_mean"] < 3).all() and np.all(np.diff(summary["exact_mean"]) > 0)
        np.testing.assert_allclose(summary["exact_mean"], summary["haar_mean"], atol=0.05)
        for source in ("mc", "exact"):
            assert abs(fits.loc[source, "intercept"] - 3.0) < 0.05
            assert 0 < fits.loc[source, "intercept_se"] < 0.05
    gap = pd.read_parquet(spec / "gap.parquet")
    assert sorted(gap["hidden"]) == [16, 32]
    # smoke models' spectra stay far below the paper's window [33, 35]
    assert (gap["verdict"] == "spectrum below window").all() and not gap["gap"].any()


@pytest.mark.slow
def test_fig5_table(smoke_run):
    table = pd.read_parquet(smoke_run / "results" / "reciprocal" / "fig5.parquet")
    keys = {(s, v, int(i)) for s, v, i in table[["state", "variable", "index"]].itertuples(False)}
    x_idx, y_idx = [1, 2, 3, 4, 450, 784], [1, 2, 3, 4, 16]
    expected = {(s, "x", i) for s in ("untrained", "trained") for i in x_idx}
    expected |= {(s, "y", i) for s in ("untrained", "trained") for i in y_idx}
    assert keys == expected
    per = table.groupby(["state", "variable", "index"]).first()
    assert (per["n_samples"] == 2000).all()
    # Eq. 51: std exactly 1/2, mean mu_i
    np.testing.assert_allclose(per["sample_std"], 0.5, atol=0.03)
    np.testing.assert_allclose(per["sample_mean"], per["mu"], atol=5 * 0.5 / np.sqrt(2000))
    # x_450, x_784 lie beyond min(N, M) = 16: drawn in a Haar basis of the null space, near
    # Gaussian (LAPACK's nearly unit null vectors would give two spikes, kurtosis ~1.15)
    idx = per.index.get_level_values("index")
    assert list(per["basis"]) == list(np.where(idx <= 16, "svd", "haar-null"))
    null = per[per["basis"] == "haar-null"]
    assert len(null) == 4 and (np.abs(null["sample_kurtosis"] - 3.0) < 0.4).all()
