"""Figures of the energy landscapes ``E_i(x, y)`` (Eq. 16): Figs. 1 (right) and 2."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from rbm_reciprocal.analysis.reciprocal import landscape_energy
from rbm_reciprocal.figures.style import epoch_label, save_figure

_SADDLE_STYLE = dict(marker="*", color="magenta", ms=11, mec="k", mew=0.4, ls="none")
_IMAGE_STYLE = dict(marker="p", color="k", ms=9, ls="none")


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


def _landscape_contours(fig, ax, row, xlim, ylim, n_levels: int = 18):
    """Filled contours of ``E_i(x, y) = -a0 x - b0 y - lam x y`` (Eq. 16) over the view,
    with a colour bar of ``E_i`` beside the panel.

    The levels are this panel's own (about ``n_levels`` round values over the energy range of
    the view), so every panel gets its own bar: one colour means different energies in
    different panels. ``fig`` owns the bar (a figure or the subfigure holding ``ax``).

    Returns
    -------
    matplotlib.colorbar.Colorbar
    """

    gx = np.linspace(xlim[0], xlim[1], 160)
    gy = np.linspace(ylim[0], ylim[1], 160)
    X, Y = np.meshgrid(gx, gy)
    E = landscape_energy(X, Y, float(row["lam"]), float(row["a0"]), float(row["b0"]))
    levels = MaxNLocator(n_levels + 1).tick_values(E.min(), E.max())
    filled = ax.contourf(X, Y, E, levels=levels, cmap="RdBu_r", alpha=0.55)
    ax.contour(X, Y, E, levels=levels, colors="k", linewidths=0.25, alpha=0.5)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    cbar = fig.colorbar(filled, ax=ax, fraction=0.06, pad=0.02, aspect=30)
    cbar.set_label(f"$E_{{{int(row['index'])}}}$", fontsize=7, labelpad=1)
    cbar.ax.tick_params(labelsize=6, length=2, pad=1)
    return cbar


def _mark_energy(cbar, energy: float, style: dict) -> None:
    """A marker at ``energy`` on a (vertical) colour bar, if the bar's range holds it."""
    lo, hi = sorted(cbar.ax.get_ylim())
    if lo <= energy <= hi:
        trans = blended_transform_factory(cbar.ax.transAxes, cbar.ax.transData)
        style = {**style, "ms": 6.0}  # inside the bar, clear of its tick labels
        cbar.ax.plot([0.5], [energy], transform=trans, clip_on=False, **style)


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
        ax.plot([x0], [y0], **_SADDLE_STYLE, label=label, zorder=4)  # above the points
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
    """Fig. 1 (right) written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig1_right`)."""
    return save_figure(build_fig1_right(landscapes, image), stem)


def _fig1_right_axes(n: int):
    """The figure of Fig. 1 (right), the image's axes and the ``n`` landscape axes: with 12
    landscapes clockwise from the upper left corner around the image, else a grid after it."""
    if n == 12:
        fig = Figure(figsize=(10.0, 10.0), layout="constrained")
        grid = fig.add_gridspec(4, 4)
        cells = [(0, 0), (0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]
        cells += [(3, 3), (3, 2), (3, 1), (3, 0), (2, 0), (1, 0)]
        axes = [fig.add_subplot(grid[r, c]) for r, c in cells]
        return fig, fig.add_subplot(grid[1:3, 1:3]), axes
    ncols = int(np.ceil(np.sqrt(n + 1)))
    nrows = int(np.ceil((n + 1) / ncols))
    fig = Figure(figsize=(2.6 * ncols, 2.5 * nrows), layout="constrained")
    all_axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in all_axes[n + 1 :]:
        ax.set_axis_off()
    return fig, all_axes[0], list(all_axes[1 : n + 1])


def build_fig1_right(landscapes: pd.DataFrame, image: pd.DataFrame) -> Figure:
    """Fig. 1 (right): a generated digit projected on the energy landscapes ``E_i`` (Eq. 16).

    Each landscape panel shows contours of ``E_i(x, y)`` around its saddle point (magenta
    star) and the sample's ``(x_i, y_i)`` (black pentagon), named in a legend below, with a
    colour bar of ``E_i`` on the panel's own levels (the view, hence the energy range, differs
    from panel to panel) on which the same two markers give the saddle's and the sample's
    energies. With
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
    """
    rows = landscapes.sort_values("index", kind="stable").reset_index(drop=True)
    fig, ax_img, axes = _fig1_right_axes(len(rows))
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
        lam_a0_b0 = tuple(float(r[k]) for k in ("lam", "a0", "b0"))
        half = max(abs(x - x0), abs(y - y0), 1e-3) * 1.5
        xlim, ylim = (x0 - half, x0 + half), (y0 - half, y0 + half)
        cbar = _landscape_contours(fig, ax, r, xlim, ylim)
        ax.plot([x0], [y0], **_SADDLE_STYLE)
        ax.plot([x], [y], **_IMAGE_STYLE)
        _mark_energy(cbar, float(landscape_energy(x, y, *lam_a0_b0)), _IMAGE_STYLE)
        _mark_energy(cbar, float(landscape_energy(x0, y0, *lam_a0_b0)), _SADDLE_STYLE)
        ax.set_title(f"i = {int(r['index'])}, $\\lambda$ = {float(r['lam']):.3g}", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_xlabel(f"$x_{{{int(r['index'])}}}$", fontsize=7, labelpad=1)
        ax.set_ylabel(f"$y_{{{int(r['index'])}}}$", fontsize=7, labelpad=1)
    fig.legend(
        handles=[
            Line2D([], [], **_SADDLE_STYLE, label="saddle point $(x_{0i}, y_{0i})$"),
            Line2D([], [], **_IMAGE_STYLE, label="the image's $(x_i, y_i)$"),
        ],
        title="colour: energy $E_i(x, y)$ of Eq. 16, each panel its own scale; "
              "markers on the colour bars: the energies of the saddle and of the image",
        title_fontsize=8,
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        frameon=False,
    )  # fmt: skip
    return fig


#: Fig. 2's Gibbs samples: open dark hexagons drawn over the (small, translucent) test points,
#: so that neither hides the other however many test points there are.
_GIBBS_STYLE = dict(marker="h", s=14, facecolors="none", edgecolors="0.15", linewidths=0.5)
_GIBBS_LABEL = "Gibbs samples"
_SADDLE_LABEL = "saddle point (on the colour bars: its energy)"


def fig2(landscapes: pd.DataFrame, points: pd.DataFrame, stem: str | os.PathLike) -> list[Path]:
    """Fig. 2 written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig2`)."""
    return save_figure(build_fig2(landscapes, points), stem)


def build_fig2(landscapes: pd.DataFrame, points: pd.DataFrame) -> Figure:
    """Fig. 2: test data and Gibbs samples on the landscapes ``E_i``, untrained vs trained.

    One block of panels per model state (left: untrained, right: trained), one panel per
    landscape index: contours of ``E_i(x, y)`` (Eq. 16), MNIST test images projected with
    ``h ~ p(h|v)`` coloured by label (small, translucent), Gibbs samples of the same model as
    dark-edged grey hexagons drawn on top (10,000 test points would hide them otherwise),
    and the saddle point (magenta star; an arrow with its coordinates when it lies far
    outside the data). Each panel has its own colour bar of ``E_i`` (levels chosen over its
    own view), with the saddle's energy ``a0_i b0_i / lambda_i`` marked by a star when it is
    in range.

    Parameters
    ----------
    landscapes : DataFrame
        ``state, epoch, index, lam, a0, b0, x0, y0`` (from
        `rbm_reciprocal.stages.reciprocal.run_landscape_points`).
    points : DataFrame
        ``state, source`` (``test``/``gibbs``), ``label, index, x, y``.
    """
    order = {"untrained": 0, "trained": 1}
    states = sorted(landscapes["state"].unique(), key=lambda s: (order.get(s, 2), s))
    indices = sorted(int(i) for i in landscapes["index"].unique())
    ncols = 2 if len(indices) > 1 else 1
    nrows = int(np.ceil(len(indices) / ncols))
    fig = Figure(figsize=(5.6 * len(states), 4.6 * nrows / 2 + 0.9), layout="constrained")
    subfigs = np.atleast_1d(fig.subfigures(1, len(states), wspace=0.04))
    for sub, state in zip(subfigs, states, strict=True):
        land = landscapes[landscapes["state"] == state]
        epoch = int(land["epoch"].iloc[0])
        sub.suptitle(f"{state} ({epoch_label(state, epoch)})", fontsize=11)
        axes = sub.subplots(nrows, ncols, squeeze=False).ravel()
        for ax in axes[len(indices) :]:
            ax.set_axis_off()
        for ax, i in zip(axes, indices, strict=False):
            pts = points[(points["state"] == state) & (points["index"] == i)]
            _fig2_panel(sub, ax, land[land["index"] == i].iloc[0], pts)
    labels = sorted(int(v) for v in points.loc[points["source"] == "test", "label"].unique())
    handles = [
        Line2D([], [], marker="o", ls="none", color=_DIGIT_COLORS[d % 10], label=str(d))
        for d in labels
    ]
    handles.append(Line2D([], [], marker="h", ls="none", ms=6, mfc="none", mec="0.15", mew=0.8,
                          label=_GIBBS_LABEL))  # fmt: skip
    handles.append(Line2D([], [], **_SADDLE_STYLE, label=_SADDLE_LABEL))
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        fontsize=8,
        frameon=False,
        title="MNIST test digits (colour: label)",
        title_fontsize=8,
        columnspacing=1.2,
        handletextpad=0.3,
    )
    return fig


def _fig2_panel(sub, ax, r: pd.Series, pts: pd.DataFrame) -> None:
    """One panel of Fig. 2: landscape row ``r`` with the test and Gibbs points ``pts``."""
    i = int(r["index"])
    test = pts[pts["source"] == "test"]
    gibbs = pts[pts["source"] == "gibbs"]
    x0, y0 = float(r["x0"]), float(r["y0"])
    xlim, ylim, inside = _view_around(pts["x"], pts["y"], x0, y0)
    cbar = _landscape_contours(sub, ax, r, xlim, ylim)
    lam_a0_b0 = tuple(float(r[k]) for k in ("lam", "a0", "b0"))
    _mark_energy(cbar, float(landscape_energy(x0, y0, *lam_a0_b0)), _SADDLE_STYLE)
    ax.scatter(test["x"], test["y"], c=[_DIGIT_COLORS[d % 10] for d in test["label"]],
               s=5, alpha=0.6, lw=0, zorder=2)  # fmt: skip
    ax.scatter(gibbs["x"], gibbs["y"], **_GIBBS_STYLE, alpha=0.8, zorder=3, label=_GIBBS_LABEL)
    _mark_saddle(ax, x0, y0, inside, label=_SADDLE_LABEL)
    ax.set_title(f"i = {i}, $\\lambda$ = {float(r['lam']):.3g}", fontsize=9)
    ax.set_xlabel(f"$x_{{{i}}}$", fontsize=8, labelpad=1)
    ax.set_ylabel(f"$y_{{{i}}}$", fontsize=8, labelpad=1)
    ax.tick_params(labelsize=7)
