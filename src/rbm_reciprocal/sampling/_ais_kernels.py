"""numba kernels of the partition-function estimators: plain loops, no docstring-level API.

Called from :mod:`rbm_reciprocal.sampling.ais` (annealed importance sampling) and
:mod:`rbm_reciprocal.sampling.partition` (exact enumeration), which hold the documentation, the
argument checks and the matrix products (BLAS).

AIS kernels (one Gibbs sweep per inverse temperature, fused with the weight update):

* :func:`ais_hidden_step` takes the hidden pre-activations ``c = v W`` (B, M) of the
  current states and adds to each chain's log-weight
  ``log p*_new(v) - log p*_old(v)``, then draws ``h ~ p_new(h | v)``;
* :func:`ais_visible_step` takes ``d = h W^T`` (B, N), draws ``v ~ p_beta(v | h)`` and
  stores ``(a - a_base) . v`` for the next weight update.

The unnormalised marginal of the annealing path is split as
``log p*_beta(v) = a_base.v + beta [(a - a_base).v + sum_j max(x_j, 0)] + sum_j g(beta x_j)``
with ``x = c + b`` and ``g(z) = log1p(exp(-|z|))`` in ``[0, log 2]``, because
``softplus(z) = max(z, 0) + g(z)`` and ``max(beta x, 0) = beta max(x, 0)`` for
``beta >= 0``. The part linear in beta is multiplied by the float64 ``beta_new - beta_old``;
only ``g`` (bounded by log 2) is evaluated in float32, so the float32 rounding of the weights
is ~1e-8 per unit and step instead of ~1e-7 |x|. The endpoints ``beta = 0`` and ``beta = 1``
use float64 ``g`` (flags ``exact_new`` / ``exact_old``), so the path starts and ends at the
exact base and target distributions. Per-chain sums are float64.

Randomness is counter-based as in :mod:`rbm_reciprocal._kernels`: row ``i`` uses the
SplitMix64 stream keyed by ``seeds[i]``, element ``j`` counter ``j + 1``. Rows are
independent loops, so results are bit-for-bit identical for any number of numba threads.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from rbm_reciprocal.sampling._kernels import exp32, sigmoid32, uniform24

# Fast-math without approximate reciprocals/functions (arcp, afn): the float32 g(z) must
# round the same way in the vectorized loop body and the scalar remainder loop, and in the
# endpoint kernel, so that the interior terms of the log-weights telescope exactly.
FAST = {"nnan", "ninf", "nsz", "reassoc", "contract"}


@intrinsic
def _bits_to_f64(typingctx, x):  # noqa: ARG001 - numba intrinsic signature
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):  # noqa: ARG001
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@njit(inline="always", fastmath=True)
def _log1p01(t):
    # log(1 + t) for t in [0, 1], float32, branch-free (vectorizes):
    # log(1 + t) = 2 atanh(s), s = t / (2 + t) in [0, 1/3]; series to s**15 (rel. err < 2e-8,
    # and relative accuracy is kept for tiny t).
    s = t / (np.float32(2.0) + t)
    s2 = s * s
    p = np.float32(1.0 / 15.0)
    p = p * s2 + np.float32(1.0 / 13.0)
    p = p * s2 + np.float32(1.0 / 11.0)
    p = p * s2 + np.float32(1.0 / 9.0)
    p = p * s2 + np.float32(1.0 / 7.0)
    p = p * s2 + np.float32(1.0 / 5.0)
    p = p * s2 + np.float32(1.0 / 3.0)
    p = p * s2 + np.float32(1.0)
    return np.float32(2.0) * s * p


@njit(inline="always")
def _g64(z):
    # log1p(exp(-|z|)) in float64 (libm).
    return np.log1p(np.exp(-abs(z)))


@njit(parallel=True, fastmath=FAST, cache=True)
def ais_hidden_step(c, b, beta_new, beta_old, dbeta, lin, seeds, logw, h):
    """Interior step (0 < beta_new, beta_old < 1): logw += increment; h ~ p_new(h|v)."""
    n, m = c.shape
    zero = np.float32(0.0)
    one = np.float32(1.0)
    for i in prange(n):
        s = seeds[i]
        pos = 0.0
        dg = 0.0
        for j in range(m):
            x = c[i, j] + b[j]
            yn = beta_new * x
            yo = beta_old * x
            en = exp32(-abs(yn))
            eo = exp32(-abs(yo))
            dg += np.float64(_log1p01(en)) - np.float64(_log1p01(eo))
            pos += np.float64(max(x, zero))
            p = (one if yn >= zero else en) / (one + en)
            h[i, j] = one if uniform24(s, j) < p else zero
        logw[i] += dbeta * (pos + lin[i]) + dg


@njit(parallel=True, fastmath=FAST, cache=True)
def ais_hidden_step_endpoint(
    c, b, beta_new, beta_old, dbeta, lin, seeds, logw, h, exact_new, exact_old
):
    """As :func:`ais_hidden_step`, with float64 ``g`` on the side(s) flagged exact."""
    n, m = c.shape
    zero = np.float32(0.0)
    one = np.float32(1.0)
    for i in prange(n):
        s = seeds[i]
        pos = 0.0
        dg = 0.0
        for j in range(m):
            x = c[i, j] + b[j]
            yn = beta_new * x
            yo = beta_old * x
            en = exp32(-abs(yn))
            eo = exp32(-abs(yo))
            if exact_new:
                dg += _g64(np.float64(beta_new) * np.float64(x))
            else:
                dg += np.float64(_log1p01(en))
            if exact_old:
                dg -= _g64(np.float64(beta_old) * np.float64(x))
            else:
                dg -= np.float64(_log1p01(eo))
            pos += np.float64(max(x, zero))
            p = (one if yn >= zero else en) / (one + en)
            h[i, j] = one if uniform24(s, j) < p else zero
        logw[i] += dbeta * (pos + lin[i]) + dg


@njit(parallel=True, fastmath=FAST, cache=True)
def ais_visible_step(d, a, a_base, adiff, beta, seeds, v, lin):
    """v ~ sigmoid(beta (d + a) + (1 - beta) a_base); lin = (a - a_base) . v (float64)."""
    n, m = d.shape
    zero = np.float32(0.0)
    one = np.float32(1.0)
    rest = one - beta
    for i in prange(n):
        s = seeds[i]
        acc = 0.0
        for j in range(m):
            p = sigmoid32(beta * (d[i, j] + a[j]) + rest * a_base[j])
            x = one if uniform24(s, j) < p else zero
            v[i, j] = x
            acc += adiff[j] * np.float64(x)
        lin[i] = acc


@njit(inline="always", fastmath=True)
def _expneg64(x):
    # exp(-|x|) in float64, branch-free (vectorizes): 2**k exp(r), |r| <= ln2/2, Cody-Waite
    # reduction, degree-13 Taylor polynomial (rel. err < 1e-15); 0 below exp(-700).
    y = max(-abs(x), -700.0)
    k = np.floor(y * 1.4426950408889634 + 0.5)
    r = y - k * 6.93147180369123816490e-01
    r = r - k * 1.90821492927058770002e-10
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    scale = _bits_to_f64((np.int64(k) + np.int64(1023)) << np.int64(52))
    return p * scale


@njit(inline="always", fastmath=True)
def _log1p01_64(t):
    # log(1 + t) for t in [0, 1], float64, branch-free: 2 atanh(s), s = t / (2 + t) <= 1/3,
    # series to s**35 (rel. err < 1e-17).
    s = t / (2.0 + t)
    s2 = s * s
    p = 1.0 / 35.0
    for q in range(33, 0, -2):
        p = p * s2 + 1.0 / q
    return 2.0 * s * p


@njit(inline="always", fastmath=True)
def softplus64(x):
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), float64, vectorizable.
    return max(x, 0.0) + _log1p01_64(_expneg64(x))


# No-NaN/no-inf flags are left out: the chunk log-sum-exp starts from -inf.
@njit(parallel=True, fastmath={"reassoc", "contract", "nsz", "arcp"}, cache=True)
def exact_log_partition_chunks(W, a, b, chunk_bits, out_max, out_sum):
    """Per chunk of Gray-code-ordered states s of the enumerated layer (rows of W):
    online log-sum-exp of ``a.s + sum_j softplus(b_j + (s W)_j)``, float64.

    Chunk ``k`` covers indices ``k * 2**chunk_bits .. (k + 1) * 2**chunk_bits - 1``; its
    hidden field is built from scratch at the first state and updated by one row of W per
    state (one bit flips between consecutive Gray codes). ``out_max[k]``, ``out_sum[k]``:
    the chunk's ``sum exp(x) = out_sum * exp(out_max)``.
    """
    n, m = W.shape
    size = np.int64(1) << np.int64(chunk_bits)
    n_chunks = out_max.shape[0]
    for k in prange(n_chunks):
        start = np.int64(k) * size
        field = b.copy()
        gray = start ^ (start >> 1)
        lin = 0.0
        for i in range(n):
            if (gray >> i) & 1:
                lin += a[i]
                for j in range(m):
                    field[j] += W[i, j]
        mx = -np.inf
        sm = 0.0
        for t in range(size):
            idx = start + t
            if t > 0:
                bit = 0
                while not (idx >> bit) & 1:
                    bit += 1
                gray = idx ^ (idx >> 1)
                if (gray >> bit) & 1:
                    lin += a[bit]
                    for j in range(m):
                        field[j] += W[bit, j]
                else:
                    lin -= a[bit]
                    for j in range(m):
                        field[j] -= W[bit, j]
            val = lin
            for j in range(m):
                val += softplus64(field[j])
            if val > mx:
                sm = sm * np.exp(mx - val) + 1.0
                mx = val
            else:
                sm += np.exp(val - mx)
        out_max[k] = mx
        out_sum[k] = sm
