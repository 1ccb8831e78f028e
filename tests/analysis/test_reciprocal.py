"""Reciprocal space (Sec. 3-4): SVD signs, energy decomposition, saddles, uniform-measure
moments, kurtosis, the spectral-gap table, and the Fig. 1 (right), 2, 3e, 5 tables/renderers."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rbm_reciprocal.analysis.kurtosis import (
    kurtosis_closed_form,
    kurtosis_haar_mean,
    kurtosis_monte_carlo,
)
from rbm_reciprocal.analysis.landscape import (
    clip_indices,
    nearest_centroid_fit,
    nearest_centroid_predict,
)
from rbm_reciprocal.analysis.reciprocal import (
    decompose,
    haar_null_basis,
    haar_orthogonal,
    high_temperature_means,
    landscape_energy,
    landscape_energy_uw,
    mode_energies,
    project_states,
    random_binary,
    rotate_uw,
    stack_z,
)
from rbm_reciprocal.analysis.spectra import spectral_gap_table
from rbm_reciprocal.analysis.stats import linear_fit
from rbm_reciprocal.analysis.svd import align_signs, fix_signs, signed_svd
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import save_npz
from rbm_reciprocal.core.rbm import RBMParams, energy
from rbm_reciprocal.data.dataset import Dataset, save_dataset
from rbm_reciprocal.figures.landscapes import fig1_right, fig2
from rbm_reciprocal.figures.reciprocal import fig3_e, fig5
from rbm_reciprocal.pipeline.config import select_model
from rbm_reciprocal.stages.kurtosis import run_kurtosis
from rbm_reciprocal.stages.reciprocal import (
    LandscapePoints,
    LandscapeSample,
    run_landscape_points,
    run_landscape_sample,
)
from rbm_reciprocal.stages.uniform_projections import UniformProjections, run_uniform_projections

SHAPES = [(9, 5), (6, 6), (4, 8)]  # M < N, M = N, M > N


def _params(n: int, m: int, seed: int = 0) -> RBMParams:
    rng = np.random.default_rng(seed)
    return RBMParams(rng.normal(0, 1, (n, m)), rng.normal(0, 1, n), rng.normal(0, 1, m))


def _all_states(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


# --- SVD and sign convention ---------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_signed_svd_reconstructs_and_is_descending(n, m):
    w = _params(n, m).W
    U, s, V = signed_svd(w)
    assert U.shape == (n, n) and V.shape == (m, m) and s.shape == (min(n, m),)
    assert np.all(np.diff(s) <= 0)
    S = np.zeros((n, m))
    S[np.arange(s.size), np.arange(s.size)] = s
    np.testing.assert_allclose(U @ S @ V.T, w, atol=1e-12)
    np.testing.assert_allclose(U.T @ U, np.eye(n), atol=1e-12)
    np.testing.assert_allclose(V.T @ V, np.eye(m), atol=1e-12)
    # largest-magnitude entry of every left vector is positive
    rows = np.argmax(np.abs(U), axis=0)
    assert np.all(U[rows, np.arange(n)] > 0)
    # the reduced SVD has the same signed leading columns
    Ur, sr, Vr = signed_svd(w, full_matrices=False)
    k = min(n, m)
    np.testing.assert_allclose(Ur, U[:, :k], atol=1e-12)
    np.testing.assert_allclose(Vr, V[:, :k], atol=1e-12)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_sign_convention_deterministic_and_idempotent(n, m):
    U, s, V = signed_svd(_params(n, m, seed=1).W)
    rng = np.random.default_rng(2)
    for _ in range(5):
        flip_u = rng.choice([-1.0, 1.0], n)
        flip_v = rng.choice([-1.0, 1.0], m)
        k = min(n, m)
        flip_v[:k] = flip_u[:k]  # a pair flips together (W unchanged)
        U2, V2 = fix_signs(U * flip_u, V * flip_v)
        np.testing.assert_array_equal(U2, U)
        np.testing.assert_array_equal(V2, V)
    U3, V3 = fix_signs(U, V)
    np.testing.assert_array_equal(U3, U)
    np.testing.assert_array_equal(V3, V)


# --- energies, saddles, rotated coordinates ---------------------------------------------------


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_mode_energies_sum_to_rbm_energy(n, m):
    params = _params(n, m, seed=3)
    rec = decompose(params.W, params.a, params.b)
    rng = np.random.default_rng(4)
    v = rng.integers(0, 2, (50, n)).astype(np.float64)
    h = rng.integers(0, 2, (50, m)).astype(np.float64)
    x, y = project_states(v, rec.U), project_states(h, rec.V)
    e = mode_energies(x, y, rec.s, rec.a0, rec.b0)
    assert e.shape == (50, max(n, m))
    np.testing.assert_allclose(e.sum(axis=1), energy(v, h, params), rtol=1e-10, atol=1e-10)
    # unpaired modes carry only their field term
    k = min(n, m)
    if n > m:
        np.testing.assert_allclose(e[:, k:], -rec.a0[k:] * x[:, k:])
    elif m > n:
        np.testing.assert_allclose(e[:, k:], -rec.b0[k:] * y[:, k:])


def test_reciprocal_fields_and_saddles():
    params = _params(7, 4, seed=5)
    rec = decompose(params.W, params.a, params.b)
    np.testing.assert_allclose(rec.a0, rec.U.T @ params.a.astype(np.float64), atol=1e-12)
    np.testing.assert_allclose(rec.b0, rec.V.T @ params.b.astype(np.float64), atol=1e-12)
    lam, a0, b0 = rec.s, rec.a0[:4], rec.b0
    np.testing.assert_allclose(rec.x0, -b0 / lam)
    np.testing.assert_allclose(rec.y0, -a0 / lam)
    # the gradient of E_i vanishes at the saddle, where E_i = a0 b0 / lambda
    eps = 1e-6
    for dx, dy in ((eps, 0), (0, eps)):
        grad = (
            landscape_energy(rec.x0 + dx, rec.y0 + dy, lam, a0, b0)
            - landscape_energy(rec.x0 - dx, rec.y0 - dy, lam, a0, b0)
        ) / (2 * eps)
        np.testing.assert_allclose(grad, 0.0, atol=1e-6)
    np.testing.assert_allclose(
        landscape_energy(rec.x0, rec.y0, lam, a0, b0), rec.saddle_energy, rtol=1e-12
    )
    np.testing.assert_allclose(rec.saddle_energy, a0 * b0 / lam)


def test_rotated_energy_and_stacked_z():
    params = _params(7, 4, seed=6)
    rec = decompose(params.W, params.a, params.b)
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(20, 7)), rng.normal(size=(20, 4))
    u, w = rotate_uw(x[:, :4], y, rec.x0, rec.y0)
    np.testing.assert_allclose(
        landscape_energy_uw(u, w, rec.s, rec.a0[:4], rec.b0),
        landscape_energy(x[:, :4], y, rec.s, rec.a0[:4], rec.b0),
        rtol=1e-10,
        atol=1e-10,
    )
    # a rotation: distances to the saddle are preserved
    np.testing.assert_allclose(u**2 + w**2, (x[:, :4] - rec.x0) ** 2 + (y - rec.y0) ** 2)
    z = stack_z(u, w, x[:, 4:])
    assert z.shape == (20, 7 + 4)
    np.testing.assert_array_equal(z[:, 0], u[:, 0])  # z_1 = u_1
    np.testing.assert_array_equal(z[:, 4], w[:, 0])  # z_{M+1} = w_1
    np.testing.assert_array_equal(z[:, 8:], x[:, 4:])
    mu_u, mu_w = rotate_uw(rec.mu_x[:4], rec.mu_y[:4], rec.x0, rec.y0)
    np.testing.assert_allclose(rec.mu_u, mu_u)
    np.testing.assert_allclose(rec.mu_w, mu_w)


# --- the uniform measure (Eq. 51) and kurtosis ------------------------------------------------


def test_uniform_moments_exact_by_enumeration():
    params = _params(8, 5, seed=8)
    rec = decompose(params.W, params.a, params.b)
    x = project_states(_all_states(8), rec.U)
    y = project_states(_all_states(5), rec.V)
    np.testing.assert_allclose(x.mean(axis=0), rec.mu_x, atol=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), rec.mu_y, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 0.5, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 0.5, atol=1e-12)


def test_uniform_moments_monte_carlo():
    U, _, _ = signed_svd(np.random.default_rng(9).normal(size=(60, 20)))
    states = random_binary(40_000, 60, np.random.default_rng(10))
    assert states.dtype == np.float32 and set(np.unique(states)) == {0.0, 1.0}
    assert abs(states.mean() - 0.5) < 0.005
    x = project_states(states, U)
    mu_x, _ = high_temperature_means(U, np.eye(2))
    se = 0.5 / np.sqrt(states.shape[0])
    assert np.all(np.abs(x.mean(axis=0) - mu_x) < 5 * se)
    assert np.all(np.abs(x.std(axis=0) - 0.5) < 0.02)


def test_kurtosis_closed_form_is_exact():
    U, _, _ = signed_svd(np.random.default_rng(11).normal(size=(8, 8)))
    basis = np.column_stack([U, np.eye(8)[:, 0], np.full(8, 8**-0.5)])
    x = project_states(_all_states(8), basis)
    exact = stats.kurtosis(x, axis=0, fisher=False, bias=True)
    np.testing.assert_allclose(kurtosis_closed_form(basis), exact, atol=1e-12)
    # a single unit: two-point distribution, kurtosis 1; a flat vector: 3 - 2/n
    assert kurtosis_closed_form(basis)[8] == pytest.approx(1.0)
    assert kurtosis_closed_form(basis)[9] == pytest.approx(3 - 2 / 8)


def test_kurtosis_monte_carlo_agrees_with_closed_form():
    U, _, _ = signed_svd(np.random.default_rng(12).normal(size=(10, 6)), full_matrices=False)
    basis = np.column_stack([U, np.eye(10)[:, 0]])
    rng = np.random.default_rng(13)
    mc = kurtosis_monte_carlo(basis, 300_000, rng, batch_size=70_000)
    exact = kurtosis_closed_form(basis)
    assert exact.min() < 2.7  # the check is not trivially near 3
    np.testing.assert_allclose(mc, exact, atol=5 * np.sqrt(24 / 300_000))
    assert mc[-1] == pytest.approx(1.0, abs=1e-3)  # a single unit


def test_kurtosis_haar_mean():
    rng = np.random.default_rng(14)
    n = 20
    vecs = rng.normal(size=(n, 4000))
    vecs /= np.linalg.norm(vecs, axis=0)
    k = kurtosis_closed_form(vecs)
    assert k.mean() == pytest.approx(kurtosis_haar_mean(n), abs=4 * k.std() / np.sqrt(4000))
    assert kurtosis_haar_mean(500) == pytest.approx(3 - 6 / 502)


def test_haar_orthogonal_is_haar_not_lapack_signs():
    q = np.array([haar_orthogonal(3, np.random.default_rng(i)) for i in range(4000)])
    np.testing.assert_allclose(q[0] @ q[0].T, np.eye(3), atol=1e-12)
    # entries of a Haar orthogonal matrix: mean 0, mean square 1/k; LAPACK's QR alone gives
    # Q_00 = -|z_00| / |z_.0| < 0 always (mean about -0.5 for k = 3)
    assert abs(q[:, 0, 0].mean()) < 0.05 and abs(q[:, 2, 1].mean()) < 0.05
    assert (q[:, 0, 0] ** 2).mean() == pytest.approx(1 / 3, abs=0.03)
    assert haar_orthogonal(0, np.random.default_rng(0)).shape == (0, 0)


def test_haar_null_basis_spans_the_null_space_and_keeps_paired_columns():
    W = np.random.default_rng(30).normal(0, 0.01, (30, 5))
    U, _, _ = signed_svd(W)
    H = haar_null_basis(U, 5, np.random.default_rng(1))
    np.testing.assert_allclose(H.T @ H, np.eye(30), atol=1e-12)
    assert np.array_equal(H[:, :5], U[:, :5])
    assert np.abs(W.T @ H[:, 5:]).max() < 1e-15  # still the null space of W^T
    assert np.array_equal(H, haar_null_basis(U, 5, np.random.default_rng(1)))
    assert not np.allclose(H, haar_null_basis(U, 5, np.random.default_rng(2)))
    with pytest.raises(ValueError):
        haar_null_basis(U, 31, np.random.default_rng(1))


def test_null_space_projections_gaussian_in_haar_basis_two_spikes_in_svd_basis():
    """Fig. 5, i > min(N, M): LAPACK's null basis of a 200 x 4 random W is nearly unit vectors
    (largest entry ~0.99), so Bernoulli(1/2) states projected on it are two spikes at 0 and 1
    (excess kurtosis -1.86); on a Haar basis of the same space they are near Gaussian (excess
    -0.03, about -6/(N+2)). Both have std 1/2 (Eq. 51c)."""
    n, m = 200, 4
    U, _, _ = signed_svd(np.random.default_rng(30).normal(0, 0.01, (n, m)))
    svd_null = U[:, m:]
    haar_null = haar_null_basis(U, m, np.random.default_rng(31))[:, m:]
    assert np.median(np.abs(svd_null).max(axis=0)) > 0.95
    assert np.median(np.abs(haar_null).max(axis=0)) < 0.3
    states = random_binary(20_000, n, np.random.default_rng(32))
    out = {}
    for name, basis in (("svd", svd_null), ("haar", haar_null)):
        x = project_states(states, basis)
        d = x - x.mean(axis=0)
        excess = (d**4).mean(axis=0) / (d**2).mean(axis=0) ** 2 - 3.0
        near_0_1 = np.mean(np.minimum(np.abs(x), np.abs(x - 1.0)) < 0.15)
        np.testing.assert_allclose(x.std(axis=0), 0.5, atol=0.015)
        out[name] = excess, near_0_1, kurtosis_closed_form(basis) - 3.0
    excess, near_0_1, exact = out["svd"]
    assert excess.mean() < -1.7 and excess.max() < -1.2 and exact.mean() < -1.7
    assert near_0_1 > 0.7  # ~0.80: the two spikes
    excess, near_0_1, exact = out["haar"]
    assert abs(excess.mean()) < 0.06 and np.abs(excess).max() < 0.25
    assert abs(exact.mean()) < 0.06
    assert near_0_1 < 0.35  # ~0.23, as for Normal(mu, 1/2)


def test_linear_fit_matches_scipy():
    rng = np.random.default_rng(15)
    x = 1.0 / np.array([500, 700, 784, 1200, 2000])
    y = 3.0 - 6.0 * x + rng.normal(0, 1e-4, x.size)
    fit = linear_fit(x, y)
    ref = stats.linregress(x, y)
    assert fit["slope"] == pytest.approx(ref.slope)
    assert fit["intercept"] == pytest.approx(ref.intercept)
    assert fit["slope_se"] == pytest.approx(ref.stderr)
    assert fit["intercept_se"] == pytest.approx(ref.intercept_stderr)
    assert fit["n_points"] == 5
    exact = linear_fit(x, 3.0 - 6.0 * x)
    assert exact["intercept"] == pytest.approx(3.0) and exact["intercept_se"] < 1e-12
    assert np.isnan(linear_fit(x[:2], y[:2])["intercept_se"])


# --- the gap table (Fig. 3f) -----------------------------------------------------------------


def test_spectral_gap_table():
    def rows(hidden, replica, values):
        return pd.DataFrame(
            {"hidden": hidden, "method": "PCD", "replica": replica, "value": values}
        )

    values = pd.concat(
        [
            rows(500, 0, [1.0, 10.0, 32.0, 36.0, 40.0]),  # gap
            rows(500, 1, [2.0, 31.5, 35.5]),  # gap
            rows(784, 0, [1.0, 34.0, 36.0]),  # a value inside
            rows(784, 1, [1.0, 20.0, 40.0]),  # gap on its own
            rows(1200, 0, [1.0, 5.0]),  # below
            rows(3000, 0, [36.0, 50.0]),  # above
        ]
    )
    table = spectral_gap_table(values).set_index("hidden")
    assert table.loc[500, "verdict"] == "gap" and bool(table.loc[500, "gap"])
    assert table.loc[500, "replicas_with_gap"] == 2 and table.loc[500, "n_replicas"] == 2
    # flanks [31, 33) and (35, 37]: 32.0, 31.5, 36.0, 35.5 -> 4 values / 2 windows
    assert table.loc[500, "expected_in_window"] == pytest.approx(2.0)
    assert table.loc[784, "verdict"] == "no gap" and table.loc[784, "n_in_window"] == 1
    assert table.loc[784, "replicas_with_gap"] == 1
    assert table.loc[1200, "verdict"] == "spectrum below window"
    assert table.loc[3000, "verdict"] == "spectrum above window"
    assert table["n_values"].sum() == len(values)
    assert (table["n_below"] + table["n_in_window"] + table["n_above"] == table["n_values"]).all()
    with pytest.raises(ValueError):
        spectral_gap_table(values, (35.0, 33.0))


# --- helpers of the figure tables -----------------------------------------------------------


def test_clip_indices_and_select_model():
    assert clip_indices([1, 2, 3, 498, 500], 16) == [1, 2, 3, 16]
    assert clip_indices([1, 2, 3, 498], 500) == [1, 2, 3, 498]
    with pytest.raises(ConfigError):
        clip_indices([0, 1], 5)
    cfg = {
        "training": {"methods": ["PCD", "CD"]},
        "model": {"hidden": [16, 32], "replicas": 2},
        "reciprocal": {"model": {"method": None, "hidden": None, "replica": 0}},
    }
    assert select_model(cfg, "reciprocal") == ("PCD", 16, 0)
    cfg["reciprocal"]["model"] = {"method": "CD", "hidden": 32, "replica": 1}
    assert select_model(cfg, "reciprocal") == ("CD", 32, 1)
    for bad in ({"hidden": 64}, {"method": "Rdm"}, {"replica": 2}):
        cfg["reciprocal"]["model"] = {"method": None, "hidden": None, "replica": 0, **bad}
        with pytest.raises(ConfigError, match="reciprocal.model"):
            select_model(cfg, "reciprocal")
    # the same selector serves every single-model section
    cfg["symmetry"] = {"model": {"method": None, "hidden": 32, "replica": 0}}
    assert select_model(cfg, "symmetry") == ("PCD", 32, 0)
    cfg["diffusion"] = {"model": {"method": "Rdm", "hidden": None, "replica": 0}}
    with pytest.raises(ConfigError, match="diffusion.model.method"):
        select_model(cfg, "diffusion")


def test_nearest_centroid():
    rng = np.random.default_rng(16)
    centres = np.eye(4, 12) * 5
    labels = np.repeat(np.arange(4), 30)
    images = centres[labels] + rng.normal(0, 0.5, (120, 12))
    classes, centroids = nearest_centroid_fit(images, labels)
    np.testing.assert_array_equal(classes, np.arange(4))
    pred, dist = nearest_centroid_predict(classes, centroids, images)
    assert np.mean(pred == labels) == 1.0
    assert dist.shape == (120, 4)
    np.testing.assert_allclose(dist[0], np.linalg.norm(centroids - images[0], axis=1))


# --- the tables and renderers of Figs. 1 (right), 2, 3e, 5 on a tiny model --------------------


@pytest.fixture
def tiny_run(tmp_path):
    """A 16-pixel 'MNIST' with 4 digits and two 16 x 6 checkpoints (epoch 0 and 3)."""
    rng = np.random.default_rng(17)
    protos = (rng.random((4, 16)) < 0.5).astype(np.uint8)

    def images(n):
        labels = np.repeat(np.arange(4, dtype=np.uint8), n // 4)
        flips = rng.random((labels.size, 16)) < 0.1
        return (protos[labels] ^ flips).astype(np.uint8), labels

    train, train_labels = images(80)
    test, test_labels = images(40)
    data = tmp_path / "data.npz"
    save_dataset(data, Dataset(train, train_labels, test, test_labels), {"test": True})
    ckpts = {}
    for state, epoch, scale in (("untrained", 0, 0.01), ("trained", 3, 1.0)):
        p = _params(16, 6, seed=epoch)
        ckpts[state] = tmp_path / f"epoch_{epoch:04d}.npz"
        save_npz(ckpts[state], W=p.W * scale, a=p.a, b=p.b, epoch=np.array(epoch))
    return tmp_path, data, ckpts


def _assert_figure(paths):
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert paths[0].read_bytes()[:5] == b"%PDF-"
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_landscape_sample_table_and_fig1_right(tiny_run):
    tmp, data, ckpts = tiny_run
    settings = LandscapeSample(indices=[1, 2, 3, 20, 500], digit=2, n_chains=40, sweeps=5, seed=1)
    args = (ckpts["trained"], data, settings)
    table = run_landscape_sample(*args, tmp / "f1.parquet", tmp / "f1_img.parquet")
    assert list(table["index"]) == [1, 2, 3, 6]
    assert (table["digit"] == 2).all() and table["chain"].nunique() == 1
    np.testing.assert_allclose(
        table["energy"],
        landscape_energy(table["x"], table["y"], table["lam"], table["a0"], table["b0"]),
    )
    image = pd.read_parquet(tmp / "f1_img.parquet")
    assert len(image) == 16 and set(image["value"]) <= {0.0, 1.0}
    # same seed, same table
    again = run_landscape_sample(*args, tmp / "f1b.parquet", tmp / "f1b_img.parquet")
    pd.testing.assert_frame_equal(table, again)
    _assert_figure(fig1_right(table, image, tmp / "fig1_right"))


def test_landscape_points_table_and_fig2(tiny_run):
    tmp, data, ckpts = tiny_run
    settings = LandscapePoints(indices=[1, 2, 3, 498], n_test=20, n_chains=30, sweeps=5, seed=1)
    land, points = run_landscape_points(ckpts, data, settings, tmp / "l.parquet", tmp / "p.parquet")
    assert list(land["state"]) == ["untrained"] * 4 + ["trained"] * 4
    assert list(land["index"].unique()) == [1, 2, 3, 6]
    counts = points.groupby(["state", "source"]).size()
    assert counts[("trained", "test")] == 20 * 4 and counts[("trained", "gibbs")] == 30 * 4
    assert (points.loc[points["source"] == "gibbs", "label"] == -1).all()
    assert set(points.loc[points["source"] == "test", "label"]) <= {0, 1, 2, 3}
    _assert_figure(fig2(land, points, tmp / "fig2"))


def test_landscape_points_settings_read_n_test():
    """reciprocal.fig2.n_test: null (every test image) or the first n."""
    from types import SimpleNamespace

    from conftest import SMOKE_CONFIGS

    from rbm_reciprocal.pipeline.config import load_config
    from rbm_reciprocal.stages import reciprocal as rs

    config = load_config(SMOKE_CONFIGS)
    w = SimpleNamespace()
    assert config["reciprocal"]["fig2"]["n_test"] is None
    assert rs.landscape_points(config, w).n_test is None
    config["reciprocal"]["fig2"]["n_test"] = 200
    s = rs.landscape_points(config, w)
    assert s.n_test == 200 and s.indices == config["reciprocal"]["fig2"]["indices"]
    gibbs = config["reciprocal"]["gibbs"]
    assert (s.n_chains, s.sweeps) == (gibbs["n_chains"], gibbs["sweeps"])


def test_landscape_colour_bar_is_labelled_and_spans_the_panel_energies():
    from matplotlib.figure import Figure

    from rbm_reciprocal.figures.landscapes import _landscape_contours

    row = pd.Series({"index": 3, "lam": 2.0, "a0": 0.5, "b0": -1.0})
    ax = Figure(layout="constrained").subplots()
    cbar = _landscape_contours(ax.figure, ax, row, (-1.0, 3.0), (-2.0, 1.0))
    assert cbar.ax.get_ylabel() == "$E_{3}$"
    # the bar shows the contours' own levels, and they cover the panel's energies
    corners = landscape_energy(
        np.array([-1.0, 3.0, -1.0, 3.0]), np.array([-2, -2, 1, 1]), 2, 0.5, -1
    )
    levels = np.asarray(cbar.mappable.levels)
    assert levels[0] <= corners.min() and levels[-1] >= corners.max()
    np.testing.assert_allclose(cbar.ax.get_ylim(), (levels[0], levels[-1]))


def test_kurtosis_tables_and_fig3_e(tmp_path):
    parts = []
    for variant, fixed in (("code", 6), ("text", 10)):
        out = [tmp_path / f"k_{variant}{s}.parquet" for s in ("", "_fit", "_c")]
        summary, fits = run_kurtosis(variant, [8, 12, 20], fixed, 0.01, 20_000, 7_000, 1, *out)
        comps = pd.read_parquet(out[2])
        assert list(summary["size"]) == [8, 12, 20]
        assert list(summary["n_components"]) == [min(n, fixed) for n in (8, 12, 20)]
        assert len(comps) == summary["n_components"].sum()
        assert list(fits["source"]) == ["mc", "exact"]
        # Monte Carlo and closed form agree component by component
        assert np.max(np.abs(comps["kurtosis_mc"] - comps["kurtosis_exact"])) < 0.2
        np.testing.assert_allclose(summary["exact_mean"], summary["haar_mean"], atol=0.2)
        assert abs(fits["intercept"].iloc[1] - 3.0) < 0.3
        parts.append((summary, fits))
    summary = pd.concat([p[0] for p in parts])
    fits = pd.concat([p[1] for p in parts])
    _assert_figure(fig3_e(summary, fits, tmp_path / "fig3_e"))
    with pytest.raises(ConfigError):
        run_kurtosis("bogus", [8, 12], 6, 0.01, 100, 100, 1, *out)


def test_uniform_projections_table_and_fig5(tiny_run):
    tmp, _, ckpts = tiny_run
    settings = UniformProjections(
        x_indices=[1, 2, 16, 50], y_indices=[1, 6, 500], n_samples=4000, bins=20, seed=1
    )
    table = run_uniform_projections(ckpts, settings, tmp / "f5.parquet")
    groups = table.groupby(["state", "variable", "index"])
    assert len(groups) == 2 * (3 + 2)
    for (_, _, i), h in groups:
        width = h["bin_right"] - h["bin_left"]
        assert (h["density"] * width).sum() == pytest.approx(1.0)
        assert h["sample_std"].iloc[0] == pytest.approx(0.5, abs=0.03)
        assert h["sample_mean"].iloc[0] == pytest.approx(h["mu"].iloc[0], abs=0.05)
        assert h["basis"].iloc[0] == ("svd" if i <= 6 else "haar-null")
        assert h["paired"].iloc[0] == (i <= 6)
        assert 1.0 <= h["sample_kurtosis"].iloc[0] < 4.0
    # paired components are the singular vectors' (mu of Eq. 51 from decompose)
    per = table.groupby(["state", "variable", "index"]).first()
    rec = decompose(*(np.load(ckpts["trained"])[k] for k in ("W", "a", "b")))
    for i in (1, 2):
        assert per.loc[("trained", "x", i), "mu"] == pytest.approx(rec.mu_x[i - 1], abs=1e-12)
    assert per.loc[("trained", "x", 16), "mu"] != pytest.approx(rec.mu_x[15], abs=1e-6)
    again = run_uniform_projections(ckpts, settings, tmp / "f5b.parquet")
    pd.testing.assert_frame_equal(table, again)
    _assert_figure(fig5(table, tmp / "fig5"))


def _rotation_path(n_steps: int) -> list[np.ndarray]:
    """Weights ``W(t) = U(t) S V^T`` whose top left vector turns from ``e_0`` towards ``-e_1``:
    its largest-magnitude entry changes sign at ``t = pi/4``, so :func:`fix_signs` flips it."""
    rng = np.random.default_rng(21)
    n, m = 7, 4
    q, _ = np.linalg.qr(rng.normal(size=(n - 2, n - 2)))
    V, _ = np.linalg.qr(rng.normal(size=(m, m)))
    s = np.array([5.0, 3.0, 2.0, 1.0])
    path = []
    for t in np.linspace(0.0, np.pi / 2 - 0.2, n_steps):
        U = np.zeros((n, m))
        U[0, 0], U[1, 0] = np.cos(t), -np.sin(t)
        U[0, 1], U[1, 1] = np.sin(t), np.cos(t)
        U[2:, 2:] = q[:, :2]
        path.append(U @ np.diag(s) @ V.T)
    return path


def test_align_signs_makes_vectors_continuous_along_a_smooth_path():
    path = _rotation_path(40)
    raw = [signed_svd(w) for w in path]
    # the per-checkpoint rule alone jumps: u_1 overlaps its predecessor at about -1 once
    raw_overlaps = [np.dot(a[0][:, 0], b[0][:, 0]) for a, b in zip(raw[:-1], raw[1:], strict=True)]
    assert min(raw_overlaps) < -0.9
    U_prev, _, V_prev = raw[0]
    flips = 0
    for U, s, V in raw[1:]:
        Ua, Va, signs = align_signs(U_prev, V_prev, U, V)
        flips += int(np.sum(signs[:2] < 0))
        # same matrix, and every column continuous with its predecessor
        np.testing.assert_allclose((Ua[:, :4] * s) @ Va.T, (U[:, :4] * s) @ V.T, atol=1e-12)
        assert np.all(np.einsum("ij,ij->j", U_prev[:, :4], Ua[:, :4]) > 0.9)
        assert np.all(np.einsum("ij,ij->j", V_prev, Va) > 0.9)
        U_prev, V_prev = Ua, Va
    assert flips >= 1  # the alignment undid the jump of the sign rule


def test_align_signs_rejects_shape_mismatch():
    U, _, V = signed_svd(np.random.default_rng(3).normal(size=(6, 4)))
    with pytest.raises(ValueError, match="shapes disagree"):
        align_signs(U[:, :3], V, U, V)
