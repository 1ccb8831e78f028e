"""Stage loglik (workflow/rules/loglik.smk): one checkpoint's log-likelihood, the merged table."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from rbm_reciprocal.analysis.loglik import estimate_loglik
from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS, LoglikSettings
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.streams import loglik_rng
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
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


def collect_loglik(paths: Sequence[str | Path], out: str | Path) -> pd.DataFrame:
    """Concatenate one-row job tables into ``out``, sorted by method, hidden, replica, epoch."""
    if not paths:
        raise ConfigError("no log-likelihood tables to collect")
    table = pd.concat([read_table(p) for p in paths], ignore_index=True)
    table = table.sort_values(["method", "hidden", "replica", "epoch"], ignore_index=True)
    save_parquet(out, table[list(LOGLIK_COLUMNS)])
    return table
