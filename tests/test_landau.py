import numpy as np
import pandas as pd
import pytest

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
    np.testing.assert_allclose(orient_trajectories(lost)["sign"], [1, 1, 1, 1])
