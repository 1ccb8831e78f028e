"""numba kernels of trajectory AIS (annealing along a parameter path): plain loops.

Called from :mod:`rbm_reciprocal.sampling.trajectory`, which holds the documentation, the
argument checks and the matrix products (BLAS). Between two checkpoints ``theta_0`` and
``theta_1`` the path is ``theta(t) = (1 - t) theta_0 + t theta_1``, so W, a and b all change
(the temperature kernels of :mod:`._ais_kernels` scale only W and the hidden field).

* :func:`traj_hidden_step` takes ``c01 = v [W_0 | W_1]`` (B, 2M) of the current states and
  adds to each chain's log-weight ``log p*_{t_new}(v) - log p*_{t_old}(v)`` with
  ``log p*_t(v) = a(t).v + sum_j softplus(x_j(t))``,
  ``x(t) = (1 - t)(v W_0 + b_0) + t (v W_1 + b_1)`` evaluated in float64 (the same formula
  for a given ``t`` whether it is the new or the old end of a step), then draws
  ``h ~ p_{t_new}(h | v)``;
* :func:`traj_visible_step` takes ``d = h W(t)^T`` (B, N), draws ``v ~ p_t(v | h)`` and
  stores ``a_0.v`` and ``a_1.v`` (float64) for the next weight update;
* :func:`lerp_rows` writes ``(1 - t) W_0 + t W_1`` (float32) for the visible product.

Randomness is counter-based as in :mod:`._kernels` (row ``i``: SplitMix64 keyed by
``seeds[i]``), so results are bit-for-bit identical for any number of numba threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rbm_reciprocal.sampling._ais_kernels import FAST, softplus64
from rbm_reciprocal.sampling._kernels import sigmoid32, uniform24


@njit(parallel=True, fastmath=FAST, cache=True)
def traj_hidden_step(c01, b0, b1, t_new, t_old, la0, la1, seeds, logw, h):
    """logw += log p*_{t_new}(v) - log p*_{t_old}(v); h ~ p_{t_new}(h | v)."""
    n, m2 = c01.shape
    m = m2 // 2
    zero = np.float32(0.0)
    one = np.float32(1.0)
    for i in prange(n):
        s = seeds[i]
        dg = 0.0
        for j in range(m):
            x0 = np.float64(c01[i, j]) + np.float64(b0[j])
            x1 = np.float64(c01[i, m + j]) + np.float64(b1[j])
            xn = (1.0 - t_new) * x0 + t_new * x1
            xo = (1.0 - t_old) * x0 + t_old * x1
            dg += softplus64(xn) - softplus64(xo)
            p = sigmoid32(np.float32(xn))
            h[i, j] = one if uniform24(s, j) < p else zero
        logw[i] += (t_new - t_old) * (la1[i] - la0[i]) + dg


@njit(parallel=True, fastmath=FAST, cache=True)
def traj_visible_step(d, a_t, a0, a1, seeds, v, la0, la1):
    """v ~ sigmoid(d + a_t); la0 = a_0.v, la1 = a_1.v (float64)."""
    n, m = d.shape
    zero = np.float32(0.0)
    one = np.float32(1.0)
    for i in prange(n):
        s = seeds[i]
        acc0 = 0.0
        acc1 = 0.0
        for j in range(m):
            p = sigmoid32(d[i, j] + a_t[j])
            x = one if uniform24(s, j) < p else zero
            v[i, j] = x
            acc0 += np.float64(a0[j]) * np.float64(x)
            acc1 += np.float64(a1[j]) * np.float64(x)
        la0[i] = acc0
        la1[i] = acc1


@njit(parallel=True, fastmath=FAST, cache=True)
def lerp_rows(w0, w1, t, out):
    """out = (1 - t) w0 + t w1 (float32, rows in parallel)."""
    n, m = w0.shape
    s = np.float32(1.0) - t
    for i in prange(n):
        for j in range(m):
            out[i, j] = s * w0[i, j] + t * w1[i, j]
