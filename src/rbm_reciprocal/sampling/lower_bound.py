"""A rigorous lower bound on ``log Z`` from the states a deterministic mode search finds.

For any set ``T`` of *distinct* hidden states,

.. math::

    Z = \\sum_h e^{-F_h(h)} \\ge \\sum_{h \\in T} e^{-F_h(h)}, \\qquad
    -F_h(h) = b \\cdot h + \\sum_i \\mathrm{softplus}(a_i + (W h)_i),

and likewise over distinct visible states with ``-F(v)`` (Sec. 2). The bound needs no
sampling and no equilibrium: it holds for whatever states are in ``T``. It is tight when a
few hidden states carry most of ``Z`` (peaked, strongly trained models: the regime where the
samplers fail), because the visible layer is summed exactly for each of them; it is loose for
broad, high-entropy models, where it says nothing (and the samplers work).

The states come from a zero-temperature search (:func:`mode_search`): alternating block
updates ``h = 1[vW + b > 0]``, ``v = 1[W h + a > 0]`` (coordinate descent of ``E(v, h)``, Eq. 3)
from given visible states (training images, the estimator's chains) and from probes, one per
hidden unit (that unit alone on) plus all-off and all-on; every state visited on the way is
kept. A mode that no start leads to (a narrow basin far from the data and from every single
feature of the model) is not found; the bound is then loose there, never wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from rbm_reciprocal.core.rbm import RBMParams, free_energy

#: Most alternating updates of one search (it usually stops after a few).
MAX_SWEEPS = 50
#: Start states per block of the search (bounds its memory: block x max(N, M) float64).
BLOCK = 2048


@dataclass(frozen=True)
class LowerBound:
    """``log_z``: the bound (the larger of the hidden-side and visible-side sums);
    ``n_hidden``, ``n_visible``: distinct states in each sum."""

    log_z: float
    n_hidden: int
    n_visible: int


def neg_hidden_free_energy(h: np.ndarray, params: RBMParams) -> np.ndarray:
    """``-F_h(h) = b.h + sum_i softplus(a_i + (W h)_i)``, the visible layer summed (Sec. 2),
    float64, shape (B,): :func:`~rbm_reciprocal.core.rbm.free_energy` of the model with its
    layers exchanged (``W -> W^T``, ``a <-> b``)."""
    return -free_energy(h, RBMParams(params.W.T, params.b, params.a))


def _distinct(states: list[np.ndarray], n: int) -> np.ndarray:
    """The distinct binary rows of ``states`` (packed bit rows), as float64 (K, n)."""
    packed = np.unique(np.concatenate(states), axis=0)
    return np.unpackbits(packed, axis=1)[:, :n].astype(np.float64)


def probe_states(params: RBMParams) -> np.ndarray:
    """Visible starts of the probes: ``v = 1[W h + a > 0]`` for ``h`` = each hidden unit
    alone, all off and all on, shape (M + 2, N) float64."""
    m = params.n_hidden
    h = np.vstack([np.eye(m), np.zeros((1, m)), np.ones((1, m))])
    return (h @ params.W.astype(np.float64).T + params.a.astype(np.float64) > 0).astype(np.float64)


def mode_search(
    params: RBMParams, starts: np.ndarray, max_sweeps: int = MAX_SWEEPS
) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct visible and hidden state visited by zero-temperature alternating updates
    from ``starts`` (visible rows) and from :func:`probe_states`.

    Returns
    -------
    v, h : ndarray, float64, shapes (K_v, N), (K_h, M)
    """
    W = params.W.astype(np.float64)
    a, b = params.a.astype(np.float64), params.b.astype(np.float64)
    n, m = W.shape
    given = np.asarray(starts, np.float64).reshape(-1, n)
    all_starts = np.concatenate([given, probe_states(params)])
    seen_v: list[np.ndarray] = []
    seen_h: list[np.ndarray] = []
    for lo in range(0, len(all_starts), BLOCK):
        v = (all_starts[lo : lo + BLOCK] > 0.5).astype(np.float64)
        for _ in range(max_sweeps):  # only the states still moving go on
            h = (v @ W + b > 0).astype(np.float64)
            seen_v.append(np.packbits(v.astype(bool), axis=1))
            seen_h.append(np.packbits(h.astype(bool), axis=1))
            v_next = (h @ W.T + a > 0).astype(np.float64)
            moving = (v_next != v).any(axis=1)
            if not moving.any():
                break
            v = v_next[moving]
    return _distinct(seen_v, n), _distinct(seen_h, m)


def log_z_lower_bound(params: RBMParams, starts: np.ndarray) -> LowerBound:
    """A rigorous lower bound on ``log Z`` over the states :func:`mode_search` finds from
    ``starts``: ``max(logsumexp(-F_h(T_h)), logsumexp(-F(T_v)))`` (module docstring)."""
    v, h = mode_search(params, starts)
    hidden_side = float(logsumexp(neg_hidden_free_energy(h, params)))
    visible_side = float(logsumexp(-free_energy(v, params)))
    return LowerBound(max(hidden_side, visible_side), len(h), len(v))
