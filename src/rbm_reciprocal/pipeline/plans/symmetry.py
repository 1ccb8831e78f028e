"""Settings of the symmetry-breaking steps (``symmetry`` section): Figs. 4 and 6."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import (
    rotated_samples_cost,
)
from rbm_reciprocal.pipeline.plans import final_models, last_epoch
from rbm_reciprocal.pipeline.step import (
    ANALYSIS_STEP,
    Step,
    job_line,
)

#: The model id of Fig. 4's untrained reference of ``M`` hidden units: ``untrained_M{M}``.
UNTRAINED = "untrained_M"


def untrained_sizes(config: dict) -> list[int]:
    """Hidden sizes of Fig. 4's untrained baselines: every model size (each M is compared
    with an untrained init of its own shape) and ``symmetry.reference.hidden`` (the paper's
    784 x 500 line)."""
    hidden = {int(m) for m in config["model"]["hidden"]}
    return sorted(hidden | {int(config["symmetry"]["reference"]["hidden"])})


def rotation_js_models(config: dict) -> list[str]:
    """Model ids (the ``{model}`` wildcard of ``rotation_js``) of Fig. 4: every trained
    model's last checkpoint (``{method}_M{hidden}_replica{replica}``, in the order of
    :func:`~rbm_reciprocal.pipeline.plans.final_models`), then the untrained
    reference of every size of :func:`untrained_sizes` (``untrained_M{hidden}``)."""
    ids = [f"{meth}_M{m}_replica{r}" for m, meth, r in final_models(config)]
    return ids + [f"{UNTRAINED}{m}" for m in untrained_sizes(config)]


@dataclass(frozen=True)
class UntrainedReference:
    """The untrained reference of Fig. 4 and the reciprocal figures (``symmetry.reference``):
    ``W``, ``a``, ``b`` all Normal(0, ``std``^2), ``visible x hidden``, and the JS noise level
    of two such inits on ``bins`` bins (``symmetry.js_bins``)."""

    visible: int
    hidden: int
    std: float
    bins: int
    seed: int


def untrained_reference(config: dict, wildcards: Any) -> UntrainedReference:
    ref = config["symmetry"]
    return UntrainedReference(
        int(ref["reference"]["visible"]), int(wildcards.hidden), float(ref["reference"]["std"]),
        int(ref["js_bins"]), int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class RotationJs:
    """Fig. 4, one model (the ``{model}`` wildcard, :func:`rotation_js_models`): its labels
    (``kind`` trained or untrained, ``hidden``, ``method``, ``replica``, ``epoch``; an
    untrained reference is method ``none``, replica 0, epoch 0) and the test's settings
    (``symmetry.js_bins``, ``rotation_fraction``, ``rotation_variant``)."""

    kind: str
    hidden: int
    method: str
    replica: int
    epoch: int
    bins: int
    fraction: float
    variant: str
    seed: int

    def labels(self) -> dict[str, Any]:
        """The columns that name the model in the job's row (in this order)."""
        return {k: getattr(self, k) for k in ("kind", "hidden", "method", "replica", "epoch")}


def rotation_js(config: dict, wildcards: Any) -> RotationJs:
    model = str(wildcards.model)
    if model.startswith(UNTRAINED):
        labels = ("untrained", int(model.removeprefix(UNTRAINED)), "none", 0, 0)
    else:
        method, m, r = model.split("_")
        labels = ("trained", int(m[1:]), method, int(r.removeprefix("replica")), last_epoch(config))
    s = config["symmetry"]
    return RotationJs(
        *labels, int(s["js_bins"]), float(s["rotation_fraction"]), str(s["rotation_variant"]),
        int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class RotatedSamples:
    """Fig. 6 (``symmetry.samples``): ``n_chains`` Gibbs chains of ``sweeps`` sweeps decoded
    with ``U``, its top-2 plane flipped, and ``local_rotations`` rotations avoiding the top
    ``avoid_top`` modes."""

    n_chains: int
    sweeps: int
    local_rotations: int
    avoid_top: int
    seed: int


def rotated_samples(config: dict, wildcards: Any) -> RotatedSamples:
    s = config["symmetry"]["samples"]
    return RotatedSamples(
        int(s["chains"]), int(s["sweeps"]), int(s["local_rotations"]), int(s["avoid_top"]),
        int(config["seed"]),
    )  # fmt: skip


def untrained_references(config: dict) -> int:
    """``untrained_reference``: one per hidden size that an analysis compares with."""
    return len(untrained_sizes(config))


def rotation_js_jobs(config: dict) -> int:
    """``rotation_js``: every trained model and every untrained reference (Fig. 4)."""
    return len(rotation_js_models(config))


def fig6(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 6: how many rotated samples to show (``symmetry.samples``)."""
    s = config["symmetry"]["samples"]
    return {"n_show": int(s["n_show"]), "show": s["show"]}


#: The steps of this stage (rules of ``workflow/rules/symmetry.smk``).
STEPS = [
    Step(
        "untrained_reference",
        "compute",
        arrays=memory.symmetry_reference,
        settings=untrained_reference,
        stage="symmetry",
        count=untrained_references,
        outputs={
            "checkpoint": "results/reference/untrained_M{hidden}.npz",
            "noise": "results/reference/untrained_M{hidden}_js_noise.parquet",
        },
        log="reference/untrained_M{hidden}",
    ),
    Step(
        "rotation_js",
        **ANALYSIS_STEP,
        arrays=memory.symmetry_reference,
        settings=rotation_js,
        stage="symmetry",
        count=rotation_js_jobs,
        outputs={
            "table": "results/symmetry/js/{model}.parquet",
            "pdfs": "results/symmetry/js/{model}_pdfs.parquet",
        },
        log="symmetry/js_{model}",
    ),
    Step(
        "rotation_js_table",
        "light",
        stage="symmetry",
        outputs={"table": "results/symmetry/fig4_js.parquet"},
        log="symmetry/fig4_js",
    ),
    Step("fig4", "figure", stage="figures", figure="fig4", log="figures/fig4"),
    Step(
        "rotated_samples",
        **ANALYSIS_STEP,
        arrays=memory.rotated_samples,
        cost=job_line(rotated_samples_cost),
        settings=rotated_samples,
        stage="symmetry",
        outputs={
            "npz": "results/symmetry/rotated_samples.npz",
            "table": "results/symmetry/rotated_samples.parquet",
        },
        log="symmetry/rotated_samples",
    ),
    Step("fig6", "figure", stage="figures", figure="fig6", settings=fig6, log="figures/fig6"),
]
