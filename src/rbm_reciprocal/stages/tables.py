"""Merges of one-row tables into the tables the figures read (rules ``*_table``)."""

from __future__ import annotations

from collections.abc import Sequence

from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.tables import read_table, save_parquet

pd = lazy_module("pandas")


def concat_tables(inputs: Sequence[PathLike], out: PathLike) -> pd.DataFrame:
    """Concatenate the parquet tables ``inputs`` (in order) into ``out``."""
    table = pd.concat([read_table(p) for p in inputs], ignore_index=True)
    save_parquet(out, table)
    return table
