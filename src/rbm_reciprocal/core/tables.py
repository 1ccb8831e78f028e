"""Parquet tables: the atomic writer every stage uses and the one checked reader.

pandas loads on first use (:mod:`.lazy`): the stage modules import this one when Snakemake
parses the workflow.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.core.io import atomic_path, damaged_file_message
from rbm_reciprocal.core.lazy import lazy_module

pd = lazy_module("pandas")

#: The rule that writes a table, by file name, for the message of a damaged table (the
#: command in the message, ``snakemake --force <path>``, works for every table).
TABLE_RULES = {
    "metrics.parquet": "train_rbm",
    "loglik.parquet": "loglik_table",
    "trained.parquet": "trained_spectra",
    "trained_values.parquet": "trained_spectra",
    "gap.parquet": "spectral_gap",
    "fig4_js.parquet": "rotation_js_table",
    "mode_trajectories.parquet": "mode_trajectory_table",
}


def save_parquet(path: str | os.PathLike, table: pd.DataFrame) -> None:
    """Write a DataFrame to parquet atomically (no index)."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)


def read_table(path: str | os.PathLike, rule: str | None = None) -> pd.DataFrame:
    """Read a parquet table written by :func:`save_parquet`.

    Parameters
    ----------
    path : path-like
        The table.
    rule : str, optional
        The rule that writes it, for the message (default: looked up by file name in
        :data:`TABLE_RULES`).

    Raises
    ------
    DataError
        One line naming the file and the rule to rerun if it is missing, truncated or
        corrupt (instead of pyarrow's traceback).
    """
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow.ArrowInvalid, OSError, ...
        rule = rule or TABLE_RULES.get(Path(path).name)
        raise DataError(damaged_file_message(path, exc, rule)) from exc


def read_tables(paths: Sequence[str | os.PathLike]) -> list[pd.DataFrame]:
    """:func:`read_table` of every path, in order."""
    return [read_table(p) for p in paths]
