"""Merges of one-row tables into the tables the figures read (rules ``*_table``), and a
table as HTML for the report's pages."""

from __future__ import annotations

import html
from collections.abc import Sequence

from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.tables import read_table, save_parquet

pd = lazy_module("pandas")


def concat_tables(inputs: Sequence[PathLike], out: PathLike) -> pd.DataFrame:
    """Concatenate the parquet tables ``inputs`` (in order) into ``out``."""
    table = pd.concat([read_table(p) for p in inputs], ignore_index=True)
    save_parquet(out, table)
    return table


def html_table(table: pd.DataFrame, marked: Sequence[bool] = (), float_format: str = ".4f") -> str:
    """``table`` as an HTML ``<table>`` (values escaped, floats with ``float_format``, missing
    values empty); the rows where ``marked`` is true get class ``flagged`` and a red
    background (none marked when ``marked`` is empty)."""

    def cell(v: object) -> str:
        text = (
            ""
            if pd.isna(v)
            else format(v, float_format)
            if isinstance(v, float)
            else html.escape(str(v))
        )
        return f"<td>{text}</td>"

    header = "".join(f"<th>{c}</th>" for c in table.columns)
    flags = list(marked) or [False] * len(table)
    body = "".join(
        ('<tr class="flagged" style="background:#fdd">' if bad else "<tr>")
        + "".join(cell(v) for v in values)
        + "</tr>"
        for values, bad in zip(table.itertuples(index=False), flags, strict=True)
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
