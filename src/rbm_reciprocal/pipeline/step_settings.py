"""The settings of each step's jobs, built once from the validated config.

One frozen dataclass per step (or family of steps) and one function
``<step>(config, wildcards)`` that builds it; :data:`~.steps.STEPS` names the function, the
rule writes its result into the job file (:mod:`.job`), and the stage rebuilds the dataclass
with ``Settings(**job.settings)``. Every value comes from the config, whose defaults are the
schema's (``workflow/schemas/config.schema.yaml``): no default lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config


def final_models(config: dict) -> list[tuple[int, str, int]]:
    """(hidden, method, replica) of every trained model, in the order of the tables."""
    return [
        (int(m), str(meth), r)
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
        for r in range(int(config["model"]["replicas"]))
    ]


def last_epoch(config: dict) -> int:
    """The last training checkpoint (the "trained" model of the analyses)."""
    return int(checkpoint_epochs_from_config(config)[-1])


@dataclass(frozen=True)
class RandomSpectrum:
    """Fig. 3a-d (``spectra.random``): ``visible x hidden`` inits vs Marchenko-Pastur."""

    visible: int
    hidden: int
    sigma: float
    n_matrices: int
    bins: int
    seed: int


def random_spectrum(config: dict, wildcards: Any) -> RandomSpectrum:
    r = config["spectra"]["random"]
    return RandomSpectrum(
        int(wildcards.visible), int(wildcards.hidden), float(r["sigma"]),
        int(r["n_matrices"]), int(r["bins"]), int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class TrainedSpectra:
    """Fig. 3f (``spectra.trained``): the last checkpoint of each model of ``models``
    ((hidden, method, replica), the order of the job's ``checkpoints``)."""

    models: list[tuple[int, str, int]]
    window: tuple[float, float]
    bins: int
    min_occupied_bins: int


def trained_spectra(config: dict, wildcards: Any) -> TrainedSpectra:
    t = config["spectra"]["trained"]
    lo, hi = t["window"]
    return TrainedSpectra(
        final_models(config), (float(lo), float(hi)), int(t["bins"]), int(t["min_occupied_bins"])
    )


@dataclass(frozen=True)
class Kurtosis:
    """Fig. 3e (``spectra.kurtosis``), one ``variant``: ``code`` (sizes of the visible
    layer at ``fixed`` hidden units) or ``text`` (the transpose)."""

    variant: str
    sizes: list[int]
    fixed: int
    sigma: float
    n_samples: int
    batch_size: int
    seed: int


def kurtosis(config: dict, wildcards: Any) -> Kurtosis:
    k = config["spectra"]["kurtosis"]
    fixed = k["fixed_hidden"] if wildcards.variant == "code" else k["fixed_visible"]
    return Kurtosis(
        str(wildcards.variant), [int(n) for n in k["sizes"]], int(fixed), float(k["sigma"]),
        int(k["n_samples"]), int(k["batch_size"]), int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class SpectralGap:
    """Fig. 3f's gap (``spectra.gap``): the window of singular values the paper calls empty."""

    window: tuple[float, float]


def spectral_gap(config: dict, wildcards: Any) -> SpectralGap:
    lo, hi = config["spectra"]["gap"]["window"]
    return SpectralGap((float(lo), float(hi)))


def fig3_mp(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 3a-d: the panel (its hidden size is ``spectra.random.hidden[panel]``)."""
    return {"panel": str(wildcards.panel)}


def fig6(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 6: how many rotated samples to show (``symmetry.samples``)."""
    s = config["symmetry"]["samples"]
    return {"n_show": int(s["n_show"]), "show": s["show"]}


def fig7_8(config: dict, wildcards: Any) -> dict[str, Any]:
    """Figs. 7 (the first hidden size) and 8 (the others)."""
    hidden = [int(m) for m in config["model"]["hidden"]]
    return {"hidden": hidden[:1] if str(wildcards.n) == "7" else hidden[1:]}
