"""Figure of the claims stage: the diffusion test."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

from rbm_reciprocal.figures.style import panel_letter, save_figure


def fig_diffusion(
    spectrum: pd.DataFrame,
    series: pd.DataFrame,
    summary: pd.DataFrame,
    final: pd.DataFrame,
    stem: str | os.PathLike,
) -> list[Path]:
    """The diffusion figure written to ``<stem>.pdf`` and ``.png`` (see
    :func:`build_fig_diffusion`)."""
    return save_figure(build_fig_diffusion(spectrum, series, summary, final), stem)


def build_fig_diffusion(
    spectrum: pd.DataFrame, series: pd.DataFrame, summary: pd.DataFrame, final: pd.DataFrame
) -> Figure:
    """The diffusion prediction of Sec. 4.1 (Eqs. 40-48) and its Langevin test (issue 7).

    (a) ``lambda_i`` of the u-modes, trained and untrained, against the divergence threshold
    ``k_ii / beta`` (Eq. 46; the exact value 4 / beta dashed): modes above it have a negative
    harmonic relaxation rate. Simulated modes are circled. (b) Variance of the walkers against
    time in units of ``1 / |kappa_i|`` (log y): harmonic constraint dashed, all-orders
    (large-deviation) constraint solid; untrained modes grey. (c) Kolmogorov-Smirnov distance to
    the stationary law (dotted: the 1% critical value). (d) Final positions of the most
    unstable trained mode in the full constraint potential with its stationary density.
    Panels (a) and (d) have their legends below them; (b) and (c) share the figure's legend
    (modes by colour, untrained grey, the two potentials, the critical value) at the bottom:
    inside the panels, legends hid threshold lines and curves.

    Parameters
    ----------
    spectrum, series, summary, final : DataFrame
        The four tables of `rbm_reciprocal.stages.diffusion.run_diffusion`.
    """
    fig = Figure(figsize=(9.5, 8.6), layout="constrained")
    (ax_a, ax_b), (ax_c, ax_d) = fig.subplots(2, 2)
    _diffusion_spectrum(ax_a, spectrum)
    _diffusion_series(ax_b, ax_c, series, summary)
    _diffusion_final(ax_d, series, summary, final)
    handles, labels = ax_b.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=7,
               frameon=False, title="(b), (c): modes simulated", title_fontsize=7)  # fmt: skip
    return fig


def _legend_below(ax, ncols: int = 2) -> None:
    """The legend of ``ax`` under its x label, clear of the data whatever they are."""
    ax.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncols=ncols)  # fmt: skip


def _diffusion_spectrum(ax_a, spectrum: pd.DataFrame) -> None:
    """(a): the u-mode spectra against the divergence threshold."""
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
            ax_a.plot(s["mode"], s["threshold"], "-", lw=0.6, color="tab:orange",
                      label=r"$k_{ii}/\beta$ (estimated)")  # fmt: skip
    ax_a.axhline(4.0 / beta, ls="--", lw=1, color="tab:orange", label=r"$4/\beta$ (exact)")
    ax_a.plot([], [], ".", color="tab:red", label="predicted to diverge")
    ax_a.plot([], [], "o", mfc="none", color="tab:blue", label="simulated")
    ax_a.set_xscale("log")
    ax_a.set_yscale("log")
    for axis in (ax_a.xaxis, ax_a.yaxis):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(NullFormatter())
    ax_a.set_xlabel("mode i")
    ax_a.set_ylabel(r"$\lambda_i$ (u-modes)")
    _legend_below(ax_a)
    panel_letter(ax_a, "a")


def _diffusion_series(ax_b, ax_c, series: pd.DataFrame, summary: pd.DataFrame) -> None:
    """(b) and (c): variance and KS distance of the walkers against time, every mode; the
    legend entries (on ``ax_b``) are gathered into the figure's legend by the caller."""
    trained = summary[summary["state"] == "trained"]
    keys = trained[["index", "kind", "mode"]].drop_duplicates().values.tolist()
    colors = matplotlib.colormaps["tab10"](np.arange(max(len(keys), 1)) % 10)
    for (state, index), g in series.groupby(["state", "index"], sort=False):
        g0 = g.iloc[0]
        if state == "trained":
            ci = [k[0] for k in keys].index(index)
            color, lw = colors[ci], 1.3
            label = f"{g0['kind']}$_{{{int(g0['mode'])}}}$, $\\kappa$={g0['kappa']:.2g}"
        else:
            color, lw, label = _UNTRAINED_GREY, 0.8, None
        for pot, ls in (("gaussian", "--"), ("large_deviation", "-")):
            p = g[g["potential"] == pot].sort_values("t")
            ax_b.plot(p["t_over_tau"], p["var"], ls=ls, color=color, lw=lw,
                      label=label if pot == "large_deviation" else None)  # fmt: skip
            ax_c.plot(p["t_over_tau"], p["ks"], ls=ls, color=color, lw=lw)
    untrained = series[series["state"] != "trained"]
    if len(untrained):
        epoch = f" (epoch {int(untrained['epoch'].iloc[0])})" if "epoch" in untrained else ""
        ax_b.plot([], [], color=_UNTRAINED_GREY, lw=0.8, label=f"untrained modes{epoch}")
    ax_b.plot([], [], "k--", lw=1, label="harmonic constraint (Eq. 45)")
    ax_b.plot([], [], "k-", lw=1, label="full constraint")
    ax_b.set_yscale("log")
    ax_b.set_xlabel(r"$t\,|\kappa_i|$")
    ax_b.set_ylabel("variance of the walkers")
    panel_letter(ax_b, "b")
    ax_c.axhline(float(summary["ks_crit"].iloc[0]), ls=":", color="k", lw=1)
    ax_b.plot([], [], ":", color="k", lw=1, label="(c) 1% critical value of KS")
    ax_c.set_yscale("log")
    ax_c.set_xlabel(r"$t\,|\kappa_i|$")
    ax_c.set_ylabel("KS distance to the stationary law")
    panel_letter(ax_c, "c")


def _diffusion_final(ax_d, series, summary, final) -> None:
    """(d): the walkers' final positions for the most unstable trained mode."""
    trained = summary[summary["state"] == "trained"]
    cand = trained[trained["predicted_diverges"]]
    pick = cand if len(cand) else trained if len(trained) else summary
    row = pick.sort_values("lam", ascending=False).iloc[0]
    f = final[(final["state"] == row["state"]) & (final["index"] == row["index"])]
    ld = f[f["potential"] == "large_deviation"]
    width = (ld["bin_right"] - ld["bin_left"]).to_numpy()
    ax_d.bar(ld["bin_left"], ld["density"], width=width, align="edge", color="tab:blue",
             alpha=0.5, edgecolor="none", label="walkers at the horizon")  # fmt: skip
    ax_d.plot(ld["bin_center"], ld["stationary_density"], color="tab:red", lw=1.3,
              label=r"stationary $\propto e^{-\beta U}$")  # fmt: skip
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
    _legend_below(ax_d)
    panel_letter(ax_d, "d")


#: The untrained modes' curves in (b) and (c).
_UNTRAINED_GREY = "0.7"
