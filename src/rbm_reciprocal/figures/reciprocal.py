"""Figures of the reciprocal stage: Figs. 3e and 5 (Figs. 1 right and 2: :mod:`.landscapes`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rbm_reciprocal.figures.style import _epoch_label, save_figure


def fig3_e(summary: pd.DataFrame, fits: pd.DataFrame, stem: str | os.PathLike) -> list[Path]:
    """Fig. 3e: kurtosis of projected Bernoulli(1/2) states versus ``1/size``, per variant.

    Monte-Carlo means over components (dots, ribbon = std over components), the closed form
    ``3 - 2 sum_k U_ki^4`` (open squares), the Haar mean ``3 - 6/(n+2)`` (dotted), the linear
    fit of the Monte-Carlo means extrapolated to ``1/n = 0`` with its intercept +- standard
    error, and the Gaussian value 3 (dashed).

    Parameters
    ----------
    summary : DataFrame
        ``variant, variable, size, n_visible, n_hidden, mc_mean, mc_std, exact_mean, haar_mean``
        (from `rbm_reciprocal.stages.reciprocal.run_kurtosis`; one or more variants).
    fits : DataFrame
        ``variant, source, slope, intercept, intercept_se``.
    stem : path
    """
    variants = [v for v in ("code", "text") if v in set(summary["variant"])]
    variants += sorted(set(summary["variant"]) - set(variants))
    fig = Figure(figsize=(4.6 * len(variants), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(variants), squeeze=False).ravel())
    for ax, variant in zip(axes, variants, strict=True):
        s = summary[summary["variant"] == variant].sort_values("size")
        inv = 1.0 / s["size"].to_numpy(float)
        var = str(s["variable"].iloc[0])
        if variant == "code":
            what = f"$x = U^T v$, N varied, M = {int(s['n_hidden'].iloc[0])}"
            size_name = "N"
        elif variant == "text":
            what = f"$y = V^T h$, M varied, N = {int(s['n_visible'].iloc[0])}"
            size_name = "M"
        else:
            what, size_name = f"{var} ({variant})", "n"
        mean, std = s["mc_mean"].to_numpy(float), s["mc_std"].to_numpy(float)
        ax.fill_between(
            inv,
            mean - std,
            mean + std,
            color="tab:blue",
            alpha=0.2,
            lw=0,
            label="std over components",
        )
        ax.plot(inv, mean, "o", color="tab:blue", label="Monte Carlo")
        ax.plot(
            inv,
            s["exact_mean"],
            "s",
            mfc="none",
            color="tab:red",
            ms=8,
            label=r"closed form $3 - 2\sum_k U_{ki}^4$",
        )
        grid = np.linspace(0.0, inv.max() * 1.08, 200)
        with np.errstate(divide="ignore"):
            haar = 3.0 - 6.0 / (1.0 / np.where(grid > 0, grid, np.nan) + 2.0)
        haar = np.where(grid > 0, haar, 3.0)
        ax.plot(grid, haar, ":", color="tab:red", lw=1, label="Haar mean $3 - 6/(n+2)$")
        f = fits[(fits["variant"] == variant) & (fits["source"] == "mc")].iloc[0]
        ax.plot(
            grid,
            f["intercept"] + f["slope"] * grid,
            "-",
            color="tab:blue",
            lw=1.2,
            label=f"fit: {f['intercept']:.5f} $\\pm$ {f['intercept_se']:.5f} at 1/{size_name}=0",
        )
        ax.axhline(3.0, ls="--", color="k", lw=0.8, label="Gaussian (3)")
        for xi, yi, n in zip(inv, mean, s["size"], strict=True):
            ax.annotate(
                f"{int(n)}",
                (xi, yi),
                textcoords="offset points",
                xytext=(0, -11),
                fontsize=6,
                ha="center",
            )
        ax.set_xlim(0.0, inv.max() * 1.08)
        ax.set_xlabel(f"1/{size_name}")
        ax.set_ylabel(f"kurtosis of ${var}_i$")
        ax.set_title(what, fontsize=9)
        ax.legend(fontsize=6.5, frameon=False, loc="lower left")
    return save_figure(fig, stem)


def fig5(table: pd.DataFrame, stem: str | os.PathLike) -> list[Path]:
    """Fig. 5: PDFs of reciprocal variables of Bernoulli(1/2) states with the Gaussian of Eq. 51.

    Rows: ``x`` untrained, ``x`` trained, ``y`` untrained, ``y`` trained (those present);
    columns: the mode indices. Each panel shows the histogram density of ``x_i`` (or ``y_i``)
    and ``Normal(mu_i, 1/2)`` with ``mu_i = (1/2) sum_k U_ki`` (Eq. 51). Indices beyond
    ``min(N, M)`` are marked "null space, Haar basis": they are projected on a Haar-random
    orthonormal basis of the null space (column ``basis == "haar-null"``), not on LAPACK's
    arbitrary, nearly unit basis vectors.

    Parameters
    ----------
    table : DataFrame
        ``state, epoch, variable, index, bin_left, bin_right, density, mu, sigma`` and
        optionally ``paired, basis`` (from
        `rbm_reciprocal.stages.reciprocal.run_uniform_projections`).
    stem : path
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
    fig = Figure(figsize=(2.1 * ncols + 0.6, 1.85 * len(panels) + 0.3), layout="constrained")
    axes = fig.subplots(len(panels), ncols, squeeze=False)
    for row, (var, st) in enumerate(panels):
        sel = table[(table["variable"] == var) & (table["state"] == st)]
        indices = sorted(int(i) for i in sel["index"].unique())
        epoch = int(sel["epoch"].iloc[0])
        for col in range(ncols):
            ax = axes[row, col]
            if col >= len(indices):
                ax.set_axis_off()
                continue
            i = indices[col]
            h = sel[sel["index"] == i].sort_values("bin_left")
            edges = np.append(h["bin_left"].to_numpy(float), h["bin_right"].to_numpy(float)[-1])
            dens = h["density"].to_numpy(float)
            ax.stairs(dens, edges, fill=True, color="tab:blue", alpha=0.45)
            mu, sigma = float(h["mu"].iloc[0]), float(h["sigma"].iloc[0])
            grid = np.linspace(min(edges[0], mu - 4 * sigma), max(edges[-1], mu + 4 * sigma), 300)
            gauss = np.exp(-0.5 * ((grid - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
            ax.plot(grid, gauss, color="tab:red", lw=1.2)
            unpaired = "paired" in h.columns and not bool(h["paired"].iloc[0])
            haar = "basis" in h.columns and h["basis"].iloc[0] == "haar-null"
            note = " (null space, Haar basis)" if haar else " (null space)" if unpaired else ""
            ax.set_title(f"${var}_{{{i}}}$" + note, fontsize=9)
            ax.tick_params(labelsize=6)
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(f"{st}\n({_epoch_label(st, epoch)})", fontsize=8)
    fig.suptitle(
        "Bernoulli(1/2) states projected on the singular vectors (null space: a Haar-random "
        r"orthonormal basis of it); red: Normal($\mu_i$, 1/2) of Eq. 51",
        fontsize=9,
    )
    return save_figure(fig, stem)
