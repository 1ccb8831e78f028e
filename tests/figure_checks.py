"""Mechanical readability checks of a matplotlib Figure (issue 25), used by
``test_figure_readability.py``.

After ``fig.canvas.draw()``, in display coordinates:

- :func:`overlapping_texts`: two tick labels of one axis, or two annotations of one axes,
  whose bounding boxes overlap (unreadable: ``0.000250.00050`` ...);
- :func:`legends_over_data`: a legend whose box holds a plotted data point (line vertices
  and points along the drawn segments, scatter offsets);
- :func:`series_not_in_legend`: a plotted series whose label is in no legend or, unlabelled,
  whose colour no legend entry has (the reader cannot tell what it is);
- :func:`texts_outside`: a title, label, tick label or legend text cut by the figure's edge.
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba_array
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, StepPatch
from matplotlib.text import Text

_NO_LINE = ("None", "none", "", " ")


def draw(fig: Figure, dpi: float = 150) -> Figure:
    """Draw ``fig`` on an Agg canvas at the PNG's resolution (text boxes are then final)."""
    FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    fig.canvas.draw()
    return fig


def all_axes(fig) -> list:
    """Every Axes of ``fig``, of its subfigures, and their secondary axes."""
    out = []
    for ax in fig.axes:
        out += [ax, *getattr(ax, "child_axes", [])]
    for sub in getattr(fig, "subfigs", []):
        out += [a for a in all_axes(sub) if a not in out]
    return out


def all_legends(fig) -> list:
    """The figure's legends, its subfigures' and its axes'."""
    legends = list(fig.legends)
    for sub in getattr(fig, "subfigs", []):
        legends += all_legends(sub)
    legends += [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return list(dict.fromkeys(legends))


def _where(ax) -> str:
    title = ax.get_title() if hasattr(ax, "get_title") else ""
    return title or ax.get_label() or type(ax).__name__


def shown_tick_labels(axis) -> list[Text]:
    """The tick labels ``axis`` draws: visible, non-empty, at a tick inside the view."""
    lo, hi = sorted(axis.get_view_interval())
    eps = 1e-9 * (hi - lo)
    out = []
    for tick in axis.get_major_ticks() + axis.get_minor_ticks():
        loc = tick.get_loc()
        if loc is None or not (lo - eps <= loc <= hi + eps) or not tick.get_visible():
            continue
        out += [t for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text().strip()]
    return out


def _overlaps(texts, renderer, tol: float) -> list[tuple[str, str]]:
    boxes = [t.get_window_extent(renderer).padded(-tol) for t in texts]
    pairs = itertools.combinations(zip(texts, boxes, strict=True), 2)
    return [(a.get_text(), b.get_text()) for (a, ba), (b, bb) in pairs if ba.overlaps(bb)]


def overlapping_texts(fig, tol: float = 0.5) -> list[str]:
    """Pairs of tick labels of one axis, or of annotations of one axes, that overlap."""
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in all_axes(fig):
        if not (ax.get_visible() and ax.axison):
            continue
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            for a, b in _overlaps(shown_tick_labels(axis), renderer, tol):
                bad.append(f"{_where(ax)!r}, {name} tick labels {a!r} and {b!r} overlap")
        texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        for a, b in _overlaps(texts, renderer, tol):
            bad.append(f"{_where(ax)!r}: texts {a!r} and {b!r} overlap")
    return bad


def _inside(points: np.ndarray, box) -> np.ndarray:
    return (
        (points[:, 0] > box.x0) & (points[:, 0] < box.x1)
        & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
    )  # fmt: skip


def _line_points(line: Line2D, step_px: float = 2.0) -> np.ndarray:
    """Display coordinates of a line's vertices and, if drawn, of points along its segments."""
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if line.get_linestyle() in _NO_LINE or len(xy) < 2:
        return xy
    parts = [xy]
    for a, b in itertools.pairwise(xy):
        n = int(np.hypot(*(b - a)) // step_px)
        if n > 1:
            parts.append(a + np.linspace(0, 1, n + 1)[1:-1, None] * (b - a))
    return np.concatenate(parts)


def data_points(ax) -> np.ndarray:
    """Display coordinates of the data drawn in ``ax`` (clipped ones left out)."""
    box = ax.get_window_extent()
    chunks = []
    for line in ax.lines:
        if line.get_visible():
            pts = _line_points(line)
            chunks.append(pts[_inside(pts, box)] if line.get_clip_on() else pts)
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible():
            off = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            off = off[np.all(np.isfinite(off), axis=1)]
            chunks.append(off[_inside(off, box)] if coll.get_clip_on() else off)
    return np.concatenate(chunks) if chunks else np.empty((0, 2))


def legends_over_data(fig) -> list[str]:
    """Legends whose box holds data points of some axes."""
    bad = []
    for leg in all_legends(fig):
        box = leg.get_window_extent()
        for ax in all_axes(fig):
            if n := int(_inside(data_points(ax), box).sum()):
                first = [t.get_text() for t in leg.get_texts()][:2]
                bad.append(f"legend {first} covers {n} data points of {_where(ax)!r}")
    return bad


def _rgb(colors) -> list[tuple[float, ...]]:
    if isinstance(colors, str) and colors.lower() == "none":
        return []
    return [tuple(np.round(c[:3], 3)) for c in to_rgba_array(colors) if c[3] > 0]


def _legend_entries(fig) -> tuple[set[str], list[tuple[float, ...]]]:
    labels, colors = set(), []
    for leg in all_legends(fig):
        labels |= {t.get_text() for t in leg.get_texts()}
        for h in leg.legend_handles:
            if isinstance(h, Line2D):
                for c in (h.get_color(), h.get_markerfacecolor(), h.get_markeredgecolor()):
                    colors += _rgb(c)
            elif isinstance(h, Patch) or hasattr(h, "get_facecolor"):
                colors += _rgb(h.get_facecolor()) + _rgb(h.get_edgecolor())
    return labels, colors


def _series(ax) -> list[tuple[str, list]]:
    """(label, colours) of each data series of ``ax``: lines, scatters, bars, stairs."""
    out = []
    for line in ax.lines:
        if line.get_visible() and len(line.get_xydata()):
            cols = [] if line.get_linestyle() in _NO_LINE else _rgb(line.get_color())
            if line.get_marker() not in (None, *_NO_LINE):
                face = line.get_markerfacecolor()
                cols += _rgb(face) or _rgb(line.get_markeredgecolor())
            out.append((line.get_label(), cols))
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            face = coll.get_facecolor()
            out.append((coll.get_label(), _rgb(face if len(face) else coll.get_edgecolor())))
    for cont in ax.containers:
        if isinstance(cont, BarContainer) and len(cont.patches):
            out.append((cont.get_label(), _rgb(cont.patches[0].get_facecolor())))
    stairs = [p for p in ax.patches if isinstance(p, StepPatch)]
    out += [(p.get_label(), _rgb(p.get_facecolor())) for p in stairs]
    return out


def series_not_in_legend(fig, tol: float = 0.02) -> list[str]:
    """Series whose label no legend shows, or unlabelled ones of a colour no legend has."""
    labels, colors = _legend_entries(fig)
    known = np.array(colors) if colors else np.empty((0, 3))
    bad = []
    for ax in all_axes(fig):
        for label, cols in _series(ax):
            if label and not label.startswith("_"):
                if label not in labels:
                    bad.append(f"{_where(ax)!r}: series {label!r} is in no legend")
                continue
            for c in dict.fromkeys(cols):
                if not len(known) or np.abs(known - np.array(c)).max(axis=1).min() > tol:
                    bad.append(f"{_where(ax)!r}: a series of colour {c} is in no legend")
    return bad


def texts_outside(fig, tol: float = 1.0) -> list[str]:
    """Drawn texts (titles, labels, tick labels, legend texts) cut by the figure's edge."""
    renderer = fig.canvas.get_renderer()
    ticks, texts = set(), []
    for ax in all_axes(fig):
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks |= {id(tick.label1), id(tick.label2)}
            if ax.axison and ax.get_visible():
                texts += shown_tick_labels(axis)
    texts += [t for t in fig.findobj(Text) if id(t) not in ticks]
    box = fig.bbox.padded(tol)
    bad = []
    for t in texts:
        if t.get_visible() and t.get_text().strip():
            b = t.get_window_extent(renderer)
            if b.x0 < box.x0 or b.x1 > box.x1 or b.y0 < box.y0 or b.y1 > box.y1:
                bad.append(f"text {t.get_text()!r} is cut by the figure's edge")
    return bad


def readability_problems(fig: Figure) -> list[str]:
    """Every problem the checks of this module find in ``fig`` (drawn here first)."""
    draw(fig)
    return (
        overlapping_texts(fig)
        + legends_over_data(fig)
        + series_not_in_legend(fig)
        + texts_outside(fig)
    )
