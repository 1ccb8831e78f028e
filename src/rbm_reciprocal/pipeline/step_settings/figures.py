"""Options of the figure steps that need any (the others render their inputs as they are)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def fig3_mp(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 3a-d: the panel (its hidden size is ``spectra.random.hidden[panel]``)."""
    return {"panel": str(wildcards.panel)}


def fig6(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 6: how many rotated samples to show (``symmetry.samples``)."""
    s = config["symmetry"]["samples"]
    return {"n_show": int(s["n_show"]), "show": s["show"]}


def fig7_8(config: dict, wildcards: Any) -> dict[str, Any]:
    """Figs. 7 (the first hidden size) and 8 (the others)."""
    hidden = [int(m) for m in config["model"]["hidden"]]
    return {"hidden": hidden[:1] if str(wildcards.n) == "7" else hidden[1:]}


def no_options(config: dict, wildcards: Any) -> dict[str, Any]:
    """A figure that needs nothing but its input tables."""
    return {}


def options(step: str) -> Callable[[dict, Any], dict[str, Any]]:
    """The options function of figure step ``step`` (:func:`no_options` if it has none)."""
    return {"fig3_mp": fig3_mp, "fig6": fig6, "fig7_8": fig7_8}.get(step, no_options)
