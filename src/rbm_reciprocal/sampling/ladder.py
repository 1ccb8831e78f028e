"""Parallel tempering along the training trajectory (PTT): the ladder and its sweeps.

Béreux, Decelle, Furtlehner, Rosset & Seoane (ICLR 2025; DsysDML/fastrbm
``trajectory/pt.py``) sample every model of a training run at once by replica exchange
between consecutive models of the trajectory, as parallel tempering does between
temperatures. Here the ladder has ``L = r (P - 1) + 1`` rungs: the ``P`` checkpoints and
``r - 1`` models linear in ``(W, a, b)`` inside each interval,

``theta(k, s) = (1 - s) theta_k + s theta_{k+1}``, ``s = 0, 1/r, ..., (r-1)/r``.

Every rung holds ``C`` chains; chain ``c`` of rung ``i`` only ever exchanges with chain ``c``
of rungs ``i +- 1``, so the ``C`` columns are independent ladders. One sweep:

1. a block Gibbs sweep ``v -> h -> v`` at every rung;
2. exchange attempts between rungs ``(i, i + 1)`` with ``i`` of the sweep's parity
   (alternating even and odd pairs), accepted with probability
   ``min(1, exp(-(w_F + w_R)))``, where ``w_F = F_{i+1}(v_i) - F_i(v_i)`` and
   ``w_R = F_i(v_{i+1}) - F_{i+1}(v_{i+1})`` are the works of the two configurations and
   ``F`` the free energy of :func:`rbm_reciprocal.core.rbm.free_energy`.

The works are what the free-energy estimators (:mod:`rbm_reciprocal.analysis.bar`) need.
A sweep costs three float32 GEMMs per rung (``h W^T``; ``v W`` at the rung and at its
partner), as a trajectory-AIS step; the rung's weights are formed on the fly from the two
checkpoints (one ``N x M`` axpy), so memory stays at two checkpoints plus the chains. The
Bernoulli draws are the counter-based kernels of :mod:`._kernels` (one seed per chain from
the job's generator) and the free energies :mod:`._ladder_kernels` (float64 sums).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling._kernels import bernoulli_from_logits
from rbm_reciprocal.sampling._ladder_kernels import free_energy_rows
from rbm_reciprocal.sampling.gibbs import chain_seeds


def interval_counts(n_nodes: int, rungs: int | Sequence[int]) -> np.ndarray:
    """Rungs of each of the ``n_nodes - 1`` checkpoint intervals: ``rungs`` for every
    interval, or one count per interval (an adapted ladder, :mod:`.ladder_adapt`)."""
    n = max(int(n_nodes) - 1, 0)
    counts = np.asarray(rungs, np.int64)
    if counts.ndim == 0:
        counts = np.full(n, int(counts), np.int64)
    if counts.shape != (n,) or (counts < 1).any() or n_nodes < 1:
        raise ValueError(
            f"a ladder through {n_nodes} checkpoints needs >= 1 checkpoint and one count "
            f">= 1 per interval, got {np.asarray(rungs).tolist()}"
        )
    return counts


def ladder_positions(
    n_nodes: int, rungs: int | Sequence[int], segment: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interval index ``k`` and weight ``s`` of each rung of a ladder through ``n_nodes``
    checkpoints with ``rungs`` rungs per interval (an int, or one count per interval); the
    rungs of interval ``k`` sit at ``s = 0, 1/r_k, ..., (r_k - 1)/r_k`` and the last rung is
    ``(P - 2, 1.0)``.

    With ``segment > 0`` the ladder is cut into independent segments of ``segment``
    intervals: the checkpoint between two segments appears twice (the top rung of one, at
    ``s = 1``, and the bottom rung of the next), and no exchange crosses the cut
    (:func:`blocked_pairs`).
    """
    if isinstance(rungs, (int, np.integer)) and (n_nodes < 1 or rungs < 1):
        raise ValueError(f"a ladder needs >= 1 checkpoint and rung, got {n_nodes}, {rungs}")
    if n_nodes == 1:
        return np.zeros(1, np.int64), np.zeros(1)
    counts = interval_counts(n_nodes, rungs)
    k = np.append(np.repeat(np.arange(n_nodes - 1), counts), n_nodes - 2)
    s = np.append(np.concatenate([np.arange(c) / c for c in counts]), 1.0)
    if segment > 0:
        first = np.concatenate([[0], np.cumsum(counts)])  # first rung of each interval
        cuts = [int(first[c]) for c in range(segment, n_nodes - 1, segment)]
        k = np.insert(k, cuts, [c - 1 for c in range(segment, n_nodes - 1, segment)])
        s = np.insert(s, cuts, 1.0)
    return k, s


def blocked_pairs(k: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Pairs ``(i, i + 1)`` of rungs that hold the same model (a segment cut): never
    exchanged; their log-ratio is 0."""
    t = k + s
    return np.isclose(t[1:], t[:-1])


def node_rungs(n_nodes: int, rungs: int | Sequence[int], segment: int = 0) -> np.ndarray:
    """Rung index of each checkpoint of the ladder (its first rung at a cut)."""
    k, s = ladder_positions(n_nodes, rungs, segment)
    t = k + s
    return np.array([int(np.flatnonzero(np.isclose(t, n))[0]) for n in range(n_nodes)])


class TrajectoryLadder:
    """The models of the ladder through ``params`` (float32), formed on demand."""

    def __init__(
        self, params: Sequence[RBMParams], rungs: int | Sequence[int], segment: int = 0
    ) -> None:
        self.params = list(params)
        self.k, self.s = ladder_positions(len(self.params), rungs, segment)
        self.n_rungs = len(self.k)
        self.blocked = blocked_pairs(self.k, self.s)

    def model(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(W, a, b)`` of rung ``i`` (float32; the checkpoint's own arrays at s = 0, 1)."""
        k, s = int(self.k[i]), float(self.s[i])
        p = self.params[k]
        if s == 0.0:
            return p.W, p.a, p.b
        q = self.params[k + 1]
        if s == 1.0:
            return q.W, q.a, q.b
        s32, t32 = np.float32(s), np.float32(1.0 - s)
        return t32 * p.W + s32 * q.W, t32 * p.a + s32 * q.a, t32 * p.b + s32 * q.b


def _free(v: np.ndarray, field: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Free energy ``-a.v - sum_j softplus(field_j)`` of each row (float64)."""
    out = np.empty(v.shape[0])
    free_energy_rows(v, field, a, out)
    return out


def ladder_fields(ladder: TrajectoryLadder, v: np.ndarray) -> np.ndarray:
    """Hidden fields ``v_i W_i + b_i`` of every rung's chains, shape ``(L, C, M)``."""
    out = np.empty((v.shape[0], v.shape[1], ladder.params[0].n_hidden), np.float32)
    for i in range(ladder.n_rungs):
        W, _, b = ladder.model(i)
        out[i] = v[i] @ W + b
    return out


def ladder_sweep(
    ladder: TrajectoryLadder,
    v: np.ndarray,
    field: np.ndarray,
    parity: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One PTT sweep, in place on ``v`` (L, C, N) and ``field`` (L, C, M) float32.

    ``field`` holds each rung's hidden fields of its current chains on entry and on exit.
    Returns the works ``w_F`` and ``w_R`` (P_pairs, C) of the pairs ``(i, i + 1)`` with
    ``i % 2 == parity`` (in order of ``i``), measured before the exchange, and the accepted
    mask (P_pairs, C).
    """
    n_rungs, n_chains, n_vis = v.shape
    n_hid = field.shape[2]
    wf, wr, acc = [], [], []

    h = np.empty((n_chains, n_hid), np.float32)
    zero = np.zeros(n_hid, np.float32)

    def gibbs(i: int, W: np.ndarray, a: np.ndarray) -> None:
        bernoulli_from_logits(field[i], zero, chain_seeds(rng, n_chains), h)
        bernoulli_from_logits(h @ W.T, a, chain_seeds(rng, n_chains), v[i])

    W0, a0, b0 = ladder.model(0)
    gibbs(0, W0, a0)
    for i in range(n_rungs):
        if i + 1 < n_rungs:
            W1, a1, b1 = ladder.model(i + 1)
            gibbs(i + 1, W1, a1)
        if i + 1 < n_rungs and i % 2 == parity:
            own_i, cross_i = v[i] @ W0 + b0, v[i] @ W1 + b1
            own_j, cross_j = v[i + 1] @ W1 + b1, v[i + 1] @ W0 + b0
            f_ii, f_ji = _free(v[i], own_i, a0), _free(v[i], cross_i, a1)
            f_jj, f_ij = _free(v[i + 1], own_j, a1), _free(v[i + 1], cross_j, a0)
            w_f, w_r = f_ji - f_ii, f_ij - f_jj
            swap = np.log(rng.random(n_chains)) < -(w_f + w_r)
            if ladder.blocked[i]:
                swap[:] = False
            vi = v[i].copy()
            v[i][swap] = v[i + 1][swap]
            v[i + 1][swap] = vi[swap]
            field[i] = np.where(swap[:, None], cross_j, own_i)
            field[i + 1] = np.where(swap[:, None], cross_i, own_j)
            wf.append(w_f)
            wr.append(w_r)
            acc.append(swap)
        elif i % 2 != parity and i >= 1:
            pass  # rung i was the upper member of pair (i - 1, i)
        else:  # an end rung without a partner this sweep
            field[i] = v[i] @ W0 + b0
        if i + 1 < n_rungs:
            W0, a0, b0 = W1, a1, b1
    shape = (0, n_chains)
    return (
        np.array(wf).reshape(-1, n_chains) if wf else np.empty(shape),
        np.array(wr).reshape(-1, n_chains) if wr else np.empty(shape),
        np.array(acc).reshape(-1, n_chains) if acc else np.empty(shape, bool),
    )
