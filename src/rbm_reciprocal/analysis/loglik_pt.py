"""Log-likelihood at every checkpoint of one replica by parallel tempering along the
training trajectory (PTT) and Bennett's acceptance ratio (``loglik.trajectory.sampler: pt``).

1. **First checkpoint.** ``log Z_0`` by temperature AIS from the independent base
   (``n_betas`` betas, ``n_chains`` chains; the init is nearly independent), as the AIS
   sampler's first leg.
2. **Ladder.** :mod:`rbm_reciprocal.sampling.ladder`: ``pt_rungs`` rungs per checkpoint
   interval, ``pt_chains`` chains per rung started at random training images, ``pt_sweeps``
   sweeps of Gibbs + exchanges; after ``pt_burn`` sweeps the works of every pair of
   neighbouring rungs are recorded once per ``2 pt_thin`` sweeps.
3. **Estimates** (:mod:`rbm_reciprocal.analysis.bar`), summed over the pairs from the first
   checkpoint to checkpoint ``k``: ``log Z_k = log Z_0 + sum_i log(Z_{i+1}/Z_i)`` with each
   ratio from the forward exponential average (``log_z_ais``: biased low, like AIS), the
   reverse one (``log_z_rais``: biased high, like reverse AIS) and BAR (``log_z_bar``: the
   estimate to use). The chains' columns are independent ladders; ``pt_groups`` groups of
   columns give independent estimates whose spread is the standard error (with ``G - 1``
   degrees of freedom), combined with that of ``log Z_0``.

Unlike AIS the estimates are consistent (exact as the sweeps grow) but not unbiased in ``Z``
for a finite run: they rest on the chains being near equilibrium at every rung, which the
exchange acceptance (``pt_min_acceptance``) and the forward-reverse gap diagnose.

**Resume.** :func:`pt_pass` works on a state dict (chains, fields, works, sweep counter,
generator states) that it hands to ``save`` every ``pt_save_sweeps`` sweeps; restarted from the
last saved state it ends bit-identical to an uninterrupted run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.bar import log_ratio_bar, log_ratio_forward, log_ratio_reverse
from rbm_reciprocal.analysis.loglik import reference_columns, sample_rows
from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.analysis.loglik_trajectory import rng_state, set_rng_state
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.ais import (
    base_log_odds,
    base_log_partition,
    weight_statistics,
)
from rbm_reciprocal.sampling.backend import require_torch
from rbm_reciprocal.sampling.kernel_backend import trajectory_kernels
from rbm_reciprocal.sampling.ladder import (
    TrajectoryLadder,
    blocked_pairs,
    interval_counts,
    ladder_fields,
    ladder_positions,
    ladder_sweep,
    node_rungs,
)
from rbm_reciprocal.sampling.ladder_adapt import adapt_rungs
from rbm_reciprocal.sampling.schedules import beta_schedule

#: Smallest standard error a ladder row states (nats): the temperature AIS of the first
#: checkpoint is biased low by more than its delta-method s.e. at 1e-3 nats (measured -0.001
#: nats at z = -6 on a 784 x 16 init with weights x 4), so no row claims better than this.
SE_FLOOR = 0.005


def pt_records(settings: LoglikSettings) -> int:
    """Works recorded per pair of rungs and chain: ``(pt_sweeps - pt_burn) // (2 pt_thin)``."""
    return (settings.pt_sweeps - settings.pt_burn) // (2 * settings.pt_thin)


def _initial_state(
    ladder: TrajectoryLadder,
    counts: np.ndarray,
    train: np.ndarray,
    s: LoglikSettings,
    rngs: Sequence[np.random.Generator],
    log: Callable[[str], None],
) -> dict[str, np.ndarray]:
    """The state of :func:`pt_pass` before its first sweep: the base, the first leg's AIS
    from the base to the first checkpoint, and the ladder's chains started from images."""
    rng_samples, rng_leg, rng_pt = rngs
    params0 = ladder.params[0]
    n_rungs, n_rec, chains = ladder.n_rungs, pt_records(s), s.pt_chains
    model_samples, forward_leg, _, _ = trajectory_kernels(s.backend)
    start = sample_rows(train, s.n_chains, rng_samples)
    _, marginal = model_samples(params0, start, s.sample_sweeps, rng_samples)
    base = base_log_odds(train.mean(axis=0, dtype=np.float64) if s.base == "data" else marginal)
    t0 = time.perf_counter()
    _, logw0 = forward_leg(
        params0, beta_schedule(s.beta_schedule, s.n_betas), s.n_chains, rng_leg, base
    )
    v = _start_chains(train, n_rungs, chains, rng_pt)
    state = {
        "sweep": np.array(0),
        "v": v,
        "field": ladder_fields(ladder, v),
        "wf": np.zeros((n_rungs - 1, n_rec, chains)),
        "wr": np.zeros((n_rungs - 1, n_rec, chains)),
        "accepted": np.zeros(n_rungs - 1, np.int64),
        "attempts": np.zeros(n_rungs - 1, np.int64),
        "logw0": np.asarray(logw0, np.float64),
        "base": base,
        "seconds": np.array(time.perf_counter() - t0),
        "rng_pt": rng_state(rng_pt),
        "rung_counts": np.asarray(counts, np.int64),
    }
    log(f"first checkpoint: {s.n_betas} betas from the base; ladder of {n_rungs} rungs")
    return state


def _torch_runner(
    ladder: TrajectoryLadder, state: dict, s: LoglikSettings, rng_pt: np.random.Generator
) -> Any:
    """The ladder's chains on the torch device (None on the numba backend); its generator is
    seeded once from ``rng_pt``, or restored from the saved state."""
    if not s.backend.is_torch:
        return None
    dev = require_torch(s.backend)  # before importing the torch port
    from rbm_reciprocal.sampling.torch_ladder import TorchLadderRunner

    runner = TorchLadderRunner(ladder, state["v"], state["field"], dev)
    if "rng_torch" in state:
        runner.set_generator_state(state["rng_torch"])
    else:
        runner.seed(int(rng_pt.integers(0, np.iinfo(np.int64).max)))
    return runner


def pt_pass(
    params: Sequence[RBMParams],
    train: np.ndarray,
    settings: LoglikSettings,
    rngs: Sequence[np.random.Generator],
    state: dict[str, np.ndarray] | None = None,
    save: Callable[[dict[str, np.ndarray]], None] = lambda state: None,
    stop_after_sweeps: int | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> dict[str, np.ndarray] | None:
    """Run (or resume) the PTT ladder through ``params`` (the checkpoints, in order).

    ``rngs`` are the three streams of the job (model samples, first leg, ladder).
    Returns the final state: ``logw0`` (first-leg AIS log-weights), ``base``, ``wf``/``wr``
    (L - 1, T, C) works, ``accepted`` / ``attempts`` (L - 1,) exchange counts, ``seconds``;
    None when stopped after ``stop_after_sweeps`` sweeps of this call (for tests).
    """
    s = settings
    if not params:
        raise ConfigError("the PTT ladder needs at least one checkpoint")
    shape = params[0].W.shape
    if any(p.W.shape != shape for p in params):
        raise ConfigError(f"trajectory checkpoints must all be {shape}")
    rng_samples, rng_leg, rng_pt = rngs
    if state is not None:  # the saved ladder (a state from before adaptation: uniform)
        counts = np.asarray(state.get("rung_counts", interval_counts(len(params), s.pt_rungs)))
    elif s.pt_adapt_rounds > 0 and len(params) > 1:
        counts = _adapted(params, train, s, rng_pt, log)
    else:
        counts = interval_counts(len(params), s.pt_rungs)
    ladder = TrajectoryLadder(params, counts, s.pt_segment)
    n_rungs, n_rec, chains = ladder.n_rungs, pt_records(s), s.pt_chains
    if state is None:
        state = _initial_state(ladder, counts, train, s, rngs, log)
        save(state)
    state = {k: np.array(v) for k, v in state.items()}
    state["rung_counts"] = np.asarray(counts, np.int64)
    if state["v"].shape != (n_rungs, chains, shape[0]) or state["wf"].shape[1] != n_rec:
        raise ConfigError(
            "the saved ladder state does not match this job (path or settings changed); "
            "delete it to start afresh"
        )
    set_rng_state(rng_pt, state["rng_pt"])
    runner = _torch_runner(ladder, state, s, rng_pt)

    def sync() -> None:  # the saved state from the device (torch)
        state["rng_pt"] = rng_state(rng_pt)
        if runner is not None:
            state["v"], state["field"] = runner.export()
            state["rng_torch"] = runner.generator_state()

    done = 0
    block = 2 * s.pt_thin
    while int(state["sweep"]) < s.pt_sweeps:
        t, t0 = int(state["sweep"]), time.perf_counter()
        parity = t % 2
        if runner is None:
            wf, wr, acc = ladder_sweep(ladder, state["v"], state["field"], parity, rng_pt)
        else:
            wf, wr, acc = runner.sweep(parity)
        pairs = np.arange(parity, n_rungs - 1, 2)
        state["accepted"][pairs] += acc.sum(axis=1)
        state["attempts"][pairs] += np.where(ladder.blocked[pairs], 0, chains)
        q, phase = divmod(t - s.pt_burn, block)
        if t >= s.pt_burn and q < n_rec and phase < 2:
            state["wf"][pairs, q] = wf
            state["wr"][pairs, q] = wr
        state["sweep"] = np.array(t + 1)
        state["seconds"] = state["seconds"] + (time.perf_counter() - t0)
        done += 1
        stop = stop_after_sweeps is not None and done >= stop_after_sweeps
        if stop or (t + 1) % s.pt_save_sweeps == 0 or t + 1 == s.pt_sweeps:
            sync()
            save(state)
            log(f"sweep {t + 1}/{s.pt_sweeps}")
        if stop:
            return None
    sync()
    return state


def _start_chains(
    train: np.ndarray, n_rungs: int, chains: int, rng: np.random.Generator
) -> np.ndarray:
    """Chains of every rung (L, C, N) float32, each started at random training images."""
    return np.stack([sample_rows(train, chains, rng) for _ in range(n_rungs)]).astype(np.float32)


def _adapted(
    params: Sequence[RBMParams],
    train: np.ndarray,
    settings: LoglikSettings,
    rng_pt: np.random.Generator,
    log: Callable[[str], None],
) -> np.ndarray:
    """Rung counts per interval from the pilot rounds of :mod:`.ladder_adapt`, on a
    generator seeded from the ladder's stream (so a rerun repeats them exactly)."""
    s = settings
    rng = np.random.default_rng(int(rng_pt.integers(0, np.iinfo(np.int64).max)))
    factory = None
    if s.backend.is_torch:
        dev = require_torch(s.backend)
        from rbm_reciprocal.sampling.torch_ladder import TorchLadderRunner

        def factory(lad: TrajectoryLadder, v: np.ndarray, field: np.ndarray) -> Any:
            runner = TorchLadderRunner(lad, v, field, dev)
            runner.seed(int(rng.integers(0, np.iinfo(np.int64).max)))
            return runner

    return adapt_rungs(
        lambda counts: TrajectoryLadder(params, counts, s.pt_segment),
        lambda n: _start_chains(train, n, s.pt_chains, rng),
        len(params),
        s.pt_rungs,
        s.pt_adapt_rounds,
        s.pt_adapt_sweeps,
        s.pt_adapt_acceptance,
        s.pt_adapt_max_rungs,
        rng,
        factory,
        log,
    )


def _groups(n_chains: int, groups: int) -> list[np.ndarray]:
    return np.array_split(np.arange(n_chains), groups)


def pair_log_ratios(state: dict[str, np.ndarray], groups: int) -> dict[str, np.ndarray]:
    """Per pair of rungs ``log Z_{i+1}/Z_i`` (forward, reverse, BAR), all chains (L - 1,)
    and per group of chain columns (L - 1, G)."""
    wf, wr = state["wf"], state["wr"]
    cols = _groups(wf.shape[2], groups)
    out: dict[str, np.ndarray] = {}
    for name, fn in (("fwd", log_ratio_forward), ("rev", log_ratio_reverse)):
        out[name] = np.array([fn(w if name == "fwd" else r) for w, r in zip(wf, wr, strict=True)])
        out[f"{name}_g"] = np.array(
            [
                [fn((w if name == "fwd" else r)[:, c]) for c in cols]
                for w, r in zip(wf, wr, strict=True)
            ]
        ).reshape(len(wf), groups)
    out["bar"] = np.array([log_ratio_bar(w, r) for w, r in zip(wf, wr, strict=True)])
    out["bar_g"] = np.array(
        [[log_ratio_bar(w[:, c], r[:, c]) for c in cols] for w, r in zip(wf, wr, strict=True)]
    ).reshape(len(wf), groups)
    return out


def pt_rows(
    params: Sequence[RBMParams],
    epochs: Sequence[int],
    rows: Sequence[int],
    state: dict[str, np.ndarray],
    train: np.ndarray,
    test: np.ndarray,
    settings: LoglikSettings,
) -> list[dict[str, Any]]:
    """Table rows (numeric columns of ``LOGLIK_COLUMNS`` and ``epoch``) of the checkpoints
    whose epochs are in ``rows``, from a finished :func:`pt_pass` state."""
    s = settings
    groups = int(s.pt_groups)
    log_z0 = base_log_partition(state["base"], params[0].n_hidden)
    first, first_se, first_ess = weight_statistics(state["logw0"])
    ratios = pair_log_ratios(state, groups)
    rate = state["accepted"] / np.maximum(state["attempts"], 1)
    counts = state["rung_counts"]  # set by pt_pass (uniform for a state saved before it)
    at = node_rungs(len(params), counts, s.pt_segment)
    rate[blocked_pairs(*ladder_positions(len(params), counts, s.pt_segment))] = np.nan
    out = []
    for k, (p, epoch) in enumerate(zip(params, epochs, strict=True)):
        if int(epoch) not in {int(e) for e in rows}:
            continue
        n = int(at[k])
        est: dict[str, tuple[float, float]] = {}
        for name in ("fwd", "rev", "bar"):
            g = ratios[f"{name}_g"][:n].sum(axis=0)
            se_g = float(g.std(ddof=1) / np.sqrt(groups)) if n else 0.0
            value = log_z0 + first + float(ratios[name][:n].sum())
            est[name] = (value, max(float(np.hypot(se_g, first_se)), SE_FLOOR))
        ref = reference_columns(p, train, test, s, state["v"][at[k]])
        exact, nf_test, nf_train = ref["log_z_exact"], ref["nf_test"], ref["nf_train"]
        z_f, z_r, z_b = est["fwd"][0], est["rev"][0], est["bar"][0]
        out.append(
            {
                "epoch": int(epoch),
                "log_z_ais": z_f,
                "log_z_ais_se": est["fwd"][1],
                "log_z_rais": z_r,
                "log_z_rais_se": est["rev"][1],
                "log_z_exact": exact,
                "test_ll_ais": nf_test - z_f,
                "test_ll_rais": nf_test - z_r,
                "test_ll_exact": nf_test - exact,
                "train_ll_ais": nf_train - z_f,
                "train_ll_rais": nf_train - z_r,
                "train_ll_exact": nf_train - exact,
                "ess_ais": first_ess if n == 0 else float("nan"),
                "ess_rais": float("nan"),
                "log_z_base": log_z0,
                "n_chains": s.pt_chains,
                "n_betas": s.n_betas,
                "beta_schedule": s.beta_schedule,
                "base": s.base,
                "rais_start": "ladder",
                "sample_sweeps": s.sample_sweeps,
                "n_test": int(test.shape[0]),
                "n_train": int(train.shape[0]),
                "ais_seconds": float(state["seconds"]),
                "rais_seconds": 0.0,
                "wall_seconds": float(state["seconds"]),
                "estimator": "trajectory-pt",
                "traj_steps": s.pt_sweeps,
                "path_checkpoints": len(params),
                "traj_groups": groups,
                "resample_events": 0,
                "log_z_ais_check": float("nan"),
                "log_z_ais_check_se": float("nan"),
                "log_z_rais_check": float("nan"),
                "log_z_rais_check_se": float("nan"),
                "check_betas": 0,
                "log_z_bar": z_b,
                "log_z_bar_se": est["bar"][1],
                "test_ll_bar": nf_test - z_b,
                "train_ll_bar": nf_train - z_b,
                # rungs of the interval that ends here (the first interval's at epoch 0)
                "pt_rungs": int(counts[max(k - 1, 0)]) if len(counts) else s.pt_rungs,
                "pt_min_acceptance": float(np.nanmin(rate[:n])) if n else float("nan"),
                "log_z_lower": ref["log_z_lower"],
                "lower_states": ref["lower_states"],
            }
        )
    return out
