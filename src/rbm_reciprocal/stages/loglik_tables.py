"""Stage loglik_tables (workflow/rules/loglik.smk): the log-likelihood table of every model and
checkpoint (Fig. 1 left), and the same table as a page of the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rbm_reciprocal.analysis.loglik_settings import CHECK_COLUMNS, LOGLIK_COLUMNS
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import Step
from rbm_reciprocal.stages.tables import html_table

pd = lazy_module("pandas")
loglik_reliability = lazy_module("rbm_reciprocal.analysis.loglik_reliability")


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
    table = loglik_reliability.assess_rows(table.sort_values(key, ignore_index=True))
    save_parquet(out, table[list(LOGLIK_COLUMNS)])
    return table


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
    return (
        "<html><body><h3>Log-likelihood of every row</h3>"
        f"<p>{len(rows)} rows, {int(flagged.sum())} flagged by a diagnostic (column "
        "<code>flags</code>, red): a flagged row may be wrong by more than its standard "
        "error says.</p>" + html_table(rows, flagged.tolist()) + "</body></html>"
    )


def loglik_report_job(job: Job) -> None:
    """Rule loglik_report: :func:`loglik_report_html` of the log-likelihood table."""
    html = loglik_report_html(read_table(job.input["table"]))
    Path(job.output["html"]).write_text(html)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "loglik_report": loglik_report_job,
    "loglik_table": loglik_table_job,
}

#: The steps of this stage (rules of ``workflow/rules/loglik.smk``).
STEPS = [
    Step(
        "loglik_table",
        "light",
        stage="loglik_tables",
        outputs={"table": "results/loglik/loglik.parquet"},
        log="loglik/loglik_table",
    ),
    Step("fig1_left", "figure", stage="figures", figure="fig1_left", log="figures/fig1_left"),
    Step(
        "loglik_report",
        "light",
        stage="loglik_tables",
        outputs={"html": "results/loglik/loglik.html"},
        log="loglik/loglik_report",
        report=("html", "Log-likelihood", {"table": "every row, its estimator and flags"}),
    ),
]
