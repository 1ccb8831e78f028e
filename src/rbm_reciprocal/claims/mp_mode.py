"""Claim 2: where the Marchenko-Pastur mode of random inits lies (Sec. 3, Eq. 20)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from rbm_reciprocal.analysis.marchenko_pastur import (
    MODE_TEST_FRACTIONS,
    marchenko_pastur_mode,
    marchenko_pastur_quantile,
    mode_rank,
    mode_window_test,
)
from rbm_reciprocal.claims.rows import claim_row, combine_verdicts

#: Relative tolerance of claim 2 on the mode's position: the finite-size bias of the
#: estimator (|bias| <= 6e-4 at N = 784, M = 100..3000, 5,000 exact Gaussian matrices each)
#: is 30 times smaller; a misstatement of sigma by 5% moves the mode by 5%.
MODE_TOLERANCE = 0.02


def mode_ratios(values: pd.DataFrame) -> tuple[np.ndarray, int, float]:
    """Each matrix's singular value at the mode's quantile over its expected position.

    Parameters
    ----------
    values : DataFrame
        One shape of :func:`~rbm_reciprocal.analysis.marchenko_pastur.random_values_table`
        (columns ``n, m, sigma, matrix, index, value``); only the rows with
        ``index`` = :func:`~rbm_reciprocal.analysis.marchenko_pastur.mode_rank` are read.

    Returns
    -------
    ratios : ndarray, shape (n_matrices,)
        ``s_j / F^{-1}(level)`` at the stated sigma; under Eq. 20 with entries of std
        ``c sigma`` it is ``c``, so ``ratio x sigma sqrt(|N - M|)`` estimates the mode.
    index : int
        The rank read (1 = largest).
    reference : float
        ``F^{-1}(level)`` at the stated sigma.
    """
    n, m, sigma = int(values["n"].iloc[0]), int(values["m"].iloc[0]), float(values["sigma"].iloc[0])
    index, level = mode_rank(n, m)
    ref = float(marchenko_pastur_quantile(level, n, m, sigma))
    at = values[values["index"] == index].sort_values("matrix")
    return at["value"].to_numpy(np.float64) / ref, index, ref


def equivalence_bounds(
    ratios: np.ndarray, tolerance: float, level: float
) -> tuple[float, float, float, bool | None]:
    """Student bounds of the mean ratio over independent matrices, against ``1 +- tolerance``.

    ``mean -+ t* s / sqrt(k)`` with ``t*`` Student's ``1 - level`` quantile (``k - 1`` dof).
    Both bounds inside ``[1 - tolerance, 1 + tolerance]``: pass (two one-sided tests, a false
    pass has probability <= ``level`` when the true ratio is outside); both on one side
    outside it: FAIL (probability <= ``level`` when it is inside); otherwise None (too few
    matrices to decide; always None for one matrix).

    Returns
    -------
    (mean, lower, upper, verdict)
    """
    r = np.asarray(ratios, dtype=np.float64)
    mean = float(r.mean()) if r.size else np.nan
    if r.size < 2:
        return mean, -np.inf, np.inf, None
    half = float(student_t.isf(level, r.size - 1) * r.std(ddof=1) / np.sqrt(r.size))
    lo, hi = mean - half, mean + half
    if lo >= 1.0 - tolerance and hi <= 1.0 + tolerance:
        return mean, lo, hi, True
    if lo > 1.0 + tolerance or hi < 1.0 - tolerance:
        return mean, lo, hi, False
    return mean, lo, hi, None


def claim_mp_mode(
    random_values: Sequence[pd.DataFrame], alpha: float = 0.01, tolerance: float = MODE_TOLERANCE
) -> dict:
    """Claim 2: the Marchenko-Pastur mode sits at ``sigma sqrt(|N - M|)`` (Sec. 3, Eq. 20).

    Operational definition, ``N != M``: the mode of the singular-value density of the random
    inits lies within ``tolerance`` (relative) of ``sigma sqrt(|N - M|)``, sigma the stated
    std. Under Eq. 20 the mode is the quantile of level ``q* = F(mode)`` whatever the scale,
    so each matrix estimates it by its singular value of that rank (:func:`mode_ratios`), and
    the matrices, not the correlated eigenvalues of one matrix, are the independent unit:
    :func:`equivalence_bounds` at level ``alpha / K`` (Bonferroni over the ``K`` tests). A
    misstatement of sigma by ``c`` moves the mode and the estimate by ``c``; 1000 matrices
    (the paper's) detect 5%. ``N = M``: the mode is the boundary 0 whatever sigma, and
    :func:`mode_window_test` checks that the density falls from 0 (FAIL if some binomial
    p-value of "the density rises" is below ``alpha / K``).

    Pass if every test passes, FAIL if one fails, n/a otherwise (e.g. the smoke preset's two
    matrices per shape cannot bound the mode to 2%).
    """
    shapes = sorted(random_values, key=lambda t: int(t["m"].iloc[0]))
    rect = [t for t in shapes if int(t["n"].iloc[0]) != int(t["m"].iloc[0])]
    square = [t for t in shapes if int(t["n"].iloc[0]) == int(t["m"].iloc[0])]
    k = len(rect) + len(MODE_TEST_FRACTIONS) * len(square)
    level = alpha / max(k, 1)
    parts, verdicts = [], []
    for t in shapes:
        n, m, sigma = int(t["n"].iloc[0]), int(t["m"].iloc[0]), float(t["sigma"].iloc[0])
        pred = marchenko_pastur_mode(n, m, sigma)
        if n == m:
            w = mode_window_test(t["value"].to_numpy(), n, m, sigma)
            verdicts.append(bool(w["p_value"].min() >= level))
            counts = ", ".join(f"{int(r.near)}/{int(r.far)}" for r in w.itertuples())
            parts.append(
                f"M={m}: mode 0 (boundary), near/far counts {counts}, smallest p "
                f"{w['p_value'].min():.2g}"
            )
            continue
        ratios, index, _ = mode_ratios(t)
        mean, lo, hi, ok = equivalence_bounds(ratios, tolerance, level)
        verdicts.append(ok)
        parts.append(
            f"M={m}: mode {mean * pred:.4f} (predicted {pred:.4f}; ratio {mean:.4f}, bounds "
            f"[{lo:.4f}, {hi:.4f}], {ratios.size} matrices, rank {index})"
        )
    passed = combine_verdicts(verdicts)
    fr = ", ".join(f"{f:g}" for f in MODE_TEST_FRACTIONS)
    return claim_row(
        2,
        "The Marchenko-Pastur mode is at sigma sqrt(|N - M|) (= sqrt(lambda_+ lambda_-)).",
        "; ".join(parts),
        f"N != M: mode within {tolerance:.0%} of sigma sqrt(|N - M|), the Student bounds "
        f"(alpha / K = {alpha:g}/{k}) of the mean ratio over matrices inside "
        f"[{1 - tolerance:g}, {1 + tolerance:g}] (both outside: FAIL); N = M: density falls "
        "from the boundary 0, every binomial p >= alpha / K",
        passed,
        "Statistic: the mode's position is estimated per matrix by its singular value at the "
        "rank whose quantile of Eq. 20 is the mode's (the mode is that quantile at any scale "
        "sigma), over its expected position at the stated sigma; matrices are the independent "
        "unit (Student t over matrices, two one-sided tests at alpha / K). Error rate <= "
        f"{alpha:g} both ways: a pass when the mode is more than {tolerance:.0%} away, a FAIL "
        f"when it is within {tolerance:.0%}; n/a when too few matrices bound the ratio. N = M: "
        f"counts in adjacent windows of half-widths {fr} x lambda_+ from 0 (error rate <= "
        f"{alpha:g} for any law decreasing from 0).",
    )
