"""I/O edge of the figures: read the tables a figure needs and call its renderer.

``render(name, inputs, stem, options)`` is what ``python -m rbm_reciprocal figure`` runs: it
writes ``<stem>.pdf`` and ``<stem>.png`` of the Figure that ``build(name, inputs, options)``
returns (the tests check that Figure's readability before anything is saved). The data of a
figure are its input parquet(s), so restyling a plot never recomputes anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import load_npz
from rbm_reciprocal.core.tables import read_table
from rbm_reciprocal.figures.claims import build_fig_diffusion
from rbm_reciprocal.figures.landau import build_fig7_8
from rbm_reciprocal.figures.landscapes import build_fig1_right, build_fig2
from rbm_reciprocal.figures.loglik import build_fig1_left
from rbm_reciprocal.figures.reciprocal import build_fig3_e, build_fig5
from rbm_reciprocal.figures.spectra import build_fig3_f, build_fig3_mp
from rbm_reciprocal.figures.style import save_figure
from rbm_reciprocal.figures.symmetry import build_fig4, build_fig6


def _fig3_mp(inputs: Sequence[str], options: dict) -> Figure:
    hist, curve = (read_table(p) for p in inputs)
    n, m = int(hist["n"].iloc[0]), int(hist["m"].iloc[0])
    return build_fig3_mp(hist, curve, n, m, options["panel"])


def _fig3_f(inputs: Sequence[str], options: dict) -> Figure:
    return build_fig3_f(read_table(inputs[0]))


def pdfs_model(path: str) -> str | None:
    """The model id (``{method}_M{hidden}_replica{replica}`` or ``untrained_M{hidden}``) of a
    rotation-JS PDFs table, from its name ``<model>_pdfs.parquet`` (None if it has another)."""
    match = re.fullmatch(r"(.+)_pdfs\.parquet", Path(path).name)
    return match.group(1) if match else None


def _fig4(inputs: Sequence[str], options: dict) -> Figure:
    """Inputs: the JS table, the inset PDFs, then the noise table of each untrained size."""
    js, pdfs = (read_table(p) for p in inputs[:2])
    noise = pd.concat([read_table(p) for p in inputs[2:]], ignore_index=True)
    return build_fig4(js, noise, pdfs, pdfs_model(inputs[1]))


def _fig6(inputs: Sequence[str], options: dict) -> Figure:
    return build_fig6(
        load_npz(inputs[0], "rotated_samples"),
        read_table(inputs[1]),
        int(options["n_show"]),
        options["show"],
    )


def _fig1_right(inputs: Sequence[str], options: dict) -> Figure:
    landscapes, image = (read_table(p) for p in inputs)
    return build_fig1_right(landscapes, image)


def _fig2(inputs: Sequence[str], options: dict) -> Figure:
    landscapes, points = (read_table(p) for p in inputs)
    return build_fig2(landscapes, points)


def _fig3_e(inputs: Sequence[str], options: dict) -> Figure:
    """Inputs: the summary and ``_fit`` tables of each variant, in any order."""

    tables = [read_table(p) for p in inputs]
    fits = pd.concat([t for t in tables if "intercept" in t.columns], ignore_index=True)
    summary = pd.concat([t for t in tables if "mc_mean" in t.columns], ignore_index=True)
    return build_fig3_e(summary, fits)


def _fig5(inputs: Sequence[str], options: dict) -> Figure:
    return build_fig5(read_table(inputs[0]))


def _fig7_8(inputs: Sequence[str], options: dict) -> Figure:
    return build_fig7_8(read_table(inputs[0]), options["hidden"])


def _fig1_left(inputs: Sequence[str], options: dict) -> Figure:
    return build_fig1_left(read_table(inputs[0]), options.get("split", "test"))


def _fig_diffusion(inputs: Sequence[str], options: dict) -> Figure:
    """Inputs: spectrum, series, summary and final tables of ``run_diffusion`` (issue 7)."""

    spectrum, series, summary, final = (read_table(p) for p in inputs)
    return build_fig_diffusion(spectrum, series, summary, final)


#: The options each figure needs (``--options`` of ``python -m rbm_reciprocal figure``; the
#: workflow's come from the config, through the figure steps of :mod:`rbm_reciprocal.stages`).
OPTIONS: dict[str, tuple[str, ...]] = {
    "fig3_mp": ("panel",),
    "fig6": ("n_show", "show"),
    "fig7_8": ("hidden",),
}

#: The Figure builder of each figure: its input paths and options in, a Figure out.
RENDERERS: dict[str, Callable[[Sequence[str], dict], Figure]] = {
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


def build(name: str, inputs: Sequence[str], options: dict) -> Figure:
    """The Figure of figure ``name`` drawn from its input tables (not saved)."""
    if name not in RENDERERS:
        raise ConfigError(f"unknown figure {name!r}; known: {sorted(RENDERERS)}")
    missing = [k for k in OPTIONS.get(name, ()) if k not in options]
    if missing:
        raise ConfigError(f"figure {name} needs the options {missing} (JSON object)")
    return RENDERERS[name](inputs, options)


def render(name: str, inputs: Sequence[str], stem: str, options: dict) -> None:
    """Render figure ``name`` from its input tables to ``stem``.pdf/.png."""
    save_figure(build(name, inputs, options), stem)
