"""Settings of the Figs. 7-8 steps (``landau`` section): mode 1 across training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
from rbm_reciprocal.pipeline.cost import (
    mode_trajectory_costs,
)
from rbm_reciprocal.pipeline.step import (
    ANALYSIS_STEP,
    Step,
    job_line,
    model_sizes,
)


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
