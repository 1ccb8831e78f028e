"""Stage landau (workflow/rules/landau.smk): one checkpoint's mode-trajectory row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.landau import (
    mode1_continuity,
    mode_trajectory_row,
    orient_trajectories,
)
from rbm_reciprocal.core import streams
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset


def run_mode_trajectory(
    checkpoint: str,
    dataset: str,
    out_table: str,
    labels: dict,
    seed: int,
    digits: list[int] | None = None,
    n_uniform: int = 200_000,
    bins: int = 60,
    gibbs_chains: int = 1000,
    gibbs_sweeps: int = 500,
    previous: str | None = None,
) -> dict[str, float]:
    """One-row parquet of :func:`mode_trajectory_row` for a checkpoint (+ ``labels``).

    ``digits`` selects the test images (the authors used digit 0 only); None = all. The row
    also holds the sample counts ``n_test`` and ``n_gibbs`` (independent chains; claim 15).
    ``previous`` is the checkpoint of the previous epoch followed (None for the first):
    columns ``flip_prev, overlap_prev`` (:func:`mode1_continuity`, NaN without one) let
    :func:`run_mode_trajectory_table` orient the trajectory.
    """
    params = load_checkpoint(checkpoint)
    ds = load_dataset(dataset)
    test = ds.test if digits is None else ds.test[np.isin(ds.test_labels, digits)]
    rng = stream(seed, *params.W.shape, int(labels.get("epoch", 0)), streams.LANDAU)
    row = dict(
        labels,
        **mode_trajectory_row(params, test, rng, n_uniform, bins, gibbs_chains, gibbs_sweeps),
    )
    row["n_test"] = int(test.shape[0])
    row["n_gibbs"] = int(gibbs_chains)
    row["flip_prev"], row["overlap_prev"] = (
        mode1_continuity(load_checkpoint(previous).W, params.W) if previous else (np.nan, np.nan)
    )
    save_parquet(out_table, pd.DataFrame([row]))
    return row


def run_mode_trajectory_table(
    inputs: list[str], out_table: str, orientation: str = "continuity"
) -> pd.DataFrame:
    """Concatenate the rows of :func:`run_mode_trajectory` and orient each trajectory
    (:func:`orient_trajectories`): ``results/landau/mode_trajectories.parquet``."""
    table = orient_trajectories(
        pd.concat([read_table(p) for p in inputs], ignore_index=True), orientation
    )
    save_parquet(out_table, table)
    return table
