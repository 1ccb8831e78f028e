"""Stage landau (workflow/rules/landau.smk): mode 1 of each checkpoint, and the oriented
table of Figs. 7-8."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.landau import (
    mode1_continuity,
    mode_trajectory_row,
    orient_trajectories,
)
from rbm_reciprocal.core import streams
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans.landau import ModeTrajectory, ModeTrajectoryTable


def run_mode_trajectory(
    checkpoint: PathLike,
    dataset: PathLike,
    out_table: PathLike,
    s: ModeTrajectory,
    previous: PathLike | None = None,
) -> dict[str, float]:
    """One-row parquet of :func:`mode_trajectory_row` for a checkpoint, after the columns
    of :meth:`ModeTrajectory.labels`.

    ``s.digits`` selects the test images (the authors used digit 0 only); None = all. The
    row also holds the sample counts ``n_test`` and ``n_gibbs`` (independent chains; claim
    15). ``previous`` is the checkpoint of the previous epoch followed (None for the first):
    columns ``flip_prev, overlap_prev`` (:func:`mode1_continuity`, NaN without one) let
    :func:`run_mode_trajectory_table` orient the trajectory.
    """
    params = load_checkpoint(checkpoint)
    ds = load_dataset(dataset)
    test = ds.test if s.digits is None else ds.test[np.isin(ds.test_labels, s.digits)]
    rng = stream(s.seed, *params.W.shape, int(s.epoch), streams.LANDAU)
    row = dict(
        s.labels(),
        **mode_trajectory_row(
            params, test, rng, s.uniform_states, s.bins, s.gibbs_chains, s.gibbs_sweeps
        ),
    )
    row["n_test"] = int(test.shape[0])
    row["n_gibbs"] = int(s.gibbs_chains)
    row["flip_prev"], row["overlap_prev"] = (
        mode1_continuity(load_checkpoint(previous).W, params.W) if previous else (np.nan, np.nan)
    )
    save_parquet(out_table, pd.DataFrame([row]))
    return row


def run_mode_trajectory_table(
    inputs: list[PathLike], out_table: PathLike, orientation: str
) -> pd.DataFrame:
    """Concatenate the rows of :func:`run_mode_trajectory` and orient each trajectory
    (:func:`orient_trajectories`): ``results/landau/mode_trajectories.parquet``."""
    table = orient_trajectories(
        pd.concat([read_table(p) for p in inputs], ignore_index=True), orientation
    )
    save_parquet(out_table, table)
    return table


def mode_trajectory_job(job: Job) -> None:
    """Rule mode_trajectory: :func:`run_mode_trajectory` of one checkpoint; the job's
    ``previous`` input is the checkpoint of the epoch before (an empty list for the first)."""
    s = ModeTrajectory(**job.settings)
    previous = job.input["previous"]
    r = run_mode_trajectory(
        job.input["checkpoint"], job.input["data"], job.output["table"], s,
        previous[0] if previous else None,
    )  # fmt: skip
    print(
        f"lambda_1 {r['lambda_1']:.3f}: Landau wells u {r['landau_u_wells']} "
        f"(unconfined {r['landau_u_unconfined']}), w {r['landau_w_wells']}; "
        f"overlap with the previous mode 1 {r['overlap_prev']:.3f}",
        file=sys.stderr,
    )


def mode_trajectory_table_job(job: Job) -> None:
    """Rule mode_trajectory_table: :func:`run_mode_trajectory_table` of every row."""
    s = ModeTrajectoryTable(**job.settings)
    t = run_mode_trajectory_table(job.input["rows"], job.output["table"], s.orientation)
    print(f"{len(t)} rows, orientation {s.orientation}", file=sys.stderr)


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "mode_trajectory": mode_trajectory_job,
    "mode_trajectory_table": mode_trajectory_table_job,
}
