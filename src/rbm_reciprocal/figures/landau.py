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
    """Figs. 7-8: ``z_1 = u_1`` (left) and ``z_{M+1} = w_1`` (right) against epoch.

    One row of panels per hidden size in ``hidden`` (default: all in ``table``). Saddle at 0
    (dashed), constraint-potential minimum ``mu`` (orange), projected test images (green,
    mean +- std), Gibbs samples (purple, mean +- std), minima of the Landau free energy
    (Eq. 55 with the all-orders constraint potential, black dots); an open triangle at the
    top marks an epoch whose mode is unconfined (minimum outside its domain). Positions are
    oriented over epochs (column ``sign``, already applied by ``orient_trajectories``).
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
                ax.plot(
                    ep,
                    t[f"landau_{z}_min{k}"],
                    "o",
                    ms=3,
                    color="k",
                    label="Landau minima (Eq. 55)" if k == 1 else None,
                )
            unconf = t[f"landau_{z}_unconfined"].to_numpy(bool)
            if unconf.any():
                ax.plot(
                    ep[unconf],
                    np.full(unconf.sum(), 1.0),
                    "^",
                    ms=5,
                    mfc="none",
                    color="k",
                    transform=ax.get_xaxis_transform(),
                    clip_on=False,
                    label="unconfined (minimum outside)",
                )
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.set_title(f"M = {m}", fontsize=9)
            if r == 0 and c == 0:
                ax.legend(fontsize=6, loc="best")
    fig.tight_layout()
    return save_figure(fig, stem)
