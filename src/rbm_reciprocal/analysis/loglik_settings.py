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

#: ``loglik.trajectory.sampler``: trajectory AIS (one pass each way), or parallel tempering
#: along the trajectory with Bennett's acceptance ratio.
TRAJECTORY_SAMPLERS = ("ais", "pt")


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
    "log_z_bar",  # trajectory-pt: Bennett acceptance ratio along the ladder (NaN elsewhere)
    "log_z_bar_se",
    "test_ll_bar",
    "train_ll_bar",
    "pt_rungs",  # trajectory-pt: ladder rungs per checkpoint interval (NaN elsewhere)
    "pt_min_acceptance",  # trajectory-pt: lowest exchange acceptance up to this checkpoint
    "log_z_lower",  # rigorous lower bound on log Z over the states of a mode search
    "lower_states",  # distinct hidden states in that bound
    "ess_ais_check",  # crosscheck: ESS of its AIS weights (NaN elsewhere)
    "reliable",  # loglik_table: no diagnostic flagged the row (analysis/loglik_reliability.py)
    "flags",  # loglik_table: the diagnostics that flagged it, ";"-separated ("" when reliable)
)


#: Columns filled by the crosscheck jobs (merged into the trajectory rows by loglik_table).
CHECK_COLUMNS = (
    "log_z_ais_check",
    "log_z_ais_check_se",
    "log_z_rais_check",
    "log_z_rais_check_se",
    "check_betas",
    "ess_ais_check",
)


@dataclass(frozen=True)
class LoglikSettings:
    """Settings of one log-likelihood job (config section ``loglik``).

    Every field is required: the workflow builds them from the validated config
    (:func:`rbm_reciprocal.stages.loglik.estimator_settings`), whose defaults
    are the schema's.

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
        this fraction of its size; 0 = never (plain AIS).
    traj_groups : int
        Trajectory AIS with resampling: independent groups of chains; their spread gives
        the standard errors.
    traj_resample_reverse : bool
        Trajectory AIS with resampling: resample the reverse pass too (False: the forward
        pass only; the reverse pass then stays plain reverse AIS).
    traj_sampler : {"ais", "pt"}
        Trajectory estimator: AIS along the path (:mod:`.loglik_trajectory`) or parallel
        tempering along it with BAR (:mod:`.loglik_pt`).
    pt_rungs, pt_chains, pt_sweeps, pt_burn, pt_thin, pt_save_sweeps, pt_groups : int
        PTT ladder: rungs per checkpoint interval, chains per rung, sweeps, sweeps before the
        works are recorded, record every ``2 pt_thin`` sweeps, save the state every so many
        sweeps, independent groups of chain columns (their spread gives the standard errors).
    pt_segment : int
        PTT ladder: cut it into independent segments of this many checkpoint intervals
        (no exchange across a cut); 0 = one ladder along the whole path.
    pt_adapt_rounds, pt_adapt_sweeps, pt_adapt_max_rungs : int
        PTT ladder: pilot rounds that set the rungs of each interval from its communication
        barrier (0 = ``pt_rungs`` everywhere; :mod:`rbm_reciprocal.sampling.ladder_adapt`),
        sweeps per pilot, most rungs per interval.
    pt_adapt_acceptance : float
        PTT ladder: the exchange acceptance the adapted rungs aim at, in (0, 1).
    backend : BackendSettings
        Implementation of the model-sample chains, AIS and reverse AIS (numpy/numba or
        torch, :mod:`rbm_reciprocal.sampling.backend`); free energies and exact values stay numpy.
    """

    n_chains: int
    beta_schedule: str
    n_betas: int
    base: str
    rais_start: str
    sample_sweeps: int
    exact_max_units: int
    seed: int
    estimator: str
    traj_steps: int
    save_every: int
    traj_resample_ess: float
    traj_groups: int
    traj_resample_reverse: bool
    traj_sampler: str
    pt_rungs: int
    pt_chains: int
    pt_sweeps: int
    pt_burn: int
    pt_thin: int
    pt_save_sweeps: int
    pt_groups: int
    pt_segment: int
    pt_adapt_rounds: int
    pt_adapt_sweeps: int
    pt_adapt_acceptance: float
    pt_adapt_max_rungs: int
    backend: BackendSettings

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
            raise ConfigError(f"unknown loglik method {self.estimator!r}; use one of {ESTIMATORS}")
        for name in ("n_chains", "n_betas", "sample_sweeps", "traj_steps", "save_every"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"loglik setting {name} must be >= 1, got {getattr(self, name)}")
        beta_schedule(self.beta_schedule, self.n_betas)  # checks the size
        if self.traj_sampler not in TRAJECTORY_SAMPLERS:
            raise ConfigError(
                f"unknown trajectory sampler {self.traj_sampler!r}; use one of "
                f"{TRAJECTORY_SAMPLERS}"
            )
        for name in ("pt_rungs", "pt_chains", "pt_sweeps", "pt_thin", "pt_save_sweeps"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"loglik setting {name} must be >= 1, got {getattr(self, name)}")
        if int(self.pt_segment) < 0:
            raise ConfigError(f"loglik setting pt_segment must be >= 0, got {self.pt_segment}")
        if int(self.pt_adapt_rounds) < 0 or int(self.pt_adapt_sweeps) < 2:
            raise ConfigError(
                "loglik.trajectory.pt.adapt: rounds must be >= 0 and sweeps >= 2, got "
                f"{self.pt_adapt_rounds} and {self.pt_adapt_sweeps}"
            )
        if not 0.0 < float(self.pt_adapt_acceptance) < 1.0:
            raise ConfigError(
                "loglik.trajectory.pt.adapt.acceptance must be in (0, 1), got "
                f"{self.pt_adapt_acceptance}"
            )
        if int(self.pt_adapt_max_rungs) < 1:
            raise ConfigError(
                f"loglik.trajectory.pt.adapt.max_rungs must be >= 1, got {self.pt_adapt_max_rungs}"
            )
        if self.traj_sampler == "pt":
            if not 0 <= int(self.pt_burn) <= int(self.pt_sweeps) - 2 * int(self.pt_thin):
                raise ConfigError(
                    f"loglik.trajectory.pt: burn ({self.pt_burn}) must leave at least "
                    f"2 x thin = {2 * self.pt_thin} of the {self.pt_sweeps} sweeps"
                )
            if not 2 <= int(self.pt_groups) <= int(self.pt_chains):
                raise ConfigError(
                    f"loglik.trajectory.pt.groups must be between 2 and pt.chains = "
                    f"{self.pt_chains}, got {self.pt_groups}"
                )
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
