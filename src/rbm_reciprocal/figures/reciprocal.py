"""Figures of the reciprocal stage: Figs. 3e and 5 (Figs. 1 right and 2: :mod:`.landscapes`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from rbm_reciprocal.figures.style import epoch_label, save_figure

#: Per Fig. 3e variant: what is projected, the name of the varied size, the singular vectors.
_KURTOSIS_VARIANTS = {
    "code": ("$x = U^T v$, N varied, M = {m}", "N", "U"),
    "text": ("$y = V^T h$, M varied, N = {n}", "M", "V"),
}


def fig3_e(summary: pd.DataFrame, fits: pd.DataFrame, stem: str | os.PathLike) -> list[Path]:
    """Fig. 3e written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig3_e`)."""
    return save_figure(build_fig3_e(summary, fits), stem)


def build_fig3_e(summary: pd.DataFrame, fits: pd.DataFrame) -> Figure:
    """Fig. 3e: kurtosis of projected Bernoulli(1/2) states versus ``1/size``, per variant.

    Monte-Carlo means over components (dots, ribbon = std over components), the closed form
    ``3 - 2 sum_k U_ki^4`` (``V`` for the ``y`` variant; open squares), the Haar mean
    ``3 - 6/(n+2)`` (dotted), the linear fit of the Monte-Carlo means extrapolated to
    ``1/n = 0`` with its intercept +- standard error, and the Gaussian value 3 (dashed). The
    bottom axis has a few ticks of ``1/n`` with a common power of ten, the top one the sizes
    ``n``; each panel's legend sits below it.

    Parameters
    ----------
    summary : DataFrame
        ``variant, variable, size, n_visible, n_hidden, mc_mean, mc_std, exact_mean, haar_mean``
        (from `rbm_reciprocal.stages.reciprocal.run_kurtosis`; one or more variants).
    fits : DataFrame
        ``variant, source, slope, intercept, intercept_se``.
    """
    variants = [v for v in ("code", "text") if v in set(summary["variant"])]
    variants += sorted(set(summary["variant"]) - set(variants))
    fig = Figure(figsize=(4.6 * len(variants), 4.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(variants), squeeze=False).ravel())
    for ax, variant in zip(axes, variants, strict=True):
        s = summary[summary["variant"] == variant].sort_values("size")
        f = fits[(fits["variant"] == variant) & (fits["source"] == "mc")].iloc[0]
        _kurtosis_panel(ax, s, f, variant)
    return fig


def _kurtosis_panel(ax, s: pd.DataFrame, f: pd.Series, variant: str) -> None:
    """One panel of Fig. 3e: the rows ``s`` of one variant and its Monte-Carlo fit ``f``."""
    inv = 1.0 / s["size"].to_numpy(float)
    var = str(s["variable"].iloc[0])
    title, size_name, vec = _KURTOSIS_VARIANTS.get(variant, (f"{var} ({variant})", "n", "U"))
    title = title.format(m=int(s["n_hidden"].iloc[0]), n=int(s["n_visible"].iloc[0]))
    mean, std = s["mc_mean"].to_numpy(float), s["mc_std"].to_numpy(float)
    ax.fill_between(inv, mean - std, mean + std, color="tab:blue", alpha=0.2, lw=0,
                    label="std over components")  # fmt: skip
    ax.plot(inv, mean, "o", color="tab:blue", label="Monte Carlo")
    ax.plot(inv, s["exact_mean"], "s", mfc="none", color="tab:red", ms=8,
            label=f"closed form $3 - 2\\sum_k {vec}_{{ki}}^4$")  # fmt: skip
    grid = np.linspace(0.0, inv.max() * 1.08, 200)
    with np.errstate(divide="ignore"):
        haar = 3.0 - 6.0 / (1.0 / np.where(grid > 0, grid, np.nan) + 2.0)
    haar = np.where(grid > 0, haar, 3.0)
    ax.plot(grid, haar, ":", color="tab:red", lw=1, label=f"Haar mean $3 - 6/({size_name}+2)$")
    ax.plot(grid, f["intercept"] + f["slope"] * grid, "-", color="tab:blue", lw=1.2,
            label=f"fit: {f['intercept']:.5f} $\\pm$ {f['intercept_se']:.5f} "
                  f"at 1/{size_name} = 0")  # fmt: skip
    ax.axhline(3.0, ls="--", color="k", lw=0.8, label="Gaussian (3)")
    ax.set_xlim(0.0, inv.max() * 1.08)
    # 1/size spans e.g. [0, 0.002]: a few ticks with a common power of ten, never a run of
    # 0.00025-step labels that overlap into one string; the sizes themselves on the top axis
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 3), useMathText=True)
    top = ax.secondary_xaxis("top")
    top.set_xticks(inv, labels=[str(int(n)) for n in s["size"]])
    top.tick_params(labelsize=7)
    top.set_xlabel(size_name, fontsize=8, labelpad=2)
    ax.set_xlabel(f"1/{size_name}")
    ax.set_ylabel(f"kurtosis of ${var}_i$")
    ax.set_title(title, fontsize=9)
    # below the panel: inside, it hid the ribbon wherever the data happened to fall
    ax.legend(fontsize=6.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncols=2)  # fmt: skip


def fig5(table: pd.DataFrame, stem: str | os.PathLike) -> list[Path]:
    """Fig. 5 written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig5`)."""
    return save_figure(build_fig5(table), stem)


def build_fig5(table: pd.DataFrame) -> Figure:
    """Fig. 5: PDFs of reciprocal variables of Bernoulli(1/2) states with the Gaussian of Eq. 51.

    Rows: ``x`` untrained, ``x`` trained, ``y`` untrained, ``y`` trained (those present);
    columns: the mode indices. Each panel shows the histogram density of ``x_i`` (or ``y_i``)
    and ``Normal(mu_i, 1/2)`` with ``mu_i = (1/2) sum_k U_ki`` (Eq. 51), on a density axis
    with its own ticks (labelled on the first column, beside the row's model). Indices beyond
    ``min(N, M)`` are marked "null space, Haar basis": they are projected on a Haar-random
    orthonormal basis of the null space (column ``basis == "haar-null"``), not on LAPACK's
    arbitrary, nearly unit basis vectors.

    Parameters
    ----------
    table : DataFrame
        ``state, epoch, variable, index, bin_left, bin_right, density, mu, sigma`` and
        optionally ``paired, basis`` (from
        `rbm_reciprocal.stages.reciprocal.run_uniform_projections`).
    """
    order = {"untrained": 0, "trained": 1}
    states = sorted(table["state"].unique(), key=lambda s: (order.get(s, 2), s))
    panels = [
        (var, st)
        for var in ("x", "y")
        for st in states
        if ((table["variable"] == var) & (table["state"] == st)).any()
    ]
    ncols = max(table[table["variable"] == var]["index"].nunique() for var, _ in panels)
    fig = Figure(figsize=(2.1 * ncols + 0.8, 1.9 * len(panels) + 0.6), layout="constrained")
    axes = fig.subplots(len(panels), ncols, squeeze=False)
    for row, (var, st) in enumerate(panels):
        sel = table[(table["variable"] == var) & (table["state"] == st)]
        indices = sorted(int(i) for i in sel["index"].unique())
        for ax in axes[row, len(indices) :]:
            ax.set_axis_off()
        for ax, i in zip(axes[row], indices, strict=False):
            _projection_panel(ax, var, sel[sel["index"] == i].sort_values("bin_left"))
        epoch = int(sel["epoch"].iloc[0])
        axes[row, 0].set_ylabel(f"{st} ({epoch_label(st, epoch)})\ndensity", fontsize=8)
    fig.suptitle(
        "Bernoulli(1/2) states projected on the singular vectors "
        "(null space: a Haar-random orthonormal basis of it)",
        fontsize=9,
    )
    fig.legend(
        handles=[
            Patch(color="tab:blue", alpha=0.45, label="histogram of the projected states"),
            Line2D(
                [],
                [],
                color="tab:red",
                lw=1.2,
                label=r"Normal($\mu_i$, 1/2) of Eq. 51, "
                r"$\mu_i = \frac{1}{2}\sum_k U_{ki}$ ($V_{ki}$ for $y_i$)",
            ),
        ],  # fmt: skip
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        frameon=False,
    )
    return fig


def _projection_panel(ax, var: str, h: pd.DataFrame) -> None:
    """One panel of Fig. 5: the histogram ``h`` of ``var_i`` and its Gaussian of Eq. 51."""
    i = int(h["index"].iloc[0])
    edges = np.append(h["bin_left"].to_numpy(float), h["bin_right"].to_numpy(float)[-1])
    ax.stairs(h["density"].to_numpy(float), edges, fill=True, color="tab:blue", alpha=0.45)
    mu, sigma = float(h["mu"].iloc[0]), float(h["sigma"].iloc[0])
    grid = np.linspace(min(edges[0], mu - 4 * sigma), max(edges[-1], mu + 4 * sigma), 300)
    gauss = np.exp(-0.5 * ((grid - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    ax.plot(grid, gauss, color="tab:red", lw=1.2)
    unpaired = "paired" in h.columns and not bool(h["paired"].iloc[0])
    haar = "basis" in h.columns and h["basis"].iloc[0] == "haar-null"
    note = " (null space, Haar basis)" if haar else " (null space)" if unpaired else ""
    ax.set_title(f"${var}_{{{i}}}$" + note, fontsize=9)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    ax.tick_params(labelsize=6)
