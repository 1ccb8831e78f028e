"""Per-checkpoint log-likelihood estimates (Fig. 1 left): settings, one job, the table.

One job takes a training checkpoint and the dataset and writes a one-row table with the AIS
and reverse-AIS estimates of ``log Z`` (:mod:`rbm_reciprocal.sampling.ais`), the test and training
log-likelihoods they imply, ``LL = mean_v [-F(v)] - log Z``, and the exact values when the
smaller layer is small enough to enumerate (:mod:`rbm_reciprocal.sampling.partition`).

Randomness: the stream of a job is ``SeedSequence([seed, crc32("loglik"), crc32(method),
hidden, replica, epoch])``, spawned into three independent streams (model samples, AIS,
reverse AIS), so every job is reproducible on its own and independent of the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.ais import base_log_odds, mean_neg_free_energy
from rbm_reciprocal.sampling.kernel_backend import loglik_kernels
from rbm_reciprocal.sampling.lower_bound import log_z_lower_bound
from rbm_reciprocal.sampling.partition import log_partition_exact
from rbm_reciprocal.sampling.schedules import beta_schedule


def sample_rows(data: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random rows of ``data`` as float32 (without replacement when possible)."""
    idx = rng.choice(data.shape[0], size=n, replace=n > data.shape[0])
    return data[np.sort(idx)].astype(np.float32)


def reference_columns(
    params: RBMParams,
    train: np.ndarray,
    test: np.ndarray,
    settings: LoglikSettings,
    chains: np.ndarray | None = None,
) -> dict[str, float]:
    """What every estimator's row states besides its estimate: the exact ``log Z`` (when
    ``min(N, M) <= exact_max_units``, else NaN), the mean ``-F`` of the test and training
    images (``nf_test``, ``nf_train``), and the rigorous lower bound ``log_z_lower``
    (:func:`~rbm_reciprocal.sampling.lower_bound.log_z_lower_bound`) with ``lower_states``
    distinct hidden states, searched from ``n_chains`` evenly spaced training images and the
    estimator's ``chains`` (visible states at this model, if any)."""
    exact = float("nan")
    if min(params.W.shape) <= settings.exact_max_units:
        exact = log_partition_exact(params)
    pick = np.linspace(0, train.shape[0] - 1, min(settings.n_chains, train.shape[0]))
    starts = train[pick.astype(np.int64)]
    if chains is not None:
        starts = np.concatenate([starts, np.asarray(chains).reshape(-1, train.shape[1])])
    bound = log_z_lower_bound(params, starts)
    return {
        "log_z_exact": exact,
        "nf_test": mean_neg_free_energy(test, params),
        "nf_train": mean_neg_free_energy(train, params),
        "log_z_lower": bound.log_z,
        "lower_states": bound.n_hidden,
    }


def estimate_loglik(
    params: RBMParams,
    train: np.ndarray,
    test: np.ndarray,
    settings: LoglikSettings,
    rngs: Sequence[np.random.Generator],
    log: Callable[[str], None] = lambda msg: None,
) -> dict[str, Any]:
    """AIS, reverse AIS and (if feasible) exact log-likelihoods of one model.

    Parameters
    ----------
    params : RBMParams
        The model, W (N, M).
    train, test : ndarray, shapes (n_train, N), (n_test, N)
        Binary images (any dtype).
    settings : LoglikSettings
    rngs : three numpy.random.Generator
        Streams for the model samples, AIS and reverse AIS (:func:`loglik_rng`).
    log : callable
        Receives progress lines.

    Returns
    -------
    dict
        The numeric columns of :data:`LOGLIK_COLUMNS` (no identity columns).
    """
    s = settings
    rng_samples, rng_ais, rng_rais = rngs
    t_start = time.perf_counter()
    betas = beta_schedule(s.beta_schedule, s.n_betas)
    model_samples, ais, reverse_ais = loglik_kernels(s.backend)

    start = sample_rows(train, s.n_chains, rng_samples)
    samples, marginal = model_samples(params, start, s.sample_sweeps, rng_samples)
    mean = train.mean(axis=0, dtype=np.float64) if s.base == "data" else marginal
    base = base_log_odds(mean)
    log(f"model samples: {s.n_chains} chains x {s.sample_sweeps} sweeps")

    t0 = time.perf_counter()
    fwd = ais(params, betas, s.n_chains, rng_ais, base)
    t_ais = time.perf_counter() - t0
    log(f"AIS:  log Z = {fwd.log_z:.4f} +- {fwd.log_z_se:.4f} (ESS {fwd.ess:.1f}), {t_ais:.1f} s")

    v_rev = samples if s.rais_start == "samples" else sample_rows(test, s.n_chains, rng_rais)
    t0 = time.perf_counter()
    rev = reverse_ais(params, betas, v_rev, rng_rais, base)
    t_rais = time.perf_counter() - t0
    log(f"RAIS: log Z = {rev.log_z:.4f} +- {rev.log_z_se:.4f} (ESS {rev.ess:.1f}), {t_rais:.1f} s")

    ref = reference_columns(params, train, test, s, samples)
    exact, nf_test, nf_train = ref["log_z_exact"], ref["nf_test"], ref["nf_train"]
    log(f"lower bound: log Z >= {ref['log_z_lower']:.4f} ({ref['lower_states']} hidden states)")
    if np.isfinite(exact):
        log(f"exact: log Z = {exact:.4f}")
    return {
        "log_z_ais": fwd.log_z,
        "log_z_ais_se": fwd.log_z_se,
        "log_z_rais": rev.log_z,
        "log_z_rais_se": rev.log_z_se,
        "log_z_exact": exact,
        "test_ll_ais": nf_test - fwd.log_z,
        "test_ll_rais": nf_test - rev.log_z,
        "test_ll_exact": nf_test - exact,
        "train_ll_ais": nf_train - fwd.log_z,
        "train_ll_rais": nf_train - rev.log_z,
        "train_ll_exact": nf_train - exact,
        "ess_ais": fwd.ess,
        "ess_rais": rev.ess,
        "log_z_base": fwd.log_z_base,
        "n_chains": s.n_chains,
        "n_betas": s.n_betas,
        "beta_schedule": s.beta_schedule,
        "base": s.base,
        "rais_start": s.rais_start,
        "sample_sweeps": s.sample_sweeps,
        "n_test": int(test.shape[0]),
        "n_train": int(train.shape[0]),
        "ais_seconds": t_ais,
        "rais_seconds": t_rais,
        "wall_seconds": time.perf_counter() - t_start,
        "estimator": "standard",
        "traj_steps": 0,
        "path_checkpoints": 1,
        "traj_groups": 0,
        "resample_events": 0,
        "log_z_ais_check": float("nan"),
        "log_z_ais_check_se": float("nan"),
        "log_z_rais_check": float("nan"),
        "log_z_rais_check_se": float("nan"),
        "check_betas": 0,
        "log_z_lower": ref["log_z_lower"],
        "lower_states": ref["lower_states"],
    }
