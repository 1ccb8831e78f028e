"""Settings of the symmetry-breaking steps (``symmetry`` section): Figs. 4 and 6."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline.step_settings import final_models, last_epoch

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
    :func:`~rbm_reciprocal.pipeline.step_settings.final_models`), then the untrained
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
