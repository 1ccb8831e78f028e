"""Log-likelihood at every checkpoint of one replica by trajectory AIS (Fig. 1 left).

One job anneals along the replica's training trajectory (:mod:`rbm_reciprocal.sampling.
trajectory`), with ``K = settings.traj_steps`` steps per interval between consecutive
checkpoints ``theta_0, ..., theta_P`` (the path nodes):

1. **Start.** Model samples of the first and last checkpoints (``sample_sweeps`` Gibbs
   sweeps from training images). The base model is built from the first one as in
   :func:`rbm_reciprocal.analysis.loglik.estimate_loglik` (``base``).
2. **Forward pass** (stochastic lower bounds). Temperature AIS from the independent base to
   ``theta_0`` (``n_betas`` betas; the init is nearly independent, so this is cheap and
   accurate), then along the trajectory. The cumulative log-weight ``F_k`` of the chains
   reaching node ``k`` gives ``log Z_k = log Z_base + log mean exp(F_k)``: one AIS run from the
   base to every node.
3. **Reverse pass** (stochastic upper bounds, Burda et al. 2015). From the samples of
   ``theta_P`` back along the trajectory to ``theta_0`` and down the temperature path to the
   base. With ``R_k`` the cumulative reverse log-weight on arrival at node ``k`` and ``R``
   the total, the chains leaving node ``k`` are taken as samples of ``p_k`` (as reverse AIS
   takes long Gibbs chains), so ``log Z_k = log Z_base - log mean exp(R - R_k)``; at the last
   node this is plain reverse AIS along the whole path.

**Resampling** (``settings.traj_resample_ess > 0``; :mod:`rbm_reciprocal.sampling.resample`;
the forward pass, and the reverse pass only with ``traj_resample_reverse``).
The chains form ``G = traj_groups`` independent groups; along the trajectory intervals (not
the temperature legs) a group whose ESS falls below ``traj_resample_ess`` times its size is
resampled (systematic), its ``log mean w`` folded into its accumulator ``acc_g`` and its
weights reset. The group's running estimate ``L_g = acc_g + log mean_{i in g} w_i`` is an SMC
estimate, unbiased in ``exp``. Forward: ``log Z_k = log Z_base + log mean_g exp(L_g(k))``,
with the delta-method standard error from the spread of the ``G`` group estimates. Reverse
(with ``traj_resample_reverse``; else as above):
``log Z_k = log Z_base - log mean_g exp(L_g(base) - L_g(k))`` (at the last node plain reverse
SMC; elsewhere the weighted chains at node ``k`` stand for ``p_k``). The ESS columns are then
the ESS of the node's chain weights ``exp(acc_g + log w_i)`` pooled over the groups (forward)
and of the final reverse weights (reverse, when resampled).

**Resume.** :func:`trajectory_pass` works on a state dict (chains, log-weights, position on
the path, generator states) that it hands to ``save`` every ``save_every`` intervals and at
the end of each phase; restarted from the last saved state it ends bit-identical to an
uninterrupted run (the generators continue from their saved state, and the kernels are
deterministic for a fixed BLAS thread count).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.loglik import reference_columns, sample_rows
from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.ais import (
    base_log_odds,
    base_log_partition,
    weight_statistics,
)
from rbm_reciprocal.sampling.kernel_backend import trajectory_kernels
from rbm_reciprocal.sampling.resample import GroupResampler, group_log_estimates, pooled_ess
from rbm_reciprocal.sampling.schedules import beta_schedule

#: Phases of the state: start, forward along the path, reverse along the path, finished.
START, FORWARD, REVERSE, DONE = 0, 1, 2, 3


def rng_state(rng: np.random.Generator) -> np.ndarray:
    return np.array(json.dumps(rng.bit_generator.state))


def set_rng_state(rng: np.random.Generator, state: np.ndarray) -> None:
    rng.bit_generator.state = json.loads(str(state))


def _initial_state(
    params: Sequence[RBMParams],
    train: np.ndarray,
    s: LoglikSettings,
    rngs: Sequence[np.random.Generator],
    groups: int,
    model_samples: Callable,
    forward_leg: Callable,
    log: Callable[[str], None],
) -> dict[str, np.ndarray]:
    """The state of :func:`trajectory_pass` after its first leg: model samples of the first
    and last checkpoints, the base, and the forward AIS from the base to ``params[0]``."""
    rng_samples, rng_fwd, rng_rev = rngs
    n_nodes = len(params)
    start = sample_rows(train, s.n_chains, rng_samples)
    _, marginal = model_samples(params[0], start, s.sample_sweeps, rng_samples)
    mean = train.mean(axis=0, dtype=np.float64) if s.base == "data" else marginal
    v_last, _ = model_samples(params[-1], start, s.sample_sweeps, rng_samples)
    log(f"model samples: {s.n_chains} chains x {s.sample_sweeps} sweeps")
    base = base_log_odds(mean)
    t0 = time.perf_counter()
    betas = beta_schedule(s.beta_schedule, s.n_betas)
    v, logw = forward_leg(params[0], betas, s.n_chains, rng_fwd, base)
    fwd = np.full((n_nodes, s.n_chains), np.nan)
    fwd[0] = logw
    state = {
        "phase": np.array(FORWARD),
        "interval": np.array(0),
        "v": np.asarray(v, np.float32),
        "logw": np.asarray(logw, np.float64),
        "fwd": fwd,
        "rev": np.full((n_nodes, s.n_chains), np.nan),
        "rev_total": np.zeros(s.n_chains),
        "acc": np.zeros(groups),
        "fwd_acc": np.zeros((n_nodes, groups)),
        "rev_acc": np.zeros((n_nodes, groups)),
        "rev_total_acc": np.zeros(groups),
        "events": np.zeros(2, np.int64),
        "v_last": np.asarray(v_last, np.float32),
        "base": base,
        "fwd_seconds": np.array(time.perf_counter() - t0),
        "rev_seconds": np.array(0.0),
        "rng_fwd": rng_state(rng_fwd),
        "rng_rev": rng_state(rng_rev),
    }
    log(f"first checkpoint: {s.n_betas} betas from the base, {state['fwd_seconds']:.1f} s")
    return state


def _finish_phase(
    state: dict[str, np.ndarray],
    first: RBMParams,
    s: LoglikSettings,
    groups: int,
    rng_rev: np.random.Generator,
    reverse_leg: Callable,
    forward: bool,
) -> None:
    """End of a phase of :func:`trajectory_pass`, in place: after the forward phase the
    reverse starts from the last checkpoint's samples; after the reverse, its last leg runs
    from ``first`` back to the base."""
    n_nodes = state["fwd"].shape[0]
    if forward:
        state.update(phase=np.array(REVERSE), interval=np.array(0))
        state["v"] = state["v_last"].copy()
        state["logw"] = np.zeros(s.n_chains)
        state["acc"] = np.zeros(groups)
        state["rev"][n_nodes - 1] = 0.0
        return
    t0 = time.perf_counter()
    betas = beta_schedule(s.beta_schedule, s.n_betas)
    leg = reverse_leg(first, betas, state["v"], rng_rev, state["base"])
    state["rev_total"] = state["logw"] + leg.log_weights
    state["rev_total_acc"] = state["acc"].copy()
    state["rev_seconds"] = state["rev_seconds"] + (time.perf_counter() - t0)
    state["phase"] = np.array(DONE)
    state["rng_rev"] = rng_state(rng_rev)


def _interval(
    state: dict[str, np.ndarray],
    p_from: RBMParams,
    p_to: RBMParams,
    k_to: int,
    s: LoglikSettings,
    groups: int,
    interval: Callable,
    rngs: Sequence[np.random.Generator],
    forward: bool,
) -> None:
    """One interval of :func:`trajectory_pass` (forward or reverse), in place: the chains move
    from ``p_from`` to ``p_to`` and their cumulative log-weights are stored at node ``k_to``."""
    rng = rngs[1] if forward else rngs[2]
    t0 = time.perf_counter()
    resampler = None
    if float(s.traj_resample_ess) > 0 and (forward or s.traj_resample_reverse):
        resampler = GroupResampler(s.n_chains, groups, s.traj_resample_ess, state["acc"])
    v, logw = interval(p_from, p_to, s.traj_steps, state["v"], state["logw"], rng, resampler)
    key = "fwd" if forward else "rev"
    if resampler is not None:
        state["acc"] = resampler.acc.copy()
        state["events"][0 if forward else 1] += resampler.events
    state[f"{key}_acc"][k_to] = state["acc"]
    state[f"{key}_seconds"] = state[f"{key}_seconds"] + (time.perf_counter() - t0)
    state["v"], state["logw"] = np.asarray(v, np.float32), np.asarray(logw, np.float64)
    state[key][k_to] = state["logw"]


def trajectory_pass(
    params: Sequence[RBMParams],
    train: np.ndarray,
    settings: LoglikSettings,
    rngs: Sequence[np.random.Generator],
    state: dict[str, np.ndarray] | None = None,
    save: Callable[[dict[str, np.ndarray]], None] = lambda state: None,
    stop_after_intervals: int | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> dict[str, np.ndarray] | None:
    """Forward and reverse trajectory AIS along ``params`` (the path nodes, in order).

    Parameters
    ----------
    params : sequence of RBMParams
        The checkpoints of the path (at least one), all N x M.
    train : ndarray, shape (n_train, N)
        Training images (start states of the model-sample chains).
    settings : LoglikSettings
        ``n_chains``, ``n_betas`` and ``beta_schedule`` (first leg), ``traj_steps``,
        ``base``, ``sample_sweeps``, ``save_every``, ``backend``.
    rngs : three numpy.random.Generator
        Streams of the model samples, the forward and the reverse pass.
    state : dict, optional
        A state saved by an earlier call (resume); None starts afresh.
    save : callable
        Receives the state (a dict of arrays) whenever it should be saved.
    stop_after_intervals : int, optional
        Return None (as if killed) right after saving once this many intervals were done in
        this call. For tests.

    Returns
    -------
    dict or None
        The final state: ``fwd`` (P, C) cumulative forward log-weights at each node, ``rev``
        (P, C) cumulative reverse log-weights on arrival, ``rev_total`` (C,), ``base`` (N,),
        ``fwd_seconds``, ``rev_seconds``, the group accumulators ``fwd_acc`` (P, G),
        ``rev_acc`` (P, G), ``rev_total_acc`` (G,) (zero without resampling, G = 1) and
        ``events`` (forward, reverse resamplings); None when stopped early.
    """
    s = settings
    if not params:
        raise ConfigError("trajectory AIS needs at least one checkpoint")
    shape = params[0].W.shape
    for p in params:
        if p.W.shape != shape:
            raise ConfigError(f"trajectory checkpoints must all be {shape}, got {p.W.shape}")
    model_samples, forward_leg, interval, reverse_leg = trajectory_kernels(s.backend)
    rng_samples, rng_fwd, rng_rev = rngs
    n_nodes = len(params)
    resample = float(s.traj_resample_ess) > 0
    groups = int(s.traj_groups) if resample else 1
    if state is None:
        state = _initial_state(params, train, s, rngs, groups, model_samples, forward_leg, log)
        save(state)
    state = {k: np.array(v) for k, v in state.items()}
    if (
        state["fwd"].shape != (n_nodes, s.n_chains)
        or state["base"].shape != (shape[0],)
        or state["acc"].shape != (groups,)
    ):
        raise ConfigError(
            "the saved trajectory state does not match this job (path or chains changed); "
            "delete it to start afresh"
        )
    set_rng_state(rng_fwd, state["rng_fwd"])
    set_rng_state(rng_rev, state["rng_rev"])
    done = 0
    while int(state["phase"]) in (FORWARD, REVERSE):
        forward = int(state["phase"]) == FORWARD
        i = int(state["interval"])
        if i >= n_nodes - 1:  # phase finished
            _finish_phase(state, params[0], s, groups, rng_rev, reverse_leg, forward)
            save(state)
            continue
        k_from, k_to = (i, i + 1) if forward else (n_nodes - 1 - i, n_nodes - 2 - i)
        _interval(state, params[k_from], params[k_to], k_to, s, groups, interval, rngs, forward)
        state["interval"] = np.array(i + 1)
        state["rng_fwd"], state["rng_rev"] = rng_state(rng_fwd), rng_state(rng_rev)
        done += 1
        stop = stop_after_intervals is not None and done >= stop_after_intervals
        if stop or (i + 1) % s.save_every == 0:
            save(state)
        if stop:
            return None
        log(f"{'forward' if forward else 'reverse'} interval {i + 1}/{n_nodes - 1}")
    return state


def trajectory_rows(
    params: Sequence[RBMParams],
    epochs: Sequence[int],
    rows: Sequence[int],
    state: dict[str, np.ndarray],
    train: np.ndarray,
    test: np.ndarray,
    settings: LoglikSettings,
) -> list[dict[str, Any]]:
    """The table rows (numeric columns of ``LOGLIK_COLUMNS`` and ``epoch``) of the path nodes
    whose epochs are in ``rows``, from a finished :func:`trajectory_pass` state."""
    s = settings
    log_z0 = base_log_partition(state["base"], params[0].n_hidden)
    out = []
    for k, (p, epoch) in enumerate(zip(params, epochs, strict=True)):
        if int(epoch) not in {int(e) for e in rows}:
            continue
        if s.traj_resample_ess > 0:
            groups_fwd = group_log_estimates(state["fwd"][k], state["fwd_acc"][k])
            fwd, fwd_se, _ = weight_statistics(groups_fwd)
            fwd_ess = pooled_ess(state["fwd"][k], state["fwd_acc"][k])
        else:
            fwd, fwd_se, fwd_ess = weight_statistics(state["fwd"][k])
        if s.traj_resample_ess > 0 and s.traj_resample_reverse:
            end = group_log_estimates(state["rev_total"], state["rev_total_acc"])
            back = end - group_log_estimates(state["rev"][k], state["rev_acc"][k])
            rev, rev_se, _ = weight_statistics(back)
            rev_ess = pooled_ess(state["rev_total"], state["rev_total_acc"])
        else:
            rev, rev_se, rev_ess = weight_statistics(state["rev_total"] - state["rev"][k])
        log_z_ais, log_z_rais = log_z0 + fwd, log_z0 - rev
        ref = reference_columns(p, train, test, s)
        exact, nf_test, nf_train = ref["log_z_exact"], ref["nf_test"], ref["nf_train"]
        out.append(
            {
                "epoch": int(epoch),
                "log_z_ais": log_z_ais,
                "log_z_ais_se": fwd_se,
                "log_z_rais": log_z_rais,
                "log_z_rais_se": rev_se,
                "log_z_exact": exact,
                "test_ll_ais": nf_test - log_z_ais,
                "test_ll_rais": nf_test - log_z_rais,
                "test_ll_exact": nf_test - exact,
                "train_ll_ais": nf_train - log_z_ais,
                "train_ll_rais": nf_train - log_z_rais,
                "train_ll_exact": nf_train - exact,
                "ess_ais": fwd_ess,
                "ess_rais": rev_ess,
                "log_z_base": log_z0,
                "n_chains": s.n_chains,
                "n_betas": s.n_betas,
                "beta_schedule": s.beta_schedule,
                "base": s.base,
                "rais_start": "samples",
                "sample_sweeps": s.sample_sweeps,
                "n_test": int(test.shape[0]),
                "n_train": int(train.shape[0]),
                "ais_seconds": float(state["fwd_seconds"]),
                "rais_seconds": float(state["rev_seconds"]),
                "wall_seconds": float(state["fwd_seconds"] + state["rev_seconds"]),
                "estimator": "trajectory",
                "traj_steps": s.traj_steps,
                "path_checkpoints": len(params),
                "traj_groups": int(s.traj_groups) if s.traj_resample_ess > 0 else 0,
                "resample_events": int(state["events"].sum()),
                "log_z_ais_check": float("nan"),
                "log_z_ais_check_se": float("nan"),
                "log_z_rais_check": float("nan"),
                "log_z_rais_check_se": float("nan"),
                "check_betas": 0,
                "log_z_lower": ref["log_z_lower"],
                "lower_states": ref["lower_states"],
            }
        )
    return out
