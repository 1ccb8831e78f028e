"""Exact log Z by enumeration: numba (Gray code, chunked) against the numpy reference."""

import numpy as np
import pytest

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams, energy, free_energy, softplus
from rbm_reciprocal.sampling.partition import (
    all_binary_states,
    log_likelihood_exact,
    log_partition_exact,
    log_partition_exact_numpy,
)


def _random_rbm(n: int, m: int, seed: int, std: float = 1.0) -> RBMParams:
    rng = np.random.default_rng(seed)
    return RBMParams(rng.normal(0, std, (n, m)), rng.normal(0, 1, n), rng.normal(0, 1, m))


@pytest.mark.parametrize(
    ("n", "m"), [(1, 1), (1, 7), (7, 1), (12, 8), (8, 12), (5, 5), (16, 30), (40, 13)]
)
def test_numba_equals_numpy_reference(n, m):
    p = _random_rbm(n, m, seed=n * 100 + m)
    assert log_partition_exact(p) == pytest.approx(log_partition_exact_numpy(p), rel=1e-12)


def test_chunking_does_not_change_the_result():
    p = _random_rbm(14, 30, seed=3)
    ref = log_partition_exact(p)
    for bits in (0, 3, 7, 14, 20):
        assert log_partition_exact(p, chunk_bits=bits) == pytest.approx(ref, rel=1e-13)


def test_brute_force_over_both_layers():
    p = _random_rbm(6, 5, seed=11, std=2.0)
    V, H = all_binary_states(6), all_binary_states(5)
    e = energy(np.repeat(V, len(H), 0), np.tile(H, (len(V), 1)), p)
    brute = np.log(np.exp(-e - (-e).max()).sum()) + (-e).max()
    assert log_partition_exact(p) == pytest.approx(brute, rel=1e-12)


def test_zero_weights_closed_form():
    p = _random_rbm(10, 18, seed=5)
    p = RBMParams(np.zeros_like(p.W), 4 * p.a, 4 * p.b)
    closed = softplus(p.a.astype(float)).sum() + softplus(p.b.astype(float)).sum()
    assert log_partition_exact(p) == pytest.approx(closed, rel=1e-13)


def test_large_fields_do_not_overflow():
    # log Z ~ 1e4: exp would overflow without the log-sum-exp
    p = _random_rbm(10, 200, seed=9, std=20.0)
    z = log_partition_exact(p)
    assert np.isfinite(z) and z > 1e3
    assert z == pytest.approx(log_partition_exact_numpy(p), rel=1e-12)


def test_log_likelihood_exact_normalises():
    p = _random_rbm(9, 4, seed=2)
    V = all_binary_states(9)
    logp = -free_energy(V, p) - log_partition_exact(p)
    assert np.exp(logp).sum() == pytest.approx(1.0, rel=1e-10)
    assert log_likelihood_exact(V[:5], p) == pytest.approx(logp[:5].mean(), rel=1e-12)


def test_too_many_states_is_a_clear_error():
    p = RBMParams(np.zeros((31, 40)), np.zeros(31), np.zeros(40))
    with pytest.raises(ConfigError, match="2\\*\\*31"):
        log_partition_exact(p)
