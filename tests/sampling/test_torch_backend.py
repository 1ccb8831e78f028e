"""The torch backend (on torch's CPU device) against the numpy path and exact quantities.

Skipped where PyTorch is not installed (``pip install -e .[gpu]``); ``make`` installs the
CPU build, so CI runs these.
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest
from conftest import BACKEND, TORCH_CPU, loglik_settings, optimizer, tiny_settings, train_settings

from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError, RBMError
from rbm_reciprocal.core.rbm import RBMParams, energy, free_energy, prob_h_given_v, prob_v_given_h
from rbm_reciprocal.sampling.backend import TORCH_MISSING, BackendSettings, require_torch
from rbm_reciprocal.sampling.partition import (
    all_binary_states,
    log_likelihood_exact,
    log_partition_exact,
)
from rbm_reciprocal.stages.train import run_training
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.trainer import Trainer
from rbm_reciprocal.training.trainer_backend import make_trainer

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e .[gpu]")

from rbm_reciprocal.sampling.torch_ais import torch_ais, torch_reverse_ais  # noqa: E402
from rbm_reciprocal.sampling.torch_gibbs import (  # noqa: E402 - after the skip
    TorchGibbsSampler,
    to_params,
    to_tensors,
    torch_model_samples,
)

CPU = TORCH_CPU


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Small tensors: torch's OpenMP threads only cost time (and thrash on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _random_rbm(seed: int, n: int = 12, m: int = 8) -> RBMParams:
    rng = np.random.default_rng(seed)
    return RBMParams(rng.normal(0, 1, (n, m)), rng.normal(-0.5, 1, n), rng.normal(0.3, 1, m))


def test_backend_settings_and_missing_torch(monkeypatch):
    assert BackendSettings.from_value(BACKEND) is BACKEND
    torch_cpu = {
        "name": "torch",
        "device": "cpu",
        "dtype": "float32",
        "sparse_density": BACKEND.sparse_density,
    }
    assert BackendSettings.from_value(torch_cpu) == CPU and CPU.is_torch
    with pytest.raises(ConfigError, match="unknown backend"):
        dataclasses.replace(BACKEND, name="jax")
    with pytest.raises(ConfigError, match="unknown backend settings"):
        BackendSettings.from_value({"name": "torch", "gpus": 2})
    with pytest.raises(ConfigError, match=r"without \['dtype', 'sparse_density'\]"):
        BackendSettings.from_value({"name": "torch", "device": "cpu"})
    assert str(require_torch(CPU)) == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(RBMError, match="sees no GPU"):
            require_torch(dataclasses.replace(BACKEND, name="torch", device="cuda"))
    # Without torch: one clear error before any work (training and log-likelihood jobs).
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(RBMError, match=r"needs PyTorch: pip install -e \.\[gpu\]") as exc:
        require_torch(CPU)
    assert str(exc.value) == TORCH_MISSING
    data = np.zeros((100, 4), np.float32)
    s = train_settings(
        hidden=2, batch_size=10, n_chains=10, epochs=1, checkpoints=(0, 1), backend=BACKEND
    )
    with pytest.raises(RBMError, match="needs PyTorch"):
        make_trainer(data, TrainSettings.from_dict(s.to_dict() | {"backend": CPU}))


def test_conditionals_and_energies_match_numpy(tiny_rbm):
    W, a, b = to_tensors(tiny_rbm, torch.device("cpu"))
    V = all_binary_states(6).astype(np.float32)
    rng = np.random.default_rng(0)
    H = (rng.random((V.shape[0], 4)) < 0.5).astype(np.float32)
    smp = TorchGibbsSampler(W, a, b, V.shape[0])
    ph = torch.empty((V.shape[0], 4))
    pv = torch.empty((V.shape[0], 6))
    smp.hidden_probs(torch.from_numpy(V), ph)
    smp.visible_probs(torch.from_numpy(H), pv)
    np.testing.assert_allclose(ph.numpy(), prob_h_given_v(V, tiny_rbm), atol=1e-6)
    np.testing.assert_allclose(pv.numpy(), prob_v_given_h(H, tiny_rbm), atol=1e-6)
    # energy and free energy from the torch tensors (float32) vs numpy (float64)
    vt, ht = torch.from_numpy(V), torch.from_numpy(H)
    e_t = -(vt @ a) - (ht @ b) - ((vt @ W) * ht).sum(1)
    f_t = -(vt @ a) - torch.nn.functional.softplus(vt @ W + b).sum(1)
    np.testing.assert_allclose(e_t.numpy(), energy(V, H, tiny_rbm), atol=1e-5)
    np.testing.assert_allclose(f_t.numpy(), free_energy(V, tiny_rbm), atol=1e-5)
    np.testing.assert_array_equal(to_params(W, a, b).W, tiny_rbm.W)


def test_monte_carlo_hidden_and_visible_means_match_exact_conditionals(tiny_rbm):
    n = 20000
    v = np.tile(np.array([1, 0, 1, 1, 0, 1], np.float32), (n, 1))
    h = np.tile(np.array([1, 0, 0, 1], np.float32), (n, 1))
    smp = TorchGibbsSampler.from_params(tiny_rbm, n)
    out_h, out_v = torch.empty((n, 4)), torch.empty((n, 6))
    rng = np.random.default_rng(1)
    smp.sample_hidden(torch.from_numpy(v), rng, out_h)
    smp.sample_visible(torch.from_numpy(h), rng, out_v)
    for out, p in (
        (out_h, prob_h_given_v(v[:1], tiny_rbm)[0]),
        (out_v, prob_v_given_h(h[:1], tiny_rbm)[0]),
    ):
        se = np.sqrt(p * (1 - p) / n)
        assert set(np.unique(out.numpy())) <= {0.0, 1.0}
        assert np.all(np.abs(out.numpy().mean(0) - p) < 5 * se + 1e-6)


def test_gibbs_chains_sample_the_model_and_are_reproducible(tiny_rbm):
    """Long chains reach the exact visible marginal; same numpy seed, same samples."""
    V = all_binary_states(6)
    p = np.exp(-free_energy(V, tiny_rbm) - log_partition_exact(tiny_rbm))
    exact_marg = p @ V
    v0 = np.zeros((4000, 6), np.float32)
    v1, _ = torch_model_samples(tiny_rbm, v0, 30, np.random.default_rng(5))
    v2, marg = torch_model_samples(tiny_rbm, v0, 30, np.random.default_rng(5))
    np.testing.assert_array_equal(v1, v2)
    assert np.all(np.abs(v1.mean(0) - exact_marg) < 5 * np.sqrt(0.25 / 4000))
    assert np.all(np.abs(marg - exact_marg) < 0.02)


def _settings(method: str, **kw) -> TrainSettings:
    """:func:`conftest.tiny_settings` with a checkpoint half way."""
    return tiny_settings(method, **({"checkpoints": (0, 15, 30)} | kw))


@pytest.mark.parametrize("method", ["PCD", "CD", "Rdm"])
def test_both_backends_train_a_tiny_rbm_to_the_same_log_likelihood(method, prototype_data):
    """Mean exact log-likelihood of 4 replicas after 30 epochs agrees within 0.4 nats.

    The two backends start from the same parameters but draw other random numbers, and on
    this problem the final log-likelihood of one replica spreads by ~0.3 nats (sd) between
    seeds, so the difference of two 4-replica means has a standard error of ~0.2 nats.
    Both must also learn (init -5.49, entropy bound -3.48).
    """
    means = {}
    for name in ("cpu", "torch"):
        lls = []
        for replica in range(4):
            s = TrainSettings.from_dict(
                _settings(method, replica=replica).to_dict()
                | {"backend": dataclasses.replace(CPU, name=name)}
            )
            tr = make_trainer(prototype_data, s)
            assert (type(tr).__name__ == "TorchTrainer") == (name == "torch")
            if replica == 0 and name == "torch":
                ref = Trainer(prototype_data, _settings(method, replica=replica))
                np.testing.assert_array_equal(ref.params.W, tr.params.W)  # same init
            for _ in range(30):
                tr.run_epoch()
            lls.append(log_likelihood_exact(prototype_data, tr.params))
        means[name] = float(np.mean(lls))
        assert means[name] > -4.2, (method, name, lls)
    assert abs(means["cpu"] - means["torch"]) < 0.4, (method, means)


def test_adam_and_sgd_steps_equal_numpy(prototype_data):
    """One update from the same negative samples: torch optimizers equal the numpy ones."""
    for opt in (optimizer(lr=0.05), optimizer(name="sgd", lr=0.1, momentum=0.5)):
        s = _settings("CD", gibbs_steps=1, optimizer=opt)
        tr_np = Trainer(prototype_data, s)
        tr_t = make_trainer(prototype_data, TrainSettings.from_dict(s.to_dict() | {"backend": CPU}))
        batch = prototype_data[:50]
        neg = prototype_data[50:100]
        for _ in range(3):  # gradient with fixed negatives, so both see the same numbers
            from rbm_reciprocal.core.rbm import sufficient_statistics

            g = [
                p - q
                for p, q in zip(
                    sufficient_statistics(batch, tr_np.params),
                    sufficient_statistics(neg, tr_np.params),
                    strict=True,
                )
            ]
            tr_np.opt.step(tr_np.params, g)
            pos, ng = tr_t._stats(torch.from_numpy(batch)), tr_t._stats(torch.from_numpy(neg))
            tr_t._opt_step([p - q for p, q in zip(pos, ng, strict=True)])
        np.testing.assert_allclose(tr_t.params.W, tr_np.params.W, atol=2e-6)
        np.testing.assert_allclose(tr_t.params.a, tr_np.params.a, atol=2e-6)


def test_torch_checkpoints_load_with_numpy_code_and_resume_bit_for_bit(tmp_path, prototype_data):
    s = TrainSettings.from_dict(
        _settings("PCD", epochs=4, checkpoints=(0, 2, 4)).to_dict() | {"backend": CPU}
    )
    assert s.fingerprint() != _settings("PCD", epochs=4, checkpoints=(0, 2, 4)).fingerprint()
    full = run_training(prototype_data, s, tmp_path / "full", log=lambda m: None)
    run_training(prototype_data, s, tmp_path / "cut", log=lambda m: None, stop_after_epoch=2)
    run_training(prototype_data, s, tmp_path / "cut", log=lambda m: None)
    a = load_checkpoint(tmp_path / "full" / "epoch_0004.npz")
    b = load_checkpoint(tmp_path / "cut" / "epoch_0004.npz")
    assert a.W.dtype == np.float32 and a.W.shape == (12, 6)
    np.testing.assert_array_equal(a.W, b.W)
    assert list(full["epoch"]) == [0, 1, 2, 3, 4]
    # the numpy analysis code reads it: exact log-likelihood improved over the init
    init = load_checkpoint(tmp_path / "full" / "epoch_0000.npz")
    assert log_likelihood_exact(prototype_data, a) > log_likelihood_exact(prototype_data, init)


@pytest.mark.parametrize("seed", [0, 1])
def test_torch_ais_and_reverse_ais_agree_with_exact_log_z(seed):
    from rbm_reciprocal.sampling.ais import base_log_odds
    from rbm_reciprocal.sampling.schedules import beta_schedule

    params = _random_rbm(seed)
    exact = log_partition_exact(params)
    V = all_binary_states(params.n_visible)
    logp = -free_energy(V, params)
    p = np.exp(logp - logp.max())
    rng = np.random.default_rng(seed + 10)
    samples = V[rng.choice(len(V), size=200, p=p / p.sum())].astype(np.float32)
    base = base_log_odds(samples.mean(0))
    betas = beta_schedule("uniform", 2000)
    fwd = torch_ais(params, betas, 200, np.random.default_rng(seed), base)
    rev = torch_reverse_ais(params, betas, samples, rng, base)
    for est in (fwd, rev):
        assert 0 < est.log_z_se < 0.05
        assert abs(est.log_z - exact) < 3 * est.log_z_se, (est.reverse, est.log_z, exact)
        assert est.ess > 0.5 * est.n_chains
    again = torch_ais(params, betas, 200, np.random.default_rng(seed), base)
    np.testing.assert_array_equal(fwd.log_weights, again.log_weights)


def test_torch_ais_zero_weights_is_exact():
    from rbm_reciprocal.sampling.schedules import beta_schedule

    rng = np.random.default_rng(3)
    params = RBMParams(np.zeros((10, 5)), rng.normal(0, 1, 10), rng.normal(0, 1, 5))
    closed = float(
        np.logaddexp(0, params.a.astype(np.float64)).sum()
        + np.logaddexp(0, params.b.astype(np.float64)).sum()
    )
    est = torch_ais(params, beta_schedule("uniform", 50), 20, rng, params.a)
    assert est.log_z == pytest.approx(closed, abs=1e-9)


def test_loglik_job_runs_on_the_torch_backend(prototype_data):
    from rbm_reciprocal.analysis.loglik import estimate_loglik
    from rbm_reciprocal.core.streams import loglik_rng

    tr = make_trainer(
        prototype_data,
        TrainSettings.from_dict(
            _settings("PCD", epochs=5, checkpoints=(0, 5)).to_dict() | {"backend": CPU}
        ),
    )
    for _ in range(5):
        tr.run_epoch()
    s = loglik_settings(
        n_chains=100,
        n_betas=1000,
        sample_sweeps=50,
        backend=TORCH_CPU,
    )
    row = estimate_loglik(
        tr.params, prototype_data, prototype_data[:200], s, loglik_rng(0, "PCD", 6, 0, 5)
    )
    se = max(row["log_z_ais_se"], row["log_z_rais_se"])
    assert abs(row["log_z_ais"] - row["log_z_exact"]) < 3 * row["log_z_ais_se"] + 0.02
    assert abs(row["log_z_rais"] - row["log_z_exact"]) < 3 * se + 0.05
