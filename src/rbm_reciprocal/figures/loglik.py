"""Figure of the loglik stage: Fig. 1 (left)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from rbm_reciprocal.figures.style import save_figure


def estimator_caption(table: pd.DataFrame) -> str:
    """Which estimator made the table, in words for the legend of Fig. 1 (left): AIS along
    the training trajectory (K steps per interval, chains), parallel tempering along it with
    BAR (temperatures per interval, chains, sweeps) or standard AIS (betas, chains)."""
    parts = []
    if "estimator" in table and (table["estimator"] == "trajectory").any():
        t = table[table["estimator"] == "trajectory"]
        parts.append(
            f"AIS along the training trajectory ({int(t['traj_steps'].iloc[0]):,} steps per "
            f"checkpoint interval, {int(t['n_chains'].iloc[0])} chains)"
        )
    if "estimator" in table and (table["estimator"] == "trajectory-pt").any():
        t = table[table["estimator"] == "trajectory-pt"]
        lo, hi = int(t["pt_rungs"].min()), int(t["pt_rungs"].max())
        rungs = f"{lo}" if lo == hi else f"{lo}-{hi}"
        parts.append(
            f"parallel tempering along the training trajectory ({rungs} temperatures per "
            f"checkpoint interval, {int(t['n_chains'].iloc[0])} chains, "
            f"{int(t['traj_steps'].iloc[0]):,} sweeps) with Bennett's acceptance ratio (BAR)"
        )
    standard = table if "estimator" not in table else table[table["estimator"] == "standard"]
    if not standard.empty:
        parts.append(
            f"standard AIS over temperatures ({int(standard['n_betas'].iloc[0]):,} betas, "
            f"{int(standard['n_chains'].iloc[0])} chains)"
        )
    return "; ".join(parts)


def crosscheck_points(table: pd.DataFrame, split: str = "test") -> pd.DataFrame:
    """The standard-AIS crosscheck of each ladder row as a log-likelihood, one point per
    replica: ``{split}_ll_{kind}_check = {split}_ll_bar + log_z_bar - log_z_{kind}_check``
    (the LL is the mean of ``-F(v)`` minus ``log Z``, and the crosscheck changes ``log Z``
    only), for ``kind`` in ``ais, rais``.

    Returns
    -------
    DataFrame
        ``method, hidden, replica, epoch, {split}_ll_ais_check, {split}_ll_rais_check``,
        the rows with a crosscheck (empty when none).
    """
    keys = ["method", "hidden", "replica", "epoch"]
    cols = [f"{split}_ll_ais_check", f"{split}_ll_rais_check"]
    need = {"log_z_ais_check", "log_z_rais_check", "log_z_bar", f"{split}_ll_bar"}
    if not need <= set(table.columns):
        return pd.DataFrame(columns=keys + cols)
    t = table[table["log_z_ais_check"].notna() & table["log_z_bar"].notna()]
    out = t[keys].copy()
    for kind, col in zip(("ais", "rais"), cols, strict=True):
        out[col] = t[f"{split}_ll_bar"] + t["log_z_bar"] - t[f"log_z_{kind}_check"]
    return out.reset_index(drop=True)


def fig1_left(
    table: pd.DataFrame,
    stem: str | os.PathLike,
    split: str = "test",
) -> list[Path]:
    """Fig. 1 (left) written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig1_left`)."""
    return save_figure(build_fig1_left(table, split), stem)


def build_fig1_left(table: pd.DataFrame, split: str = "test") -> Figure:
    """Fig. 1 (left): mean log-likelihood per image versus epoch, per hidden size.

    For each hidden size (colour) the AIS estimate is drawn solid and the reverse-AIS
    estimate dashed, each as the mean over replicas with a band of +- one standard
    deviation (no band with a single replica). AIS under-estimates ``log Z`` in expectation
    (the LL curve is the optimistic side) and reverse AIS over-estimates it (the
    conservative side), so the two curves bracket the log-likelihood. With several training
    methods there is one panel per method. The title says what is plotted in plain words; the
    legend's title names the estimator (column ``estimator``: trajectory AIS along the
    checkpoints with K steps per interval, the PTT ladder, or standard temperature AIS with
    its number of betas). A table of PTT-ladder rows
    only is drawn by its BAR estimate (``{split}_ll_bar``, solid); its forward and reverse
    averages are in the table, and the standard-AIS crosscheck of each replica (an
    independent estimator, :func:`crosscheck_points`) is marked x (AIS) and + (reverse AIS).
    Rows that a diagnostic flagged (column ``reliable`` false,
    :mod:`rbm_reciprocal.analysis.loglik_reliability`) are circled in red, per replica, and
    counted in the legend.

    Parameters
    ----------
    table : DataFrame
        ``results/loglik/loglik.parquet``: columns ``method, hidden, replica, epoch``,
        ``{split}_ll_ais``, ``{split}_ll_rais`` (from `rbm_reciprocal.analysis.loglik`).
    split : {"test", "train"}
        Which log-likelihood to plot (the paper's is the test set).
    """
    ladder = "estimator" in table and bool((table["estimator"] == "trajectory-pt").all())
    kinds = [("bar", "-")] if ladder else [("ais", "-"), ("rais", "--")]
    checks = crosscheck_points(table if ladder else table[:0], split)
    methods = sorted({str(x) for x in table["method"]})
    hiddens = sorted({int(h) for h in table["hidden"]})
    colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, max(len(hiddens), 1)))
    fig = Figure(figsize=(4.6 * len(methods) + 2.6, 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(methods), sharey=True))
    for ax, method in zip(axes, methods, strict=True):
        for ci, hidden in enumerate(hiddens):
            sel = table[(table["method"] == method) & (table["hidden"] == hidden)]
            pts = checks[(checks["method"] == method) & (checks["hidden"] == hidden)]
            if not sel.empty:
                _loglik_curves(ax, sel, pts, kinds, colors[ci], split)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(methods) > 1:
            ax.set_title(method)
    axes[0].set_ylabel(f"{split} log-likelihood (nats per image)")
    data = "test images" if split == "test" else "training images"
    fig.suptitle(f"Log-likelihood of the {data} during training", fontsize=10)
    # outside the axes: inside, it hid the crosscheck markers and the replica bands
    fig.legend(
        handles=_loglik_handles(table, hiddens, colors, ladder, checks),
        title=textwrap.fill("estimated by " + estimator_caption(table), 42),
        title_fontsize=7,
        alignment="left",
        frameon=False,
        fontsize=8,
        loc="outside right center",
    )
    return fig


def _loglik_curves(ax, sel, pts, kinds, color, split: str) -> None:
    """Mean +- s.d. over replicas of one hidden size, its flagged rows and crosschecks."""
    for kind, ls in kinds:
        stats = sel.groupby("epoch")[f"{split}_ll_{kind}"].agg(["mean", "std", "count"])
        x = stats.index.to_numpy(dtype=float)
        mean = stats["mean"].to_numpy(dtype=float)
        std = np.where(stats["count"] > 1, stats["std"].to_numpy(dtype=float), 0.0)
        ax.plot(x, mean, ls=ls, marker="o", ms=3, color=color, lw=1.4)
        ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, lw=0)
    bad = sel[~sel["reliable"].astype(bool)] if "reliable" in sel else sel[:0]
    ax.plot(bad["epoch"], bad[f"{split}_ll_{kinds[0][0]}"], ls="none", marker="o",
            ms=8, mfc="none", mec="red", mew=1.2)  # fmt: skip
    for kind, marker in (("ais", "x"), ("rais", "+")):
        ax.plot(pts["epoch"], pts[f"{split}_ll_{kind}_check"], ls="none",
                marker=marker, ms=6, mew=1.2, color=color)  # fmt: skip


def _loglik_handles(table, hiddens, colors, ladder: bool, checks) -> list:
    """The legend of Fig. 1 (left): sizes, estimators, the band and the flagged rows."""
    handles = [
        Line2D([], [], color=colors[ci], lw=1.4, label=f"M = {hidden}")
        for ci, hidden in enumerate(hiddens)
    ]
    b = f"{int(table['check_betas'].max()):,} betas" if len(checks) else ""
    if ladder:
        handles.append(Line2D([], [], color="0.3", ls="-", label="BAR (PTT ladder)"))
        if len(checks):
            handles += [
                Line2D([], [], color="0.3", ls="none", marker=m, label=f"{k} crosscheck ({b})")
                for m, k in (("x", "AIS"), ("+", "reverse AIS"))
            ]
    else:
        handles.append(Line2D([], [], color="0.3", ls="-", label="AIS"))
        handles.append(Line2D([], [], color="0.3", ls="--", label="reverse AIS"))
    handles.append(Patch(color="0.3", alpha=0.2, lw=0, label="± s.d. over replicas"))
    if "reliable" in table and not table["reliable"].astype(bool).all():
        n_bad = int((~table["reliable"].astype(bool)).sum())
        handles.append(
            Line2D([], [], ls="none", marker="o", ms=8, mfc="none", mec="red", mew=1.2,
                   label=f"flagged: may be wrong\n({n_bad} rows, column flags)")
        )  # fmt: skip
    return handles
