"""Adapted rung counts of the PTT ladder (``loglik.trajectory.pt.adapt``).

A uniform ladder gives every checkpoint interval the same number of rungs, but the models
change fastest early in training, where the exchanges between neighbouring rungs are
accepted least. The schedule of non-reversible parallel tempering (Syed, Bouchard-Côté,
Deligiannidis & Doucet, "Non-reversible parallel tempering: a scalable highly parallel MCMC
scheme", JRSS B 84, 2022, Sec. 5) places rungs by the *communication barrier*: the sum of
the exchange rejection rates along the path, ``Lambda = sum_i r_i``, which does not depend
on how finely the path is cut when the cut is fine. Equal rejection between neighbours is
then the best placement, and about ``2 Lambda`` rungs (a rejection of 1/2 per pair) is the
optimal number for the alternating even/odd exchanges used here.

Here the path is the training trajectory and the unit is the checkpoint interval: a pilot
ladder measures the rejection of every pair, :func:`interval_barriers` sums them per
interval, and :func:`adapted_counts` gives interval ``k`` ``ceil(Lambda_k / (1 - a))``
rungs for a target acceptance ``a`` (``a = 1/2``: ``2 Lambda_k``), inside each interval
evenly spaced in ``s``. A second round pilots the adapted ladder, which corrects the
barrier where the first pilot's rejections were too large to add up (a rejection cannot
exceed 1, so a coarse pilot underestimates ``Lambda``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rbm_reciprocal.sampling.ladder import (
    TrajectoryLadder,
    interval_counts,
    ladder_fields,
    ladder_sweep,
)


def interval_barriers(
    k: np.ndarray, blocked: np.ndarray, rejection: np.ndarray, n_intervals: int
) -> np.ndarray:
    """Communication barrier ``Lambda_k = sum of r_i over the pairs of interval k``.

    Parameters
    ----------
    k : array of int, shape (L,)
        Interval index of each rung (:func:`~.ladder.ladder_positions`); pair ``(i, i + 1)``
        lies in interval ``k[i]``.
    blocked : array of bool, shape (L - 1,)
        Pairs never exchanged (segment cuts: the same model twice); they add nothing.
    rejection : array, shape (L - 1,)
        Rejection rate ``1 - acceptance`` of each pair.
    n_intervals : int
        Number of checkpoint intervals ``P - 1``.
    """
    r = np.where(np.asarray(blocked, bool), 0.0, np.asarray(rejection, np.float64))
    return np.bincount(np.asarray(k[:-1], np.int64), weights=r, minlength=n_intervals)


def adapted_counts(barriers: np.ndarray, acceptance: float, max_rungs: int) -> np.ndarray:
    """Rungs per interval for a target exchange acceptance: ``ceil(Lambda_k / (1 - a))``,
    at least 1 and at most ``max_rungs`` (Syed et al. 2022: equal rejection ``1 - a`` per
    pair; ``a = 1/2`` gives their ``2 Lambda``)."""
    if not 0.0 < acceptance < 1.0:
        raise ValueError(f"the target acceptance must be in (0, 1), got {acceptance}")
    need = np.ceil(np.asarray(barriers, np.float64) / (1.0 - acceptance) - 1e-9)
    return np.clip(need, 1, int(max_rungs)).astype(np.int64)


def pilot_acceptance(
    ladder: TrajectoryLadder,
    v: np.ndarray,
    sweeps: int,
    rng: np.random.Generator,
    runner_factory: Callable[[TrajectoryLadder, np.ndarray, np.ndarray], Any] | None = None,
) -> np.ndarray:
    """Exchange acceptance of every pair of ``ladder`` over the second half of ``sweeps``
    sweeps from the chains ``v`` (L, C, N) float32 (changed in place on numpy).

    ``runner_factory(ladder, v, field)`` gives an object with ``sweep(parity)`` (the torch
    runner, seeded by the caller); None sweeps with numpy. Blocked pairs get acceptance 1.
    """
    field = ladder_fields(ladder, v)
    runner = runner_factory(ladder, v, field) if runner_factory is not None else None
    accepted = np.zeros(ladder.n_rungs - 1)
    attempts = np.zeros(ladder.n_rungs - 1)
    for t in range(int(sweeps)):
        parity = t % 2
        if runner is None:
            _, _, acc = ladder_sweep(ladder, v, field, parity, rng)
        else:
            _, _, acc = runner.sweep(parity)
        if t >= sweeps // 2:
            pairs = np.arange(parity, ladder.n_rungs - 1, 2)
            accepted[pairs] += acc.sum(axis=1)
            attempts[pairs] += acc.shape[1]
    rate = accepted / np.maximum(attempts, 1)
    rate[ladder.blocked | (attempts == 0)] = 1.0
    return rate


def adapt_rungs(
    ladder_of: Callable[[np.ndarray], TrajectoryLadder],
    start: Callable[[int], np.ndarray],
    n_nodes: int,
    rungs: int,
    rounds: int,
    sweeps: int,
    acceptance: float,
    max_rungs: int,
    rng: np.random.Generator,
    runner_factory: Callable[[TrajectoryLadder, np.ndarray, np.ndarray], Any] | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> np.ndarray:
    """Rung counts per interval after ``rounds`` pilot rounds, starting from ``rungs`` per
    interval: each round pilots the current ladder (``ladder_of(counts)``, chains from
    ``start(n_rungs)``) for ``sweeps`` sweeps and sets the counts by
    :func:`adapted_counts` of its :func:`interval_barriers`."""
    counts = interval_counts(n_nodes, rungs)
    for r in range(int(rounds)):
        ladder = ladder_of(counts)
        rate = pilot_acceptance(ladder, start(ladder.n_rungs), sweeps, rng, runner_factory)
        barriers = interval_barriers(ladder.k, ladder.blocked, 1.0 - rate, n_nodes - 1)
        counts = adapted_counts(barriers, acceptance, max_rungs)
        log(
            f"adapt round {r + 1}/{rounds}: smallest pilot acceptance {rate.min():.2f}; "
            f"barrier {barriers.sum():.2f} -> {int(counts.sum())} rungs "
            f"({int(counts.min())}-{int(counts.max())} per interval)"
        )
    return counts
