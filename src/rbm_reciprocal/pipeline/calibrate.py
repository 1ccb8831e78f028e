"""Calibrate the cost model on this machine: time the Gibbs sweeps and GEMMs it counts."""

from __future__ import annotations

import time
from collections.abc import Iterable

import numba
import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.pipeline.cost import LOGLIK_FAMILY, N_VISIBLE, Cost, gemm_flops, svd_flops
from rbm_reciprocal.pipeline.runtime import Calibration
from rbm_reciprocal.sampling.gibbs import GibbsSampler


def _time_per_call(fn, budget: float, min_calls: int = 3) -> float:
    """Median seconds per call of ``fn`` within about ``budget`` seconds (after a warm-up)."""

    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_calls or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 1000:
            break
    return float(np.median(times))


def calibrate(
    shapes: Iterable[tuple[int, int]],
    seconds: float = 30.0,
    svd_shape: tuple[int, int] = (N_VISIBLE, 500),
    seed: int = 0,
) -> Calibration:
    """Measure FLOP/s of real block Gibbs sweeps at each ``(chains, hidden)`` shape.

    Runs dense :meth:`GibbsSampler.sweeps` (``sparse_density=0``; the gather half-sweeps of
    training are :attr:`Cost.speedup`) of a random ``784 x hidden`` RBM on one thread (BLAS
    and numba) for about ``0.9 * seconds / len(shapes)`` each, and float64 singular values
    of a ``svd_shape`` matrix for the remaining tenth. Rates are FLOPs (``4 C N M`` per
    sweep, :func:`svd_flops`) over the median time per call.
    """

    shapes = sorted({(int(c), int(m)) for c, m in shapes})
    if not shapes:
        raise ValueError("nothing to calibrate")
    t_start = time.perf_counter()
    rng = stream(seed)
    per_shape = 0.9 * float(seconds) / len(shapes)
    rates: dict[tuple[int, int], float] = {}
    old_threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with _one_blas_thread():
            for c, m in shapes:
                params = RBMParams(
                    rng.normal(0, 0.01, (N_VISIBLE, m)).astype(np.float32),
                    rng.normal(0, 0.1, N_VISIBLE).astype(np.float32),
                    np.zeros(m, np.float32),
                )
                sampler = GibbsSampler(params, c, sparse_density=0.0)
                v = (rng.random((c, N_VISIBLE)) < 0.5).astype(np.float32)
                h = np.empty((c, m), np.float32)
                t = _time_per_call(lambda s=sampler, v=v, h=h: s.sweeps(v, h, 1, rng), per_shape)
                rates[(c, m)] = 2 * gemm_flops(c, N_VISIBLE, m) / t
            w = rng.normal(size=svd_shape)
            t = _time_per_call(
                lambda: np.linalg.svd(w, compute_uv=False), 0.1 * float(seconds), min_calls=2
            )
            svd_rate = svd_flops(*svd_shape) / t
    finally:
        numba.set_num_threads(old_threads)
    return Calibration(rates, svd_rate, time.perf_counter() - t_start)


class _one_blas_thread:
    """Limit BLAS to one thread (threadpoolctl when installed; otherwise a no-op, and the
    ``cost`` command sets the thread variables before numpy is imported)."""

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            self._ctx = None
            return self
        self._ctx = threadpool_limits(1)
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.unregister()
        return False


def calibration_shapes(costs: Iterable[Cost]) -> list[tuple[int, int]]:
    """The distinct Gibbs shapes ``(chains, hidden)`` of training and log-likelihood jobs."""
    fams = ("training", LOGLIK_FAMILY)
    return sorted({(c.rows, c.hidden) for c in costs if c.family in fams and c.sweeps})
