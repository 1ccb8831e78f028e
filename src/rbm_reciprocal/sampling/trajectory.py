"""Trajectory AIS: annealed importance sampling along the training trajectory of an RBM.

Béreux, Decelle, Furtlehner, Rosset & Seoane, "Fast, accurate training and sampling of
Restricted Boltzmann Machines" (ICLR 2025; code DsysDML/fastrbm, ``trajectory/``) anneal
along the checkpoints ``theta_0 -> theta_1 -> ... -> theta_E`` of a training run instead of
along a temperature path. Here the path is piecewise linear,

.. math::

    \\theta(t) = (1 - t)\\, \\theta_k + t\\, \\theta_{k+1}, \\qquad t = i / K,\\ i = 0..K,

on each interval, with ``theta = (W, a, b)`` and the unnormalised visible marginal
``log p*_theta(v) = a.v + sum_j softplus((vW + b)_j)`` (Sec. 2). Each step adds
``log p*_{t_i}(v) - log p*_{t_{i-1}}(v)`` to the chain's log-weight and then makes one block
Gibbs sweep at ``theta(t_i)``, exactly as in temperature AIS (:mod:`.ais`), so
``E[w(k -> l)] = Z_l / Z_k`` for chains that start as exact samples of ``p_k``. The chains
that reach a checkpoint carry its log-weight, so one pass gives every checkpoint.
Optionally (a :class:`~.resample.GroupResampler`), groups of chains whose weights degenerated
are resampled after a step, which turns the pass into sequential Monte Carlo (population
annealing) along the trajectory.

A step costs three float32 GEMMs (``v [W_k | W_{k+1}]`` of width 2M, and ``h W(t)^T``), i.e.
1.5 block Gibbs sweeps, plus the fused numba kernels of :mod:`._traj_kernels`. Per-chain
seeds come from the caller's generator as in :mod:`.gibbs`, so for a fixed generator state
the result is identical for any number of numba threads.
"""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling import _traj_kernels
from rbm_reciprocal.sampling.ais import forward_run
from rbm_reciprocal.sampling.gibbs import chain_seeds
from rbm_reciprocal.sampling.resample import GroupResampler


def forward_temperature_leg(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Temperature AIS from the independent base to ``params`` (as :func:`.ais.ais`), ending
    with one Gibbs sweep at beta = 1, so the chains can continue along a trajectory.

    Returns
    -------
    v : ndarray, shape (n_chains, N), float32
        States after the last sweep (at the model).
    log_weights : ndarray, shape (n_chains,), float64
        ``log w`` with ``E[w] = Z / Z_0``.
    """
    run, _ = forward_run(params, betas, n_chains, rng, base_bias, end_with_sweep=True)
    return run.v.copy(), run.logw.copy()


class TrajectoryAnnealer:
    """Buffers and the fused steps of trajectory AIS for ``n_chains`` chains of one shape."""

    def __init__(self, n_chains: int, n_visible: int, n_hidden: int) -> None:
        c, n, m = int(n_chains), int(n_visible), int(n_hidden)
        self.shape = (c, n, m)
        self.c01 = np.empty((c, 2 * m), np.float32)
        self.h = np.zeros((c, m), np.float32)
        self.d = np.empty((c, n), np.float32)
        self.w01 = np.empty((n, 2 * m), np.float32)
        self.wt = np.empty((n, m), np.float32)
        self.la0 = np.zeros(c, np.float64)
        self.la1 = np.zeros(c, np.float64)

    def interval(
        self,
        p_from: RBMParams,
        p_to: RBMParams,
        steps: int,
        v: np.ndarray,
        logw: np.ndarray,
        rng: np.random.Generator,
        resampler: GroupResampler | None = None,
    ) -> None:
        """Anneal ``v`` (float32, in place) from ``p_from`` to ``p_to`` in ``steps`` steps,
        adding the weight increments to ``logw`` (float64, in place).

        Step ``i`` (``t = i / steps``) updates the weight on the current states, then makes
        one Gibbs sweep at ``theta(t)``; the last one is a sweep at ``p_to``. With a
        ``resampler`` (:mod:`.resample`), the groups whose weights degenerated are then
        resampled (an index gather of the chains; its uniforms come from ``rng``).
        """
        c, n, m = self.shape
        if p_from.W.shape != (n, m) or p_to.W.shape != (n, m):
            raise ConfigError(
                f"trajectory checkpoints must all be {n} x {m}, got {p_from.W.shape}, "
                f"{p_to.W.shape}"
            )
        if v.shape != (c, n) or v.dtype != np.float32 or logw.shape != (c,):
            raise ConfigError(f"trajectory chains must be float32 ({c}, {n})")
        if int(steps) < 1:
            raise ConfigError(f"trajectory AIS needs at least one step per interval, got {steps}")
        self.w01[:, :m] = p_from.W
        self.w01[:, m:] = p_to.W
        a0 = np.ascontiguousarray(p_from.a, np.float32)
        a1 = np.ascontiguousarray(p_to.a, np.float32)
        b0 = np.ascontiguousarray(p_from.b, np.float32)
        b1 = np.ascontiguousarray(p_to.b, np.float32)
        np.matmul(v.astype(np.float64), a0.astype(np.float64), out=self.la0)
        np.matmul(v.astype(np.float64), a1.astype(np.float64), out=self.la1)
        k = int(steps)
        for i in range(1, k + 1):
            t_old, t_new = (i - 1) / k, i / k
            np.matmul(v, self.w01, out=self.c01)
            _traj_kernels.traj_hidden_step(
                self.c01,
                b0,
                b1,
                t_new,
                t_old,
                self.la0,
                self.la1,
                chain_seeds(rng, c),
                logw,
                self.h,
            )
            t32 = np.float32(t_new)
            _traj_kernels.lerp_rows(p_from.W, p_to.W, t32, self.wt)
            a_t = (np.float32(1.0) - t32) * a0 + t32 * a1
            np.matmul(self.h, self.wt.T, out=self.d)
            _traj_kernels.traj_visible_step(
                self.d, a_t, a0, a1, chain_seeds(rng, c), v, self.la0, self.la1
            )
            if resampler is not None:
                idx = resampler.step(logw, rng)
                if idx is not None:
                    v[:] = v[idx]
                    self.la0[:] = self.la0[idx]
                    self.la1[:] = self.la1[idx]


def trajectory_interval(
    p_from: RBMParams,
    p_to: RBMParams,
    steps: int,
    v: np.ndarray,
    logw: np.ndarray,
    rng: np.random.Generator,
    resampler: GroupResampler | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One interval of trajectory AIS (:meth:`TrajectoryAnnealer.interval`) on copies of
    ``v`` and ``logw``; returns the new ``(v, logw)`` (``resampler`` is updated in place)."""
    v = np.array(v, dtype=np.float32, order="C")
    logw = np.array(logw, dtype=np.float64)
    run = TrajectoryAnnealer(v.shape[0], p_from.n_visible, p_from.n_hidden)
    run.interval(p_from, p_to, steps, v, logw, rng, resampler)
    return v, logw
