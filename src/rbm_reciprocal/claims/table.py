"""The claims table from the workflow's tables, and its markdown and HTML renderings."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from rbm_reciprocal.claims.diffusion import (
    claim_full_constraint,
    claim_harmonic_divergence,
    claim_metastability,
    claim_stiffness,
)
from rbm_reciprocal.claims.landau import claim_landau_double_well, claim_landau_samples
from rbm_reciprocal.claims.landscape import (
    claim_ais_bracket,
    claim_kurtosis,
    claim_mp_ks,
    claim_uniform_moments,
)
from rbm_reciprocal.claims.mp_mode import claim_mp_mode
from rbm_reciprocal.claims.rows import CLAIM_COLUMNS, CLAIM_KINDS
from rbm_reciprocal.claims.symmetry import (
    claim_pc_alignment,
    claim_rotated_pixels,
    claim_rotation_js,
    claim_spectral_gap,
)


def claims_table(tables: Mapping[str, object], epochs: int | None, min_epochs: int) -> pd.DataFrame:
    """All claims from the workflow's tables.

    Parameters
    ----------
    tables : mapping
        ``random`` (list of DataFrames, ``random_N*_M*_values.parquet``), ``kurtosis_fit``,
        ``kurtosis``, ``moments``, ``loglik``, ``js``, ``alignment``, ``rotated``,
        ``trajectories``, ``gap``,
        ``diffusion_spectrum``, ``diffusion_summary`` (DataFrames). A missing key skips the
        claims that need it.
    epochs : int or None
        Training epochs of the models (for claim 8's "n/a" rule; None: unknown).
    min_epochs : int
        Fewest training epochs at which a claim about trained models can fail
        (``claims.min_epochs``).

    Returns
    -------
    DataFrame with :data:`CLAIM_COLUMNS`, sorted by ``claim_id``; ``passed`` is a nullable
    boolean.
    """
    t = tables
    rows = []
    if "random" in t:
        rows += [claim_mp_ks(t["random"]), claim_mp_mode(t["random"])]
    if "kurtosis_fit" in t and "kurtosis" in t:
        rows.append(claim_kurtosis(t["kurtosis_fit"], t["kurtosis"]))
    if "moments" in t:
        rows.append(claim_uniform_moments(t["moments"]))
    if "loglik" in t:
        rows.append(claim_ais_bracket(t["loglik"], min_epochs=min_epochs))
    if "js" in t:
        rows.append(claim_rotation_js(t["js"], min_epochs))
    if "alignment" in t:
        rows.append(claim_pc_alignment(t["alignment"], min_epochs))
    if "rotated" in t:
        rows.append(claim_rotated_pixels(t["rotated"], epochs, min_epochs))
    if "trajectories" in t:
        rows.append(claim_landau_double_well(t["trajectories"], min_epochs))
        rows.append(claim_landau_samples(t["trajectories"], min_epochs))
    if "gap" in t:
        rows.append(claim_spectral_gap(t["gap"]))
    if "diffusion_spectrum" in t:
        rows.append(claim_stiffness(t["diffusion_spectrum"]))
        if "diffusion_summary" in t:
            rows.append(claim_harmonic_divergence(t["diffusion_summary"], t["diffusion_spectrum"]))
            rows.append(claim_full_constraint(t["diffusion_summary"]))
            rows.append(claim_metastability(t["diffusion_summary"]))
    table = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS)).sort_values("claim_id")
    table["passed"] = pd.array(list(table["passed"]), dtype="boolean")
    return table.reset_index(drop=True)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


#: Heading of each kind of row in the renderings.
KIND_HEADINGS = {
    "paper": "Claims of the paper",
    "self-check": "Self-checks of the workflow's simulator (not claims of the paper)",
}


def _kinds(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    kinds = table["kind"] if "kind" in table else pd.Series("paper", index=table.index)
    return [(k, table[kinds == k]) for k in CLAIM_KINDS if (kinds == k).any()]


def claims_markdown(table: pd.DataFrame, title: str | None = None) -> str:
    """The claims as Markdown tables, the paper's claims first and the self-checks after
    (``passed``: pass / **FAIL** / n/a), then the notes."""
    lines = [f"{title}\n"] if title else []
    for kind, part in _kinds(table):
        lines += [
            f"**{KIND_HEADINGS[kind]}**",
            "",
            "| # | the paper says | we measured | test | result |",
            "| --- | --- | --- | --- | --- |",
        ]
        for _, r in part.iterrows():
            p = r["passed"]
            result = "n/a" if pd.isna(p) else ("pass" if p else "**FAIL**")
            lines.append(
                f"| {int(r['claim_id'])} | {_cell(r['paper_statement'])} "
                f"| {_cell(r['our_number'])} | {_cell(r['test'])} | {result} |"
            )
        lines.append("")
    notes = [
        f"- {int(r['claim_id'])}: {_cell(r['detail'])}"
        for _, r in table.iterrows()
        if str(r["detail"]).strip()
    ]
    if notes:
        lines += ["Notes:", "", *notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def claims_html(table: pd.DataFrame, title: str | None = None) -> str:
    """The claims as a self-contained HTML page (same columns as :func:`claims_markdown`),
    one table per kind (the paper's claims, then the self-checks)."""

    style = {True: ("pass", "#d8f0d8"), False: ("FAIL", "#f6d0d0")}
    head = "".join(
        f"<th>{h}</th>" for h in ("#", "the paper says", "we measured", "test", "notes", "result")
    )
    blocks = []
    for kind, part in _kinds(table):
        rows = []
        for _, r in part.iterrows():
            p = r["passed"]
            result, colour = ("n/a", "#eeeeee") if pd.isna(p) else style[bool(p)]
            cells = [
                str(int(r["claim_id"])),
                str(r["paper_statement"]),
                str(r["our_number"]),
                str(r["test"]),
                str(r["detail"]),
            ]
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            rows.append(f"<tr>{tds}<td style='background:{colour}'><b>{result}</b></td></tr>")
        blocks.append(
            f"<h3>{html.escape(KIND_HEADINGS[kind])}</h3>\n<table><tr>{head}</tr>\n"
            + "\n".join(rows)
            + "\n</table>"
        )
    heading = f"<h2>{html.escape(title)}</h2>\n" if title else ""
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Claims</title><style>"
        "table{border-collapse:collapse;font:13px sans-serif}"
        "td,th{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}"
        "</style></head><body>\n"
        f"{heading}" + "\n".join(blocks) + "\n</body></html>\n"
    )
