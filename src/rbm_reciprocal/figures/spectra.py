"""Figures of the spectra stage: Fig. 3a-d (random inits vs Marchenko-Pastur) and Fig. 3f."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rbm_reciprocal.figures.style import panel_letter, save_figure


def fig3_mp(
    hist: pd.DataFrame,
    curve: pd.DataFrame,
    n: int,
    m: int,
    stem: str | os.PathLike,
    ax_label: str,
) -> list[Path]:
    """Fig. 3a-d written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig3_mp`)."""
    return save_figure(build_fig3_mp(hist, curve, n, m, ax_label), stem)


def build_fig3_mp(hist: pd.DataFrame, curve: pd.DataFrame, n: int, m: int, ax_label: str) -> Figure:
    """Fig. 3a-d: singular values of random ``n x m`` inits against Marchenko-Pastur (Eq. 20).

    Parameters
    ----------
    hist : DataFrame
        Histogram table with columns ``bin_left, bin_right, density`` (from
        `rbm_reciprocal.stages.spectra.run_random_spectrum`).
    curve : DataFrame
        Columns ``lam, pdf``: the Marchenko-Pastur density.
    n, m : int
        Matrix shape, for the title ``N=n, M=m``.
    ax_label : str
        Panel letter drawn at the upper-left corner, above the axes (``"a"`` .. ``"d"``).
    """
    fig = Figure(figsize=(4.0, 3.2), layout="constrained")
    ax = fig.subplots()
    left = hist["bin_left"].to_numpy(dtype=float)
    width = hist["bin_right"].to_numpy(dtype=float) - left
    ax.bar(
        left,
        hist["density"].to_numpy(dtype=float),
        width=width,
        align="edge",
        color="tab:blue",
        alpha=0.6,
        edgecolor="none",
        label="random init",
    )
    ax.plot(
        curve["lam"].to_numpy(dtype=float),
        curve["pdf"].to_numpy(dtype=float),
        color="tab:red",
        lw=1.5,
        label="Marchenko-Pastur",
    )
    ax.set_title(f"N={int(n)}, M={int(m)}")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("density")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    panel_letter(ax, ax_label)
    return fig


def fig3_f(
    table: pd.DataFrame,
    stem: str | os.PathLike,
    gap: tuple[float, float] | None = (33.0, 35.0),
) -> list[Path]:
    """Fig. 3f written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig3_f`)."""
    return save_figure(build_fig3_f(table, gap), stem)


def build_fig3_f(table: pd.DataFrame, gap: tuple[float, float] | None = (33.0, 35.0)) -> Figure:
    """Fig. 3f: singular-value distributions of trained RBMs per hidden size and method.

    One step line per (hidden, method), colour by hidden size, line style by method, on a log
    y axis (empty bins are left blank). The gap the paper reports at ``lambda in [33, 35]`` is
    shaded, and the x range is extended to include it, unless the spectra end below half its
    lower edge: then the axis keeps the data's range and a note says the gap is off axis (and
    whether the bins are the authors' or, ``binning == "refined"``, spread up to the largest
    value). Legend labels come from the data
    (hidden sizes sorted numerically; the authors' legend swapped 1200 and 3000).

    Parameters
    ----------
    table : DataFrame
        Columns ``hidden, method, bin_left, bin_right, density`` (from
        `rbm_reciprocal.stages.spectra.run_trained_spectra`).
    gap : (float, float) or None
        Region to shade; ``None`` draws none.
    """
    fig = Figure(figsize=(5.0, 3.6), layout="constrained")
    ax = fig.subplots()
    hiddens = sorted({int(h) for h in table["hidden"]})
    methods = sorted({str(x) for x in table["method"]})
    colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, max(len(hiddens), 1)))
    styles = ["-", "--", ":", "-."]
    x_lo, x_hi = np.inf, -np.inf
    for ci, hidden in enumerate(hiddens):
        for si, method in enumerate(methods):
            sel = table[(table["hidden"] == hidden) & (table["method"] == method)]
            if sel.empty:
                continue
            sel = sel.sort_values("bin_left")
            edges = np.append(sel["bin_left"].to_numpy(float), sel["bin_right"].to_numpy(float)[-1])
            dens = sel["density"].to_numpy(dtype=float)
            dens = np.where(dens > 0, dens, np.nan)
            label = f"M={hidden}" if len(methods) == 1 else f"M={hidden}, {method}"
            ax.step(
                edges,
                np.append(dens, dens[-1]),
                where="post",
                color=colors[ci],
                ls=styles[si % len(styles)],
                lw=1.3,
                label=label,
            )
            x_lo, x_hi = min(x_lo, edges[0]), max(x_hi, edges[-1])
    _mark_gap(ax, table, gap, x_lo, x_hi, len(edges) - 1 if np.isfinite(x_lo) else 0)
    ax.set_yscale("log")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("density")
    ax.set_title("Trained RBMs: singular values")
    ax.legend(frameon=False, fontsize=8)
    return fig


def _mark_gap(ax, table: pd.DataFrame, gap, x_lo: float, x_hi: float, n_bins: int) -> None:
    """Shade the reported gap and extend the x range to it, or, when the spectra end below
    half its lower edge, keep the data's range and say in a note that the gap is off axis."""
    refined = "binning" in table.columns and (table["binning"] == "refined").any()
    filled = table[table["density"] > 0]
    d_hi = float(filled["bin_right"].max()) if len(filled) else x_hi
    if gap is not None and d_hi >= 0.5 * gap[0]:
        ax.axvspan(gap[0], gap[1], color="0.5", alpha=0.25, lw=0, label="reported gap")
        if np.isfinite(x_lo):
            ax.set_xlim(min(x_lo, gap[0]), max(x_hi, gap[1]))
    elif gap is not None:  # spectra far below the window: keep the data's axis, say so
        if np.isfinite(x_lo):
            ax.set_xlim(x_lo, d_hi + 0.05 * (d_hi - x_lo))
        ax.text(
            0.98,
            0.97,
            f"reported gap at $\\lambda \\in$ [{gap[0]:g}, {gap[1]:g}]: off axis\n"
            + (
                f"(spectra far below the authors' bins: {n_bins} bins up to max $\\lambda$)"
                if refined
                else f"(authors' bins, spectra end at $\\lambda$ = {d_hi:.3g})"
            ),
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
        )
