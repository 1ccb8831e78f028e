"""Does a log-likelihood row know when it failed? The diagnostics of ``loglik.parquet``.

Every estimator here can be confidently wrong: chains that never visit a mode give a tight
standard error around a value many nats too low, and neighbouring rungs of a ladder agree
with each other when both miss the same mass. So ``loglik_table`` checks every row against
what does not depend on the chains having mixed, and states the result in ``reliable`` and
``flags`` (``;``-separated):

``below-bound``
    The row's estimate of ``log Z`` (BAR for ladder rows; AIS or reverse AIS otherwise) lies
    more than :data:`Z_SE` standard errors below ``log_z_lower``, a rigorous lower bound
    (:mod:`rbm_reciprocal.sampling.lower_bound`). Catches a missed mode that the
    zero-temperature mode search finds (peaked models; the audit's planted and scaled-up
    models); cannot see mass that no start of that search leads to.
``acceptance``
    A ladder whose exchange acceptance fell below :data:`MIN_ACCEPTANCE` somewhere up to this
    checkpoint: the rungs there barely exchange, so the ratio across them rests on chains
    that do not communicate (first-order jumps between checkpoints).
``gap``
    A ladder whose forward and reverse estimates differ by more than :data:`MAX_GAP` nats and
    more than :data:`Z_SE` of their combined standard errors.
``below-crosscheck``
    BAR more than :data:`Z_SE` s.e. below the standard AIS crosscheck minus
    ``log(1/ALPHA)``. AIS is a stochastic lower bound (``P(log Z_AIS >= log Z + t) <= e^-t``),
    so such a BAR is below ``log Z`` with probability at least ``1 - ALPHA``. A BAR *above*
    the crosscheck is what an unconverged AIS gives (its ESS is in ``ess_ais_check``) and
    is not a flag.
``low-ess``
    AIS or reverse-AIS rows (standard and trajectory AIS) whose effective sample size is
    below :data:`MIN_ESS` chains: the estimate rests on one or two chains and its standard
    error means nothing.

A row that passes all of these can still be wrong (mass that neither the chains nor the mode
search reach); one that fails any of them may be wrong by more than its error bar says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Standard errors by which an estimate may fall short of a bound before it is flagged.
Z_SE = 3.0
#: Lowest exchange acceptance between neighbouring rungs of a trusted ladder.
MIN_ACCEPTANCE = 0.05
#: Largest forward-reverse gap of a trusted ladder (nats), beyond Z_SE standard errors.
MAX_GAP = 1.0
#: Tail probability of the crosscheck's stochastic lower bound.
ALPHA = 0.01
#: Fewest effective chains behind an AIS or reverse-AIS estimate.
MIN_ESS = 5.0

FLAGS = ("below-bound", "acceptance", "gap", "below-crosscheck", "low-ess")


def _col(table: pd.DataFrame, name: str) -> np.ndarray:
    if name not in table:
        return np.full(len(table), np.nan)
    return pd.to_numeric(table[name], errors="coerce").to_numpy(np.float64)


def row_flags(table: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per flag of :data:`FLAGS` for the rows of a ``loglik`` table
    (missing inputs never raise a flag)."""
    c = {
        k: _col(table, k)
        for k in (
            "log_z_bar",
            "log_z_bar_se",
            "log_z_ais",
            "log_z_ais_se",
            "log_z_rais",
            "log_z_rais_se",
            "log_z_lower",
            "pt_min_acceptance",
            "log_z_ais_check",
            "log_z_ais_check_se",
            "ess_ais",
            "ess_rais",
        )
    }
    ladder = np.isfinite(c["log_z_bar"])
    lower = c["log_z_lower"]
    with np.errstate(invalid="ignore"):
        bar_low = c["log_z_bar"] + Z_SE * c["log_z_bar_se"] < lower
        ais_low = c["log_z_ais"] + Z_SE * c["log_z_ais_se"] < lower
        rais_low = c["log_z_rais"] + Z_SE * c["log_z_rais_se"] < lower
        gap = np.abs(c["log_z_rais"] - c["log_z_ais"])
        gap_se = np.hypot(c["log_z_ais_se"], c["log_z_rais_se"])
        check_floor = c["log_z_ais_check"] - np.log(1.0 / ALPHA)
        bar_hi = c["log_z_bar"] + Z_SE * np.hypot(c["log_z_bar_se"], c["log_z_ais_check_se"])
        ess = np.fmin(c["ess_ais"], c["ess_rais"])
        out = {
            "below-bound": np.where(ladder, bar_low, ais_low | rais_low),
            "acceptance": ladder & (c["pt_min_acceptance"] < MIN_ACCEPTANCE),
            "gap": ladder & (gap > MAX_GAP) & (gap > Z_SE * gap_se),
            "below-crosscheck": ladder & (bar_hi < check_floor),
            "low-ess": ~ladder & (ess < MIN_ESS),
        }
    return pd.DataFrame({k: np.asarray(v, bool) for k, v in out.items()}, index=table.index)


def assess_rows(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``reliable`` (no flag) and ``flags`` (the names, ``;``-separated)."""
    flags = row_flags(table)
    names = flags.apply(lambda r: ";".join(k for k in FLAGS if r[k]), axis=1)
    return table.assign(reliable=~flags.any(axis=1).to_numpy(), flags=names.astype(str))
