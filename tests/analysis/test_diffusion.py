"""Diffusion in reciprocal space (Sec. 4.1): spectrum, potentials, Langevin dynamics."""

import numpy as np
import pandas as pd
import pytest
from conftest import SCHEMA_DEFAULTS

from rbm_reciprocal.analysis.langevin import (
    convergence_summary,
    ks_distance,
    simulate_langevin,
    simulate_mode,
)
from rbm_reciprocal.analysis.modes import (
    relaxation_spectrum,
    select_modes,
    stiffness_matrix,
    uniform_z_moments,
    z_coefficients,
    z_modes,
)
from rbm_reciprocal.analysis.potentials import GaussianPotential, LargeDeviationPotential
from rbm_reciprocal.analysis.reciprocal import decompose, random_binary


def mode_settings(**kw) -> dict:
    """``simulate_mode`` keywords of the schema's ``diffusion`` settings, ``kw`` replaced."""
    d = SCHEMA_DEFAULTS["diffusion"]
    return dict(
        n_walkers=d["walkers"], n_steps=d["steps"], horizon=d["horizon"], n_records=d["records"],
        beta=d["beta"], max_steps=d["max_steps"], n_grid=d["grid"], metropolis=d["metropolis"],
    ) | kw  # fmt: skip


def _rbm(n=12, m=5, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return decompose(rng.normal(0, scale, (n, m)), rng.normal(0, 0.5, n), rng.normal(0, 0.5, m))


def test_ou_stationary_variance_and_relaxation_rate():
    """1-D Ornstein-Uhlenbeck: stationary N(z*, 1/(beta kappa)), mean relaxes at kappa."""
    beta, k, mu, lt = 2.0, 3.0, 1.0, 0.5  # kappa = lt + k / beta = 2
    pot = GaussianPotential(lt, 0.0, k, mu, beta)
    assert pot.kappa == pytest.approx(2.0)
    z_star = k * mu / (beta * pot.kappa)
    z0 = np.zeros(4000)
    for metropolis in (False, True):
        rng = np.random.default_rng(1)
        t, snaps, acc = simulate_langevin(pot, z0, 2e-3, 3000, 31, rng, beta, metropolis)
        assert acc > 0.99
        assert snaps[-1].var() == pytest.approx(1 / (beta * pot.kappa), rel=0.08)
        assert snaps[-1].mean() == pytest.approx(z_star, abs=0.03)
        # <z>(t) = z* (1 - exp(-kappa t)): the n = 1 rate Gamma = kappa (Gamma = 2 D E)
        i = np.argmin(np.abs(t - 0.5))
        assert snaps[i].mean() == pytest.approx(z_star * (1 - np.exp(-2.0 * t[i])), abs=0.03)
        assert ks_distance(snaps[-1], pot.stationary_cdf(snaps[-1])) < 0.04


def test_uw_pair_stationary_variances():
    """2-D case: a (u_i, w_i) pair with lambda < k/beta relaxes to variances 1/(k -+ lambda)."""
    rec = _rbm(scale=0.3)
    modes = z_modes(rec)
    spec = relaxation_spectrum(modes, np.full(modes.size, 4.0), 1.0)
    m = rec.n_modes
    lam = rec.s[0]
    assert lam < 4
    assert spec["stationary_var"].iloc[0] == pytest.approx(1 / (4 - lam))
    assert spec["stationary_var"].iloc[m] == pytest.approx(1 / (4 + lam))
    for q in (0, m):
        series, _ = simulate_mode(
            rec, spec, q, seed=3, **mode_settings(n_steps=1000, horizon=6, max_steps=2000)
        )
        g = series[series["potential"] == "gaussian"].sort_values("t")
        assert g["var"].iloc[-1] == pytest.approx(spec["stationary_var"].iloc[q], rel=0.1)
        assert g["ks"].iloc[-1] < 0.05


def test_negative_eigenvalue_diverges_at_twice_kappa():
    pot = GaussianPotential(-6.0, 0.0, 4.0, 0.3, 1.0)  # kappa = -2
    rng = np.random.default_rng(2)
    t, snaps, _ = simulate_langevin(
        pot, rng.normal(0.3, 0.5, 2000), 1e-3, 3000, 31, rng, 1.0, False
    )
    var = snaps.var(axis=1)
    late = t >= 1.5
    rate = np.polyfit(t[late], np.log(var[late]), 1)[0]
    assert rate == pytest.approx(2 * abs(pot.kappa), rel=0.1)
    assert pot.stationary_cdf(np.zeros(3)) is None


def test_relaxation_spectrum_formulas():
    rec = _rbm(scale=2.0)
    modes = z_modes(rec)
    beta = 2.0
    k = np.linspace(3.5, 4.5, modes.size)
    s = relaxation_spectrum(modes, k, beta)
    m = rec.n_modes
    u, w, x = s.iloc[:m], s.iloc[m : 2 * m], s.iloc[2 * m :]
    np.testing.assert_allclose(u["kappa"], -rec.s + k[:m] / beta)
    np.testing.assert_allclose(w["kappa"], rec.s + k[m : 2 * m] / beta)
    np.testing.assert_allclose(x["kappa"], k[2 * m :] / beta)
    np.testing.assert_allclose(s["omega"], beta * s["kappa"] / 2)  # Eq. 40
    np.testing.assert_array_equal(u["diverges"], rec.s > k[:m] / beta)
    assert not w["diverges"].any() and not x["diverges"].any()
    # Eq. 41: z0 = mu k / (2 omega) for u, w; mu + beta a0 / (2 omega) for x
    np.testing.assert_allclose(u["z_star"], u["mu"] * u["k_ii"] / (2 * u["omega"]))
    np.testing.assert_allclose(x["z_star"], x["mu"] + beta * rec.a0[m:] / (2 * x["omega"]))


def test_cov_z_is_a_quarter_identity_and_k_is_four():
    rec = _rbm()
    n_states = 40_000
    mean, cov = uniform_z_moments(rec, n_states, np.random.default_rng(4))
    d = cov.shape[0]
    np.testing.assert_allclose(cov, np.eye(d) / 4, atol=0.012)
    np.testing.assert_allclose(mean, z_modes(rec).mu, atol=0.02)
    k = stiffness_matrix(cov, n_states)
    np.testing.assert_allclose(np.diag(k), 4.0, rtol=0.05)
    # z is an affine map of the bits with orthonormal columns
    a, _ = z_coefficients(rec, np.arange(d))
    np.testing.assert_allclose(a.T @ a, np.eye(d), atol=1e-10)


def test_stiffness_needs_enough_states():
    from rbm_reciprocal.core.errors import ConfigError

    with pytest.raises(ConfigError, match="uniform_states"):
        stiffness_matrix(np.eye(10) / 4, 11)


def test_large_deviation_potential_matches_the_marginal():
    rng = np.random.default_rng(5)
    a = rng.normal(size=60)
    a /= np.linalg.norm(a)
    ld = LargeDeviationPotential(a, 0.3, 0.0, 0.0, 1.0, n_grid=2001)
    assert ld.mu == pytest.approx(0.3 + a.sum() / 2)
    assert ld.beta_grad(np.array([ld.mu]))[0] == pytest.approx(0.0, abs=1e-3)
    assert ld.beta_curvature(np.array([ld.mu]))[0] == pytest.approx(4.0, rel=1e-3)  # 1/Var
    assert ld.support[0] < ld.lo < ld.hi < ld.support[1]
    assert ld.beta_u(np.array([ld.support[1] + 1]))[0] == np.inf
    z = 0.3 + random_binary(20_000, a.size, rng) @ a
    assert ks_distance(z, ld.stationary_cdf(z)) < 0.02


def test_full_constraint_confines_an_unstable_mode():
    """lambda > k/beta: the harmonic model diverges, the all-orders constraint stays bounded."""
    rng = np.random.default_rng(6)
    a = rng.normal(size=80)
    a /= np.linalg.norm(a)
    ld = LargeDeviationPotential(a, 0.0, -6.0, 0.0, 1.0, n_grid=2001)
    z0 = random_binary(1000, a.size, rng) @ a
    _, snaps, acc = simulate_langevin(ld, z0, 2e-4, 4000, 11, rng, 1.0, True)
    var = snaps.var(axis=1)
    assert acc > 0.9
    assert var[-1] / var[len(var) // 2] < 2.0
    assert np.all((snaps >= ld.lo) & (snaps <= ld.hi))
    assert len(ld.wells()) == 1  # a double well: one barrier
    assert ld.well_weights().sum() == pytest.approx(1.0)


def test_simulate_mode_is_seeded_and_reports_both_potentials():
    rec = _rbm(n=20, m=6, scale=3.0)
    spec = relaxation_spectrum(z_modes(rec), np.full(26, 4.0), 1.0)
    assert spec["diverges"].any()
    idx = select_modes(spec, 2, 2)
    assert idx[0] == 0 and spec["diverges"].iloc[idx[0]]
    kw = mode_settings(
        n_walkers=200, n_steps=200, horizon=4, n_records=5, max_steps=2000, n_grid=501
    )
    s1, f1 = simulate_mode(rec, spec, idx[0], seed=7, **kw)
    s2, f2 = simulate_mode(rec, spec, idx[0], seed=7, **kw)
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(f1, f2)
    assert set(s1["potential"]) == {"gaussian", "large_deviation"}
    s1.insert(0, "state", "trained")
    summary = convergence_summary(s1, 200)
    g = summary.set_index("potential")
    assert g.loc["gaussian", "verdict"] == "diverges"
    assert g.loc["large_deviation", "verdict"] != "diverges"


def test_convergence_summary_verdicts():
    t = np.linspace(0, 1, 11)
    rows = []
    for name, var, ks, ks_loc, occ in (
        ("grow", np.exp(8 * t), np.nan, np.nan, np.nan),
        ("ok", np.full(11, 0.25), 0.01, 0.01, 0.0),
        ("meta", np.full(11, 0.25), 0.5, 0.01, 10.0),
        ("stuck", np.full(11, 0.25), 0.5, 0.5, 10.0),
    ):
        for ti, vi in zip(t, var, strict=True):
            rows.append(
                dict(index=1, kind="u", mode=1, lam=5.0, kappa=-1.0, predicted_diverges=True,
                     potential=name, t=ti, t_over_tau=ti, var=vi, ks=ks, ks_local=ks_loc,
                     occupation_z=occ, acceptance=1.0, dt=0.1, n_steps=10, n_wells=1)
            )  # fmt: skip
    s = convergence_summary(pd.DataFrame(rows), 1000).set_index("potential")
    assert s.loc["grow", "verdict"] == "diverges"
    assert s.loc["grow", "growth_rate"] == pytest.approx(8.0)
    assert s.loc["ok", "verdict"] == "converges"
    assert s.loc["meta", "verdict"] == "metastable"
    assert s.loc["stuck", "verdict"] == "not converged"


def test_diffusion_job_writes_the_four_tables_of_its_settings(tmp_path):
    """Rule diffusion: both checkpoints' spectra (every component of z), the simulated modes'
    series and final positions, and their summary (both potentials), with the settings'
    states and inverse temperature."""
    from rbm_reciprocal.core.checkpoint import save_checkpoint
    from rbm_reciprocal.pipeline.job import Job, settings_dict
    from rbm_reciprocal.stages.diffusion import JOBS, Diffusion

    rng = np.random.default_rng(3)
    n, m = 12, 5
    inputs = {}
    for epoch, (state, scale) in enumerate((("untrained", 0.01), ("trained", 1.5))):
        inputs[state] = str(tmp_path / f"{state}.npz")
        w = rng.normal(0, scale, (n, m))
        save_checkpoint(inputs[state], w, np.zeros(n), np.zeros(m), epoch=3 * epoch, updates=0)
    s = Diffusion(
        beta=1.0, uniform_states=400, n_divergent=1, n_stable=1, n_walkers=60, n_steps=40,
        horizon=2.0, n_records=5, max_steps=200, n_grid=201, metropolis=True, seed=7,
    )  # fmt: skip
    out = {k: str(tmp_path / f"{k}.parquet") for k in ("spectrum", "series", "summary", "final")}
    JOBS["diffusion"](Job("diffusion", input=inputs, output=out, settings=settings_dict(s)))
    spec = pd.read_parquet(out["spectrum"])
    assert list(spec.columns[:2]) == ["state", "epoch"]
    assert spec.groupby("state").size().to_dict() == {"trained": n + m, "untrained": n + m}
    assert spec.groupby("state")["epoch"].first().to_dict() == {"trained": 3, "untrained": 0}
    assert (spec["n_states"] == 400).all() and (spec["beta"] == 1.0).all()
    assert (spec["k_exact"] == 4).all()
    # the trained model's lambda_1 ~ 1.5 sqrt(12) > k / beta = 4: its u_1 diverges
    assert spec[spec["state"] == "trained"]["diverges"].any()
    assert not spec[spec["state"] == "untrained"]["diverges"].any()
    summary = pd.read_parquet(out["summary"])
    assert set(summary["potential"]) == {"gaussian", "large_deviation"}
    assert spec["simulated"].sum() == summary.groupby(["state", "mode"]).ngroups
    series = pd.read_parquet(out["series"])
    assert series.groupby(["state", "mode", "potential"]).size().eq(5).all()  # n_records
    assert set(pd.read_parquet(out["final"])["state"]) == {"untrained", "trained"}
