import numpy as np
import pandas as pd
import pytest
from conftest import BINARIZATION, SAMPLE, SMOKE_CONFIGS

from rbm_reciprocal.analysis.landau import (
    landau_wells,
    mode1_continuity,
    mode_potential,
    orient_trajectories,
)
from rbm_reciprocal.analysis.landau_quartic import (
    QuarticFit,
    fit_constraint_potential,
    landau_free_energy,
    landau_minima,
    uniform_mode_samples,
    well_type,
)
from rbm_reciprocal.analysis.potentials import LargeDeviationPotential
from rbm_reciprocal.analysis.reciprocal import decompose


def test_quartic_fit_of_a_gaussian_is_its_log_density():
    rng = np.random.default_rng(0)
    z = rng.normal(1.5, 0.5, 400_000)
    fit = fit_constraint_potential(z, mu=1.5, bins=80)
    c0, c1, c2, c3, c4 = fit.coeffs
    # -log N(mu, 1/4) = log(sqrt(2 pi)/2) + 2 (z - mu)^2
    assert c2 == pytest.approx(2.0, rel=0.03)
    assert c0 == pytest.approx(np.log(np.sqrt(2 * np.pi) * 0.5), abs=0.02)
    assert abs(c1) < 0.02 and abs(c3) < 0.02 and abs(c4) < 0.05


def test_minima_single_double_and_edge():
    fit = QuarticFit(0.0, np.array([0.0, 0.0, 2.0, 0.0, 1.0]), -3.0, 3.0)
    # f = lam/2 z^2 + 2 z^2 + z^4: single well at 0 for lam > -4
    mins, edge = landau_minima(-1.0, fit)
    np.testing.assert_allclose(mins, [0.0], atol=1e-12)
    assert not edge.any() and well_type(mins) == "single"
    # lam = -8: f = -2 z^2 + z^4, minima at +-1
    mins, edge = landau_minima(-8.0, fit)
    np.testing.assert_allclose(mins, [-1.0, 1.0], atol=1e-9)
    assert well_type(mins) == "double" and not edge.any()
    z = np.linspace(-3, 3, 60001)
    f = landau_free_energy(z, -8.0, fit)
    assert z[np.argmin(f)] == pytest.approx(1.0, abs=1e-3) or z[np.argmin(f)] == pytest.approx(
        -1.0, abs=1e-3
    )
    # a strongly concave quadratic without quartic confinement: minima at both range edges
    flat = QuarticFit(0.0, np.array([0.0, 0.0, 2.0, 0.0, 0.0]), -2.0, 2.5)
    mins, edge = landau_minima(-20.0, flat)
    np.testing.assert_allclose(mins, [-2.0, 2.5])
    assert edge.all() and well_type(mins, edge) == "unconfined"  # the ends are not wells


def test_uniform_projections_have_std_half_and_high_temperature_mean():
    rng = np.random.default_rng(1)
    w = rng.normal(0, 0.1, (60, 30))
    rec = decompose(w, rng.normal(0, 0.1, 60), rng.normal(0, 0.1, 30))
    u, ww = uniform_mode_samples(rec, np.array([0, 5]), 100_000, rng, batch=30_000)
    assert u.shape == (100_000, 2)
    np.testing.assert_allclose(u.std(0), 0.5, rtol=0.01)
    np.testing.assert_allclose(ww.std(0), 0.5, rtol=0.01)
    np.testing.assert_allclose(u.mean(0), rec.mu_u[[0, 5]], atol=0.01)
    np.testing.assert_allclose(ww.mean(0), rec.mu_w[[0, 5]], atol=0.01)


def _curie_weiss(n: int, lam: float, t_max: float | None = None) -> LargeDeviationPotential:
    """``z = sum_j (s_j - 1/2) / sqrt(n)``: ``f = -lam z^2 / 2 + V`` is the Curie-Weiss free
    energy; with ``m = 2 z / sqrt(n)`` its minima solve ``m = tanh(lam m / 4)``."""
    return LargeDeviationPotential(
        np.full(n, 1 / np.sqrt(n)), -np.sqrt(n) / 2, -lam, 0.0, t_max=t_max
    )


def _curie_weiss_magnetization(lam: float) -> float:
    m = 1.0
    for _ in range(10_000):
        m = np.tanh(lam * m / 4)
    return m


def test_landau_wells_of_a_known_double_well():
    n = 400
    wells = landau_wells(_curie_weiss(n, 6.0))
    z_star = _curie_weiss_magnetization(6.0) * np.sqrt(n) / 2  # 0.8586 * 10
    np.testing.assert_allclose(wells.positions, [-z_star, z_star], atol=0.01)
    # and each well solves the mean-field equation m = tanh(lambda m / 4) itself
    m = 2 * np.asarray(wells.positions) / np.sqrt(n)
    np.testing.assert_allclose(m, np.tanh(6.0 * m / 4), atol=2e-3)
    assert wells.kind == "double" and not wells.unconfined
    # below the threshold lambda = 4 (curvature 1/sigma^2, sigma = 1/2): one well at mu = 0
    single = landau_wells(_curie_weiss(n, 3.0))
    np.testing.assert_allclose(single.positions, [0.0], atol=1e-3)
    assert single.kind == "single"


def test_minimum_outside_the_domain_is_unconfined_not_a_well():
    # the tabulated domain stops at |t| <= 0.3, far inside the wells at +-8.6
    wells = landau_wells(_curie_weiss(400, 6.0, t_max=0.3))
    assert wells.unconfined and wells.positions.size == 0 and wells.kind == "unconfined"


def test_concave_on_range_marginal_is_never_a_double_well():
    """lambda = 6 > 4: the quartic fit of a Gaussian marginal (sigma = 1/2) is concave on the
    sampled range; the old code reported its two ends as a double well."""
    rng = np.random.default_rng(4)
    for n_states in (20_000, 200_000):
        fit = fit_constraint_potential(rng.normal(0.0, 0.5, n_states), mu=0.0, bins=60)
        mins, edge = landau_minima(-6.0, fit)
        assert mins.size == 2 and edge.all()  # both ends of the sampled range
        assert well_type(mins, edge) == "unconfined"


def test_mode_potential_is_centred_on_the_high_temperature_mean():
    rng = np.random.default_rng(5)
    w = rng.normal(0, 0.05, (40, 12))
    w[:, 0] += 0.4 * np.sign(rng.normal(size=40))[:, None].ravel() / np.sqrt(40)
    rec = decompose(w, rng.normal(0, 0.1, 40), rng.normal(0, 0.1, 12))
    for kind, mu in (("u", rec.mu_u[0]), ("w", rec.mu_w[0])):
        pot = mode_potential(rec, kind)
        assert pot.mu == pytest.approx(mu, abs=1e-12)
        assert pot.lo < mu < pot.hi
    # lambda_1 < 4: f is convex, one well, on the side of mu away from the saddle for u
    wells = landau_wells(mode_potential(rec, "w"))
    assert wells.kind == "single" and abs(wells.positions[0]) < abs(rec.mu_w[0])


def test_mode1_continuity_and_orientation_over_epochs():
    rng = np.random.default_rng(6)
    w0 = rng.normal(0, 0.1, (30, 8))
    w0[:, 0] += 3 * rng.normal(size=30)[:, None].ravel() / np.sqrt(30)
    flip, overlap = mode1_continuity(w0, w0 + 1e-3 * rng.normal(size=w0.shape))
    assert flip == 1.0 and overlap > 0.99
    # a table whose raw frame flips at epoch 2 (flip_prev = -1): continuity undoes it
    raw = pd.DataFrame(
        dict(hidden=16, epoch=[0, 1, 2, 3], mu_u=[1.0, 1.1, -1.2, -1.3],
             mu_w=[0.5, 0.2, 0.1, 0.3], flip_prev=[np.nan, 1.0, -1.0, 1.0],
             overlap_prev=[np.nan, 0.9, 0.95, 0.97],
             landau_u_min1=[1.0, -2.0, -4.0, -5.0], landau_u_min2=[np.nan, 3.0, 2.0, 6.0])
    )  # fmt: skip
    out = orient_trajectories(raw, "continuity")
    np.testing.assert_allclose(out["sign"], [1, 1, -1, -1])
    np.testing.assert_allclose(out["mu_u"], [1.0, 1.1, 1.2, 1.3])
    np.testing.assert_allclose(out["landau_u_min1"], [1.0, -2.0, -2.0, -6.0])
    np.testing.assert_allclose(out["landau_u_min2"], [np.nan, 3.0, 4.0, 5.0])
    # the authors' sign(mu_w) follows mu_w, which crosses 0 here without flipping
    np.testing.assert_allclose(orient_trajectories(raw, "mu_w")["sign"], [1, 1, 1, 1])
    # a step with a small overlap (another direction) restarts from sign(mu_w)
    lost = raw.assign(overlap_prev=[np.nan, 0.9, 0.1, 0.97])
    np.testing.assert_allclose(orient_trajectories(lost, "continuity")["sign"], [1, 1, 1, 1])


def _smoke_config():
    """The smoke preset's config, a copy of its own (the tests change it)."""
    from rbm_reciprocal.pipeline.config import load_config

    return load_config(SMOKE_CONFIGS)


def test_landau_epochs_must_be_checkpoints():
    from rbm_reciprocal.core.errors import ConfigError
    from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
    from rbm_reciprocal.stages.landau import landau_epochs, landau_method

    cfg = _smoke_config()
    assert landau_epochs(cfg) == checkpoint_epochs_from_config(cfg)  # null: every checkpoint
    assert landau_method(cfg) == cfg["training"]["methods"][0]
    cfg["landau"]["epochs"] = [3, 1]
    assert landau_epochs(cfg) == [1, 3]
    cfg["landau"]["epochs"] = [1, 999]
    with pytest.raises(ConfigError, match=r"landau.epochs \[999\]"):
        landau_epochs(cfg)


def test_mode_trajectory_jobs_follow_their_settings(tmp_path):
    """The jobs of rules mode_trajectory (the smoke preset's settings, two epochs of one
    model, the second oriented by the first) and mode_trajectory_table."""
    from types import SimpleNamespace

    from rbm_reciprocal.core.checkpoint import save_checkpoint
    from rbm_reciprocal.data.dataset import prepare_mnist, save_dataset
    from rbm_reciprocal.pipeline.job import Job, settings_dict
    from rbm_reciprocal.stages import landau as settings
    from rbm_reciprocal.stages.landau import JOBS

    cfg = _smoke_config()
    data = tmp_path / "mnist.npz"
    ds = prepare_mnist(SAMPLE, n_test=200, **BINARIZATION)
    save_dataset(data, ds, {})
    rng = np.random.default_rng(5)
    planted = np.outer(rng.normal(size=784) / 28, rng.normal(size=8))  # mode 1 of both epochs
    w0, w1 = (rng.normal(0, 0.01, (784, 8)) + scale * planted for scale in (0.2, 0.5))
    paths, rows = [], []
    for epoch, w in ((0, w0), (1, w1)):
        paths.append(tmp_path / f"epoch_{epoch}.npz")
        save_checkpoint(paths[-1], w, np.zeros(784), np.zeros(8), epoch=epoch, updates=0)
        wildcards = SimpleNamespace(hidden="8", epoch=f"{epoch:04d}")
        s = settings.mode_trajectory(cfg, wildcards)
        rows.append(tmp_path / f"row_{epoch}.parquet")
        job = Job(
            "mode_trajectory",
            input={"checkpoint": str(paths[-1]), "data": str(data)}
            | {"previous": [str(p) for p in paths[:-1]]},  # none for the first epoch
            output={"table": str(rows[-1])},
            settings=settings_dict(s),
        )  # fmt: skip
        JOBS["mode_trajectory"](Job.from_json(job.to_json()))
    first, second = (pd.read_parquet(p).iloc[0] for p in rows)
    assert list(pd.read_parquet(rows[0]).columns[:4]) == ["hidden", "method", "replica", "epoch"]
    assert (first["hidden"], first["method"], first["epoch"], second["epoch"]) == (
        8, cfg["training"]["methods"][0], 0, 1,
    )  # fmt: skip
    assert first["n_gibbs"] == cfg["landau"]["gibbs_chains"]
    assert first["n_test"] == np.isin(ds.test_labels, cfg["landau"]["digits"]).sum() > 0
    assert second["lambda_1"] == pytest.approx(np.linalg.svd(w1, compute_uv=False)[0], rel=1e-5)
    assert np.isnan(first["overlap_prev"]) and second["overlap_prev"] > 0.5
    table = tmp_path / "table.parquet"
    job = Job(
        "mode_trajectory_table",
        input={"rows": [str(p) for p in rows]},
        output={"table": str(table)},
        settings=settings_dict(settings.mode_trajectory_table(cfg, None)),
    )
    JOBS["mode_trajectory_table"](job)
    t = pd.read_parquet(table)
    assert list(t["epoch"]) == [0, 1] and t["mu_w"].iloc[0] >= 0
