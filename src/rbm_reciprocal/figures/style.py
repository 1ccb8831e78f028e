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
import numpy as np
from matplotlib.figure import Figure

from rbm_reciprocal.core.io import atomic_path

matplotlib.use("Agg")


#: Formats written for every figure.
FIGURE_FORMATS: tuple[str, ...] = ("pdf", "png")


PNG_DPI = 150


# Metadata that would make outputs differ between identical runs.
_METADATA = {"pdf": {"CreationDate": None}, "png": {"Software": None}}


def epoch_label(state: str, epoch: int) -> str:
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


def panel_letter(ax, label: str) -> None:
    """Bold panel letter in the upper-left corner, above the axes (never over the data)."""
    ax.set_title(label, loc="left", fontweight="bold", fontsize=13)


def image_grid(images: np.ndarray, n_show: int, side: int = 28) -> np.ndarray:
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
