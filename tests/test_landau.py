import numpy as np
import pytest

from rbm_reciprocal.analysis.landau import (
    QuarticFit,
    fit_constraint_potential,
    landau_free_energy,
    landau_minima,
    uniform_mode_samples,
    well_type,
)
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
    assert edge.all() and well_type(mins) == "double"


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
