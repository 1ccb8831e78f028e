"""Stage landau (workflow/rules/landau.smk): mode 1 of each checkpoint, and the oriented
table of Figs. 7-8."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.core import streams
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
from rbm_reciprocal.pipeline.cost import mode_trajectory_costs
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, job_line, model_sizes

pd = lazy_module("pandas")
landau = lazy_module("rbm_reciprocal.analysis.landau")


def landau_method(config: dict) -> str:
    """The training method followed (``landau.method``; null: the first of training.methods)."""
    return str(config["landau"]["method"] or config["training"]["methods"][0])


def landau_epochs(config: dict) -> list[int]:
    """Checkpoint epochs of Figs. 7-8 (``landau.epochs``; null: every training checkpoint).

    Raises
    ------
    ConfigError
        If an epoch is not a training checkpoint.
    """
    epochs = checkpoint_epochs_from_config(config)
    wanted = config["landau"]["epochs"]
    if wanted is None:
        return epochs
    missing = sorted(set(wanted) - set(epochs))
    if missing:
        raise ConfigError(
            f"landau.epochs {missing} are not training checkpoints; add them to "
            "training.checkpoints.at or change landau.epochs"
        )
    return sorted(wanted)


@dataclass(frozen=True)
class ModeTrajectory:
    """One checkpoint of Figs. 7-8: the model (``hidden``, ``method``, ``replica``, ``epoch``:
    also the row's first columns), the test ``digits`` projected (None: all), the quartic
    fit's ``uniform_states`` and ``bins``, and the Gibbs chains and sweeps."""

    hidden: int
    method: str
    replica: int
    epoch: int
    digits: list[int] | None
    uniform_states: int
    bins: int
    gibbs_chains: int
    gibbs_sweeps: int
    seed: int

    def labels(self) -> dict[str, Any]:
        """The columns that say which checkpoint a row is."""
        return {
            "hidden": self.hidden,
            "method": self.method,
            "replica": self.replica,
            "epoch": self.epoch,
        }


def mode_trajectory(config: dict, wildcards: Any) -> ModeTrajectory:
    c = config["landau"]
    digits = None if c["digits"] is None else [int(d) for d in c["digits"]]
    return ModeTrajectory(
        int(wildcards.hidden), landau_method(config), int(c["replica"]), int(wildcards.epoch),
        digits, int(c["uniform_states"]), int(c["bins"]), int(c["gibbs_chains"]),
        int(c["gibbs_sweeps"]), int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class ModeTrajectoryTable:
    """How the signs of mode 1 are chosen across epochs (``landau.orientation``)."""

    orientation: str


def mode_trajectory_table(config: dict, wildcards: Any) -> ModeTrajectoryTable:
    return ModeTrajectoryTable(str(config["landau"]["orientation"]))


def mode_trajectory_jobs(config: dict) -> int:
    """``mode_trajectory``: one per hidden size and Landau epoch (Figs. 7-8)."""
    return len(config["model"]["hidden"]) * len(landau_epochs(config))


def landau_figures(config: dict) -> int:
    """``fig7_8``: Fig. 7 (the first hidden size) and Fig. 8 (the others, if any)."""
    return 1 + (len(config["model"]["hidden"]) > 1)


def fig7_8(config: dict, wildcards: Any) -> dict[str, Any]:
    """Figs. 7 (the first hidden size) and 8 (the others)."""
    hidden = [int(m) for m in config["model"]["hidden"]]
    return {"hidden": hidden[:1] if str(wildcards.n) == "7" else hidden[1:]}


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
        **landau.mode_trajectory_row(
            params, test, rng, s.uniform_states, s.bins, s.gibbs_chains, s.gibbs_sweeps
        ),
    )
    row["n_test"] = int(test.shape[0])
    row["n_gibbs"] = int(s.gibbs_chains)
    row["flip_prev"], row["overlap_prev"] = (
        landau.mode1_continuity(load_checkpoint(previous).W, params.W)
        if previous
        else (np.nan, np.nan)
    )
    save_parquet(out_table, pd.DataFrame([row]))
    return row


def run_mode_trajectory_table(
    inputs: list[PathLike], out_table: PathLike, orientation: str
) -> pd.DataFrame:
    """Concatenate the rows of :func:`run_mode_trajectory` and orient each trajectory
    (:func:`orient_trajectories`): ``results/landau/mode_trajectories.parquet``."""
    table = landau.orient_trajectories(
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


#: The steps of this stage (rules of ``workflow/rules/landau.smk``).
STEPS = [
    Step(
        "mode_trajectory",
        **ANALYSIS_STEP,
        arrays=memory.mode_trajectory,
        cost=job_line(mode_trajectory_costs),
        sizes=model_sizes,
        settings=mode_trajectory,
        stage="landau",
        count=mode_trajectory_jobs,
        outputs={"table": "results/landau/M{hidden}/epoch_{epoch}.parquet"},
        log="landau/M{hidden}_epoch_{epoch}",
    ),
    Step(
        "mode_trajectory_table",
        "light",
        settings=mode_trajectory_table,
        stage="landau",
        outputs={"table": "results/landau/mode_trajectories.parquet"},
        log="landau/mode_trajectories",
    ),
    Step(
        "fig7_8",
        "figure",
        stage="figures",
        figure="fig{n}",
        settings=fig7_8,
        count=landau_figures,
        log="figures/fig{n}",
    ),
]
