"""Settings of the Fig. 3 steps (``spectra`` section)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import (
    random_spectrum_costs,
    trained_spectra_cost,
)
from rbm_reciprocal.pipeline.plans import final_models
from rbm_reciprocal.pipeline.step import (
    ANALYSIS_STEP,
    Step,
    job_line,
    kurtosis_cost,
    random_sizes,
)


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


def random_panels(config: dict) -> int:
    """``random_spectrum`` and ``fig3_mp``: one per panel of Fig. 3a-d."""
    return len(config["spectra"]["random"]["hidden"])


def kurtosis_variants(config: dict) -> int:
    """``kurtosis``: one per variant of Fig. 3e."""
    return len(config["spectra"]["kurtosis"]["variants"])


def fig3_mp(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 3a-d: the panel (its hidden size is ``spectra.random.hidden[panel]``)."""
    return {"panel": str(wildcards.panel)}


#: The steps of this stage (rules of ``workflow/rules/spectra.smk``).
STEPS = [
    Step(
        "random_spectrum",
        **ANALYSIS_STEP,
        arrays=memory.random_spectrum,
        cost=job_line(random_spectrum_costs),
        sizes=random_sizes,
        settings=random_spectrum,
        stage="spectra",
        count=random_panels,
        outputs={
            "table": "results/spectra/random_N{visible}_M{hidden}.parquet",
            "curve": "results/spectra/random_N{visible}_M{hidden}_mp.parquet",
            "values": "results/spectra/random_N{visible}_M{hidden}_values.parquet",
        },
        log="spectra/random_N{visible}_M{hidden}",
    ),
    Step(
        "fig3_mp",
        "figure",
        stage="figures",
        figure="fig3_{panel}",
        settings=fig3_mp,
        count=random_panels,
        log="figures/fig3_{panel}",
    ),
    Step(
        "kurtosis",
        **ANALYSIS_STEP,
        arrays=memory.kurtosis,
        cost=kurtosis_cost,
        settings=kurtosis,
        stage="spectra",
        count=kurtosis_variants,
        outputs={
            "summary": "results/spectra/kurtosis_{variant}.parquet",
            "fit": "results/spectra/kurtosis_{variant}_fit.parquet",
            "components": "results/spectra/kurtosis_{variant}_components.parquet",
        },
        log="spectra/kurtosis_{variant}",
    ),
    Step("fig3_e", "figure", stage="figures", figure="fig3_e", log="figures/fig3_e"),
    Step(
        "trained_spectra",
        **ANALYSIS_STEP,
        arrays=memory.trained_spectra,
        cost=job_line(trained_spectra_cost),
        settings=trained_spectra,
        stage="spectra",
        outputs={
            "table": "results/spectra/trained.parquet",
            "values": "results/spectra/trained_values.parquet",
        },
        log="spectra/trained",
    ),
    Step("fig3_f", "figure", stage="figures", figure="fig3_f", log="figures/fig3_f"),
    Step(
        "spectral_gap",
        "light",
        settings=spectral_gap,
        stage="spectra",
        outputs={"table": "results/spectra/gap.parquet"},
        log="spectra/gap",
    ),
]
