"""Matplotlib renderings of the paper's figures, one function per figure.

Each function takes the tables written by the computation stages (pandas DataFrames) and an
output path *stem*, and writes ``<stem>.pdf`` and ``<stem>.png`` (150 dpi) through
`save_figure`. Restyling a figure therefore never reruns training or AIS.

Figures are built with `matplotlib.figure.Figure` (no pyplot global state) on the Agg backend.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rbm_reciprocal.io import atomic_path  # noqa: E402

__all__ = [
    "FIGURE_FORMATS",
    "fig1_left",
    "fig1_right",
    "fig2",
    "fig3_e",
    "fig3_mp",
    "fig3f_trained_spectra",
    "fig4_rotation_js",
    "fig5",
    "fig6_rotated_samples",
    "fig7_mode_trajectories",
    "fig_diffusion",
    "save_figure",
]

#: Formats written for every figure.
FIGURE_FORMATS: tuple[str, ...] = ("pdf", "png")
PNG_DPI = 150

# Metadata that would make outputs differ between identical runs.
_METADATA = {"pdf": {"CreationDate": None}, "png": {"Software": None}}


def _epoch_label(state: str, epoch: int) -> str:
    """``init`` for an untrained model (epoch-0 checkpoint or the Normal(0, std^2) reference of
    ``reciprocal.untrained``), else ``epoch e``."""
    return "init" if state == "untrained" and epoch == 0 else f"epoch {epoch}"


def _stem_path(stem: str | os.PathLike) -> Path:
    """``stem`` as a Path with a trailing ``.pdf``/``.png`` suffix removed, if any."""
    stem = Path(stem)
    if stem.suffix.lower().lstrip(".") in FIGURE_FORMATS:
        stem = stem.with_suffix("")
    return stem


def save_figure(fig: Figure, stem: str | os.PathLike) -> list[Path]:
    """Write ``fig`` to ``<stem>.pdf`` and ``<stem>.png`` (150 dpi), each atomically.

    Parent directories are created. A ``stem`` ending in ``.pdf`` or ``.png`` is accepted
    (the suffix is dropped), so a Snakemake output path can be passed directly.

    Returns
    -------
    list of Path
        The files written, in the order of `FIGURE_FORMATS`.
    """
    stem = _stem_path(stem)
    written = []
    for fmt in FIGURE_FORMATS:
        path = stem.with_name(f"{stem.name}.{fmt}")
        with atomic_path(path) as tmp:
            # The temporary name ends in .tmp, so the format must be explicit.
            fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=_METADATA[fmt])
        written.append(path)
    return written


def _panel_letter(ax, label: str) -> None:
    """Bold panel letter in the upper-left corner, above the axes (never over the data)."""
    ax.set_title(label, loc="left", fontweight="bold", fontsize=13)


def fig3_mp(
    hist: pd.DataFrame,
    curve: pd.DataFrame,
    n: int,
    m: int,
    stem: str | os.PathLike,
    ax_label: str,
) -> list[Path]:
    """Fig. 3a-d: singular values of random ``n x m`` inits against Marchenko-Pastur (Eq. 20).

    Parameters
    ----------
    hist : DataFrame
        Histogram table with columns ``bin_left, bin_right, density`` (from
        `rbm_reciprocal.spectra.run_random_spectrum`).
    curve : DataFrame
        Columns ``lam, pdf``: the Marchenko-Pastur density.
    n, m : int
        Matrix shape, for the title ``N=n, M=m``.
    stem : path
        Output stem; ``<stem>.pdf`` and ``<stem>.png`` are written.
    ax_label : str
        Panel letter drawn at the upper-left corner, above the axes (``"a"`` .. ``"d"``).

    Returns
    -------
    list of Path
        The files written.
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
    _panel_letter(ax, ax_label)
    return save_figure(fig, stem)


def fig3f_trained_spectra(
    table: pd.DataFrame,
    stem: str | os.PathLike,
    gap: tuple[float, float] | None = (33.0, 35.0),
) -> list[Path]:
    """Fig. 3f: singular-value distributions of trained RBMs per hidden size and method.

    One step line per (hidden, method), colour by hidden size, line style by method, on a log
    y axis (empty bins are left blank). The gap the paper reports at ``lambda in [33, 35]`` is
    shaded, and the x range is extended to include it. Legend labels come from the data
    (hidden sizes sorted numerically; the authors' legend swapped 1200 and 3000).

    Parameters
    ----------
    table : DataFrame
        Columns ``hidden, method, bin_left, bin_right, density`` (from
        `rbm_reciprocal.spectra.run_trained_spectra`).
    stem : path
        Output stem; ``<stem>.pdf`` and ``<stem>.png`` are written.
    gap : (float, float) or None
        Region to shade; ``None`` draws none.

    Returns
    -------
    list of Path
        The files written.
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
    if gap is not None:
        ax.axvspan(gap[0], gap[1], color="0.5", alpha=0.25, lw=0, label="reported gap")
        if np.isfinite(x_lo):
            ax.set_xlim(min(x_lo, gap[0]), max(x_hi, gap[1]))
    ax.set_yscale("log")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("density")
    ax.set_title("Trained RBMs: singular values")
    ax.legend(frameon=False, fontsize=8)
    return save_figure(fig, stem)


def fig4_rotation_js(
    js: pd.DataFrame, noise: pd.DataFrame, pdfs: pd.DataFrame, stem: str | os.PathLike
) -> list[Path]:
    """Fig. 4: JS divergence of rotated vs unrotated ``W`` against ``1/M``.

    Parameters
    ----------
    js : columns ``kind`` ("trained" / "untrained"), ``hidden``, ``method``, ``replica``,
        ``js``; trained rows are averaged over replicas (mean +- std) per (hidden, method),
        the untrained reference is the dashed line.
    noise : column ``js_independent_inits`` (dotted line: two independent inits).
    pdfs : ``bin_center, p_original, p_rotated`` of one trained replica (inset).
    """
    fig = Figure(figsize=(6.0, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    trained = js[js["kind"] == "trained"]
    markers = "osD^v"
    for k, (method, grp) in enumerate(trained.groupby("method", sort=True)):
        agg = grp.groupby("hidden")["js"].agg(["mean", "std", "count"]).reset_index()
        agg["std"] = agg["std"].fillna(0.0)
        ax.errorbar(
            1.0 / agg["hidden"],
            agg["mean"],
            yerr=agg["std"],
            marker=markers[k % 5],
            capsize=3,
            lw=1,
            label=f"trained ({method})",
        )
        noise_lvl = grp.groupby("hidden")["js_noise"].mean()
        ax.plot(
            1.0 / noise_lvl.index,
            noise_lvl.values,
            "x",
            color="grey",
            ms=5,
            label="noise, same shape" if k == 0 else None,
        )
        for _, r in agg.iterrows():
            ax.annotate(
                f"M={int(r['hidden'])}",
                (1.0 / r["hidden"], r["mean"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=7,
            )
    untrained = js[js["kind"] == "untrained"]
    if len(untrained):
        ax.axhline(
            untrained["js"].mean(),
            ls="--",
            color="k",
            lw=1,
            label=f"untrained {int(untrained['n_visible'].iloc[0])}x"
            f"{int(untrained['hidden'].iloc[0])}",
        )
    if len(noise):
        ax.axhline(
            noise["js_independent_inits"].mean(),
            ls=":",
            color="grey",
            lw=1,
            label="two independent inits",
        )
    ax.set_yscale("log")
    ax.set_xlabel("1/M")
    ax.set_ylabel("Jensen-Shannon divergence")
    ax.legend(fontsize=7, loc="center right")
    if len(pdfs):
        inset = ax.inset_axes([0.1, 0.1, 0.33, 0.33])
        inset.plot(pdfs["bin_center"], pdfs["p_original"], lw=0.8, label="W")
        inset.plot(pdfs["bin_center"], pdfs["p_rotated"], lw=0.8, ls="--", label="W rot")
        inset.set_yscale("log")
        inset.tick_params(labelsize=6)
        inset.legend(fontsize=6)
        inset.set_title("entry PDFs", fontsize=7)
    fig.tight_layout()
    return save_figure(fig, stem)


def _image_grid(images: np.ndarray, n_show: int, side: int = 28) -> np.ndarray:
    """Tile the first ``n_show`` images (B, side*side) into one square-ish 2-D array."""
    n_show = min(n_show, images.shape[0])
    cols = int(np.ceil(np.sqrt(n_show)))
    rows = int(np.ceil(n_show / cols))
    grid = np.zeros((rows * (side + 1) - 1, cols * (side + 1) - 1))  # white separators
    for k in range(n_show):
        r, c = divmod(k, cols)
        grid[r * (side + 1) : r * (side + 1) + side, c * (side + 1) : c * (side + 1) + side] = (
            images[k].reshape(side, side)
        )
    return grid


def fig6_rotated_samples(
    samples: dict[str, np.ndarray],
    summary: pd.DataFrame,
    stem: str | os.PathLike,
    n_show: int = 36,
) -> list[Path]:
    """Fig. 6: Gibbs samples; after a pi rotation of the top-2 plane of U (global); after
    random rotations avoiding the top-5 modes (local). ``samples`` holds ``p_original``,
    ``p_global``, ``p_local`` (B, 784) probabilities; ``summary`` the fractions changed."""
    row = summary.iloc[0]
    titles = {
        "p_original": "Gibbs samples",
        "p_global": "U rotated by pi in plane (1, 2)\n"
        f"{row['frac_changed_global']:.1%} pixels changed",
        "p_local": f"{int(row['local_rotations'])} rotations avoiding top {int(row['avoid_top'])}"
        f"\n{row['frac_changed_local']:.1%} pixels changed",
    }
    fig = Figure(figsize=(9.0, 3.4))
    for k, (key, title) in enumerate(titles.items()):
        ax = fig.add_subplot(1, 3, k + 1)
        ax.imshow(_image_grid(samples[key], n_show), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    return save_figure(fig, stem)


# ---------------------------------------------------------------------------------------------
# Reciprocal space (issue 4): Fig. 1 (right), Fig. 2, Fig. 3e, Fig. 5
# ---------------------------------------------------------------------------------------------

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
    from rbm_reciprocal.reciprocal import landscape_energy

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
    star) and the sample's ``(x_i, y_i)`` (black pentagon). With 12 landscapes (the paper's
    i = 1, 2, 3, 4, 20, 30, 50, 100, 200, 300, 498, 500) they run clockwise from the upper
    left corner around the image; otherwise the image comes first in a grid.

    Parameters
    ----------
    landscapes : DataFrame
        One row per landscape: ``index, lam, a0, b0, x0, y0, x, y, digit, classified_as,
        epoch`` (from `rbm_reciprocal.reciprocal_tasks.run_landscape_sample`).
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
        `rbm_reciprocal.reciprocal_tasks.run_landscape_points`).
    points : DataFrame
        ``state, source`` (``test``/``gibbs``), ``label, index, x, y``.
    stem : path
    """
    from matplotlib.lines import Line2D

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
        (from `rbm_reciprocal.reciprocal_tasks.run_kurtosis`; one or more variants).
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
    ``min(N, M)`` are marked "null space": their singular vectors are LAPACK's arbitrary basis
    of the null space, often concentrated on few units, hence far from Gaussian.

    Parameters
    ----------
    table : DataFrame
        ``state, epoch, variable, index, bin_left, bin_right, density, mu, sigma`` (from
        `rbm_reciprocal.reciprocal_tasks.run_uniform_projections`).
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
            ax.set_title(f"${var}_{{{i}}}$" + (" (null space)" if unpaired else ""), fontsize=9)
            ax.tick_params(labelsize=6)
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(f"{st}\n({_epoch_label(st, epoch)})", fontsize=8)
    fig.suptitle(
        "Bernoulli(1/2) states projected on the singular vectors; "
        r"red: Normal($\mu_i$, 1/2) of Eq. 51",
        fontsize=9,
    )
    return save_figure(fig, stem)


def fig7_mode_trajectories(
    table: pd.DataFrame, stem: str | os.PathLike, hidden: list[int] | None = None
) -> list[Path]:
    """Figs. 7-8: ``z_1 = u_1`` (left) and ``z_{M+1} = w_1`` (right) against epoch.

    One row of panels per hidden size in ``hidden`` (default: all in ``table``). Saddle at 0
    (dashed), constraint-potential minimum ``mu`` (orange), projected test images (green,
    mean +- std), Gibbs samples (purple, mean +- std), minima of the Landau free energy
    (Eq. 55, black dots; open when on the edge of the sampled range). Everything is
    multiplied by ``sign(mu_w)`` per checkpoint (column ``sign``, already applied).
    """
    hidden = sorted(table["hidden"].unique()) if hidden is None else hidden
    fig = Figure(figsize=(8.0, 2.8 * len(hidden)))
    for r, m in enumerate(hidden):
        t = table[table["hidden"] == m].sort_values("epoch")
        ep = t["epoch"].to_numpy()
        for c, (z, label) in enumerate((("u", "$z_1 = u_1$"), ("w", f"$z_{{{m + 1}}} = w_1$"))):
            ax = fig.add_subplot(len(hidden), 2, 2 * r + c + 1)
            ax.axhline(0.0, ls="--", color="k", lw=0.8, label="saddle")
            ax.plot(ep, t[f"mu_{z}"], color="tab:orange", lw=1.5, label="constraint minimum")
            for src, color in (("test", "tab:green"), ("gibbs", "tab:purple")):
                mean, std = t[f"{src}_{z}_mean"], t[f"{src}_{z}_std"]
                ax.plot(
                    ep,
                    mean,
                    color=color,
                    lw=1,
                    label="test images" if src == "test" else "Gibbs samples",
                )
                ax.fill_between(ep, mean - std, mean + std, color=color, alpha=0.25, lw=0)
            for k in (1, 2):
                col = t[f"landau_{z}_min{k}"]
                edge = t[f"landau_{z}_edge"].astype(bool)
                ax.plot(
                    ep[~edge],
                    col[~edge],
                    "o",
                    ms=3,
                    color="k",
                    label="Landau minima" if k == 1 else None,
                )
                ax.plot(ep[edge], col[edge], "o", ms=3, mfc="none", color="k")
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.set_title(f"M = {m}", fontsize=9)
            if r == 0 and c == 0:
                ax.legend(fontsize=6, loc="best")
    fig.tight_layout()
    return save_figure(fig, stem)


def fig1_left(
    table: pd.DataFrame,
    stem: str | os.PathLike,
    split: str = "test",
) -> list[Path]:
    """Fig. 1 (left): mean log-likelihood per image versus epoch, per hidden size.

    For each hidden size (colour) the AIS estimate is drawn solid and the reverse-AIS
    estimate dashed, each as the mean over replicas with a band of +- one standard
    deviation (no band with a single replica). AIS under-estimates ``log Z`` in expectation
    (the LL curve is the optimistic side) and reverse AIS over-estimates it (the
    conservative side), so the two curves bracket the log-likelihood. With several training
    methods there is one panel per method.

    Parameters
    ----------
    table : DataFrame
        ``results/loglik/loglik.parquet``: columns ``method, hidden, replica, epoch``,
        ``{split}_ll_ais``, ``{split}_ll_rais`` (from `rbm_reciprocal.loglik`).
    stem : path
        Output stem; ``<stem>.pdf`` and ``<stem>.png`` are written.
    split : {"test", "train"}
        Which log-likelihood to plot (the paper's is the test set).

    Returns
    -------
    list of Path
        The files written.
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    methods = sorted({str(x) for x in table["method"]})
    hiddens = sorted({int(h) for h in table["hidden"]})
    colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, max(len(hiddens), 1)))
    fig = Figure(figsize=(4.6 * len(methods), 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(methods), sharey=True))
    for ax, method in zip(axes, methods, strict=True):
        for ci, hidden in enumerate(hiddens):
            sel = table[(table["method"] == method) & (table["hidden"] == hidden)]
            if sel.empty:
                continue
            for kind, ls in (("ais", "-"), ("rais", "--")):
                stats = sel.groupby("epoch")[f"{split}_ll_{kind}"].agg(["mean", "std", "count"])
                x = stats.index.to_numpy(dtype=float)
                mean = stats["mean"].to_numpy(dtype=float)
                std = np.where(stats["count"] > 1, stats["std"].to_numpy(dtype=float), 0.0)
                ax.plot(x, mean, ls=ls, marker="o", ms=3, color=colors[ci], lw=1.4)
                ax.fill_between(x, mean - std, mean + std, color=colors[ci], alpha=0.2, lw=0)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(methods) > 1:
            ax.set_title(method)
    axes[0].set_ylabel(f"{split} log-likelihood (nats per image)")
    handles = [
        Line2D([], [], color=colors[ci], lw=1.4, label=f"M = {hidden}")
        for ci, hidden in enumerate(hiddens)
    ]
    handles += [
        Line2D([], [], color="0.3", ls="-", label="AIS"),
        Line2D([], [], color="0.3", ls="--", label="reverse AIS"),
    ]
    axes[-1].legend(handles=handles, frameon=False, fontsize=8, loc="lower right")
    return save_figure(fig, stem)


def fig_diffusion(
    spectrum: pd.DataFrame,
    series: pd.DataFrame,
    summary: pd.DataFrame,
    final: pd.DataFrame,
    stem: str | os.PathLike,
) -> list[Path]:
    """The diffusion prediction of Sec. 4.1 (Eqs. 40-48) and its Langevin test (issue 7).

    (a) ``lambda_i`` of the u-modes, trained and untrained, against the divergence threshold
    ``k_ii / beta`` (Eq. 46; the exact value 4 / beta dashed): modes above it have a negative
    harmonic relaxation rate. Simulated modes are circled. (b) Variance of the walkers against
    time in units of ``1 / |kappa_i|`` (log y): harmonic constraint dashed, all-orders
    (large-deviation) constraint solid; untrained modes grey. (c) Kolmogorov-Smirnov distance to
    the stationary law (dotted: the 1% critical value). (d) Final positions of the most
    unstable trained mode in the full constraint potential with its stationary density.

    Parameters
    ----------
    spectrum, series, summary, final : DataFrame
        The four tables of `rbm_reciprocal.diffusion.run_diffusion`.
    stem : path
        Output stem; ``<stem>.pdf`` and ``<stem>.png`` are written.

    Returns
    -------
    list of Path
    """
    fig = Figure(figsize=(9.5, 7.0), layout="constrained")
    (ax_a, ax_b), (ax_c, ax_d) = fig.subplots(2, 2)
    beta = float(spectrum["beta"].iloc[0])

    for state, color in (("untrained", "0.6"), ("trained", "k")):
        s = spectrum[(spectrum["state"] == state) & (spectrum["kind"] == "u")]
        if s.empty:
            continue
        epoch = int(s["epoch"].iloc[0])
        ax_a.plot(s["mode"], s["lam"], ".", ms=3, color=color, label=f"{state} (epoch {epoch})")
        div = s[s["diverges"]]
        ax_a.plot(div["mode"], div["lam"], ".", ms=4, color="tab:red")
        sim = s[s["simulated"]]
        ax_a.plot(sim["mode"], sim["lam"], "o", ms=7, mfc="none", color="tab:blue")
        if state == "trained":
            ax_a.plot(
                s["mode"],
                s["threshold"],
                "-",
                lw=0.6,
                color="tab:orange",
                label=r"$k_{ii}/\beta$ (estimated)",
            )
    ax_a.axhline(4.0 / beta, ls="--", lw=1, color="tab:orange", label=r"$4/\beta$ (exact)")
    ax_a.plot([], [], ".", color="tab:red", label="predicted to diverge")
    ax_a.plot([], [], "o", mfc="none", color="tab:blue", label="simulated")
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax_a.set_xscale("log")
    ax_a.set_yscale("log")
    for axis in (ax_a.xaxis, ax_a.yaxis):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(NullFormatter())
    ax_a.set_xlabel("mode i")
    ax_a.set_ylabel(r"$\lambda_i$ (u-modes)")
    ax_a.legend(frameon=False, fontsize=7)
    _panel_letter(ax_a, "a")

    trained = summary[summary["state"] == "trained"]
    keys = trained[["index", "kind", "mode"]].drop_duplicates().values.tolist()
    colors = matplotlib.colormaps["tab10"](np.arange(max(len(keys), 1)) % 10)
    ks_crit = float(summary["ks_crit"].iloc[0])
    for (state, index), g in series.groupby(["state", "index"], sort=False):
        g0 = g.iloc[0]
        if state == "trained":
            ci = [k[0] for k in keys].index(index)
            color, lw = colors[ci], 1.3
            label = f"{g0['kind']}$_{{{int(g0['mode'])}}}$, $\\kappa$={g0['kappa']:.2g}"
        else:
            color, lw, label = "0.7", 0.8, None
        for pot, ls in (("gaussian", "--"), ("large_deviation", "-")):
            p = g[g["potential"] == pot].sort_values("t")
            ax_b.plot(
                p["t_over_tau"],
                p["var"],
                ls=ls,
                color=color,
                lw=lw,
                label=label if pot == "large_deviation" else None,
            )
            ax_c.plot(p["t_over_tau"], p["ks"], ls=ls, color=color, lw=lw)
    ax_b.set_yscale("log")
    ax_b.set_xlabel(r"$t\,|\kappa_i|$")
    ax_b.set_ylabel("variance of the walkers")
    ax_b.plot([], [], "k--", lw=1, label="harmonic constraint (Eq. 45)")
    ax_b.plot([], [], "k-", lw=1, label="full constraint")
    ax_b.legend(frameon=False, fontsize=6.5, ncol=2)
    _panel_letter(ax_b, "b")
    ax_c.axhline(ks_crit, ls=":", color="k", lw=1, label="1% critical value")
    ax_c.set_yscale("log")
    ax_c.set_xlabel(r"$t\,|\kappa_i|$")
    ax_c.set_ylabel("KS distance to the stationary law")
    ax_c.legend(frameon=False, fontsize=7)
    _panel_letter(ax_c, "c")

    cand = trained[trained["predicted_diverges"]]
    pick = cand if len(cand) else trained if len(trained) else summary
    row = pick.sort_values("lam", ascending=False).iloc[0]
    f = final[(final["state"] == row["state"]) & (final["index"] == row["index"])]
    ld = f[f["potential"] == "large_deviation"]
    width = (ld["bin_right"] - ld["bin_left"]).to_numpy()
    ax_d.bar(
        ld["bin_left"],
        ld["density"],
        width=width,
        align="edge",
        color="tab:blue",
        alpha=0.5,
        edgecolor="none",
        label="walkers at the horizon",
    )
    ax_d.plot(
        ld["bin_center"],
        ld["stationary_density"],
        color="tab:red",
        lw=1.3,
        label=r"stationary $\propto e^{-\beta U}$",
    )
    ga = summary[
        (summary["state"] == row["state"])
        & (summary["index"] == row["index"])
        & (summary["potential"] == "gaussian")
    ]
    if len(ga):
        ax_d.set_title(
            f"{row['state']} {row['kind']}$_{{{int(row['mode'])}}}$ ($\\lambda$={row['lam']:.3g}):"
            f" harmonic variance {ga['var_final'].iloc[0]:.2g}",
            fontsize=8,
        )
    edges = series[(series["state"] == row["state"]) & (series["index"] == row["index"])]
    if len(edges) and "support_hi" in edges:
        x_lo, x_hi = ax_d.get_xlim()
        for edge in (float(edges["support_lo"].iloc[0]), float(edges["support_hi"].iloc[0])):
            if x_lo - (x_hi - x_lo) < edge < x_hi + (x_hi - x_lo):
                ax_d.axvline(edge, ls=":", color="k", lw=1)
        ax_d.plot([], [], ":", color="k", lw=1, label="edge of the support")
    ax_d.set_xlabel(f"$z$ ({row['kind']}-mode, from the saddle)")
    ax_d.set_ylabel("density")
    ax_d.legend(frameon=False, fontsize=7)
    _panel_letter(ax_d, "d")
    return save_figure(fig, stem)
