"""Figures of the landau stage: Figs. 7 and 8 (mode trajectories)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rbm_reciprocal.figures.style import save_figure


def fig7_8(
    table: pd.DataFrame, stem: str | os.PathLike, hidden: list[int] | None = None
) -> list[Path]:
    """Figs. 7-8 written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig7_8`)."""
    return save_figure(build_fig7_8(table, hidden), stem)


def build_fig7_8(table: pd.DataFrame, hidden: list[int] | None = None) -> Figure:
    """Figs. 7-8: ``z_1 = u_1`` (left) and ``z_{M+1} = w_1`` (right) against epoch.

    One row of panels per hidden size in ``hidden`` (default: all in ``table``). Saddle at 0
    (dashed), constraint-potential minimum ``mu`` (orange), projected test images (green,
    mean +- std), Gibbs samples (purple, mean +- std), minima of the Landau free energy
    (Eq. 55 with the all-orders constraint potential, black dots); an open triangle at the
    top marks an epoch whose mode is unconfined (minimum outside its domain). Positions are
    oriented over epochs (column ``sign``, already applied by ``orient_trajectories``). The
    legend is below the panels: inside one, it hid minima wherever they fell.
    """
    hidden = sorted(table["hidden"].unique()) if hidden is None else hidden
    fig = Figure(figsize=(8.0, 2.8 * len(hidden) + 0.7), layout="constrained")
    axes = fig.subplots(len(hidden), 2, squeeze=False)
    for r, m in enumerate(hidden):
        t = table[table["hidden"] == m].sort_values("epoch")
        for c, z in enumerate(("u", "w")):
            _mode_panel(axes[r, c], t, z, int(m))
    handles: dict[str, object] = {}
    for ax in axes.ravel():
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    fig.legend(
        handles.values(),
        handles.keys(),
        loc="outside lower center",
        ncols=min(len(handles), 4),
        fontsize=7,
        frameon=False,
    )
    return fig


def _mode_panel(ax, t: pd.DataFrame, z: str, m: int) -> None:
    """One panel of Figs. 7-8: mode ``z`` (``u``: z_1, ``w``: z_{M+1}) of the rows ``t``."""
    ep = t["epoch"].to_numpy()
    ax.axhline(0.0, ls="--", color="k", lw=0.8, label="saddle")
    ax.plot(ep, t[f"mu_{z}"], color="tab:orange", lw=1.5, label="constraint minimum $\\mu$")
    for src, color, name in (("test", "tab:green", "test images"),
                             ("gibbs", "tab:purple", "Gibbs samples")):  # fmt: skip
        mean, std = t[f"{src}_{z}_mean"], t[f"{src}_{z}_std"]
        ax.plot(ep, mean, color=color, lw=1, label=f"{name} (mean $\\pm$ std)")
        ax.fill_between(ep, mean - std, mean + std, color=color, alpha=0.25, lw=0)
    for k in (1, 2):
        ax.plot(ep, t[f"landau_{z}_min{k}"], "o", ms=3, color="k",
                label="Landau minima (Eq. 55)" if k == 1 else None)  # fmt: skip
    unconf = t[f"landau_{z}_unconfined"].to_numpy(bool)
    if unconf.any():
        ax.plot(ep[unconf], np.full(unconf.sum(), 1.0), "^", ms=5, mfc="none", color="k",
                transform=ax.get_xaxis_transform(), clip_on=False,
                label="unconfined (minimum outside)")  # fmt: skip
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("$z_1 = u_1$" if z == "u" else f"$z_{{{m + 1}}} = w_1$")
    ax.set_title(f"M = {m}", fontsize=9)
