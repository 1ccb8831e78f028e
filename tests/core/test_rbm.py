import numpy as np
import pytest
from conftest import INIT

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import (
    RBMParams,
    energy,
    free_energy,
    init_params,
    logit,
    prob_h_given_v,
    prob_v_given_h,
    softplus,
    sufficient_statistics,
)
from rbm_reciprocal.sampling.partition import all_binary_states, log_partition_exact


def test_softplus_is_stable_and_exact():
    x = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    np.testing.assert_allclose(
        softplus(x), [0.0, np.log1p(np.e**-1), np.log(2), 1 + np.log1p(np.e**-1), 1000.0]
    )


def test_conditionals_match_brute_force(tiny_rbm):
    """p(h_j=1|v) and p(v_i=1|h) from the joint exp(-E) summed by brute force."""
    n, m = tiny_rbm.W.shape
    V, H = all_binary_states(n), all_binary_states(m)
    joint = np.exp(-energy(np.repeat(V, len(H), 0), np.tile(H, (len(V), 1)), tiny_rbm))
    joint = joint.reshape(len(V), len(H))
    for iv in (0, 5, 37, 63):
        p_h = joint[iv] / joint[iv].sum()
        np.testing.assert_allclose(prob_h_given_v(V[iv], tiny_rbm)[0], p_h @ H, rtol=1e-5)
    for ih in (0, 3, 15):
        p_v = joint[:, ih] / joint[:, ih].sum()
        np.testing.assert_allclose(prob_v_given_h(H[ih], tiny_rbm)[0], p_v @ V, rtol=1e-5)


def test_free_energy_sums_out_hidden(tiny_rbm):
    n, m = tiny_rbm.W.shape
    V, H = all_binary_states(n), all_binary_states(m)
    for v in V[[0, 11, 63]]:
        brute = -np.log(np.exp(-energy(np.tile(v, (len(H), 1)), H, tiny_rbm)).sum())
        np.testing.assert_allclose(free_energy(v, tiny_rbm)[0], brute, rtol=1e-10)


def test_log_partition_exact_both_orientations(tiny_rbm):
    n, m = tiny_rbm.W.shape
    V, H = all_binary_states(n), all_binary_states(m)
    brute = np.log(
        np.exp(-energy(np.repeat(V, len(H), 0), np.tile(H, (len(V), 1)), tiny_rbm)).sum()
    )
    np.testing.assert_allclose(log_partition_exact(tiny_rbm), brute, rtol=1e-10)
    swapped = RBMParams(tiny_rbm.W.T, tiny_rbm.b, tiny_rbm.a)
    np.testing.assert_allclose(log_partition_exact(swapped), brute, rtol=1e-10)
    # W = 0: closed form sum softplus(a) + sum softplus(b)
    zero = RBMParams(np.zeros_like(tiny_rbm.W), tiny_rbm.a, tiny_rbm.b)
    closed = softplus(tiny_rbm.a.astype(float)).sum() + softplus(tiny_rbm.b.astype(float)).sum()
    np.testing.assert_allclose(log_partition_exact(zero), closed, rtol=1e-12)


def _exact_mean_ll(params64, data):
    return np.mean(-free_energy(data, params64)) - log_partition_exact(params64)


def test_gradient_matches_finite_differences():
    """Data statistics minus exact model statistics = d(mean log-likelihood)/d(theta)."""
    rng = np.random.default_rng(7)
    n, m = 7, 5
    p = RBMParams(rng.normal(0, 0.5, (n, m)), rng.normal(0, 0.3, n), rng.normal(0, 0.3, m))
    data = (rng.random((40, n)) < 0.4).astype(np.float64)
    V = all_binary_states(n)
    logp = -free_energy(V, p)
    pv = np.exp(logp - logp.max())
    pv /= pv.sum()
    pos = sufficient_statistics(data.astype(np.float32), p, weights=np.full(40, 1 / 40))
    neg = sufficient_statistics(V.astype(np.float32), p, weights=pv)
    grads = [x - y for x, y in zip(pos, neg, strict=True)]

    # central finite differences in float64 on a float64 copy of the parameters
    W, a, b = (x.astype(np.float64) for x in (p.W, p.a, p.b))

    def ll(W_, a_, b_):
        from types import SimpleNamespace

        q = SimpleNamespace(W=W_, a=a_, b=b_)
        fe = -(data @ a_) - np.logaddexp(0, data @ W_ + b_).sum(1)
        fv = -(V @ a_) - np.logaddexp(0, V @ W_ + b_).sum(1)
        from scipy.special import logsumexp

        del q
        return np.mean(-fe) - logsumexp(-fv)

    h = 1e-5
    for idx in [(0, 0), (3, 2), (6, 4)]:
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        fd = (ll(Wp, a, b) - ll(Wm, a, b)) / (2 * h)
        assert grads[0][idx] == pytest.approx(fd, rel=1e-4, abs=1e-6)
    for i in (0, 4):
        ap, am = a.copy(), a.copy()
        ap[i] += h
        am[i] -= h
        assert grads[1][i] == pytest.approx(
            (ll(W, ap, b) - ll(W, am, b)) / (2 * h), rel=1e-4, abs=1e-6
        )
    for j in (1, 3):
        bp, bm = b.copy(), b.copy()
        bp[j] += h
        bm[j] -= h
        assert grads[2][j] == pytest.approx(
            (ll(W, a, bp) - ll(W, a, bm)) / (2 * h), rel=1e-4, abs=1e-6
        )


def test_init_params_paper_defaults():
    rng = np.random.default_rng(0)
    mean = np.linspace(0.0, 1.0, 784)
    p = init_params(784, 500, rng, data_mean=mean, **INIT)
    assert p.W.dtype == np.float32 and p.W.shape == (784, 500)
    assert p.W.std() == pytest.approx(0.01, rel=0.01)
    assert abs(p.W.mean()) < 1e-4
    np.testing.assert_array_equal(p.b, 0)
    np.testing.assert_allclose(p.a, logit(mean, 1e-6).astype(np.float32))
    assert p.a[0] == pytest.approx(np.log(1e-6 / (1 - 1e-6)), rel=1e-5)
    ref = init_params(784, 500, rng, **(INIT | {"visible_bias": "normal", "hidden_bias": "normal"}))
    assert ref.a.std() == pytest.approx(0.01, rel=0.1) and ref.b.std() == pytest.approx(
        0.01, rel=0.15
    )
    with pytest.raises(ConfigError, match="data mean"):
        init_params(10, 5, rng, **INIT)
    with pytest.raises(ConfigError, match="visible_bias"):
        init_params(10, 5, rng, **(INIT | {"visible_bias": "ones"}))
    with pytest.raises(ConfigError, match="shapes"):
        RBMParams(np.zeros((3, 2)), np.zeros(2), np.zeros(2))
