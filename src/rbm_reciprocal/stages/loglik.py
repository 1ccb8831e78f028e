"""Stage loglik (workflow/rules/loglik.smk): one checkpoint's log-likelihood (standard, and
the crosschecks of a trajectory run), every checkpoint of a replica (trajectory, resumable),
the merged table with the crosschecks."""

from __future__ import annotations

import html
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.loglik import estimate_loglik
from rbm_reciprocal.analysis.loglik_pt import pt_pass, pt_rows
from rbm_reciprocal.analysis.loglik_reliability import assess_rows
from rbm_reciprocal.analysis.loglik_settings import CHECK_COLUMNS, LOGLIK_COLUMNS, LoglikSettings
from rbm_reciprocal.analysis.loglik_trajectory import trajectory_pass, trajectory_rows
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import load_npz, save_npz
from rbm_reciprocal.core.streams import loglik_rng, trajectory_rng
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans.loglik import LoglikTrajectory
from rbm_reciprocal.sampling.backend import require_torch


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
    for _, r in assess_rows(table).iterrows():
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
        final = pt_pass(
            params, ds.train, settings, rngs, stop_after_sweeps=stop_after_intervals, **common
        )
    else:
        final = trajectory_pass(
            params, ds.train, settings, rngs, stop_after_intervals=stop_after_intervals, **common
        )
    if final is None:
        return None
    found = (pt_rows if pt else trajectory_rows)(
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


def collect_loglik(
    paths: Sequence[str | Path], out: str | Path, checks: Sequence[str | Path] = ()
) -> pd.DataFrame:
    """Concatenate the job tables into ``out``, sorted by method, hidden, replica, epoch, with
    the diagnostics of :mod:`rbm_reciprocal.analysis.loglik_reliability` (``reliable``,
    ``flags``).

    ``checks`` are one-row standard tables of the crosscheck jobs: their AIS and reverse-AIS
    estimates fill the ``*_check`` columns of the row of the same model and epoch.
    """
    if not paths:
        raise ConfigError("no log-likelihood tables to collect")
    table = pd.concat([read_table(p) for p in paths], ignore_index=True)
    key = ["method", "hidden", "replica", "epoch"]
    if checks:
        chk = pd.concat([read_table(p) for p in checks], ignore_index=True)
        chk = chk[key].assign(
            log_z_ais_check=chk["log_z_ais"],
            log_z_ais_check_se=chk["log_z_ais_se"],
            log_z_rais_check=chk["log_z_rais"],
            log_z_rais_check_se=chk["log_z_rais_se"],
            check_betas=chk["n_betas"],
            ess_ais_check=chk["ess_ais"],
        )
        table = table.drop(columns=list(CHECK_COLUMNS)).merge(chk, on=key, how="left")
        lost = len(chk) - int(table["check_betas"].notna().sum())
        if lost:
            raise ConfigError(f"{lost} crosscheck rows match no log-likelihood row")
        table["check_betas"] = table["check_betas"].fillna(0).astype(int)
    table = assess_rows(table.sort_values(key, ignore_index=True))
    save_parquet(out, table[list(LOGLIK_COLUMNS)])
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


def loglik_table_job(job: Job) -> None:
    """Rule loglik_table: :func:`collect_loglik` of the job tables and the crosschecks."""
    collect_loglik(job.input["rows"], job.output["table"], job.input["checks"])


#: The columns of the report page, by estimator: what a reader checks a row by.
REPORT_COLUMNS = (
    "method", "hidden", "replica", "epoch", "estimator", "test_ll", "log_z", "log_z_se",
    "log_z_lower", "log_z_ais_check", "reliable", "flags",
)  # fmt: skip


def loglik_report_table(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``loglik.parquet`` as a reader checks them: the test log-likelihood and
    ``log Z`` of each row's own estimator (BAR of the PTT ladder, or forward AIS), its
    standard error, the rigorous lower bound, the crosscheck, and the row's diagnostics."""
    ladder = table["estimator"].eq("trajectory-pt")
    out = table.assign(
        test_ll=table["test_ll_bar"].where(ladder, table["test_ll_ais"]),
        log_z=table["log_z_bar"].where(ladder, table["log_z_ais"]),
        log_z_se=table["log_z_bar_se"].where(ladder, table["log_z_ais_se"]),
    )
    return out[list(REPORT_COLUMNS)]


def loglik_report_html(table: pd.DataFrame) -> str:
    """One HTML page: how many rows a diagnostic flagged, then :func:`loglik_report_table`
    with the flagged rows marked (class ``flagged``; the report's "Log-likelihood" page)."""
    rows = loglik_report_table(table)
    flagged = ~rows["reliable"].astype(bool)

    def cell(v: object) -> str:
        text = "" if pd.isna(v) else f"{v:.4f}" if isinstance(v, float) else html.escape(str(v))
        return f"<td>{text}</td>"

    header = "".join(f"<th>{c}</th>" for c in rows.columns)
    marked = '<tr class="flagged" style="background:#fdd">'
    body = "".join(
        (marked if bad else "<tr>") + "".join(cell(v) for v in values) + "</tr>"
        for values, bad in zip(rows.itertuples(index=False), flagged, strict=True)
    )
    return (
        "<html><body><h3>Log-likelihood of every row</h3>"
        f"<p>{len(rows)} rows, {int(flagged.sum())} flagged by a diagnostic (column "
        "<code>flags</code>, red): a flagged row may be wrong by more than its standard "
        "error says.</p>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def loglik_report_job(job: Job) -> None:
    """Rule loglik_report: :func:`loglik_report_html` of the log-likelihood table."""
    html = loglik_report_html(read_table(job.input["table"]))
    Path(job.output["html"]).write_text(html)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "loglik_report": loglik_report_job,
    "loglik": loglik_job,
    "loglik_crosscheck": loglik_job,
    "loglik_trajectory": loglik_trajectory_job,
    "loglik_table": loglik_table_job,
}
