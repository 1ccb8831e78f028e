"""Annealed importance sampling (AIS) and reverse AIS estimates of the RBM partition function.

AIS (Neal 2001; Salakhutdinov & Murray 2008, "On the quantitative analysis of deep belief
networks", ICML) anneals from a tractable base model to the RBM through the family of
unnormalised visible marginals (SPEC.md: W and the hidden fields scaled by beta)

.. math::

    p^*_\\beta(v) = \\exp\\big((1-\\beta)\\, a_0 \\cdot v + \\beta\\, a \\cdot v\\big)
                    \\prod_{j=1}^{M} \\big(1 + e^{\\beta (vW + b)_j}\\big),
    \\qquad 0 = \\beta_0 < \\beta_1 < \\dots < \\beta_K = 1,

the marginal of ``p_beta(v, h) ∝ exp((1-beta) a0.v + beta (a.v + b.h + v.W.h))``. At beta = 0
the visible units are independent with biases ``a0`` (the *base*: log-odds of the data or
of model samples) and the hidden units uniform, so
``log Z_0 = sum_i softplus(a0_i) + M log 2``; at beta = 1 it is ``exp(-F(v))`` of the RBM
(Sec. 2). Chain ``n`` starts from ``v_1 ~ p_0`` and alternates the weight update and one block
Gibbs sweep ``T_k`` that leaves ``p_{beta_k}`` invariant:

.. math::

    \\log w^{(n)} = \\sum_{k=1}^{K}
        \\big[\\log p^*_{\\beta_k}(v_k) - \\log p^*_{\\beta_{k-1}}(v_k)\\big],
    \\qquad v_{k+1} \\sim T_k(\\cdot \\mid v_k).

``E[w] = Z / Z_0``, so ``log Z_hat = log Z_0 + log mean_n w^(n)`` (the log of the *mean* of
the weights; averaging the log-weights would add a downward bias of order var(log w)/2).
By Jensen's inequality ``E[log Z_hat] <= log Z``: AIS tends to under-estimate ``log Z`` and
so over-estimate the log-likelihood.

Reverse AIS (Burda, Grosse & Salakhutdinov 2015, "Accurate and conservative estimates of
MRF log-likelihood using reverse annealing", AISTATS) runs the same path backwards from
(approximate) samples of the RBM: with ``v_K ~ p_1``,
``log w_rev = sum_k [log p*_{beta_{k-1}}(v_k) - log p*_{beta_k}(v_k)]`` and
``E[w_rev] = Z_0 / Z``, so ``log Z_hat_rev = log Z_0 - log mean w_rev`` over-estimates
``log Z`` in expectation (the conservative side). Together they bracket ``log Z`` when the
reverse chains start from true model samples; started from long Gibbs chains or from test
images (a config choice) the upper side is approximate.

Each annealing step costs one block Gibbs sweep: two float32 GEMMs (``v W`` and ``h W^T``,
BLAS) and two fused numba kernels (:mod:`rbm_reciprocal._ais_kernels`) that add the
log-weight increment, draw the hidden units, then the visible units. Samples are float32,
log-weights float64. Per-chain seeds for every half-step are drawn from the caller's
``numpy.random.Generator`` as in :mod:`rbm_reciprocal.sampling.gibbs`, so for a fixed
generator state the result is identical for any number of numba threads (and BLAS is
deterministic for a fixed BLAS thread count).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams, free_energy, logit, prob_v_given_h, softplus
from rbm_reciprocal.sampling import _ais_kernels
from rbm_reciprocal.sampling.gibbs import chain_seeds, sample_chains
from rbm_reciprocal.sampling.schedules import check_betas


def base_log_odds(mean: np.ndarray, clip: float = 1e-6) -> np.ndarray:
    """Base-model visible biases ``a0 = logit(mean)``, mean clipped to ``[clip, 1-clip]``.

    Parameters
    ----------
    mean : ndarray, shape (N,)
        Visible marginals: the data mean (``base: data``) or the mean of ``p(v | h)`` over
        model samples (``base: samples``, Rao-Blackwellised, so never exactly 0 or 1).

    Returns
    -------
    ndarray, shape (N,), float32
    """
    return logit(mean, clip).astype(np.float32)


def base_log_partition(base_bias: np.ndarray, n_hidden: int) -> float:
    """``log Z_0 = sum_i softplus(a0_i) + M log 2`` of the beta = 0 model, float64."""
    return float(softplus(np.asarray(base_bias, dtype=np.float64)).sum() + n_hidden * np.log(2.0))


def log_mean_exp(x: np.ndarray) -> float:
    """``log(mean(exp(x)))``, stable for large ``|x|``."""
    x = np.asarray(x, dtype=np.float64)
    mx = float(np.max(x))
    return mx + float(np.log(np.mean(np.exp(x - mx))))


def weight_statistics(log_weights: np.ndarray) -> tuple[float, float, float]:
    """``(log mean w, s.e. of log mean w, ESS)`` of importance weights given as logs.

    The standard error follows from the delta method,
    ``se(log mean w) = sd(w) / (sqrt(n) mean(w))`` (``nan`` for a single chain), and the
    effective sample size is ``ESS = (sum w)^2 / sum w^2`` (between 1 and n).
    """
    lw = np.asarray(log_weights, dtype=np.float64)
    if lw.ndim != 1 or lw.size == 0 or not np.all(np.isfinite(lw)):
        raise ValueError("log-weights must be a non-empty 1-D array of finite values")
    w = np.exp(lw - lw.max())
    n = lw.size
    mean = float(w.mean())
    se = float(w.std(ddof=1) / (np.sqrt(n) * mean)) if n > 1 else float("nan")
    ess = float(w.sum() ** 2 / (w * w).sum())
    return float(lw.max()) + float(np.log(mean)), se, ess


@dataclass(frozen=True)
class AISResult:
    """An AIS or reverse-AIS estimate of ``log Z``.

    Attributes
    ----------
    log_z : float
        ``log Z_hat``: ``log Z_0 + log mean w`` (forward) or ``log Z_0 - log mean w_rev``
        (reverse).
    log_z_se : float
        Delta-method standard error of ``log_z`` (see :func:`weight_statistics`).
    ess : float
        Effective sample size of the importance weights, in ``[1, n_chains]``.
    log_weights : ndarray, shape (n_chains,), float64
        ``log w`` (forward) or ``log w_rev`` (reverse) of each chain.
    log_z_base : float
        ``log Z_0`` of the base model.
    reverse : bool
        Whether this is reverse AIS.
    n_betas : int
        Number of inverse temperatures (``n_betas - 1`` Gibbs sweeps per chain).
    """

    log_z: float
    log_z_se: float
    ess: float
    log_weights: np.ndarray
    log_z_base: float
    reverse: bool
    n_betas: int

    @property
    def n_chains(self) -> int:
        return int(self.log_weights.shape[0])


def checked_base_bias(base_bias: np.ndarray, n_visible: int) -> np.ndarray:
    """Base-model visible biases as float32 (N,), or a ConfigError (wrong shape, non-finite)."""
    base = np.ascontiguousarray(base_bias, dtype=np.float32)
    if base.shape != (n_visible,):
        raise ConfigError(f"base biases must have shape ({n_visible},), got {base.shape}")
    if not np.all(np.isfinite(base)):
        raise ConfigError("base biases must be finite")
    return base


class _Annealer:
    """Buffers and the fused step of one annealing run (forward or reverse)."""

    def __init__(self, params: RBMParams, base_bias: np.ndarray, n_chains: int) -> None:
        n, m = params.W.shape
        base = checked_base_bias(base_bias, n)
        self.p = params
        self.a_base = base
        self.adiff = params.a.astype(np.float64) - base.astype(np.float64)
        self.n_chains = int(n_chains)
        self.v = np.zeros((n_chains, n), np.float32)
        self.h = np.zeros((n_chains, m), np.float32)
        self.c = np.empty((n_chains, m), np.float32)
        self.d = np.zeros((n_chains, n), np.float32)
        self.lin = np.zeros(n_chains, np.float64)
        self.logw = np.zeros(n_chains, np.float64)

    def sample_base(self, rng: np.random.Generator) -> None:
        """``v ~ p_0`` (independent visible units with biases ``a0``)."""
        self.d[...] = 0.0
        self.sample_visible(np.float32(0.0), rng)

    def set_visible(self, v: np.ndarray) -> None:
        self.v[...] = v
        self.lin[...] = self.v.astype(np.float64) @ self.adiff

    def sample_visible(self, beta: np.float32, rng: np.random.Generator) -> None:
        """``v ~ p_beta(v | h)`` from ``self.d = h W^T``; updates ``lin = (a - a0).v``."""
        p = self.p
        _ais_kernels.ais_visible_step(
            self.d,
            p.a,
            self.a_base,
            self.adiff,
            beta,
            chain_seeds(rng, self.n_chains),
            self.v,
            self.lin,
        )

    def step(
        self,
        beta_new: np.float32,
        beta_old: np.float32,
        rng: np.random.Generator,
        sample_visible: bool,
    ) -> None:
        """``logw += log p*_new(v) - log p*_old(v)``; ``h ~ p_new(h|v)``; ``v ~ p_new(v|h)``."""
        p = self.p
        dbeta = np.float64(beta_new) - np.float64(beta_old)
        np.matmul(self.v, p.W, out=self.c)
        seeds = chain_seeds(rng, self.n_chains)
        exact_new = beta_new == 0.0 or beta_new == 1.0
        exact_old = beta_old == 0.0 or beta_old == 1.0
        if exact_new or exact_old:
            _ais_kernels.ais_hidden_step_endpoint(
                self.c,
                p.b,
                beta_new,
                beta_old,
                dbeta,
                self.lin,
                seeds,
                self.logw,
                self.h,
                exact_new,
                exact_old,
            )
        else:
            _ais_kernels.ais_hidden_step(
                self.c, p.b, beta_new, beta_old, dbeta, self.lin, seeds, self.logw, self.h
            )
        if sample_visible:
            np.matmul(self.h, p.W.T, out=self.d)
            self.sample_visible(beta_new, rng)


def forward_run(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
    end_with_sweep: bool,
) -> tuple[_Annealer, np.ndarray]:
    """The forward annealing pass of :func:`ais` from the independent base to ``params``.

    ``end_with_sweep=False`` (AIS) stops after the last weight update, without drawing the
    last visible states; ``True`` (the temperature leg of trajectory AIS) also draws them, so
    the chains can continue. Returns the annealer (states ``v``, log-weights ``logw``) and the
    float32 betas.
    """
    b32 = check_betas(betas).astype(np.float32)
    if int(n_chains) < 1:
        raise ConfigError(f"AIS needs at least one chain, got {n_chains}")
    run = _Annealer(params, base_bias, int(n_chains))
    run.sample_base(rng)
    k_last = b32.size - 1
    for k in range(1, k_last + 1):
        run.step(b32[k], b32[k - 1], rng, sample_visible=end_with_sweep or k < k_last)
    return run, b32


def ais(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
) -> AISResult:
    """Forward AIS estimate of ``log Z`` (Salakhutdinov & Murray 2008).

    Parameters
    ----------
    params : RBMParams
        The RBM (W (N, M), a (N,), b (M,), float32).
    betas : ndarray, shape (K + 1,)
        Inverse temperatures from 0 to 1, strictly increasing (:func:`beta_schedule`);
        each chain makes ``K`` weight updates and ``K - 1`` block Gibbs sweeps.
    n_chains : int
        Number of independent annealing runs (importance samples).
    rng : numpy.random.Generator
        Source of the per-chain seeds.
    base_bias : ndarray, shape (N,)
        Visible biases ``a0`` of the base model (:func:`base_log_odds`).

    Returns
    -------
    AISResult
        ``log_z = log Z_0 + log mean w``, its standard error and the ESS.

    Notes
    -----
    With ``W = 0`` and ``base_bias = a`` every weight is the same number and the estimate is
    ``sum softplus(a) + sum softplus(b)`` up to float64 rounding.
    """
    run, b32 = forward_run(params, betas, n_chains, rng, base_bias, end_with_sweep=False)
    log_z0 = base_log_partition(run.a_base, params.n_hidden)
    log_mean, se, ess = weight_statistics(run.logw)
    return AISResult(log_z0 + log_mean, se, ess, run.logw.copy(), log_z0, False, int(b32.size))


def reverse_ais(
    params: RBMParams,
    betas: np.ndarray,
    v_start: np.ndarray,
    rng: np.random.Generator,
    base_bias: np.ndarray,
) -> AISResult:
    """Reverse AIS estimate of ``log Z`` (Burda, Grosse & Salakhutdinov 2015).

    The chains start at ``v_start`` (ideally exact samples of the RBM) at beta = 1 and are
    annealed down to the base model along the same path as :func:`ais`.

    Parameters
    ----------
    params : RBMParams
    betas : ndarray, shape (K + 1,)
        Inverse temperatures from 0 to 1, strictly increasing (used from 1 down to 0).
    v_start : ndarray, shape (n_chains, N)
        Binary start states: model samples (long Gibbs chains, :func:`model_samples`) or
        data.
    rng : numpy.random.Generator
    base_bias : ndarray, shape (N,)

    Returns
    -------
    AISResult
        ``log_z = log Z_0 - log mean w_rev``: an over-estimate of ``log Z`` in expectation
        when ``v_start`` are exact model samples.
    """
    betas = check_betas(betas)
    v_start = np.asarray(v_start)
    if v_start.ndim != 2 or v_start.shape[1] != params.n_visible or v_start.shape[0] < 1:
        raise ConfigError(
            f"reverse AIS start states must have shape (n_chains, {params.n_visible}), "
            f"got {v_start.shape}"
        )
    b32 = betas.astype(np.float32)
    run = _Annealer(params, base_bias, v_start.shape[0])
    run.set_visible(v_start)
    for k in range(b32.size - 1, 0, -1):
        run.step(b32[k - 1], b32[k], rng, sample_visible=k > 1)
    log_z0 = base_log_partition(run.a_base, params.n_hidden)
    log_mean, se, ess = weight_statistics(run.logw)
    return AISResult(log_z0 - log_mean, se, ess, run.logw.copy(), log_z0, True, int(b32.size))


def model_samples(
    params: RBMParams, v0: np.ndarray, sweeps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate samples of the RBM from ``sweeps`` block Gibbs sweeps started at ``v0``.

    Parameters
    ----------
    v0 : ndarray, shape (B, N)
        Start states (e.g. training images).
    sweeps : int
        Number of ``v -> h -> v`` sweeps (``>= 1``).

    Returns
    -------
    v : ndarray, shape (B, N), float32
        The final visible states.
    marginal : ndarray, shape (N,), float64
        ``mean_b p(v = 1 | h_b)`` over the final hidden states (a Rao-Blackwellised estimate
        of the visible marginals, used for the ``samples`` base model).
    """
    if int(sweeps) < 1:
        raise ConfigError(f"model sampling needs at least one Gibbs sweep, got {sweeps}")
    v, h = sample_chains(params, v0, int(sweeps), rng)
    return v, prob_v_given_h(h, params).astype(np.float64).mean(axis=0)


def mean_neg_free_energy(v: np.ndarray, params: RBMParams, chunk: int = 4096) -> float:
    """``mean_v [-F(v)]`` over the rows of ``v`` (B, N), float64, ``chunk`` rows at a time.

    ``F`` is :func:`rbm_reciprocal.core.rbm.free_energy` (stable softplus). The mean
    log-likelihood of ``v`` is this minus ``log Z``.
    """
    v = np.asarray(v)
    if v.ndim != 2 or v.shape[0] == 0:
        raise ValueError(f"need a non-empty (B, N) array of states, got shape {v.shape}")
    total = 0.0
    for s in range(0, v.shape[0], chunk):
        total += float(np.sum(-free_energy(v[s : s + chunk], params)))
    return total / v.shape[0]
