"""Figures of the symmetry stage: Fig. 4 (rotation JS) and Fig. 6 (rotated samples)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.figures.style import image_grid, save_figure


def _percent(x: float) -> str:
    """A fraction as a percentage with two significant digits below 1% (0.04%, not 0.0%)."""
    return f"{x:.1%}" if x >= 0.01 or x == 0 else f"{100 * x:.2g}%"


def fig4(
    js: pd.DataFrame,
    noise: pd.DataFrame,
    pdfs: pd.DataFrame,
    stem: str | os.PathLike,
    model: str | None = None,
) -> list[Path]:
    """Fig. 4 written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig4`)."""
    return save_figure(build_fig4(js, noise, pdfs, model), stem)


def build_fig4(
    js: pd.DataFrame, noise: pd.DataFrame, pdfs: pd.DataFrame, model: str | None = None
) -> Figure:
    """Fig. 4: JS divergence of rotated vs unrotated ``W`` against ``1/M``.

    Each M is drawn against its own baseline, an untrained init of the same shape.

    Parameters
    ----------
    js : columns ``kind`` ("trained" / "untrained"), ``hidden``, ``method``, ``replica``,
        ``js``, ``js_noise`` (or ``js_noise_mean``, preferred), ``n_visible``; trained rows
        are averaged over replicas (mean +- std) per (hidden, method); untrained rows (one
        per M) are the dashed line with open circles.
    noise : columns ``n_hidden``, ``js_independent_inits`` per untrained size (dotted line:
        two independent inits of that shape).
    pdfs : ``bin_center, p_original, p_rotated`` of one model (the paper's inset, drawn as a
        panel of its own so that it never hides a data point).
    model : the id of the model of ``pdfs`` (``{method}_M{hidden}_replica{replica}`` or
        ``untrained_M{hidden}``, the name of its table), named in that panel's title.
    """
    fig = Figure(figsize=(9.0, 4.6))
    ax = fig.add_subplot(1, 2, 1) if len(pdfs) else fig.add_subplot(1, 1, 1)
    _js_panel(ax, js, noise)
    if len(pdfs):
        side = fig.add_subplot(1, 2, 2)
        side.plot(pdfs["bin_center"], pdfs["p_original"], lw=0.8, label="W")
        side.plot(pdfs["bin_center"], pdfs["p_rotated"], lw=0.8, ls="--", label="W rotated")
        side.set_yscale("log")
        side.set_xlabel("entry of W")
        side.set_ylabel("density")
        side.legend(fontsize=7)
        side.set_title(f"entry PDFs of {_model_name(model, js)}", fontsize=9)
    fig.tight_layout()
    return fig


def _model_name(model: str | None, js: pd.DataFrame) -> str:
    """``model`` in words for the title of Fig. 4 (right): ``one trained W`` over
    ``PCD, M = 500, replica 0 (epoch 30)``, or ``one untrained W`` over ``784 x 500 init``."""
    untrained = re.fullmatch(r"untrained_M(\d+)", model or "")
    if untrained:
        n_vis = f"{int(js['n_visible'].iloc[0])} x " if "n_visible" in js and len(js) else "N x "
        return f"one untrained W\n{n_vis}{untrained.group(1)} init"
    trained = re.fullmatch(r"(.+)_M(\d+)_replica(\d+)", model or "")
    if not trained:
        return "one trained W"
    method, hidden, replica = trained.group(1), int(trained.group(2)), int(trained.group(3))
    name = f"one trained W\n{method}, M = {hidden}, replica {replica}"
    if "epoch" in js:
        rows = js[(js["kind"] == "trained") & (js["method"] == method)
                  & (js["hidden"] == hidden) & (js["replica"] == replica)]  # fmt: skip
        if len(rows):
            name += f" (epoch {int(rows['epoch'].iloc[0])})"
    return name


def _js_panel(ax, js: pd.DataFrame, noise: pd.DataFrame) -> None:
    """Fig. 4 (left): JS of every trained model per M and method, with the baselines."""
    trained = js[js["kind"] == "trained"]
    markers = "osD^v"
    for k, (method, grp) in enumerate(trained.groupby("method", sort=True)):
        agg = grp.groupby("hidden")["js"].agg(["mean", "std", "count"]).reset_index()
        agg["std"] = agg["std"].fillna(0.0)
        ax.errorbar(1.0 / agg["hidden"], agg["mean"], yerr=agg["std"], marker=markers[k % 5],
                    capsize=3, lw=1, label=f"trained ({method})")  # fmt: skip
        # the mean of the noise replicates when the table has them (claim 6's reference)
        col = "js_noise_mean" if "js_noise_mean" in grp else "js_noise"
        noise_lvl = grp.groupby("hidden")[col].mean()
        noise_label = "noise of the trained JS (bootstrap of its W)" if k == 0 else None
        ax.plot(1.0 / noise_lvl.index, noise_lvl.values, "x", color="grey", ms=5, label=noise_label)
        for _, r in agg.iterrows():
            ax.annotate(f"M={int(r['hidden'])}", (1.0 / r["hidden"], r["mean"]),
                        textcoords="offset points", xytext=(4, 4), fontsize=7)  # fmt: skip
    untrained = js[js["kind"] == "untrained"].groupby("hidden")["js"].mean()
    if len(untrained):
        n_vis = int(js["n_visible"].iloc[0])
        ax.plot(1.0 / untrained.index, untrained.values, "o--", mfc="none", color="k", lw=1,
                label=f"untrained {n_vis} x M (same shape)")  # fmt: skip
    if len(noise):
        lvl = noise.groupby("n_hidden")["js_independent_inits"].mean()
        ax.plot(1.0 / lvl.index, lvl.values, ":", color="grey", lw=1, label="two independent inits")
    ax.set_yscale("log")
    ax.set_xlabel("1/M")
    ax.set_ylabel("Jensen-Shannon divergence")
    # below the axes: inside, it hides points wherever the data happen to fall
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)


def fig6(
    samples: dict[str, np.ndarray],
    summary: pd.DataFrame,
    stem: str | os.PathLike,
    n_show: int,
    show: str,
) -> list[Path]:
    """Fig. 6 written to ``<stem>.pdf`` and ``.png`` (see :func:`build_fig6`)."""
    return save_figure(build_fig6(samples, summary, n_show, show), stem)


def build_fig6(
    samples: dict[str, np.ndarray], summary: pd.DataFrame, n_show: int, show: str
) -> Figure:
    """Fig. 6: Gibbs samples; after a pi rotation of the top-2 plane of U (global); after
    random rotations avoiding the top-5 modes (local).

    ``samples`` holds ``v_original``, ``v_global``, ``v_local`` (B, 784) binary samples and
    ``p_*`` the probabilities ``p(v = 1 | h)``; ``show`` picks ``"samples"`` (the paper's
    figure) or ``"probabilities"``. ``summary`` gives the fractions changed.
    """
    if show not in ("samples", "probabilities"):
        raise ConfigError(f"fig6 show must be 'samples' or 'probabilities', got {show!r}")
    prefix = "v" if show == "samples" else "p"
    row = summary.iloc[0]
    among = (
        f"\nplanes among {int(row['local_directions'])} directions"
        if "local_directions" in summary.columns
        else ""
    )
    if "local_planes_paired" in summary.columns:  # the others lie in the null space
        among += (
            f"\n{int(row['local_planes_paired'])} of {int(row['local_rotations'])} touch "
            f"the {int(row['paired_directions'])} paired modes"
        )
    titles = {
        "original": "Gibbs samples" if show == "samples" else "Gibbs samples, p(v=1|h)",
        "global": "U rotated by pi in plane (1, 2)\n"
        f"{_percent(row['frac_changed_global'])} pixels changed",
        "local": f"{int(row['local_rotations'])} rotations avoiding top "
        f"{int(row['avoid_top'])}{among}\n{_percent(row['frac_changed_local'])} pixels changed",
    }
    fig = Figure(figsize=(9.0, 3.9))
    for k, (key, title) in enumerate(titles.items()):
        ax = fig.add_subplot(1, 3, k + 1)
        ax.imshow(
            image_grid(samples[f"{prefix}_{key}"].astype(np.float64), n_show),
            cmap="gray_r",
            vmin=0,
            vmax=1,
        )
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    return fig
