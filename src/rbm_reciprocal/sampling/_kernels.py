"""numba kernels of the Gibbs core: plain loops, no docstring-level API.

Every kernel here is elementwise over a (rows, cols) block and is called from
:mod:`rbm_reciprocal.sampling.gibbs`, which holds the documentation, argument checks and
the matrix products (BLAS). Randomness is counter-based: row ``i`` of a call uses
the SplitMix64 stream keyed by ``seeds[i]`` (drawn from a ``numpy.random.Generator``
by the caller), element ``j`` of that row uses counter ``j + 1``. The result is a
pure function of (inputs, seeds), so it is bit-for-bit identical for any number
of numba threads.

Threading: the kernels use numba's ``workqueue`` layer unless ``NUMBA_THREADING_LAYER`` says
otherwise. With the OpenMP layer, libgomp's worker threads spin after each kernel and
compete with OpenBLAS's threads for the cores in the GEMM that follows: a sweep on 2 cores
measured 2-4x slower (bench/gibbs.py).
"""

from __future__ import annotations

import os

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


_MIX1 = np.uint64(0xBF58476D1CE4E5B9)


_MIX2 = np.uint64(0x94D049BB133111EB)


_S30 = np.uint64(30)


_S27 = np.uint64(27)


_S31 = np.uint64(31)


_S40 = np.uint64(40)


_INV24 = np.float32(1.0 / 16777216.0)


@intrinsic
def _bits_to_f32(typingctx, x):  # noqa: ARG001 - numba intrinsic signature
    sig = types.float32(types.int32)

    def codegen(context, builder, signature, args):  # noqa: ARG001
        return builder.bitcast(args[0], ir.FloatType())

    return sig, codegen


@njit(inline="always", fastmath=True)
def exp32(x):
    # exp(x) = 2**k * exp(r), |r| <= ln2/2; degree-7 Taylor polynomial (rel. err < 2e-7).
    # Branch-free so that LLVM vectorizes the loops that call it.
    x = min(max(x, np.float32(-87.0)), np.float32(88.0))
    k = np.floor(x * np.float32(1.4426950408889634) + np.float32(0.5))
    r = x - k * np.float32(0.693145751953125)
    r = r - k * np.float32(1.428606765330187e-06)
    p = np.float32(1.0 / 5040.0)
    p = p * r + np.float32(1.0 / 720.0)
    p = p * r + np.float32(1.0 / 120.0)
    p = p * r + np.float32(1.0 / 24.0)
    p = p * r + np.float32(1.0 / 6.0)
    p = p * r + np.float32(0.5)
    p = p * r + np.float32(1.0)
    p = p * r + np.float32(1.0)
    scale = _bits_to_f32((np.int32(k) + np.int32(127)) << np.int32(23))
    return p * scale


@njit(inline="always", fastmath=True)
def sigmoid32(x):
    return np.float32(1.0) / (np.float32(1.0) + exp32(-x))


@njit(inline="always")
def uniform24(seed, j):
    # SplitMix64 output for counter j+1 of the stream keyed by seed, top 24 bits -> [0, 1).
    z = seed + np.uint64(j + 1) * _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return np.float32(z >> _S40) * _INV24


@njit(parallel=True, fastmath=True, cache=True)
def bernoulli_from_logits(x, bias, seeds, out):
    """out[i, j] = 1 if U_ij < sigmoid(x[i, j] + bias[j]) else 0 (float32)."""
    n, m = x.shape
    for i in prange(n):
        s = seeds[i]
        for j in range(m):
            p = sigmoid32(x[i, j] + bias[j])
            u = uniform24(s, j)
            out[i, j] = np.float32(1.0) if u < p else np.float32(0.0)


@njit(parallel=True, fastmath=True, cache=True)
def sigmoid_with_bias(x, bias, out):
    """out[i, j] = sigmoid(x[i, j] + bias[j]) (float32)."""
    n, m = x.shape
    for i in prange(n):
        for j in range(m):
            out[i, j] = sigmoid32(x[i, j] + bias[j])


@njit(parallel=True, fastmath=True, cache=True)
def bernoulli_from_probs(p, seeds, out):
    """out[i, j] = 1 if U_ij < p[i, j] else 0 (float32)."""
    n, m = p.shape
    for i in prange(n):
        s = seeds[i]
        for j in range(m):
            out[i, j] = np.float32(1.0) if uniform24(s, j) < p[i, j] else np.float32(0.0)


# -- binary-aware products (the sparse path of GibbsSampler) ---------------------------


@njit(parallel=True, fastmath=True, cache=True)
def count_binary(x):
    """Number of ones of a float32 0/1 array (B, K); -1 if any entry is neither 0 nor 1."""
    n, k = x.shape
    ones = 0
    nonzero = 0
    for i in prange(n):
        c1 = 0
        c2 = 0
        for t in range(k):  # branch-free, so that LLVM vectorizes it
            e = x[i, t]
            c1 += e == np.float32(1.0)
            c2 += e != np.float32(0.0)
        ones += c1
        nonzero += c2
    return ones if ones == nonzero else -1


@njit(parallel=True, fastmath=True, cache=True)
def bernoulli_from_logits_count(x, bias, seeds, out):
    """:func:`bernoulli_from_logits` (the same samples) that also returns the number of ones."""
    n, m = x.shape
    ones = 0
    for i in prange(n):
        s = seeds[i]
        for j in range(m):
            p = sigmoid32(x[i, j] + bias[j])
            out[i, j] = np.float32(1.0) if uniform24(s, j) < p else np.float32(0.0)
        row_ones = np.float32(0.0)  # exact: integers below 2**24; a second pass in L1
        for j in range(m):
            row_ones += out[i, j]
        ones += np.int64(row_ones)
    return ones


@njit(parallel=True, fastmath=True, cache=True)
def bernoulli_gather(x, rows, bias, seeds, idx, acc, out):
    """out ~ Bernoulli(sigmoid(x @ rows + bias)) for binary x, as a sum of rows; returns #ones.

    x (B, K) 0/1 float32, rows (K, C) C-contiguous, bias (C,), idx (B, >=K) int32 and
    acc (B, C) float32 scratch. Row i of the field is the sum of the rows of ``rows`` where
    x[i] is 1, added four rows at a time into acc[i] (L1-resident), then sigmoid + draw
    exactly as :func:`bernoulli_from_logits` (same uniforms). Fixed order per row, so the
    result does not depend on the number of threads.
    """
    n, k = x.shape
    m = rows.shape[1]
    ones = 0
    for i in prange(n):
        c = 0
        for t in range(k):
            if x[i, t] != np.float32(0.0):
                idx[i, c] = t
                c += 1
        a = acc[i]
        for j in range(m):
            a[j] = np.float32(0.0)
        q = 0
        while q + 4 <= c:
            r0 = rows[idx[i, q]]
            r1 = rows[idx[i, q + 1]]
            r2 = rows[idx[i, q + 2]]
            r3 = rows[idx[i, q + 3]]
            for j in range(m):
                a[j] += (r0[j] + r1[j]) + (r2[j] + r3[j])
            q += 4
        while q < c:
            r0 = rows[idx[i, q]]
            for j in range(m):
                a[j] += r0[j]
            q += 1
        s = seeds[i]
        for j in range(m):
            p = sigmoid32(a[j] + bias[j])
            out[i, j] = np.float32(1.0) if uniform24(s, j) < p else np.float32(0.0)
        row_ones = np.float32(0.0)
        for j in range(m):
            row_ones += out[i, j]
        ones += np.int64(row_ones)
    return ones
