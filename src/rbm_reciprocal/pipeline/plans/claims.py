"""Settings of the claims steps (``claims`` section): the inputs of claims 4 and 7 and the
claims table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
from rbm_reciprocal.pipeline.plans import final_models, last_epoch
from rbm_reciprocal.pipeline.step import (
    ANALYSIS_STEP,
    Step,
)

#: Principal components of the training images that claim 7 compares ``u_1`` with (a
#: property of the claim, not a config key).
ALIGNMENT_PCS = 5


@dataclass(frozen=True)
class UniformMoments:
    """Claim 4 (Eq. 51): ``n_states`` Bernoulli(1/2) states projected on every x_i, y_i."""

    n_states: int
    seed: int


def uniform_moments(config: dict, wildcards: Any) -> UniformMoments:
    return UniformMoments(int(config["claims"]["uniform_states"]), int(config["seed"]))


def alignment_checkpoints(config: dict) -> list[tuple[int, str, int, int]]:
    """(hidden, method, replica, epoch) of every checkpoint of every model (claim 7 follows
    ``u_1`` along training), in the order of the pc_alignment job's ``checkpoints``."""
    epochs = checkpoint_epochs_from_config(config)
    return [(m, meth, r, int(e)) for m, meth, r in final_models(config) for e in epochs]


@dataclass(frozen=True)
class PcAlignment:
    """Claim 7: the checkpoints of :func:`alignment_checkpoints` and the PCs compared."""

    checkpoints: list[tuple[int, str, int, int]]
    n_pcs: int


def pc_alignment(config: dict, wildcards: Any) -> PcAlignment:
    return PcAlignment(alignment_checkpoints(config), ALIGNMENT_PCS)


@dataclass(frozen=True)
class Claims:
    """The claims table: the models' training ``epochs`` (claim 8's n/a rule), the fewest
    epochs at which a trained-model claim can fail (``claims.min_epochs``) and the heading
    of the Markdown and HTML tables."""

    epochs: int
    min_epochs: int
    title: str


def claims(config: dict, wildcards: Any) -> Claims:
    hidden = [int(m) for m in config["model"]["hidden"]]
    methods = [str(meth) for meth in config["training"]["methods"]]
    replicas = int(config["model"]["replicas"])
    epochs = last_epoch(config)
    title = (
        f"Claims of arXiv:2503.21536 checked on this run: hidden sizes {hidden}, "
        f"methods {methods}, {replicas} replica(s), {epochs} epochs."
    )
    return Claims(epochs, int(config["claims"]["min_epochs"]), title)


#: The steps of this stage (rules of ``workflow/rules/claims.smk``).
STEPS = [
    Step(
        "uniform_moments",
        **ANALYSIS_STEP,
        arrays=memory.uniform_moments,
        settings=uniform_moments,
        stage="claims",
        outputs={"table": "results/claims/uniform_moments.parquet"},
        log="claims/uniform_moments",
    ),
    Step(
        "pc_alignment",
        **ANALYSIS_STEP,
        arrays=memory.pc_alignment,
        settings=pc_alignment,
        stage="claims",
        outputs={"table": "results/claims/pc_alignment.parquet"},
        log="claims/pc_alignment",
    ),
    Step(
        "claims",
        "compute",
        settings=claims,
        stage="claims",
        outputs={
            "table": "results/claims.parquet",
            "markdown": "results/claims.md",
            "html": "results/claims.html",
        },
        log="claims/claims",
        report=("html", "Claims", {"table": "the paper's claims, checked"}),
    ),
]
