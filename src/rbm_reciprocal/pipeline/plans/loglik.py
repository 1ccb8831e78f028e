"""Settings of the log-likelihood steps (``loglik`` section, Fig. 1 left).

Each job runs the estimator of :class:`~rbm_reciprocal.analysis.loglik_settings.LoglikSettings`
(built by :func:`estimator_settings` for the job's role); a trajectory job also needs the
checkpoint epochs of its path and the epochs of its rows (:class:`LoglikTrajectory`). The
model and checkpoint of a standard or crosscheck job are its wildcards (``method``,
``hidden``, ``replica``, ``epoch``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
from rbm_reciprocal.pipeline.cost_loglik import loglik_job_cost, loglik_trajectory_job_cost
from rbm_reciprocal.pipeline.loglik_epochs import (
    crosscheck_epochs_from_config,
    loglik_epochs_from_config,
    loglik_method,
    trajectory_epochs_from_config,
)
from rbm_reciprocal.pipeline.plans import final_models
from rbm_reciprocal.pipeline.step import (
    LOGLIK_STEP,
    Step,
    per_model,
)
from rbm_reciprocal.sampling.backend import BackendSettings

#: Roles of a log-likelihood job: a standard (temperature AIS) checkpoint, a trajectory pass,
#: a standard crosscheck of a trajectory row.
ROLES = ("standard", "trajectory", "crosscheck")


def estimator_settings(config: dict[str, Any], role: str) -> LoglikSettings:
    """The :class:`LoglikSettings` of the ``loglik`` section for a job of ``role``
    (:data:`ROLES`): the number of betas is ``betas.n`` (standard),
    ``trajectory.first_betas`` (the temperature leg of a trajectory job) or
    ``crosscheck.betas``. Raises :class:`ConfigError` for a bad value."""
    if role not in ROLES:
        raise ConfigError(f"unknown log-likelihood job role {role!r}; use one of {ROLES}")
    c = config["loglik"]
    traj, pt = c["trajectory"], c["trajectory"]["pt"]
    n_betas = {
        "standard": c["betas"]["n"],
        "trajectory": traj["first_betas"],
        "crosscheck": c["crosscheck"]["betas"],
    }[role]
    return LoglikSettings(
        n_chains=int(c["n_chains"]),
        beta_schedule=str(c["betas"]["schedule"]),
        n_betas=int(n_betas),
        base=str(c["base"]),
        rais_start=str(c["rais_start"]),
        sample_sweeps=int(c["sample_sweeps"]),
        exact_max_units=int(c["exact_max_units"]),
        seed=int(config["seed"]),
        estimator="trajectory" if role == "trajectory" else "standard",
        traj_steps=int(traj["steps"]),
        save_every=int(traj["save_every"]),
        traj_resample_ess=float(traj["resample_ess"]),
        traj_groups=int(traj["groups"]),
        traj_resample_reverse=bool(traj["resample_reverse"]),
        traj_sampler=str(traj["sampler"]),
        **{f"pt_{k}": int(v) for k, v in pt.items() if k != "adapt"},
        **{
            f"pt_adapt_{k}": float(v) if k == "acceptance" else int(v)
            for k, v in pt["adapt"].items()
        },
        backend=BackendSettings.from_value(config["backend"]),
    )


def loglik(config: dict, wildcards: Any) -> LoglikSettings:
    """A standard job: temperature AIS + reverse AIS of one checkpoint (``betas.n`` betas)."""
    return estimator_settings(config, "standard")


def loglik_crosscheck(config: dict, wildcards: Any) -> LoglikSettings:
    """A crosscheck of a trajectory row: a standard job at ``crosscheck.betas`` betas."""
    return estimator_settings(config, "crosscheck")


@dataclass(frozen=True)
class LoglikTrajectory:
    """A trajectory job: its estimator, the epochs of its checkpoints (the path, in the order
    of the job's ``checkpoints``) and the epochs of its table rows."""

    estimator: LoglikSettings
    epochs: list[int]
    rows: list[int]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LoglikTrajectory:
        """From the job file's settings (the estimator as a plain dict)."""
        return cls(
            LoglikSettings.from_dict(d["estimator"]),
            [int(e) for e in d["epochs"]],
            [int(e) for e in d["rows"]],
        )


def loglik_trajectory(config: dict, wildcards: Any) -> LoglikTrajectory:
    path, rows = trajectory_epochs_from_config(config, checkpoint_epochs_from_config(config))
    return LoglikTrajectory(estimator_settings(config, "trajectory"), path, rows)


def standard_loglik_jobs(config: dict) -> int:
    """``loglik``: one job per model and ``loglik.epochs`` entry (method standard)."""
    if loglik_method(config) != "standard":
        return 0
    epochs = loglik_epochs_from_config(config, checkpoint_epochs_from_config(config))
    return len(final_models(config)) * len(epochs)


def trajectory_jobs(config: dict) -> int:
    """``loglik_trajectory``: one job per model (method trajectory)."""
    return len(final_models(config)) if loglik_method(config) == "trajectory" else 0


def crosscheck_jobs(config: dict) -> int:
    """``loglik_crosscheck``: one job per model and crosscheck epoch (method trajectory)."""
    epochs = crosscheck_epochs_from_config(config, checkpoint_epochs_from_config(config))
    return len(final_models(config)) * len(epochs)


#: The folder of one model's files under each log-likelihood folder.
RUN = "{method}/M{hidden}/replica{replica}"

#: The steps of this stage (rules of ``workflow/rules/loglik.smk``).
STEPS = [
    Step(
        "loglik",
        **LOGLIK_STEP,
        arrays=memory.loglik,
        cost=per_model(loglik_job_cost),
        settings=loglik,
        count=standard_loglik_jobs,
        outputs={"table": f"results/loglik/{RUN}/epoch_{{epoch}}.parquet"},
        log="loglik/{method}_M{hidden}_replica{replica}_epoch{epoch}",
    ),
    Step(
        "loglik_trajectory",
        **LOGLIK_STEP,
        arrays=memory.loglik_trajectory,
        cost=per_model(loglik_trajectory_job_cost),
        resumable=True,
        settings=loglik_trajectory,
        count=trajectory_jobs,
        outputs={"table": f"results/loglik/trajectory/{RUN}.parquet"},
        log="loglik/trajectory_{method}_M{hidden}_replica{replica}",
    ),
    Step(
        "loglik_crosscheck",
        **LOGLIK_STEP,
        arrays=memory.loglik,
        cost=per_model(loglik_job_cost, role="crosscheck"),
        settings=loglik_crosscheck,
        count=crosscheck_jobs,
        outputs={"table": f"results/loglik/crosscheck/{RUN}/epoch_{{epoch}}.parquet"},
        log="loglik/crosscheck_{method}_M{hidden}_replica{replica}_epoch{epoch}",
    ),
    Step(
        "loglik_table",
        "light",
        stage="loglik",
        outputs={"table": "results/loglik/loglik.parquet"},
        log="loglik/loglik_table",
    ),
    Step("fig1_left", "figure", stage="figures", figure="fig1_left", log="figures/fig1_left"),
    Step(
        "loglik_report",
        "light",
        stage="loglik",
        outputs={"html": "results/loglik/loglik.html"},
        log="loglik/loglik_report",
        report=("html", "Log-likelihood", {"table": "every row, its estimator and flags"}),
    ),
]
