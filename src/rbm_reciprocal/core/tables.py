"""Parquet tables: the atomic writer every stage uses."""

from __future__ import annotations

import os

import pandas as pd

from rbm_reciprocal.core.io import atomic_path


def save_parquet(path: str | os.PathLike, table: pd.DataFrame) -> None:
    """Write a DataFrame to parquet atomically (no index)."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)
