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
    "fig3_mp",
    "fig3f_trained_spectra",
    "fig4_rotation_js",
    "save_figure",
]

#: Formats written for every figure.
FIGURE_FORMATS: tuple[str, ...] = ("pdf", "png")
PNG_DPI = 150

# Metadata that would make outputs differ between identical runs.
_METADATA = {"pdf": {"CreationDate": None}, "png": {"Software": None}}


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
