"""Figures of the reciprocal stage: Figs. 1 (right), 2, 3e and 5."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from rbm_reciprocal.analysis.reciprocal import landscape_energy
from rbm_reciprocal.figures.style import _epoch_label, save_figure

_SADDLE_STYLE = dict(marker="*", color="magenta", ms=11, mec="k", mew=0.4, ls="none")


# Digit colours: tab10 with its grey (7) replaced, since Gibbs samples are grey (Fig. 2).
_DIGIT_COLORS = (
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "navy",
    "tab:olive",
    "tab:cyan",
)


def _landscape_contours(ax, row, xlim, ylim, n_levels: int = 18) -> None:
    """Filled contours of ``E_i(x, y) = -a0 x - b0 y - lam x y`` (Eq. 16) over the view."""

    gx = np.linspace(xlim[0], xlim[1], 160)
    gy = np.linspace(ylim[0], ylim[1], 160)
    X, Y = np.meshgrid(gx, gy)
    E = landscape_energy(X, Y, float(row["lam"]), float(row["a0"]), float(row["b0"]))
    ax.contourf(X, Y, E, levels=n_levels, cmap="RdBu_r", alpha=0.55)
    ax.contour(X, Y, E, levels=n_levels, colors="k", linewidths=0.25, alpha=0.5)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)


def _view_around(xs, ys, x0: float, y0: float, max_ratio: float = 3.0, pad: float = 0.12):
    """Axis limits covering the points, and the saddle ``(x0, y0)`` unless it is far.

    The saddle is included when it lies within ``max_ratio`` half-widths of the points' box
    from the box centre; otherwise the limits cover the points only and the second return
    value is False (the caller marks the saddle's direction).
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    lo = np.array([xs.min(), ys.min()])
    hi = np.array([xs.max(), ys.max()])
    centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2, 0.05)
    saddle = np.array([x0, y0])
    inside = bool(
        np.all(np.isfinite(saddle)) and np.all(np.abs(saddle - centre) <= max_ratio * half)
    )
    if inside:
        lo, hi = np.minimum(lo, saddle), np.maximum(hi, saddle)
    span = np.maximum(hi - lo, 0.1)
    lo, hi = lo - pad * span, hi + pad * span
    return (lo[0], hi[0]), (lo[1], hi[1]), inside


def _mark_saddle(ax, x0: float, y0: float, inside: bool, label: str | None = None) -> None:
    """Magenta star at the saddle, or an arrow at the border pointing to it when outside."""
    if inside:
        ax.plot([x0], [y0], **_SADDLE_STYLE, label=label)
        return
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    cx, cy = np.mean(xlim), np.mean(ylim)
    # direction in axes-fraction units, from the centre towards the saddle
    dx = (x0 - cx) / (xlim[1] - xlim[0])
    dy = (y0 - cy) / (ylim[1] - ylim[0])
    scale = 0.485 / max(abs(dx), abs(dy))
    tip = (0.5 + dx * scale, 0.5 + dy * scale)
    tail = (0.5 + dx * scale * 0.8, 0.5 + dy * scale * 0.8)
    ax.annotate(
        "",
        xy=tip,
        xytext=tail,
        xycoords="axes fraction",
        arrowprops=dict(arrowstyle="-|>", color="magenta", lw=1.5),
    )
    ax.text(
        tail[0],
        tail[1],
        f"saddle\n({x0 + 0.0:.3g}, {y0 + 0.0:.3g})",
        transform=ax.transAxes,
        fontsize=6,
        color="magenta",
        ha="center",
        va="center",
        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.6),
    )


def fig1_right(
    landscapes: pd.DataFrame, image: pd.DataFrame, stem: str | os.PathLike
) -> list[Path]:
    """Fig. 1 (right): a generated digit projected on the energy landscapes ``E_i`` (Eq. 16).

    Each landscape panel shows contours of ``E_i(x, y)`` around its saddle point (magenta
    star) and the sample's ``(x_i, y_i)`` (black pentagon), named in a legend below. With
    12 landscapes (the paper's i = 1, 2, 3, 4, 20, 30, 50, 100, 200, 300, 498, 500) they
    run clockwise from the upper left corner around the image; otherwise the image comes
    first in a grid.

    Parameters
    ----------
    landscapes : DataFrame
        One row per landscape: ``index, lam, a0, b0, x0, y0, x, y, digit, classified_as,
        epoch`` (from `rbm_reciprocal.stages.reciprocal.run_landscape_sample`).
    image : DataFrame
        ``row, col, value`` of the sample's pixels.
    stem : path
        Output stem; ``<stem>.pdf`` and ``<stem>.png`` are written.
    """
    rows = landscapes.sort_values("index", kind="stable").reset_index(drop=True)
    n = len(rows)
    if n == 12:
        fig = Figure(figsize=(10.0, 10.0), layout="constrained")
        grid = fig.add_gridspec(4, 4)
        cells = [(0, 0), (0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]
        cells += [(3, 3), (3, 2), (3, 1), (3, 0), (2, 0), (1, 0)]
        axes = [fig.add_subplot(grid[r, c]) for r, c in cells]
        ax_img = fig.add_subplot(grid[1:3, 1:3])
    else:
        ncols = int(np.ceil(np.sqrt(n + 1)))
        nrows = int(np.ceil((n + 1) / ncols))
        fig = Figure(figsize=(2.6 * ncols, 2.5 * nrows), layout="constrained")
        all_axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        ax_img, axes = all_axes[0], list(all_axes[1 : n + 1])
        for ax in all_axes[n + 1 :]:
            ax.set_axis_off()
    side_r = int(image["row"].max()) + 1
    side_c = int(image["col"].max()) + 1
    pix = np.zeros((side_r, side_c))
    pix[image["row"].to_numpy(int), image["col"].to_numpy(int)] = image["value"].to_numpy(float)
    ax_img.imshow(pix, cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    first = rows.iloc[0]
    ax_img.set_title(
        f"model sample for digit {int(first['digit'])} (epoch {int(first['epoch'])})\n"
        f"nearest test centroid: {int(first['classified_as'])}",
        fontsize=9,
    )
    for ax, (_, r) in zip(axes, rows.iterrows(), strict=True):
        x0, y0, x, y = (float(r[k]) for k in ("x0", "y0", "x", "y"))
        half = max(abs(x - x0), abs(y - y0), 1e-3) * 1.5
        xlim, ylim = (x0 - half, x0 + half), (y0 - half, y0 + half)
        _landscape_contours(ax, r, xlim, ylim)
        ax.plot([x0], [y0], **_SADDLE_STYLE)
        ax.plot([x], [y], marker="p", color="k", ms=9, ls="none")
        ax.set_title(f"i = {int(r['index'])}, $\\lambda$ = {float(r['lam']):.3g}", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_xlabel(f"$x_{{{int(r['index'])}}}$", fontsize=7, labelpad=1)
        ax.set_ylabel(f"$y_{{{int(r['index'])}}}$", fontsize=7, labelpad=1)
    fig.legend(
        handles=[
            Line2D([], [], **_SADDLE_STYLE, label="saddle point $(x_{0i}, y_{0i})$"),
            Line2D([], [], marker="p", color="k", ms=9, ls="none",
                   label="the image's $(x_i, y_i)$"),
        ],
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        frameon=False,
    )  # fmt: skip
    return save_figure(fig, stem)


def fig2(landscapes: pd.DataFrame, points: pd.DataFrame, stem: str | os.PathLike) -> list[Path]:
    """Fig. 2: test data and Gibbs samples on the landscapes ``E_i``, untrained vs trained.

    One block of panels per model state (left: untrained, right: trained), one panel per
    landscape index: contours of ``E_i(x, y)`` (Eq. 16), MNIST test images projected with
    ``h ~ p(h|v)`` coloured by label, Gibbs samples of the same model as grey hexagons, and
    the saddle point (magenta star; an arrow with its coordinates when it lies far outside
    the data).

    Parameters
    ----------
    landscapes : DataFrame
        ``state, epoch, index, lam, a0, b0, x0, y0`` (from
        `rbm_reciprocal.stages.reciprocal.run_landscape_points`).
    points : DataFrame
        ``state, source`` (``test``/``gibbs``), ``label, index, x, y``.
    stem : path
    """

    order = {"untrained": 0, "trained": 1}
    states = sorted(landscapes["state"].unique(), key=lambda s: (order.get(s, 2), s))
    indices = sorted(int(i) for i in landscapes["index"].unique())
    ncols = 2 if len(indices) > 1 else 1
    nrows = int(np.ceil(len(indices) / ncols))
    fig = Figure(figsize=(5.0 * len(states), 4.6 * nrows / 2 + 0.9), layout="constrained")
    subfigs = np.atleast_1d(fig.subfigures(1, len(states), wspace=0.04))
    for sub, state in zip(subfigs, states, strict=True):
        land = landscapes[landscapes["state"] == state]
        epoch = int(land["epoch"].iloc[0])
        sub.suptitle(f"{state} ({_epoch_label(state, epoch)})", fontsize=11)
        axes = sub.subplots(nrows, ncols, squeeze=False).ravel()
        for ax in axes[len(indices) :]:
            ax.set_axis_off()
        for ax, i in zip(axes, indices, strict=False):
            r = land[land["index"] == i].iloc[0]
            pts = points[(points["state"] == state) & (points["index"] == i)]
            test = pts[pts["source"] == "test"]
            gibbs = pts[pts["source"] == "gibbs"]
            x0, y0 = float(r["x0"]), float(r["y0"])
            xlim, ylim, inside = _view_around(pts["x"], pts["y"], x0, y0)
            _landscape_contours(ax, r, xlim, ylim)
            ax.scatter(
                gibbs["x"],
                gibbs["y"],
                marker="h",
                s=16,
                color="0.45",
                alpha=0.6,
                lw=0,
                label="Gibbs samples",
            )
            ax.scatter(
                test["x"],
                test["y"],
                c=[_DIGIT_COLORS[d % 10] for d in test["label"]],
                s=5,
                alpha=0.75,
                lw=0,
            )
            _mark_saddle(ax, x0, y0, inside, label="saddle point")
            ax.set_title(f"i = {i}, $\\lambda$ = {float(r['lam']):.3g}", fontsize=9)
            ax.set_xlabel(f"$x_{{{i}}}$", fontsize=8, labelpad=1)
            ax.set_ylabel(f"$y_{{{i}}}$", fontsize=8, labelpad=1)
            ax.tick_params(labelsize=7)
    labels = sorted(int(v) for v in points.loc[points["source"] == "test", "label"].unique())
    handles = [
        Line2D([], [], marker="o", ls="none", color=_DIGIT_COLORS[d % 10], label=str(d))
        for d in labels
    ]
    handles.append(Line2D([], [], marker="h", ls="none", color="0.45", label="Gibbs"))
    handles.append(Line2D([], [], **_SADDLE_STYLE, label="saddle"))
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        fontsize=8,
        frameon=False,
        title="MNIST test digits",
        title_fontsize=8,
    )
    return save_figure(fig, stem)


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
