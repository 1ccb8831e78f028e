"""The gather (binary-aware) half-sweeps of GibbsSampler against the dense BLAS path."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import BACKEND

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams, free_energy
from rbm_reciprocal.sampling import _kernels
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.sampling.gibbs import GibbsSampler, chain_seeds
from rbm_reciprocal.sampling.partition import all_binary_states

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def uniforms(seeds: np.ndarray, m: int) -> np.ndarray:
    """The kernels' uniforms U[i, j] (SplitMix64 of counter j + 1 keyed by seeds[i]) in numpy."""
    with np.errstate(over="ignore"):
        j = np.arange(1, m + 1, dtype=np.uint64)
        z = seeds[:, None] + j[None, :] * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def model(n: int, m: int, seed: int = 0, std: float = 0.3) -> RBMParams:
    rng = np.random.default_rng(seed)
    return RBMParams(rng.normal(0, std, (n, m)), rng.normal(-1, 0.5, n), rng.normal(0, 0.5, m))


def states(b: int, k: int, density: float, seed: int = 1) -> np.ndarray:
    return (np.random.default_rng(seed).random((b, k)) < density).astype(np.float32)


def test_uniforms_helper_is_the_kernels():
    seeds = chain_seeds(np.random.default_rng(0), 7)
    p = np.full((7, 300), 0.37, np.float32)
    out = np.empty_like(p)
    _kernels.bernoulli_from_probs(p, seeds, out)
    np.testing.assert_array_equal(out, (uniforms(seeds, 300) < p).astype(np.float32))


@pytest.mark.parametrize("shape", [(784, 500), (300, 37)])
def test_gather_kernel_matches_dense_field_and_draws(shape):
    n, m = shape
    p = model(n, m)
    x = states(64, n, 0.13)
    seeds = chain_seeds(np.random.default_rng(2), 64)
    acc = np.empty((64, m), np.float32)
    out = np.empty((64, m), np.float32)
    idx = np.empty((64, n), np.int32)
    ones = _kernels.bernoulli_gather(x, p.W, p.b, seeds, idx, acc, out)
    field = x.astype(np.float64) @ p.W.astype(np.float64)
    np.testing.assert_allclose(acc, field, rtol=0, atol=1e-5 * max(1.0, np.abs(field).max()))
    assert ones == int(out.sum())
    dense = np.empty_like(out)
    _kernels.bernoulli_from_logits((x @ p.W).astype(np.float32), p.b, seeds, dense)
    prob = 1.0 / (1.0 + np.exp(-(field + p.b)))
    near = np.abs(uniforms(seeds, m) - prob) < 1e-5
    differ = out != dense
    assert np.all(near[differ])  # samples differ only where u is within rounding of p
    assert differ.sum() <= 3 and near.sum() < 0.01 * out.size


def test_zero_density_disables_the_gather_bit_for_bit():
    """sparse_density=0 is the dense sampler: GEMM + bernoulli_from_logits, same seeds."""
    p = model(200, 50)
    v = states(40, 200, 0.1)
    h = np.empty((40, 50), np.float32)
    smp = GibbsSampler(p, 40, sparse_density=0.0)
    smp.sweeps(v, h, 3, np.random.default_rng(7))
    assert smp.paths == {"hidden": "dense", "visible": "dense"}
    rng = np.random.default_rng(7)
    vr = states(40, 200, 0.1)
    hr = np.empty_like(h)
    for _ in range(3):
        _kernels.bernoulli_from_logits((vr @ p.W).astype(np.float32), p.b, chain_seeds(rng, 40), hr)
        _kernels.bernoulli_from_logits(
            (hr @ p.W.T).astype(np.float32), p.a, chain_seeds(rng, 40), vr
        )
    np.testing.assert_array_equal(v, vr)
    np.testing.assert_array_equal(h, hr)


def test_counting_dense_kernel_draws_the_same_samples():
    x = np.random.default_rng(0).normal(0, 2, (300, 517)).astype(np.float32)
    bias = np.random.default_rng(1).normal(0, 1, 517).astype(np.float32)
    seeds = chain_seeds(np.random.default_rng(2), 300)
    a, b = np.empty_like(x), np.empty_like(x)
    _kernels.bernoulli_from_logits(x, bias, seeds, a)
    ones = _kernels.bernoulli_from_logits_count(x, bias, seeds, b)
    np.testing.assert_array_equal(a, b)
    assert ones == int(a.sum()) and 0.3 < ones / a.size < 0.7


def test_path_follows_the_density_threshold():
    p = model(400, 100)
    smp = GibbsSampler(p, 50, sparse_density=0.2)
    h = np.empty((50, 100), np.float32)
    v = np.empty((50, 400), np.float32)
    rng = np.random.default_rng(0)
    smp.sample_hidden(states(50, 400, 0.15), rng, h)
    assert smp.paths["hidden"] == "gather"
    smp.sample_hidden(states(50, 400, 0.25), rng, h)
    assert smp.paths["hidden"] == "dense"
    exact = np.zeros((50, 400), np.float32)
    exact[:, :79] = 1.0  # 19.75 % < 20 %
    smp.sample_hidden(exact, rng, h)
    assert smp.paths["hidden"] == "gather"
    exact[:, 79:81] = 1.0  # 20.25 %
    smp.sample_hidden(exact, rng, h)
    assert smp.paths["hidden"] == "dense"
    probs = np.full((50, 400), 0.05, np.float32)  # not binary: always dense
    smp.sample_hidden(probs, rng, h)
    assert smp.paths["hidden"] == "dense"
    smp.sample_visible(states(50, 100, 0.1), rng, v)
    assert smp.paths["visible"] == "gather"
    smp.sample_visible(states(50, 100, 0.3), rng, v)
    assert smp.paths["visible"] == "dense"


def test_sweeps_track_the_density_of_each_state():
    """Strong negative hidden bias: h is sparse (gather), v is half on (dense)."""
    rng = np.random.default_rng(0)
    p = RBMParams(rng.normal(0, 0.01, (100, 80)), np.zeros(100), np.full(80, -3.0))
    smp = GibbsSampler(p, 30, sparse_density=0.25)
    v = states(30, 100, 0.5)
    h = np.empty((30, 80), np.float32)
    smp.sweeps(v, h, 2, rng)
    assert smp.paths == {"hidden": "dense", "visible": "gather"}
    assert h.mean() < 0.1 and 0.35 < v.mean() < 0.65


@pytest.mark.parametrize("k", [1, 4])
def test_sweeps_equal_the_dense_path_up_to_rounding_ties(k):
    """Same generator, gather always vs dense always: the same samples bar near-ties."""
    p = model(784, 200, std=0.05)
    v0 = states(200, 784, 0.13)
    out = {}
    for dens in (0.0, 1.0):
        v = v0.copy()
        h = np.empty((200, 200), np.float32)
        smp = GibbsSampler(p, 200, sparse_density=dens)
        smp.sweeps(v, h, k, np.random.default_rng(11))
        out[dens] = (v, h, dict(smp.paths))
    assert out[1.0][2] == {"hidden": "gather", "visible": "gather"}
    for i in (0, 1):
        frac = np.mean(out[0.0][i] != out[1.0][i])
        assert frac < 1e-4  # a tie flips a unit and its chain decorrelates afterwards


def test_transpose_follows_in_place_weight_updates():
    p = model(120, 40, std=0.5)
    gather = GibbsSampler(p, 300, sparse_density=1.0)
    dense = GibbsSampler(p, 300, sparse_density=0.0)
    res = []
    for smp in (gather, dense):
        p.W[...] = model(120, 40, std=0.5).W
        v = states(300, 120, 0.1)
        h = np.empty((300, 40), np.float32)
        rng = np.random.default_rng(3)
        smp.sweeps(v, h, 1, rng)
        p.W *= -1.0  # in-place update between calls, as a training step does
        smp.sweeps(v, h, 1, rng)
        res.append(v.copy())
    assert np.mean(res[0] != res[1]) < 1e-3


def test_gather_chains_reach_the_exact_marginal(tiny_rbm):
    """Marginal of the visible states after many gather sweeps: total variation < 0.03."""
    smp = GibbsSampler(tiny_rbm, 20000, sparse_density=1.0)
    v = np.zeros((20000, 6), np.float32)
    h = np.empty((20000, 4), np.float32)
    smp.sweeps(v, h, 50, np.random.default_rng(1))
    assert smp.paths == {"hidden": "gather", "visible": "gather"}
    logp = -free_energy(all_binary_states(6), tiny_rbm)
    pe = np.exp(logp - logp.max())
    pe /= pe.sum()
    emp = np.bincount((v.astype(np.int64) << np.arange(6)).sum(1), minlength=64) / 20000
    assert 0.5 * np.abs(emp - pe).sum() < 0.03


def test_gather_unit_marginals_match_the_dense_path():
    """Per-unit means of long gather and dense chains agree within 5 standard errors."""
    p = model(60, 30, std=0.4)
    means = []
    for dens, seed in ((0.0, 5), (1.0, 6)):
        smp = GibbsSampler(p, 4000, sparse_density=dens)
        v = states(4000, 60, 0.1)
        h = np.empty((4000, 30), np.float32)
        smp.sweeps(v, h, 30, np.random.default_rng(seed))
        means.append((v.mean(0), h.mean(0)))
    for i in (0, 1):
        a, b = means[0][i], means[1][i]
        se = np.sqrt((a * (1 - a) + b * (1 - b)) / 4000) + 1e-3
        assert np.all(np.abs(a - b) < 5 * se)


_SCRIPT = """
import numpy as np
from rbm_reciprocal.sampling.gibbs import GibbsSampler
from rbm_reciprocal.core.rbm import RBMParams
rng = np.random.default_rng(5)
p = RBMParams(rng.normal(0, .05, (784, 64)), np.zeros(784) - 2, np.zeros(64) - 2)
smp = GibbsSampler(p, 64, sparse_density=0.5)
v, h = np.zeros((64, 784), np.float32), np.zeros((64, 64), np.float32)
smp.sweeps(v, h, 10, np.random.default_rng(9))
assert smp.paths == {"hidden": "gather", "visible": "gather"}, smp.paths
print(int((v * np.arange(784)).sum()), int((h * np.arange(64)).sum()))
"""


def test_gather_is_identical_for_any_thread_count():
    outs = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads, OPENBLAS_NUM_THREADS="1")
        r = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        outs.append(r.stdout)
    assert outs[0] == outs[1] and outs[0].strip() != "0 0"


def test_sparse_density_setting_is_validated():
    full = dataclasses.asdict(BACKEND)  # the schema's defaults
    with pytest.raises(ConfigError, match=r"without \['device', 'dtype', 'name', 'sparse"):
        BackendSettings.from_value({})
    with pytest.raises(ConfigError, match=r"without \['sparse_density'\]"):
        BackendSettings.from_value({k: v for k, v in full.items() if k != "sparse_density"})
    assert BackendSettings.from_value(full | {"sparse_density": 0}).sparse_density == 0
    with pytest.raises(ConfigError, match="sparse_density"):
        BackendSettings.from_value(full | {"sparse_density": 1.5})
