"""Settings of the Fig. 3 steps (``spectra`` section)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline.step_settings import final_models


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
