import os
import subprocess
import sys

import numpy as np
import pytest

from rbm_reciprocal.core.rbm import RBMParams, free_energy, prob_h_given_v, prob_v_given_h
from rbm_reciprocal.sampling._kernels import bernoulli_from_probs, sigmoid_with_bias
from rbm_reciprocal.sampling.gibbs import GibbsSampler, random_hidden, sample_chains
from rbm_reciprocal.sampling.partition import all_binary_states


def test_kernel_sigmoid_accuracy():
    x = np.linspace(-30, 30, 200_001, dtype=np.float32)[None, :]
    out = np.empty_like(x)
    sigmoid_with_bias(x, np.zeros(x.shape[1], np.float32), out)
    ref = 1.0 / (1.0 + np.exp(-x.astype(np.float64)))
    assert np.max(np.abs(out - ref)) < 3e-7
    big = np.array([[-200.0, 200.0]], np.float32)
    o2 = np.empty_like(big)
    sigmoid_with_bias(big, np.zeros(2, np.float32), o2)
    assert np.isfinite(o2).all() and o2[0, 0] < 1e-30 and o2[0, 1] == 1.0


def test_kernel_uniforms_are_uniform_and_independent():
    seeds = np.arange(1, 201, dtype=np.uint64) * np.uint64(0x632BE59BD9B4E019)
    p = np.full((200, 5000), 0.3, np.float32)
    out = np.empty_like(p)
    bernoulli_from_probs(p, seeds, out)
    # 1e6 Bernoulli(0.3) draws: std of the mean is 4.6e-4
    assert abs(out.mean() - 0.3) < 5 * 4.6e-4
    # adjacent columns and adjacent rows uncorrelated
    assert abs(np.corrcoef(out[:, :-1].ravel(), out[:, 1:].ravel())[0, 1]) < 5e-3
    assert abs(np.corrcoef(out[:-1].ravel(), out[1:].ravel())[0, 1]) < 5e-3


def test_hidden_samples_match_exact_conditionals(tiny_rbm):
    rng = np.random.default_rng(0)
    v = np.tile(np.array([1, 0, 1, 1, 0, 1], np.float32), (20000, 1))
    smp = GibbsSampler(tiny_rbm, v.shape[0])
    h = np.empty((20000, 4), np.float32)
    smp.sample_hidden(v, rng, h)
    exact = prob_h_given_v(v[:1].astype(np.float64), tiny_rbm)[0]
    se = np.sqrt(exact * (1 - exact) / 20000)
    assert np.all(np.abs(h.mean(0) - exact) < 5 * se + 1e-6)
    vv = np.empty_like(v)
    smp.sample_visible(h[:1].repeat(20000, 0), rng, vv)
    exact_v = prob_v_given_h(h[:1].astype(np.float64), tiny_rbm)[0]
    se_v = np.sqrt(exact_v * (1 - exact_v) / 20000)
    assert np.all(np.abs(vv.mean(0) - exact_v) < 5 * se_v + 1e-6)


def test_long_chains_reach_the_exact_marginal(tiny_rbm):
    """Visible marginal after many sweeps equals exp(-F(v))/Z (total variation < 0.03)."""
    rng = np.random.default_rng(1)
    v, _ = sample_chains(tiny_rbm, np.zeros((20000, 6), np.float32), 50, rng)
    V = all_binary_states(6)
    logp = -free_energy(V, tiny_rbm)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    codes = (v.astype(np.int64) << np.arange(6)).sum(1)
    emp = np.bincount(codes, minlength=64) / len(codes)
    assert 0.5 * np.abs(emp - p).sum() < 0.03


def test_same_seed_same_samples_and_random_hidden(tiny_rbm):
    a = sample_chains(tiny_rbm, np.zeros((50, 6), np.float32), 5, np.random.default_rng(3))
    b = sample_chains(tiny_rbm, np.zeros((50, 6), np.float32), 5, np.random.default_rng(3))
    c = sample_chains(tiny_rbm, np.zeros((50, 6), np.float32), 5, np.random.default_rng(4))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    h = random_hidden(1000, 300, np.random.default_rng(0))
    assert abs(h.mean() - 0.5) < 5 * 0.5 / np.sqrt(3e5)


def test_bad_buffer_is_a_clear_error(tiny_rbm):
    smp = GibbsSampler(tiny_rbm, 10)
    with pytest.raises(ValueError, match="float32 of shape"):
        smp.sweeps(np.zeros((10, 6)), np.zeros((10, 4), np.float32), 1, np.random.default_rng(0))


_SCRIPT = """
import numpy as np
from rbm_reciprocal.sampling.gibbs import sample_chains
from rbm_reciprocal.core.rbm import RBMParams
rng = np.random.default_rng(5)
p = RBMParams(rng.normal(0, .05, (784, 64)), np.zeros(784), np.zeros(64))
v, h = sample_chains(p, np.zeros((64, 784), np.float32), 10, np.random.default_rng(9))
print(int((v * np.arange(784)).sum()), int((h * np.arange(64)).sum()))
"""


def test_serial_equals_parallel():
    """Kernels are counter-based: 1 and 2 numba threads give identical samples."""
    outs = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads, OPENBLAS_NUM_THREADS="1")
        r = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        outs.append(r.stdout)
    assert outs[0] == outs[1]


def test_params_view_updates_are_seen(tiny_rbm):
    p = RBMParams(tiny_rbm.W.copy(), tiny_rbm.a.copy(), tiny_rbm.b.copy())
    smp = GibbsSampler(p, 2000)
    p.b[...] = 50.0  # in-place update: all hidden units on
    h = np.empty((2000, 4), np.float32)
    smp.sample_hidden(np.zeros((2000, 6), np.float32), np.random.default_rng(0), h)
    assert h.min() == 1.0
