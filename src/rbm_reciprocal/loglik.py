"""Per-checkpoint log-likelihood estimates (Fig. 1 left): settings, one job, the table.

One job takes a training checkpoint and the dataset and writes a one-row table with the AIS
and reverse-AIS estimates of ``log Z`` (:mod:`rbm_reciprocal.ais`), the test and training
log-likelihoods they imply, ``LL = mean_v [-F(v)] - log Z``, and the exact values when the
smaller layer is small enough to enumerate (:mod:`rbm_reciprocal.partition`).

Randomness: the stream of a job is ``SeedSequence([seed, crc32("loglik"), crc32(method),
hidden, replica, epoch])``, spawned into three independent streams (model samples, AIS,
reverse AIS), so every job is reproducible on its own and independent of the others.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .ais import (
    BETA_SCHEDULES,
    ais,
    base_log_odds,
    beta_schedule,
    mean_neg_free_energy,
    model_samples,
    reverse_ais,
)
from .backend import BackendSettings, backend_from_config, require_torch
from .errors import ConfigError
from .io import save_parquet
from .partition import log_partition_exact
from .rbm import RBMParams

BASES = ("data", "samples")
RAIS_STARTS = ("samples", "test")

#: Columns of a job's row and of ``results/loglik/loglik.parquet``.
LOGLIK_COLUMNS = (
    "method",
    "hidden",
    "replica",
    "epoch",
    "log_z_ais",  # AIS estimate of log Z (tends to under-estimate)
    "log_z_ais_se",  # its delta-method standard error
    "log_z_rais",  # reverse-AIS estimate (tends to over-estimate)
    "log_z_rais_se",
    "log_z_exact",  # exact log Z when min(N, M) <= exact_max_units, else NaN
    "test_ll_ais",  # mean test log-likelihood mean(-F(v)) - log_z_ais (nats per image)
    "test_ll_rais",
    "test_ll_exact",
    "train_ll_ais",
    "train_ll_rais",
    "train_ll_exact",
    "ess_ais",  # effective sample size of the AIS weights (1..n_chains)
    "ess_rais",
    "log_z_base",  # log Z of the beta = 0 base model
    "n_chains",
    "n_betas",
    "beta_schedule",
    "base",
    "rais_start",
    "sample_sweeps",
    "n_test",
    "n_train",
    "ais_seconds",
    "rais_seconds",
    "wall_seconds",  # whole job, data loading excluded
)


@dataclass(frozen=True)
class LoglikSettings:
    """Settings of one log-likelihood job (config section ``loglik``).

    Attributes
    ----------
    n_chains : int
        AIS chains, reverse-AIS chains and model-sample chains (each).
    beta_schedule : {"uniform", "piecewise"}
        See :func:`rbm_reciprocal.ais.beta_schedule`.
    n_betas : int
        Inverse temperatures per annealing run (``n_betas - 1`` Gibbs sweeps).
    base : {"data", "samples"}
        Base-model visible biases: log-odds of the training-data mean, or of the
        Rao-Blackwellised visible marginals of the model samples.
    rais_start : {"samples", "test"}
        Reverse-AIS chains start at the model samples or at random test images.
    sample_sweeps : int
        Gibbs sweeps of the model-sample chains (started at random training images).
    exact_max_units : int
        Also compute the exact ``log Z`` when ``min(N, M)`` is at most this (0: never).
    seed : int
        Master seed (the job's stream also depends on method, hidden, replica and epoch).
    backend : BackendSettings
        Implementation of the model-sample chains, AIS and reverse AIS (numpy/numba or
        torch, :mod:`rbm_reciprocal.backend`); free energies and exact values stay numpy.
    """

    n_chains: int = 400
    beta_schedule: str = "uniform"
    n_betas: int = 500_000
    base: str = "samples"
    rais_start: str = "samples"
    sample_sweeps: int = 1000
    exact_max_units: int = 20
    seed: int = 0
    backend: BackendSettings = dataclasses.field(default_factory=BackendSettings)

    def __post_init__(self) -> None:
        if self.beta_schedule not in BETA_SCHEDULES:
            raise ConfigError(
                f"unknown beta schedule {self.beta_schedule!r}; use one of {BETA_SCHEDULES}"
            )
        if self.base not in BASES:
            raise ConfigError(f"unknown AIS base {self.base!r}; use one of {BASES}")
        if self.rais_start not in RAIS_STARTS:
            raise ConfigError(
                f"unknown reverse-AIS start {self.rais_start!r}; use one of {RAIS_STARTS}"
            )
        for name in ("n_chains", "n_betas", "sample_sweeps"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"loglik setting {name} must be >= 1, got {getattr(self, name)}")
        beta_schedule(self.beta_schedule, self.n_betas)  # checks the size

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LoglikSettings:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown loglik settings {unknown}; known: {sorted(known)}")
        d = dict(d)
        if "backend" in d:
            d["backend"] = BackendSettings.from_value(d["backend"])
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def loglik_epochs_from_config(config: dict[str, Any], checkpoints: Sequence[int]) -> list[int]:
    """``config['loglik']['epochs']``, checked against the training checkpoints.

    Raises
    ------
    ConfigError
        If an epoch is not a checkpoint of the training schedule.
    """
    wanted = sorted({int(e) for e in config["loglik"]["epochs"]})
    missing = sorted(set(wanted) - {int(e) for e in checkpoints})
    if missing:
        raise ConfigError(
            f"loglik.epochs {missing} are not training checkpoints "
            f"(checkpoints: {list(checkpoints)}); add them to training.checkpoints "
            "or change loglik.epochs"
        )
    return wanted


def loglik_settings_from_config(config: dict[str, Any]) -> dict[str, Any]:
    """Plain-dict :class:`LoglikSettings` of the workflow's ``loglik`` section."""
    c = config["loglik"]
    settings = {
        "n_chains": int(c["n_chains"]),
        "beta_schedule": str(c["betas"]["schedule"]),
        "n_betas": int(c["betas"]["n"]),
        "base": str(c["base"]),
        "rais_start": str(c["rais_start"]),
        "sample_sweeps": int(c["sample_sweeps"]),
        "exact_max_units": int(c["exact_max_units"]),
        "seed": int(config["seed"]),
        "backend": backend_from_config(config),
    }
    LoglikSettings.from_dict(settings)  # fail early, with the package's message
    return settings


def loglik_rng(
    seed: int, method: str, hidden: int, replica: int, epoch: int
) -> list[np.random.Generator]:
    """Three independent streams (samples, AIS, reverse AIS) of one job."""
    ss = np.random.SeedSequence(
        [
            int(seed),
            zlib.crc32(b"loglik"),
            zlib.crc32(method.encode()),
            int(hidden),
            int(replica),
            int(epoch),
        ]
    )
    return [np.random.Generator(np.random.PCG64(s)) for s in ss.spawn(3)]


def _rows(data: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random rows of ``data`` as float32 (without replacement when possible)."""
    idx = rng.choice(data.shape[0], size=n, replace=n > data.shape[0])
    return data[np.sort(idx)].astype(np.float32)


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

    start = _rows(train, s.n_chains, rng_samples)
    samples, marginal = model_samples(params, start, s.sample_sweeps, rng_samples)
    mean = train.mean(axis=0, dtype=np.float64) if s.base == "data" else marginal
    base = base_log_odds(mean)
    log(f"model samples: {s.n_chains} chains x {s.sample_sweeps} sweeps")

    t0 = time.perf_counter()
    fwd = ais(params, betas, s.n_chains, rng_ais, base)
    t_ais = time.perf_counter() - t0
    log(f"AIS:  log Z = {fwd.log_z:.4f} +- {fwd.log_z_se:.4f} (ESS {fwd.ess:.1f}), {t_ais:.1f} s")

    v_rev = samples if s.rais_start == "samples" else _rows(test, s.n_chains, rng_rais)
    t0 = time.perf_counter()
    rev = reverse_ais(params, betas, v_rev, rng_rais, base)
    t_rais = time.perf_counter() - t0
    log(f"RAIS: log Z = {rev.log_z:.4f} +- {rev.log_z_se:.4f} (ESS {rev.ess:.1f}), {t_rais:.1f} s")

    exact = float("nan")
    if min(params.W.shape) <= s.exact_max_units:
        exact = log_partition_exact(params)
        log(f"exact: log Z = {exact:.4f}")

    nf_test = mean_neg_free_energy(test, params)
    nf_train = mean_neg_free_energy(train, params)
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
    }


def run_loglik(
    checkpoint: str | Path,
    data: str | Path,
    out: str | Path,
    settings: LoglikSettings,
    method: str,
    hidden: int,
    replica: int,
    epoch: int,
    log: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """One workflow job: read a checkpoint and the dataset, write the one-row table ``out``."""
    from .data import load_dataset
    from .train import load_checkpoint

    if log is None:

        def log(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)

    if settings.backend.is_torch:
        require_torch(settings.backend)  # before any work
    params = load_checkpoint(checkpoint)
    if params.n_hidden != int(hidden):
        raise ConfigError(
            f"{checkpoint}: W has {params.n_hidden} hidden units, the job says M={hidden}"
        )
    ds = load_dataset(data)
    if ds.n_visible != params.n_visible:
        raise ConfigError(
            f"{checkpoint} has {params.n_visible} visible units, the data {ds.n_visible}"
        )
    tag = f"[{method} M={hidden} replica {replica} epoch {epoch}]"
    log(
        f"{tag} {settings.n_chains} chains x {settings.n_betas} betas "
        f"({settings.beta_schedule}), base {settings.base}, RAIS from {settings.rais_start}"
    )
    row = estimate_loglik(
        params,
        ds.train,
        ds.test,
        settings,
        loglik_rng(settings.seed, method, hidden, replica, epoch),
        log=lambda msg: log(f"{tag} {msg}"),
    )
    row |= {"method": method, "hidden": int(hidden), "replica": int(replica), "epoch": int(epoch)}
    table = pd.DataFrame([row], columns=list(LOGLIK_COLUMNS))
    save_parquet(out, table)
    log(
        f"{tag} test LL: AIS {row['test_ll_ais']:.3f}, RAIS {row['test_ll_rais']:.3f} nats "
        f"(gap {row['log_z_rais'] - row['log_z_ais']:.3f}); {row['wall_seconds']:.1f} s"
    )
    return table


def loglik_kernels(backend: BackendSettings) -> tuple[Callable[..., Any], ...]:
    """``(model_samples, ais, reverse_ais)`` of ``backend``, with the numpy signatures."""
    if not backend.is_torch:
        return model_samples, ais, reverse_ais
    from .torch_backend import loglik_kernels as torch_kernels

    return torch_kernels(backend)


def collect_loglik(paths: Sequence[str | Path], out: str | Path) -> pd.DataFrame:
    """Concatenate one-row job tables into ``out``, sorted by method, hidden, replica, epoch."""
    if not paths:
        raise ConfigError("no log-likelihood tables to collect")
    table = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    table = table.sort_values(["method", "hidden", "replica", "epoch"], ignore_index=True)
    save_parquet(out, table[list(LOGLIK_COLUMNS)])
    return table
