"""Settings of one log-likelihood job (numpy only, no numba: the config layer builds them)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.sampling.schedules import BETA_SCHEDULES, beta_schedule

BASES = ("data", "samples")


RAIS_STARTS = ("samples", "test")


#: ``loglik.method``: one pass along the training trajectory per replica, or one temperature
#: AIS + reverse AIS job per checkpoint (the authors').
ESTIMATORS = ("trajectory", "standard")


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
    "estimator",  # trajectory (one pass along the checkpoints) or standard (temperature AIS)
    "traj_steps",  # trajectory: steps K per checkpoint interval (0 for standard)
    "path_checkpoints",  # trajectory: checkpoints on the path (1 for standard)
    "traj_groups",  # trajectory with resampling: independent groups of chains (0: no resampling)
    "resample_events",  # trajectory: group resamplings in the whole pass, both directions
    "log_z_ais_check",  # crosscheck: standard AIS at loglik.crosscheck.betas (NaN elsewhere)
    "log_z_ais_check_se",
    "log_z_rais_check",  # crosscheck: standard reverse AIS
    "log_z_rais_check_se",
    "check_betas",  # betas of the crosscheck (0 when none)
)


#: Columns filled by the crosscheck jobs (merged into the trajectory rows by loglik_table).
CHECK_COLUMNS = (
    "log_z_ais_check",
    "log_z_ais_check_se",
    "log_z_rais_check",
    "log_z_rais_check_se",
    "check_betas",
)


@dataclass(frozen=True)
class LoglikSettings:
    """Settings of one log-likelihood job (config section ``loglik``).

    Attributes
    ----------
    n_chains : int
        AIS chains, reverse-AIS chains and model-sample chains (each).
    beta_schedule : {"uniform", "piecewise"}
        See :func:`rbm_reciprocal.sampling.schedules.beta_schedule`.
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
    estimator : {"trajectory", "standard"}
        ``loglik.method``: trajectory AIS along the checkpoints of a replica, or temperature
        AIS per checkpoint (:data:`ESTIMATORS`).
    traj_steps : int
        Trajectory AIS: steps (one Gibbs sweep each) per interval between checkpoints.
    save_every : int
        Trajectory AIS: intervals between two saves of the resumable state.
    traj_resample_ess : float
        Trajectory AIS: resample a group of chains (systematic resampling,
        :mod:`rbm_reciprocal.sampling.resample`) when the ESS of its weights falls below
        this fraction of its size; 0 = never (plain AIS; the workflow's default is 0.5).
    traj_groups : int
        Trajectory AIS with resampling: independent groups of chains; their spread gives
        the standard errors.
    traj_resample_reverse : bool
        Trajectory AIS with resampling: resample the reverse pass too (default: the forward
        pass only; the reverse pass then stays plain reverse AIS).
    backend : BackendSettings
        Implementation of the model-sample chains, AIS and reverse AIS (numpy/numba or
        torch, :mod:`rbm_reciprocal.sampling.backend`); free energies and exact values stay numpy.
    """

    n_chains: int = 400
    beta_schedule: str = "uniform"
    n_betas: int = 500_000
    base: str = "samples"
    rais_start: str = "samples"
    sample_sweeps: int = 1000
    exact_max_units: int = 20
    seed: int = 0
    estimator: str = "standard"
    traj_steps: int = 1000
    save_every: int = 5
    traj_resample_ess: float = 0.0
    traj_groups: int = 4
    traj_resample_reverse: bool = False
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
        if self.estimator not in ESTIMATORS:
            raise ConfigError(
                f"unknown loglik method {self.estimator!r}; use one of {ESTIMATORS}"
            )
        for name in ("n_chains", "n_betas", "sample_sweeps", "traj_steps", "save_every"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"loglik setting {name} must be >= 1, got {getattr(self, name)}")
        beta_schedule(self.beta_schedule, self.n_betas)  # checks the size
        if not 0.0 <= float(self.traj_resample_ess) <= 1.0:
            raise ConfigError(
                f"loglik setting traj_resample_ess must be in [0, 1], got {self.traj_resample_ess}"
            )
        if self.traj_resample_ess > 0 and not 2 <= int(self.traj_groups) <= self.n_chains // 2:
            raise ConfigError(
                f"loglik setting traj_groups must be between 2 and n_chains / 2 = "
                f"{self.n_chains // 2} with resampling, got {self.traj_groups}"
            )

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
