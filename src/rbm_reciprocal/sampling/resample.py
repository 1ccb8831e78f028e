"""Adaptive systematic resampling of annealing chains in independent groups (islands).

Sequential Monte Carlo / population annealing (Del Moral, Doucet & Jasra 2006; Hukushima &
Iba 2003) adds one move to AIS: when the importance weights of a population have
degenerated, the chains are resampled in proportion to their weights and the weights reset.
The ``C`` chains are split into ``G`` contiguous groups of (nearly) equal size; each group is
its own population, resampled only within itself, when the effective sample size of its
current weights, ``ESS = (sum w)^2 / sum w^2``, falls below ``threshold`` times its size. On
resampling, ``log mean w`` of the group is added to its log accumulator ``acc_g`` and its
log-weights are set to zero, so that at any time

.. math::

    \\hat Z_g / Z_0 = \\exp(acc_g) \\cdot \\mathrm{mean}_{i \\in g}\\, w_i

is the group's SMC estimate of the normalising-constant ratio, unbiased (as plain AIS) and
independent of the other groups. The groups' spread therefore gives an honest standard
error (:func:`group_log_estimates`), which the per-chain delta method cannot give once chains
share ancestors.

Systematic resampling draws one uniform per resampled group from the caller's generator, so
results are deterministic for a fixed generator state (and resumable: the accumulators are
part of the state).
"""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.errors import ConfigError


def group_bounds(n_chains: int, groups: int) -> np.ndarray:
    """Boundaries ``(G + 1,)`` of the contiguous groups: group ``g`` is ``[b[g], b[g+1])``."""
    c, g = int(n_chains), int(groups)
    if g < 1 or g > c:
        raise ConfigError(f"resampling groups must be between 1 and the {c} chains, got {g}")
    return (np.arange(g + 1) * c) // g


def log_mean_exp(x: np.ndarray) -> float:
    """``log mean exp(x)`` of a 1-D float64 array, computed stably."""
    m = float(np.max(x))
    return m + float(np.log(np.mean(np.exp(x - m))))


def ess_fraction(logw: np.ndarray) -> float:
    """``ESS / n`` of the weights ``exp(logw)``, between ``1/n`` and 1."""
    w = np.exp(logw - np.max(logw))
    return float(w.sum() ** 2 / (w * w).sum() / w.size)


def systematic_indices(logw: np.ndarray, u: float) -> np.ndarray:
    """Systematic resampling: ``n`` ancestor indices of the weights ``exp(logw)`` from one
    uniform ``u`` in [0, 1) (positions ``(u + j) / n``)."""
    w = np.exp(logw - np.max(logw))
    cum = np.cumsum(w)
    cum /= cum[-1]
    n = w.size
    idx = np.searchsorted(cum, (u + np.arange(n)) / n, side="right")
    return np.minimum(idx, n - 1)


class GroupResampler:
    """Adaptive resampling of ``n_chains`` chains in ``groups`` groups (see the module).

    Attributes
    ----------
    acc : ndarray, shape (G,), float64
        Log accumulators of the groups (``log`` of the product of the groups' mean weights at
        their resampling events).
    events : int
        Resampling events (one group resampled once) so far.
    """

    def __init__(
        self, n_chains: int, groups: int, threshold: float, acc: np.ndarray | None = None
    ) -> None:
        if not 0.0 < float(threshold) <= 1.0:
            raise ConfigError(f"resampling ESS threshold must be in (0, 1], got {threshold}")
        self.bounds = group_bounds(n_chains, groups)
        self.threshold = float(threshold)
        self.acc = np.zeros(int(groups)) if acc is None else np.array(acc, np.float64)
        if self.acc.shape != (int(groups),):
            raise ConfigError(f"{self.acc.shape} group accumulators for {groups} groups")
        self.events = 0

    def step(self, logw: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
        """Resample the groups whose ESS fell below the threshold: fold their ``log mean w``
        into ``acc``, set their log-weights to zero (``logw`` in place) and return the
        ancestor index of every chain (identity outside them); None when none resampled."""
        idx = None
        for g in range(self.bounds.size - 1):
            lo, hi = int(self.bounds[g]), int(self.bounds[g + 1])
            seg = logw[lo:hi]
            if hi - lo < 2 or ess_fraction(seg) >= self.threshold:
                continue
            if idx is None:
                idx = np.arange(logw.size)
            idx[lo:hi] = lo + systematic_indices(seg, float(rng.random()))
            self.acc[g] += log_mean_exp(seg)
            seg[:] = 0.0
            self.events += 1
        return idx


def group_log_estimates(logw: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """``log(Z_g_hat / Z_0) = acc_g + log mean_{i in g} w_i`` of each group, shape (G,)."""
    bounds = group_bounds(logw.size, acc.size)
    return np.array(
        [acc[g] + log_mean_exp(logw[bounds[g] : bounds[g + 1]]) for g in range(acc.size)]
    )


def pooled_ess(logw: np.ndarray, acc: np.ndarray) -> float:
    """ESS (between 1 and ``n_chains``) of the chains' weights ``exp(acc_g + logw_i)`` pooled
    over the groups: the weights since each group's last resampling, times its accumulator,
    so that an unbalanced group lowers it too."""
    bounds = group_bounds(logw.size, acc.size)
    full = logw + np.repeat(acc, np.diff(bounds))
    return ess_fraction(full) * full.size
