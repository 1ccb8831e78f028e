"""AIS and reverse AIS against exact enumeration; a loglik job on a trained tiny RBM."""

import numba
import numpy as np
import pandas as pd
import pytest
from conftest import BACKEND, loglik_settings, train_settings

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS, LoglikSettings
from rbm_reciprocal.cli import main as cli_main
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import save_npz
from rbm_reciprocal.core.rbm import RBMParams, free_energy, softplus
from rbm_reciprocal.data.dataset import Dataset, save_dataset
from rbm_reciprocal.pipeline.config import validate_config
from rbm_reciprocal.pipeline.job import Job, settings_dict
from rbm_reciprocal.pipeline.loglik_epochs import loglik_epochs_from_config
from rbm_reciprocal.sampling.ais import (
    ais,
    base_log_odds,
    log_mean_exp,
    mean_neg_free_energy,
    model_samples,
    reverse_ais,
    weight_statistics,
)
from rbm_reciprocal.sampling.partition import (
    all_binary_states,
    log_likelihood_exact,
    log_partition_exact,
)
from rbm_reciprocal.sampling.schedules import SALAKHUTDINOV_MURRAY_BETAS, beta_schedule
from rbm_reciprocal.stages.loglik import estimator_settings
from rbm_reciprocal.training.trainer import Trainer


def _random_rbm(seed: int, n: int = 12, m: int = 8) -> RBMParams:
    """Weights with std 1 and nonzero biases: a multimodal model, hard for Gibbs chains."""
    rng = np.random.default_rng(seed)
    return RBMParams(rng.normal(0, 1, (n, m)), rng.normal(-0.5, 1, n), rng.normal(0.3, 1, m))


def _exact_samples(params: RBMParams, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` exact samples of the visible marginal, by enumeration (N <= ~16)."""
    V = all_binary_states(params.n_visible)
    logp = -free_energy(V, params)
    p = np.exp(logp - logp.max())
    return V[rng.choice(len(V), size=k, p=p / p.sum())].astype(np.float32)


def _data_base(params: RBMParams) -> np.ndarray:
    return base_log_odds(_exact_samples(params, 2000, np.random.default_rng(99)).mean(0))


# --- schedules and weight statistics ----------------------------------------------------


def test_beta_schedules():
    u = beta_schedule("uniform", 11)
    assert u[0] == 0 and u[-1] == 1 and np.allclose(np.diff(u), 0.1)
    sm = beta_schedule("piecewise", SALAKHUTDINOV_MURRAY_BETAS)
    assert sm.size == 14501 and sm[0] == 0 and sm[-1] == 1
    steps = np.diff(sm)
    assert np.allclose(steps[:500], 1e-3) and np.allclose(steps[500:4500], 1e-4)
    assert np.allclose(steps[4500:], 1e-5)
    short = beta_schedule("piecewise", 30)
    assert short.size == 30 and np.all(np.diff(short) > 0)
    with pytest.raises(ConfigError, match="unknown beta schedule"):
        beta_schedule("geometric", 10)
    with pytest.raises(ConfigError, match="n >= 2"):
        beta_schedule("uniform", 1)


def test_weight_statistics():
    rng = np.random.default_rng(0)
    lw = rng.normal(50.0, 2.0, 1000)
    w = np.exp(lw)
    log_mean, se, ess = weight_statistics(lw)
    assert log_mean == pytest.approx(np.log(w.mean()), rel=1e-12)
    assert log_mean == pytest.approx(log_mean_exp(lw), rel=1e-12)
    assert log_mean > lw.mean()  # log of the mean, not the mean of the logs
    assert se == pytest.approx(w.std(ddof=1) / np.sqrt(1000) / w.mean(), rel=1e-10)
    assert ess == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-10)
    assert 1 <= ess <= 1000
    assert weight_statistics(np.full(7, -3.0)) == (pytest.approx(-3.0), 0.0, pytest.approx(7.0))


# --- estimators against exact log Z ------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ais_and_reverse_ais_agree_with_exact(seed):
    params = _random_rbm(seed)
    exact = log_partition_exact(params)
    base = _data_base(params)
    betas = beta_schedule("uniform", 2000)
    rng = np.random.default_rng(seed + 10)
    fwd = ais(params, betas, 200, rng, base)
    rev = reverse_ais(params, betas, _exact_samples(params, 200, rng), rng, base)
    for est in (fwd, rev):
        assert 0 < est.log_z_se < 0.05  # precise enough for the test to mean something
        assert abs(est.log_z - exact) < 3 * est.log_z_se, (est.reverse, est.log_z, exact)
        assert est.ess > 0.5 * est.n_chains
    # the bracket [AIS, reverse AIS] contains log Z (within the standard errors)
    assert fwd.log_z - 3 * fwd.log_z_se <= exact <= rev.log_z + 3 * rev.log_z_se


def test_short_schedules_bound_log_z_from_both_sides():
    """Stochastic bounds (Burda et al. 2015): with a short schedule the bias dominates, and
    ``log Z_0 + mean log w <= log Z <= log Z_0 - mean log w_rev`` by far."""
    params = _random_rbm(4)
    exact = log_partition_exact(params)
    base = np.zeros(params.n_visible, np.float32)  # uniform base, far from the model
    rng = np.random.default_rng(5)
    betas = beta_schedule("uniform", 5)
    fwd = ais(params, betas, 2000, rng, base)
    rev = reverse_ais(params, betas, _exact_samples(params, 2000, rng), rng, base)
    lower = fwd.log_z_base + fwd.log_weights.mean()
    upper = rev.log_z_base - rev.log_weights.mean()
    sd = max(fwd.log_weights.std(), rev.log_weights.std()) / np.sqrt(2000)
    assert lower + 5 * sd < exact < upper - 5 * sd
    assert lower <= fwd.log_z and rev.log_z <= upper
    # the log-mean-exp estimates are far better than the mean of the log-weights
    assert abs(fwd.log_z - exact) < 0.5 * (exact - lower)
    assert abs(rev.log_z - exact) < 0.5 * (upper - exact)


def test_zero_weights_every_estimator_is_exact():
    rng = np.random.default_rng(3)
    n, m = 20, 37  # not multiples of the SIMD width: vector and remainder loops
    params = RBMParams(np.zeros((n, m)), rng.normal(0, 2, n), rng.normal(0, 2, m))
    closed = softplus(params.a.astype(float)).sum() + softplus(params.b.astype(float)).sum()
    for kind, k in (("uniform", 300), ("piecewise", 200)):
        betas = beta_schedule(kind, k)
        fwd = ais(params, betas, 30, rng, params.a)
        start = (rng.random((30, n)) < 0.5).astype(np.float32)
        rev = reverse_ais(params, betas, start, rng, params.a)
        for est in (fwd, rev):
            assert est.log_z == pytest.approx(closed, rel=1e-13)
            assert est.log_z_se == 0.0 and est.ess == pytest.approx(30)
    assert log_partition_exact(params) == pytest.approx(closed, rel=1e-13)


def test_same_seed_same_estimate_any_thread_count():
    params = _random_rbm(7, n=30, m=20)
    base = np.zeros(30, np.float32)
    betas = beta_schedule("uniform", 300)
    start = (np.random.default_rng(1).random((64, 30)) < 0.3).astype(np.float32)

    def run(seed):
        f = ais(params, betas, 64, np.random.default_rng(seed), base)
        r = reverse_ais(params, betas, start, np.random.default_rng(seed), base)
        return f.log_weights, r.log_weights

    ref = run(42)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = run(42)
    finally:
        numba.set_num_threads(threads)
    for x, y, z in zip(ref, run(42), serial, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
    assert not np.array_equal(ref[0], run(43)[0])


def test_argument_errors():
    params = _random_rbm(0)
    with pytest.raises(ConfigError, match="betas must increase"):
        ais(params, np.array([0.0, 0.7, 0.5, 1.0]), 4, np.random.default_rng(0), params.a)
    with pytest.raises(ConfigError, match="base biases"):
        ais(params, beta_schedule("uniform", 5), 4, np.random.default_rng(0), np.zeros(3))
    with pytest.raises(ConfigError, match="start states"):
        reverse_ais(params, beta_schedule("uniform", 5), np.zeros((4, 3)), None, params.a)


def test_model_samples_and_free_energy_helpers():
    params = _random_rbm(8, n=10, m=3)
    rng = np.random.default_rng(0)
    v0 = (rng.random((4000, 10)) < 0.5).astype(np.float32)
    v, marginal = model_samples(params, v0, 30, rng)
    V = all_binary_states(10)
    p = np.exp(-free_energy(V, params) - log_partition_exact(params))
    exact_marginal = p @ V
    assert v.shape == (4000, 10) and set(np.unique(v)) <= {0.0, 1.0}
    np.testing.assert_allclose(marginal, exact_marginal, atol=0.03)
    np.testing.assert_allclose(v.mean(0), exact_marginal, atol=0.04)
    data = V[rng.integers(0, len(V), 1000)]
    assert mean_neg_free_energy(data, params, chunk=7) == pytest.approx(
        np.mean(-free_energy(data, params)), rel=1e-12
    )


# --- settings and the loglik job --------------------------------------------------------------


def test_loglik_config_translation_and_errors():
    cfg = {
        "seed": 3,
        "loglik": {
            "epochs": [4, 2],
            "n_chains": 10,
            "betas": {"schedule": "piecewise", "n": 100},
            "base": "samples",
            "rais_start": "test",
            "sample_sweeps": 5,
            "exact_max_units": 0,
            "threads": 1,
        },
    }
    assert loglik_epochs_from_config(cfg, [0, 2, 4]) == [2, 4]
    with pytest.raises(ConfigError, match=r"loglik.epochs \[4\] are not training checkpoints"):
        loglik_epochs_from_config(cfg, [0, 2, 3])
    s = estimator_settings(validate_config(cfg), "standard")
    assert (s.beta_schedule, s.n_betas, s.rais_start, s.seed) == ("piecewise", 100, "test", 3)
    assert LoglikSettings.from_dict(settings_dict(s)) == s  # through the job file
    with pytest.raises(ConfigError, match="unknown AIS base"):
        loglik_settings(base="model")
    with pytest.raises(ConfigError, match="unknown log-likelihood job role"):
        estimator_settings(validate_config(cfg), "bridge")
    with pytest.raises(ConfigError, match="unknown loglik settings"):
        LoglikSettings.from_dict({"chains": 3})


@pytest.fixture(scope="module")
def trained_tiny(tmp_path_factory):
    """A 16 x 6 RBM trained by PCD on two noisy prototypes, its checkpoint and dataset."""
    tmp = tmp_path_factory.mktemp("tiny")
    rng = np.random.default_rng(0)
    protos = np.array([[1] * 8 + [0] * 8, [0, 1] * 8], dtype=np.uint8)

    def images(k):
        x = protos[rng.integers(0, 2, k)]
        return np.where(rng.random(x.shape) < 0.05, 1 - x, x).astype(np.uint8)

    ds = Dataset(images(600), np.zeros(600, np.uint8), images(200), np.zeros(200, np.uint8))
    save_dataset(tmp / "data.npz", ds, {"note": "synthetic"})
    s = train_settings(
        method="PCD",
        hidden=6,
        gibbs_steps=5,
        batch_size=50,
        n_chains=50,
        epochs=8,
        seed=1,
        checkpoints=(0, 8),
        backend=BACKEND,
    )
    tr = Trainer(ds.train, s)
    for _ in range(s.epochs):
        tr.run_epoch()
    p = tr.params
    save_npz(tmp / "epoch_0008.npz", W=p.W, a=p.a, b=p.b, epoch=np.array(8), updates=np.array(0))
    return tmp, ds, p


@pytest.mark.parametrize("base,start", [("data", "samples"), ("samples", "test")])
def test_loglik_job_of_a_trained_tiny_rbm_is_exact(trained_tiny, base, start):
    tmp, ds, params = trained_tiny
    settings = loglik_settings(
        n_chains=200, n_betas=1000, base=base, rais_start=start, sample_sweeps=100, seed=5
    )
    out = tmp / f"row_{base}_{start}.parquet"
    job = tmp / f"row_{base}_{start}.job.json"
    job.write_text(
        Job(
            "loglik",
            input={"checkpoint": str(tmp / "epoch_0008.npz"), "data": str(tmp / "data.npz")},
            output={"table": str(out)},
            wildcards={"method": "PCD", "hidden": "6", "replica": "0", "epoch": "0008"},
            settings=settings_dict(settings),
        ).to_json()
    )
    assert cli_main(["run", "loglik", "--job", str(job)]) == 0
    row = pd.read_parquet(out)
    assert list(row.columns) == list(LOGLIK_COLUMNS) and len(row) == 1
    r = row.iloc[0]
    exact_test = log_likelihood_exact(ds.test.astype(np.float64), params)
    exact_train = log_likelihood_exact(ds.train.astype(np.float64), params)
    assert r["test_ll_exact"] == pytest.approx(exact_test, rel=1e-10)
    assert r["train_ll_exact"] == pytest.approx(exact_train, rel=1e-10)
    assert exact_test > -8.0  # learned something (16 pixels: -11.1 nats if uniform)
    for kind in ("ais", "rais"):
        se = r[f"log_z_{kind}_se"]
        assert se < 0.01
        assert abs(r[f"test_ll_{kind}"] - exact_test) < max(3 * se, 0.01)
        assert abs(r[f"train_ll_{kind}"] - exact_train) < max(3 * se, 0.01)
    assert r["n_chains"] == 200 and r["epoch"] == 8 and r["method"] == "PCD"
