"""The row format of the claims table and its small helpers."""

from __future__ import annotations

import pandas as pd

#: Columns of ``results/claims.parquet``. ``kind`` is ``paper`` for a statement of the paper
#: and ``self-check`` for a check of the workflow's own simulator (not evidence on the paper).
CLAIM_COLUMNS = ("claim_id", "kind", "paper_statement", "our_number", "test", "passed", "detail")

#: The values of the ``kind`` column, in the order the renderings list them.
CLAIM_KINDS = ("paper", "self-check")


def claim_row(
    claim_id: int,
    statement: str,
    number: str,
    test: str,
    passed: bool | None,
    detail: str = "",
    kind: str = "paper",
) -> dict:
    if kind not in CLAIM_KINDS:
        raise ValueError(f"claim kind must be one of {CLAIM_KINDS}, got {kind!r}")
    return {
        "claim_id": int(claim_id),
        "kind": kind,
        "paper_statement": statement,
        "our_number": number,
        "test": test,
        "passed": None if passed is None else bool(passed),
        "detail": detail,
    }


def combine_verdicts(verdicts: list[bool | None]) -> bool | None:
    """Several tests, one verdict: False if any failed, True if all passed (and there is at
    least one), None (undecided) otherwise."""
    if any(v is False for v in verdicts):
        return False
    if verdicts and all(v is True for v in verdicts):
        return True
    return None


def undertrained_verdict(ok: bool, epochs: int | None, min_epochs: int) -> bool | None:
    """Pass if observed; "n/a" if not observed in models trained < ``min_epochs`` epochs."""
    if ok:
        return True
    if epochs is not None and epochs < min_epochs:
        return None
    return False


def n_a_note(passed: bool | None, epochs: int | None, min_epochs: int) -> str:
    if passed is None and epochs is not None and epochs < min_epochs:
        return f" Not observed, but the models trained only {epochs} < {min_epochs} epochs."
    return ""


def _g(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}g}"


def summary_counts(rows: pd.DataFrame) -> str:
    counts = rows["verdict"].value_counts()
    return ", ".join(f"{int(v)} {k}" for k, v in counts.items())
