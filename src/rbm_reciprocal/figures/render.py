"""I/O edge of the figures: read the tables a figure needs and call its renderer.

``render(name, inputs, stem, options)`` is what ``python -m rbm_reciprocal figure`` runs.
Each renderer in :mod:`rbm_reciprocal.figures` writes ``<stem>.pdf`` and ``<stem>.png``;
its data table is the input parquet(s), so restyling a plot never recomputes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import load_npz
from rbm_reciprocal.core.tables import read_table
from rbm_reciprocal.figures.claims import fig_diffusion
from rbm_reciprocal.figures.landau import fig7_8
from rbm_reciprocal.figures.landscapes import fig1_right, fig2
from rbm_reciprocal.figures.loglik import fig1_left
from rbm_reciprocal.figures.reciprocal import fig3_e, fig5
from rbm_reciprocal.figures.spectra import fig3_f, fig3_mp
from rbm_reciprocal.figures.symmetry import fig4, fig6


def _fig3_mp(inputs: Sequence[str], stem: str, options: dict) -> None:
    hist, curve = (read_table(p) for p in inputs)
    n, m = int(hist["n"].iloc[0]), int(hist["m"].iloc[0])
    fig3_mp(hist, curve, n, m, stem, options["panel"])


def _fig3_f(inputs: Sequence[str], stem: str, options: dict) -> None:
    fig3_f(read_table(inputs[0]), stem)


def _fig4(inputs: Sequence[str], stem: str, options: dict) -> None:
    """Inputs: the JS table, the inset PDFs, then the noise table of each untrained size."""
    js, pdfs = (read_table(p) for p in inputs[:2])
    noise = pd.concat([read_table(p) for p in inputs[2:]], ignore_index=True)
    fig4(js, noise, pdfs, stem)


def _fig6(inputs: Sequence[str], stem: str, options: dict) -> None:
    fig6(
        load_npz(inputs[0], "rotated_samples"),
        read_table(inputs[1]),
        stem,
        int(options["n_show"]),
        options["show"],
    )


def _fig1_right(inputs: Sequence[str], stem: str, options: dict) -> None:
    landscapes, image = (read_table(p) for p in inputs)
    fig1_right(landscapes, image, stem)


def _fig2(inputs: Sequence[str], stem: str, options: dict) -> None:
    landscapes, points = (read_table(p) for p in inputs)
    fig2(landscapes, points, stem)


def _fig3_e(inputs: Sequence[str], stem: str, options: dict) -> None:
    """Inputs: the summary and ``_fit`` tables of each variant, in any order."""

    tables = [read_table(p) for p in inputs]
    fits = pd.concat([t for t in tables if "intercept" in t.columns], ignore_index=True)
    summary = pd.concat([t for t in tables if "mc_mean" in t.columns], ignore_index=True)
    fig3_e(summary, fits, stem)


def _fig5(inputs: Sequence[str], stem: str, options: dict) -> None:
    fig5(read_table(inputs[0]), stem)


def _fig7_8(inputs: Sequence[str], stem: str, options: dict) -> None:
    fig7_8(read_table(inputs[0]), stem, options["hidden"])


def _fig1_left(inputs: Sequence[str], stem: str, options: dict) -> None:
    fig1_left(read_table(inputs[0]), stem, options.get("split", "test"))


def _fig_diffusion(inputs: Sequence[str], stem: str, options: dict) -> None:
    """Inputs: spectrum, series, summary and final tables of ``run_diffusion`` (issue 7)."""

    spectrum, series, summary, final = (read_table(p) for p in inputs)
    fig_diffusion(spectrum, series, summary, final, stem)


#: The options each figure needs (``--options`` of ``python -m rbm_reciprocal figure``; the
#: workflow's come from the config, :mod:`rbm_reciprocal.pipeline.step_settings`).
OPTIONS: dict[str, tuple[str, ...]] = {
    "fig3_mp": ("panel",),
    "fig6": ("n_show", "show"),
    "fig7_8": ("hidden",),
}

RENDERERS: dict[str, Callable[[Sequence[str], str, dict], None]] = {
    "fig1_left": _fig1_left,
    "fig1_right": _fig1_right,
    "fig2": _fig2,
    "fig3_e": _fig3_e,
    "fig5": _fig5,
    "fig3_mp": _fig3_mp,
    "fig3_f": _fig3_f,
    "fig4": _fig4,
    "fig6": _fig6,
    "fig7_8": _fig7_8,
    "fig_diffusion": _fig_diffusion,
}


def render(name: str, inputs: Sequence[str], stem: str, options: dict) -> None:
    """Render figure ``name`` from its input tables to ``stem``.pdf/.png."""
    if name not in RENDERERS:
        raise ConfigError(f"unknown figure {name!r}; known: {sorted(RENDERERS)}")
    missing = [k for k in OPTIONS.get(name, ()) if k not in options]
    if missing:
        raise ConfigError(f"figure {name} needs the options {missing} (JSON object)")
    RENDERERS[name](inputs, stem, options)
