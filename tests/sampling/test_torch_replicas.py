"""Batched Gibbs sweeps of several replicas on the torch backend (torch's CPU device).

Skipped where PyTorch is not installed (``pip install -e .[gpu]``).
"""

from __future__ import annotations

import numpy as np
import pytest

from rbm_reciprocal.core.rbm import RBMParams, free_energy
from rbm_reciprocal.sampling.partition import all_binary_states

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e .[gpu]")

from rbm_reciprocal.sampling.torch_gibbs import TorchReplicaGibbsSampler  # noqa: E402


def _replicas(r: int) -> list[RBMParams]:
    out = []
    for s in range(r):
        rng = np.random.default_rng(100 + s)
        out.append(RBMParams(rng.normal(0, 1, (6, 4)), rng.normal(-0.5, 1, 6), rng.normal(0, 1, 4)))
    return out


def test_every_replica_samples_its_own_model():
    """3 different replicas in one batched sampler: each reaches its exact marginal."""
    torch.set_num_threads(1)
    reps = _replicas(3)
    smp = TorchReplicaGibbsSampler.from_params(reps, 20000, "cpu")
    v = torch.zeros((3, 20000, 6))
    h = torch.empty((3, 20000, 4))
    smp.sweeps(v, h, 50, np.random.default_rng(0))
    states = all_binary_states(6)
    vs = v.numpy().astype(np.int64)
    tvs = []
    for r, p in enumerate(reps):
        logp = -free_energy(states, p)
        pe = np.exp(logp - logp.max())
        pe /= pe.sum()
        emp = np.bincount((vs[r] << np.arange(6)).sum(1), minlength=64) / 20000
        tvs.append(0.5 * np.abs(emp - pe).sum())
    assert max(tvs) < 0.03
    # replicas differ, so their marginals must too (a mixed-up W would fail this)
    means = v.numpy().mean(axis=1)
    assert np.abs(means[0] - means[1]).max() > 0.05


def test_bad_shapes_are_a_clear_error():
    W = torch.zeros((2, 6, 4))
    with pytest.raises(ValueError, match=r"W \(R, N, M\)"):
        TorchReplicaGibbsSampler(W, torch.zeros((2, 4)), torch.zeros((2, 4)), 10)
