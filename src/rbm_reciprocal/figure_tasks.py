"""I/O edge of the figures: read the tables a figure needs and call its renderer.

``render(name, inputs, stem, options)`` is what ``python -m rbm_reciprocal figure`` runs.
Each renderer in :mod:`rbm_reciprocal.figures` writes ``<stem>.pdf`` and ``<stem>.png``;
its data table is the input parquet(s), so restyling a plot never recomputes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from .errors import ConfigError


def _fig3_mp(inputs: Sequence[str], stem: str, options: dict) -> None:
    from .figures import fig3_mp

    hist, curve = (pd.read_parquet(p) for p in inputs)
    n, m = int(hist["n"].iloc[0]), int(hist["m"].iloc[0])
    fig3_mp(hist, curve, n, m, stem, options.get("panel", ""))


def _fig3f(inputs: Sequence[str], stem: str, options: dict) -> None:
    from .figures import fig3f_trained_spectra

    fig3f_trained_spectra(pd.read_parquet(inputs[0]), stem)


def _fig4(inputs: Sequence[str], stem: str, options: dict) -> None:
    from .figures import fig4_rotation_js

    js, noise, pdfs = (pd.read_parquet(p) for p in inputs)
    fig4_rotation_js(js, noise, pdfs, stem)


RENDERERS: dict[str, Callable[[Sequence[str], str, dict], None]] = {
    "fig3_mp": _fig3_mp,
    "fig3f_trained_spectra": _fig3f,
    "fig4_rotation_js": _fig4,
}


def render(name: str, inputs: Sequence[str], stem: str, options: dict) -> None:
    """Render figure ``name`` from its input tables to ``stem``.pdf/.png."""
    if name not in RENDERERS:
        raise ConfigError(f"unknown figure {name!r}; known: {sorted(RENDERERS)}")
    RENDERERS[name](inputs, stem, options)
