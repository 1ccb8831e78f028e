"""Stage loglik (workflow/rules/loglik.smk): the log-likelihood of one checkpoint (standard,
and the crosschecks of a trajectory run) or of every checkpoint of a replica (trajectory,
resumable); the merged table is stage loglik_tables.

Each job runs the estimator of :class:`~rbm_reciprocal.analysis.loglik_settings.LoglikSettings`
(built by :func:`estimator_settings` for its role); a trajectory job also needs the epochs
of its path and of its rows (:class:`LoglikTrajectory`); the model and checkpoint of a
standard or crosscheck job are its wildcards (``method``, ``hidden``, ``replica``, ``epoch``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS, LoglikSettings
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import load_npz, save_npz
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import loglik_rng, trajectory_rng
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config, final_models
from rbm_reciprocal.pipeline.cost_loglik import loglik_job_cost, loglik_trajectory_job_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.loglik_epochs import (
    crosscheck_epochs_from_config,
    loglik_epochs_from_config,
    loglik_method,
    trajectory_epochs_from_config,
)
from rbm_reciprocal.pipeline.step import LOGLIK_STEP, Step, per_model
from rbm_reciprocal.sampling.backend import BackendSettings, require_torch

pd = lazy_module("pandas")
loglik_estimators = lazy_module("rbm_reciprocal.analysis.loglik")
loglik_pt = lazy_module("rbm_reciprocal.analysis.loglik_pt")
loglik_reliability = lazy_module("rbm_reciprocal.analysis.loglik_reliability")
trajectory_estimator = lazy_module("rbm_reciprocal.analysis.loglik_trajectory")


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
    if log is None:
        log = _stderr

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
    row = loglik_estimators.estimate_loglik(
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


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def state_path(out: str | Path) -> Path:
    """The resumable state of a trajectory job writing ``out``: ``.partial/<name>.npz`` beside
    it (kept until the job's table is written)."""
    out = Path(out)
    return out.parent / ".partial" / f"{out.stem}_state.npz"


def _trajectory_inputs(
    checkpoints: Sequence[str | Path],
    epochs: Sequence[int],
    rows: Sequence[int],
    data: str | Path,
    hidden: int,
) -> tuple[list, Any]:
    """The checkpoints and the dataset of a trajectory job, checked against each other."""
    if len(checkpoints) != len(epochs) or not checkpoints:
        raise ConfigError(f"{len(checkpoints)} checkpoints for {len(epochs)} epochs")
    if list(epochs) != sorted(set(int(e) for e in epochs)):
        raise ConfigError(f"trajectory epochs must be increasing, got {list(epochs)}")
    missing = sorted(set(int(e) for e in rows) - set(int(e) for e in epochs))
    if missing:
        raise ConfigError(f"epochs {missing} are not on the trajectory {list(epochs)}")
    params = [load_checkpoint(c) for c in checkpoints]
    for c, p in zip(checkpoints, params, strict=True):
        if p.n_hidden != int(hidden):
            raise ConfigError(f"{c}: W has {p.n_hidden} hidden units, the job says M={hidden}")
    ds = load_dataset(data)
    if ds.n_visible != params[0].n_visible:
        raise ConfigError(
            f"{checkpoints[0]} has {params[0].n_visible} visible units, the data {ds.n_visible}"
        )
    return params, ds


def _describe_sampler(settings: LoglikSettings) -> str:
    """How a trajectory job samples (its first log line)."""
    if settings.traj_sampler == "pt":
        adapted = (
            f" (adapted in {settings.pt_adapt_rounds} pilot rounds to acceptance "
            f"{settings.pt_adapt_acceptance:g})"
            if settings.pt_adapt_rounds
            else ""
        )
        return (
            f"PTT ladder of {settings.pt_rungs} rungs per interval{adapted}"
            f" x {settings.pt_chains} chains, {settings.pt_sweeps} sweeps"
        )
    resampled = (
        f", {settings.traj_groups} groups resampled at ESS < {settings.traj_resample_ess:g}"
        if settings.traj_resample_ess > 0
        else ""
    )
    return f"{settings.n_chains} chains x {settings.traj_steps} steps per interval{resampled}"


def _log_ladder(final: dict, tag: str, log: Callable[[str], None]) -> None:
    """The ladder's rungs, and a warning where neighbouring rungs barely exchange."""
    rate = final["accepted"] / np.maximum(final["attempts"], 1)
    rate[final["attempts"] == 0] = 1.0  # segment cuts: never exchanged
    if rate.size and rate.min() < 0.05:
        log(
            f"{tag} WARNING: exchange acceptance {rate.min():.3f} between rungs "
            f"{int(rate.argmin())} and {int(rate.argmin()) + 1}: the ladder is too coarse "
            "there, raise loglik.trajectory.pt.rungs (or let pt.adapt set the rungs)"
        )
    counts = final["rung_counts"]
    log(
        f"{tag} rungs per interval: {' '.join(str(int(c)) for c in counts)} "
        f"({int(counts.sum())} in all)"
    )


def _log_rows(table: pd.DataFrame, tag: str, log: Callable[[str], None]) -> None:
    """One line per row: the estimates, the bound, the test LL and the row's flags."""
    for _, r in loglik_reliability.assess_rows(table).iterrows():
        log(
            f"{tag} epoch {r['epoch']}: log Z {r['log_z_ais']:.3f} (forward) "
            f"{r['log_z_rais']:.3f} (reverse), >= {r['log_z_lower']:.3f} (bound), "
            f"test LL {r['test_ll_ais']:.3f}"
            + (f"; WARNING: flagged {r['flags']} (may be wrong)" if r["flags"] else "")
        )


def run_loglik_trajectory(
    checkpoints: Sequence[str | Path],
    epochs: Sequence[int],
    rows: Sequence[int],
    data: str | Path,
    out: str | Path,
    settings: LoglikSettings,
    method: str,
    hidden: int,
    replica: int,
    log: Callable[[str], None] = _stderr,
    stop_after_intervals: int | None = None,
) -> pd.DataFrame | None:
    """One trajectory job: every checkpoint of a replica (the path, ``epochs`` in order), the
    rows of the epochs in ``rows`` written to ``out``; resumes from ``state_path(out)``.

    ``stop_after_intervals`` stops (as if killed, state saved) after that many intervals (sweeps
    with the pt sampler) of
    this call and returns None. For tests.
    """
    if settings.backend.is_torch:
        require_torch(settings.backend)  # before any work
    params, ds = _trajectory_inputs(checkpoints, epochs, rows, data, hidden)
    tag = f"[{method} M={hidden} replica {replica} trajectory]"
    spath = state_path(out)
    # the state is resumed only by the same job: same settings (but how often it is saved),
    # same path
    same = {
        k: v for k, v in settings.to_dict().items() if k not in ("save_every", "pt_save_sweeps")
    }
    key = json.dumps([same, [int(e) for e in epochs], [str(c) for c in checkpoints]], default=str)
    state = load_npz(spath) if spath.exists() else None
    if state is not None and str(state.pop("job", "")) != key:
        log(f"{tag} {spath} was saved by other settings or another path: starting afresh")
        state = None
    pt = settings.traj_sampler == "pt"
    how = _describe_sampler(settings)
    log(
        f"{tag} {len(params)} checkpoints (epochs {epochs[0]}..{epochs[-1]}), {how}"
        + (f"; resuming from {spath}" if state is not None else "")
    )
    common = {
        "state": state,
        "save": lambda st: save_npz(spath, **st, job=np.array(key)),
        "log": lambda msg: log(f"{tag} {msg}"),
    }
    rngs = trajectory_rng(settings.seed, method, hidden, replica)
    if pt:
        final = loglik_pt.pt_pass(
            params, ds.train, settings, rngs, stop_after_sweeps=stop_after_intervals, **common
        )
    else:
        final = trajectory_estimator.trajectory_pass(
            params, ds.train, settings, rngs, stop_after_intervals=stop_after_intervals, **common
        )
    if final is None:
        return None
    found = (loglik_pt.pt_rows if pt else trajectory_estimator.trajectory_rows)(
        params, epochs, rows, final, ds.train, ds.test, settings
    )
    for row in found:
        row |= {"method": method, "hidden": int(hidden), "replica": int(replica)}
    if pt:
        _log_ladder(final, tag, log)
    table = pd.DataFrame(found, columns=list(LOGLIK_COLUMNS))
    save_parquet(out, table)
    spath.unlink()
    _log_rows(table, tag, log)
    return table


def loglik_job(job: Job) -> None:
    """Rules loglik and loglik_crosscheck: :func:`run_loglik` of the checkpoint of the job's
    wildcards (``method``, ``hidden``, ``replica``, ``epoch``)."""
    w = job.wildcards
    run_loglik(
        job.input["checkpoint"], job.input["data"], job.output["table"],
        LoglikSettings.from_dict(job.settings),
        w["method"], int(w["hidden"]), int(w["replica"]), int(w["epoch"]),
    )  # fmt: skip


def loglik_trajectory_job(job: Job) -> None:
    """Rule loglik_trajectory: :func:`run_loglik_trajectory` of one replica's checkpoints."""
    s = LoglikTrajectory.from_dict(job.settings)
    w = job.wildcards
    run_loglik_trajectory(
        job.input["checkpoints"], s.epochs, s.rows, job.input["data"], job.output["table"],
        s.estimator, w["method"], int(w["hidden"]), int(w["replica"]),
    )  # fmt: skip


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "loglik": loglik_job,
    "loglik_crosscheck": loglik_job,
    "loglik_trajectory": loglik_trajectory_job,
}

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
]
