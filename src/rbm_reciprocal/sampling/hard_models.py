"""Models on which the log Z estimators fail: the adversarial cases of their tests and of
``bench/loglik_hard.py`` (issue 23).

Each is built from a real trajectory (the checkpoints of a trained RBM with few hidden
units, so that ``log Z`` stays enumerable) and is hard to sample in a different way:

- ``weights x 4``, ``weights x 8``: every checkpoint with ``W, a, b`` scaled up (peaked,
  slowly mixing models; the exchange acceptance between checkpoints collapses);
- ``planted mode``: the last checkpoint with one hidden unit replaced by a detector of a
  random pattern unrelated to the data, tuned to add ``extra`` nats to ``log Z`` (a dominant
  state that chains started from the data never visit);
- ``two modes``: two such detectors, 5 nats apart in margin (well-separated modes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.partition import log_partition_exact


def scaled(p: RBMParams, f: float) -> RBMParams:
    """``W, a, b`` multiplied by ``f`` (an inverse temperature)."""
    return RBMParams(*(np.asarray(x * f, np.float32) for x in (p.W, p.a, p.b)))


def plant(p: RBMParams, columns: dict[int, tuple[float, float]], seed: int) -> RBMParams:
    """Hidden unit ``j`` of ``columns`` (``j: (c, margin)``) replaced by a detector of a random
    pattern (20 % of the pixels on): ``W[:, j] = c (2 pattern - 1)``, its bias such that the
    field at the pattern is ``margin`` above the visible biases' cost of the pattern. The
    patterns are drawn in the order of ``columns`` from ``seed``."""
    rng = np.random.default_rng(seed)
    W, a, b = (np.asarray(x, np.float64).copy() for x in (p.W, p.a, p.b))
    for j, (c, margin) in columns.items():
        pattern = (rng.random(W.shape[0]) < 0.2).astype(np.float64)
        W[:, j] = c * (2 * pattern - 1)
        b[j] = -a @ pattern + margin - c * pattern.sum()
    return RBMParams(W.astype(np.float32), a.astype(np.float32), b.astype(np.float32))


def tuned_margin(p: RBMParams, c: float, extra: float, seed: int) -> float:
    """The margin at which one planted pattern (:func:`plant`, unit 0) adds ``extra`` nats to
    the exact ``log Z`` of ``p`` (bisection on the enumerated value)."""
    z0, lo, hi = log_partition_exact(p), -3000.0, 300.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if log_partition_exact(plant(p, {0: (c, mid)}, seed)) - z0 < extra:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def hard_paths(params: Sequence[RBMParams], seed: int = 7) -> dict[str, list[RBMParams]]:
    """The four hard trajectories of the module docstring from the checkpoints ``params``
    (the plants at the last one, 20 nats, c = 3)."""
    params = list(params)
    last = params[-1]
    m = tuned_margin(last, 3.0, 20.0, seed)
    return {
        "weights x 4": [scaled(p, 4.0) for p in params],
        "weights x 8": [scaled(p, 8.0) for p in params],
        "planted mode": params[:-1] + [plant(last, {0: (3.0, m)}, seed)],
        "two modes": params[:-1] + [plant(last, {0: (3.0, m), 1: (3.0, m - 5.0)}, seed)],
    }
