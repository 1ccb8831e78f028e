"""Tests of the Marchenko-Pastur law, singular spectra tables and the Fig. 3 renderings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad

from rbm_reciprocal.analysis.marchenko_pastur import (
    ks_distance_to_mp,
    marchenko_pastur_cdf,
    marchenko_pastur_edges,
    marchenko_pastur_mode,
    marchenko_pastur_pdf,
)
from rbm_reciprocal.analysis.spectra import (
    histogram_table,
    random_init_singular_values,
    singular_values,
    trained_spectrum_edges,
)
from rbm_reciprocal.core.checkpoint import save_checkpoint
from rbm_reciprocal.figures.spectra import fig3_f, fig3_mp
from rbm_reciprocal.figures.style import save_figure
from rbm_reciprocal.stages.spectra import run_random_spectrum, run_trained_spectra

SIGMA = 0.01
SHAPES = [(784, 500), (784, 784), (784, 1200), (784, 3000)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_mp_pdf_integrates_to_one(n, m):
    lo, hi = marchenko_pastur_edges(n, m, SIGMA)
    total, _ = quad(lambda x: float(marchenko_pastur_pdf(x, n, m, SIGMA)), lo, hi, limit=200)
    assert total == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_mp_pdf_zero_outside_support_and_nonnegative(n, m):
    lo, hi = marchenko_pastur_edges(n, m, SIGMA)
    lam = np.linspace(0.0, 1.5 * hi, 2001)
    pdf = marchenko_pastur_pdf(lam, n, m, SIGMA)
    assert pdf.shape == lam.shape
    assert np.all(pdf >= 0)
    assert np.all(pdf[(lam < lo) | (lam > hi)] == 0)
    assert np.all(pdf[(lam > lo) & (lam < hi)] > 0)


def test_mp_edges_formula():
    lo, hi = marchenko_pastur_edges(784, 500, SIGMA)
    assert lo == pytest.approx(0.01 * (28.0 - np.sqrt(500)), rel=1e-12)
    assert hi == pytest.approx(0.01 * (28.0 + np.sqrt(500)), rel=1e-12)
    # symmetric in the shape, zero lower edge for a square matrix
    assert marchenko_pastur_edges(500, 784, SIGMA) == (lo, hi)
    assert marchenko_pastur_edges(784, 784, SIGMA) == pytest.approx((0.0, 0.56))
    assert marchenko_pastur_edges(784, 3000, 0.02) == pytest.approx(
        (0.02 * (np.sqrt(3000) - 28.0), 0.02 * (np.sqrt(3000) + 28.0))
    )


@pytest.mark.parametrize(("n", "m"), [(784, 500), (784, 1200), (784, 3000), (100, 30)])
def test_mp_mode_is_argmax(n, m):
    mode = marchenko_pastur_mode(n, m, SIGMA)
    assert mode == pytest.approx(SIGMA * np.sqrt(abs(n - m)))
    lo, hi = marchenko_pastur_edges(n, m, SIGMA)
    assert mode == pytest.approx(np.sqrt(lo * hi))
    lam = np.linspace(lo, hi, 200_001)
    argmax = lam[np.argmax(marchenko_pastur_pdf(lam, n, m, SIGMA))]
    assert argmax == pytest.approx(mode, abs=2 * (hi - lo) / 200_000)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_mp_cdf_matches_quad(n, m):
    lo, hi = marchenko_pastur_edges(n, m, SIGMA)
    points = lo + (hi - lo) * np.array([0.05, 0.3, 0.5, 0.9, 0.999])
    cdf = marchenko_pastur_cdf(points, n, m, SIGMA)
    for p, c in zip(points, cdf, strict=True):
        expected, _ = quad(lambda x: float(marchenko_pastur_pdf(x, n, m, SIGMA)), lo, p, limit=200)
        assert c == pytest.approx(expected, abs=1e-6)
    assert np.all(np.diff(cdf) > 0)
    np.testing.assert_array_equal(
        marchenko_pastur_cdf(np.array([lo - 0.1, hi + 0.1]), n, m, SIGMA), [0.0, 1.0]
    )


def test_ks_distance_random_inits_and_wrong_sigma():
    rng = np.random.default_rng(np.random.SeedSequence(20250327))
    svals = random_init_singular_values(784, 500, SIGMA, 20, rng)
    assert svals.shape == (20, 500)
    assert ks_distance_to_mp(svals, 784, 500, SIGMA) < 0.02
    assert ks_distance_to_mp(svals, 784, 500, 0.012) > 0.1


def test_ks_distance_of_exact_quantiles_is_small():
    # the MP quantiles of (k - 1/2)/K are at KS distance 1/(2K) from the law
    n, m, k = 784, 1200, 1000
    lo, hi = marchenko_pastur_edges(n, m, SIGMA)
    grid = np.linspace(lo, hi, 200_001)
    cdf = marchenko_pastur_cdf(grid, n, m, SIGMA)
    quantiles = np.interp((np.arange(k) + 0.5) / k, cdf, grid)
    assert ks_distance_to_mp(quantiles, n, m, SIGMA) == pytest.approx(0.5 / k, abs=1e-5)


def test_random_init_is_float32_like_entries():
    rng = np.random.default_rng(3)
    svals = random_init_singular_values(50, 80, 0.5, 3, rng)
    assert svals.shape == (3, 50)
    assert svals.dtype == np.float64
    assert np.all(np.diff(svals, axis=1) <= 0)
    # sum of squared singular values = squared Frobenius norm ~ n m sigma^2
    frob2 = (svals**2).sum(axis=1)
    assert np.all(np.abs(frob2 / (50 * 80 * 0.25) - 1) < 0.1)


def test_singular_values_descending_and_match_numpy():
    rng = np.random.default_rng(7)
    w = rng.standard_normal((40, 25), dtype=np.float32)
    s = singular_values(w)
    assert s.shape == (25,)
    assert s.dtype == np.float64
    assert np.all(np.diff(s) <= 0)
    ref = np.linalg.svd(w.astype(np.float64), compute_uv=False)
    np.testing.assert_allclose(s, ref, rtol=1e-12)
    np.testing.assert_allclose(s, singular_values(w.T), rtol=1e-10)
    with pytest.raises(ValueError):
        singular_values(np.ones(5))


def test_histogram_table_density_integrates_to_one():
    values = np.random.default_rng(0).normal(size=5000)
    tab = histogram_table(values, bins=37)
    assert list(tab.columns) == ["bin_left", "bin_right", "bin_center", "count", "density"]
    assert len(tab) == 37
    width = tab["bin_right"] - tab["bin_left"]
    assert (tab["density"] * width).sum() == pytest.approx(1.0, rel=1e-12)
    assert tab["count"].sum() == 5000
    np.testing.assert_allclose(tab["bin_center"], 0.5 * (tab["bin_left"] + tab["bin_right"]))
    counts = histogram_table(values, bins=np.linspace(-1, 1, 5), density=False)
    assert counts["density"].sum() == counts["count"].sum() == np.sum(np.abs(values) <= 1)


def test_run_random_spectrum_tables_and_determinism(tmp_path):
    kwargs = dict(n=60, m=40, sigma=SIGMA, n_matrices=10, bins=25, seed=11)
    ks = run_random_spectrum(
        **kwargs,
        out_table=tmp_path / "a_hist.parquet",
        out_curve=tmp_path / "a_curve.parquet",
        out_npz=tmp_path / "a.npz",
    )
    ks2 = run_random_spectrum(
        **kwargs, out_table=tmp_path / "b_hist.parquet", out_curve=tmp_path / "b_curve.parquet"
    )
    hist = pd.read_parquet(tmp_path / "a_hist.parquet")
    curve = pd.read_parquet(tmp_path / "a_curve.parquet")
    assert list(hist.columns) == [
        "bin_left",
        "bin_right",
        "bin_center",
        "count",
        "density",
        "n",
        "m",
        "sigma",
        "n_matrices",
        "ks_distance",
    ]
    assert len(hist) == 25
    assert hist["count"].sum() == 10 * 40
    assert (hist["ks_distance"] == ks).all()
    assert (hist["n"] == 60).all() and (hist["m"] == 40).all()
    assert list(curve.columns) == ["lam", "pdf"]
    assert len(curve) == 400
    lo, hi = marchenko_pastur_edges(60, 40, SIGMA)
    assert curve["lam"].min() <= lo and curve["lam"].max() >= hi
    # small matrices still follow MP roughly
    assert 0 < ks < 0.15
    assert ks == ks2
    pd.testing.assert_frame_equal(hist, pd.read_parquet(tmp_path / "b_hist.parquet"))
    pd.testing.assert_frame_equal(curve, pd.read_parquet(tmp_path / "b_curve.parquet"))
    with np.load(tmp_path / "a.npz") as npz:
        assert npz["svals"].shape == (10, 40)
    # a different shape gets a different stream
    other = run_random_spectrum(
        n=60,
        m=41,
        sigma=SIGMA,
        n_matrices=10,
        bins=25,
        seed=11,
        out_table=tmp_path / "c_hist.parquet",
        out_curve=tmp_path / "c_curve.parquet",
    )
    assert other != ks


def _write_checkpoints(tmp_path, scale):
    rng = np.random.default_rng(5)
    checkpoints = []
    for hidden in (30, 20):
        for replica in range(2):
            path = tmp_path / f"ckpt_{hidden}_{replica}.npz"
            w = (scale * rng.standard_normal((25, hidden))).astype(np.float32)
            save_checkpoint(path, w, np.zeros(25), np.zeros(hidden), epoch=3, updates=30)
            checkpoints.append((hidden, "PCD", replica, path))
    return checkpoints


def test_run_trained_spectra(tmp_path):
    checkpoints = _write_checkpoints(tmp_path, scale=1.0)
    out = tmp_path / "spectra" / "fig3f.parquet"
    table = run_trained_spectra(checkpoints, None, out, (0.0, 41.0), 40, 5)
    values = pd.read_parquet(tmp_path / "spectra" / "fig3f_values.parquet")
    assert list(values.columns) == ["hidden", "method", "replica", "index", "value"]
    assert len(values) == 2 * 25 + 2 * 20  # min(25, hidden) values per checkpoint
    assert values.groupby(["hidden", "replica"])["index"].min().eq(1).all()
    written = pd.read_parquet(out)
    pd.testing.assert_frame_equal(table, written)
    assert list(table.columns) == [
        "hidden",
        "method",
        "bin_left",
        "bin_right",
        "bin_center",
        "count",
        "density",
        "n_replicas",
        "binning",
    ]
    for (hidden, _), group in table.groupby(["hidden", "method"]):
        assert len(group) == 40
        width = group["bin_right"] - group["bin_left"]
        assert (group["density"] * width).sum() == pytest.approx(1.0)
        assert group["count"].sum() == 2 * min(25, hidden)
        assert (group["n_replicas"] == 2).all()
    # the authors' bins by default: 0..41 in 40 (spectra up to ~10 fill about 10 of them)
    assert (table["binning"] == "authors").all()
    np.testing.assert_allclose(np.unique(table["bin_left"]), np.linspace(0.0, 41.0, 41)[:-1])
    # explicit edges are used as given; values beyond them are not counted
    table2 = run_trained_spectra(checkpoints, np.linspace(0.0, 4.0, 9), out, (0.0, 41.0), 40, 5)
    assert len(table2) == 2 * 8 and (table2["binning"] == "explicit").all()
    assert table2["bin_left"].min() == 0.0 and table2["bin_right"].max() == 4.0
    # singular values match a direct SVD
    w = np.load(checkpoints[0][3])["W"]
    first = values[(values["hidden"] == 30) & (values["replica"] == 0)]["value"].to_numpy()
    np.testing.assert_allclose(first, np.linalg.svd(w.astype(np.float64), compute_uv=False))


def test_trained_spectrum_edges_are_the_authors_unless_far_below(tmp_path):
    rng = np.random.default_rng(2)
    spread = rng.uniform(0.5, 30.0, 200)
    edges, binning = trained_spectrum_edges(spread)
    assert binning == "authors" and edges.size == 41 and edges[-1] == 41.0
    # a smoke-size spectrum (lambda < 2.5) falls in 3 of the authors' 1.025-wide bins
    small = rng.uniform(0.1, 2.5, 200)
    edges, binning = trained_spectrum_edges(small)
    assert binning == "refined" and edges.size == 41
    assert edges[0] == 0.0 and edges[-1] == pytest.approx(small.max())
    # the stage writes the refined bins for small checkpoints and says so
    checkpoints = _write_checkpoints(tmp_path, scale=0.01)
    table = run_trained_spectra(checkpoints, None, tmp_path / "t.parquet", (0.0, 41.0), 40, 5)
    assert (table["binning"] == "refined").all()
    values = pd.read_parquet(tmp_path / "t_values.parquet")
    assert table["bin_right"].max() == pytest.approx(values["value"].max())
    with pytest.raises(ValueError, match="window"):
        trained_spectrum_edges(small, (5.0, 1.0))


def _assert_figure_files(paths, stem):
    assert [p.name for p in paths] == [f"{stem.name}.pdf", f"{stem.name}.png"]
    pdf, png = paths
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert pdf.stat().st_size > 1000 and png.stat().st_size > 1000
    assert not list(stem.parent.glob("*.tmp"))


def test_fig3_mp_writes_pdf_and_png(tmp_path):
    n, m = 60, 40
    rng = np.random.default_rng(1)
    svals = random_init_singular_values(n, m, SIGMA, 5, rng)
    hist = histogram_table(svals, bins=20)
    lo, hi = marchenko_pastur_edges(n, m, SIGMA)
    lam = np.linspace(0, hi * 1.05, 100)
    curve = pd.DataFrame({"lam": lam, "pdf": marchenko_pastur_pdf(lam, n, m, SIGMA)})
    stem = tmp_path / "figs" / "fig3a"
    paths = fig3_mp(hist, curve, n, m, stem, "a")
    _assert_figure_files(paths, stem)
    # a stem given with a .pdf suffix writes the same pair of files
    paths2 = fig3_mp(hist, curve, n, m, tmp_path / "figs" / "fig3b.pdf", "b")
    _assert_figure_files(paths2, tmp_path / "figs" / "fig3b")


def test_fig3f_writes_pdf_and_png(tmp_path):
    edges = np.linspace(0.0, 41.0, 41)
    rows = []
    for hidden in (3000, 500, 1200):
        for method in ("PCD", "CD"):
            dens = np.exp(-0.5 * ((edges[:-1] - hidden / 100) / 3) ** 2)
            dens[(edges[:-1] >= 33) & (edges[:-1] < 35)] = 0.0  # an empty bin on a log axis
            rows.append(
                pd.DataFrame(
                    {
                        "hidden": hidden,
                        "method": method,
                        "bin_left": edges[:-1],
                        "bin_right": edges[1:],
                        "bin_center": 0.5 * (edges[:-1] + edges[1:]),
                        "density": dens / (dens.sum() * np.diff(edges)),
                    }
                )
            )
    stem = tmp_path / "fig3f"
    paths = fig3_f(pd.concat(rows, ignore_index=True), stem)
    _assert_figure_files(paths, stem)


def test_save_figure_is_deterministic(tmp_path):
    from matplotlib.figure import Figure

    def render(stem):
        fig = Figure()
        fig.subplots().plot([0, 1], [1, 0])
        return save_figure(fig, stem)

    a = render(tmp_path / "x")
    b = render(tmp_path / "y")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
