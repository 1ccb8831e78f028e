"""Claims 9 and 15: the Landau free energy of mode 1 (Eq. 55, Figs. 7-8) and where the data
sit in it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from rbm_reciprocal.claims.rows import claim_row, combine_verdicts, n_a_note, undertrained_verdict

#: Curvature of the all-orders constraint potential at its minimum mu: 1 / Var(z) = 4 for a
#: unit-norm combination of fair bits (Eq. 51c, sigma = 1/2); everywhere else V'' > 4.
STIFFNESS = 4.0


def _first_above(g: pd.DataFrame, level: float) -> str:
    above = g[g["lambda_1"] > level]
    if not len(above):
        return f"lambda_1 <= {level:g} at every epoch (max {g['lambda_1'].max():.2f})"
    r = above.iloc[0]
    return f"lambda_1 > {level:g} from epoch {int(r['epoch'])} ({r['lambda_1']:.2f})"


def claim_landau_double_well(trajectories: pd.DataFrame, min_epochs: int) -> dict:
    """Claim 9: mode 1's free energy turns from a single to a double well (Eq. 55, Figs. 7-8).

    Statistic: the minima of Eq. (55) with the all-orders (large-deviation) constraint
    potential, ``landau_u_wells`` (:func:`rbm_reciprocal.analysis.landau.landau_wells`); a
    mode whose minimum lies outside the domain (``landau_u_unconfined``) is not a well. Per M:
    one well at the first checkpoint and two at a later one, none of them unconfined.

    What it is: a consequence of ``lambda_1`` exceeding the constraint stiffness. The
    potential ``V`` of a unit-norm sum of fair bits has ``V'' = 1 / K''(t) >= 4`` everywhere
    (:data:`STIFFNESS`, equality at ``mu``), so ``f = -lambda_1 z^2 / 2 + V`` is convex with
    one well while ``lambda_1 <= 4``; once ``lambda_1 > 4`` its curvature at ``mu`` is
    negative and ``V`` diverges at the ends of the support, which gives two wells unless the
    asymmetry (``mu`` away from 0) leaves one. Any W with that ``lambda_1`` has it, a
    structureless Gaussian one included: the row states the first epoch with
    ``lambda_1 > 4`` next to the onset. Whether the data sit in the wells is claim 15.
    """
    parts, ok, quartic, impossible = [], True, [], 0
    for m, g in trajectories.groupby("hidden", sort=True):
        g = g.sort_values("epoch")
        wells = g["landau_u_wells"].to_numpy()
        unconfined = (
            g["landau_u_unconfined"].to_numpy(bool)
            if "landau_u_unconfined" in g
            else np.zeros(len(g), bool)
        )
        double = np.flatnonzero((wells >= 2) & ~unconfined)
        impossible += int(((wells >= 2) & (g["lambda_1"].to_numpy() <= STIFFNESS)).sum())
        if double.size:
            r = g.iloc[double[0]]
            text = (
                f"double from epoch {int(r['epoch'])} (minima "
                f"{r.get('landau_u_min1', np.nan):.2f}, {r.get('landau_u_min2', np.nan):.2f}; "
                f"lambda_1 = {r['lambda_1']:.2f})"
            )
        else:
            text = (
                f"single at every epoch (lambda_1 = {g['lambda_1'].iloc[-1]:.2f} at epoch "
                f"{int(g['epoch'].iloc[-1])})"
            )
        text += "; " + _first_above(g, STIFFNESS)
        if unconfined.any():
            text += f", unconfined at {int(unconfined.sum())} epoch(s)"
        parts.append(f"M={int(m)}: {text}")
        ok &= bool(wells[0] == 1 and not unconfined[0] and double.size > 0)
        if "landau_quartic_u_wells" in g:
            quartic.append(f"M={int(m)}: {int(g['landau_quartic_u_wells'].iloc[-1])}")
    epochs = int(trajectories["epoch"].max())
    passed = undertrained_verdict(ok, epochs, min_epochs)
    note = (
        "Minima of Eq. 55 with the all-orders (large-deviation) constraint potential of u_1 "
        "over its whole support; a minimum outside it is 'unconfined', never a well. The "
        f"double well follows from lambda_1 alone: V'' >= {STIFFNESS:g} = 1/Var(u_1) "
        f"everywhere, so one well while lambda_1 <= {STIFFNESS:g}; beyond it f curves down "
        "at mu and two wells appear unless mu's asymmetry leaves one (any W with that "
        "lambda_1, a structureless Gaussian one too). It says nothing about the data: claim "
        f"15 asks whether the samples sit in the wells. Double wells at lambda_1 <= "
        f"{STIFFNESS:g}: {impossible} (0 by the bound)."
    )
    if quartic:
        note += (
            " Quartic fit on the sampled range (paper's expansion; its range ends are not "
            "wells), wells at the last epoch: " + ", ".join(quartic) + "."
        )
    return claim_row(
        9,
        "The Landau free energy of mode 1 (u_1) turns from a single well into an asymmetric "
        "double well early in training (Eq. 55, Figs. 7-8).",
        "; ".join(parts),
        "one well at the first checkpoint and two (confined) at a later one, every M; "
        f"predicted by lambda_1 > {STIFFNESS:g} (the constraint stiffness 1/sigma^2, "
        "sigma = 1/2)",
        passed,
        note + n_a_note(passed, epochs, min_epochs),
    )


def spread_bounds(
    mean: float, sd: float, minimum: float, n: int, z: float
) -> tuple[float, float, float]:
    """Distance of a minimum from the samples' mean in units of their s.d., with bounds.

    ``d = |mean - minimum| / sd`` and ``d -+ z se``, ``se = sqrt((1 + d^2 / 2) / n)`` (delta
    method for ``n`` independent samples of a normal spread: ``Var(mean) = sd^2 / n``,
    ``Var(sd) = sd^2 / (2n)``).

    Returns
    -------
    (d, lower, upper)
    """
    d = abs(mean - minimum) / sd
    half = z * np.sqrt((1.0 + 0.5 * d * d) / n)
    return float(d), float(d - half), float(d + half)


def _nearest(row: pd.Series, z: str, mean: float) -> float:
    mins = [row.get(f"landau_{z}_min{i}", np.nan) for i in (1, 2)]
    mins = [float(x) for x in mins if np.isfinite(x)]
    if not mins or bool(row.get(f"landau_{z}_unconfined", False)):
        return np.nan
    return min(mins, key=lambda x: abs(x - mean))


#: Sample kinds of the trajectory table and the column of their count.
SAMPLES = (("test", "test images", "n_test"), ("gibbs", "Gibbs samples", "n_gibbs"))


def claim_landau_samples(
    trajectories: pd.DataFrame, min_epochs: int, alpha: float = 0.01, spread: float = 1.0
) -> dict:
    """Claim 15: test images and Gibbs samples sit at the Landau minimum (Sec. 5.3).

    The paper validates Eq. 55 by the projections of the test images and of Gibbs samples,
    "which we can assume correspond to the effective potential minimum" (Figs. 7-8, mean +-
    std ribbons). Operational definition: at the last checkpoint of every M, for
    ``z_1 = u_1`` and ``z_{M+1} = w_1`` and for both kinds of samples, the nearest confined
    minimum of Eq. 55 lies within ``spread`` standard deviations of the samples' mean (inside
    the ribbon of Figs. 7-8). Statistic: :func:`spread_bounds` at ``z* = Phi^-1(1 - alpha /
    K)``, Bonferroni over the ``K`` (M, mode, kind) tests: the upper bound <= ``spread``
    passes, the lower bound > ``spread`` fails (each wrong with probability <= ``alpha / K``
    when the distance is on the other side of ``spread``), otherwise the test is undecided.
    Pass if every test passes, FAIL if one fails, n/a otherwise (or when a mode has no
    confined minimum, or a table predates ``n_gibbs``). Models trained < ``min_epochs``
    epochs: not observed is n/a.
    """
    statement = (
        "The test images and the Gibbs samples projected on mode 1 (z_1 = u_1, z_{M+1} = w_1) "
        "sit at the minimum of the Landau free energy (Sec. 5.3: they 'can be assumed to "
        "correspond to the effective potential minimum', the validation of Eq. 55 in "
        "Figs. 7-8)."
    )
    last = trajectories[
        trajectories["epoch"] == trajectories.groupby("hidden")["epoch"].transform("max")
    ].sort_values("hidden")
    kinds = [s for s in SAMPLES if s[2] in last]
    k = len(last) * 2 * len(SAMPLES)
    z_crit = float(norm.isf(alpha / k))
    parts, verdicts, missing = [], [], [s[1] for s in SAMPLES if s not in kinds]
    verdicts += [None] * (len(last) * 2 * len(missing))
    for _, r in last.iterrows():
        for z, name in (("u", "z_1"), ("w", "z_{M+1}")):
            texts = []
            for key, label, count in kinds:
                mean, sd = float(r[f"{key}_{z}_mean"]), float(r[f"{key}_{z}_std"])
                nearest = _nearest(r, z, mean)
                if not np.isfinite(nearest) or not sd > 0:
                    verdicts.append(None)
                    texts.append(f"{label} {mean:.2f} ± {sd:.2f}, no confined minimum")
                    continue
                d, lo, hi = spread_bounds(mean, sd, nearest, int(r[count]), z_crit)
                verdicts.append(True if hi <= spread else False if lo > spread else None)
                texts.append(f"{label} {mean:.2f} ± {sd:.2f} ({d:.1f} s.d.)")
            wells = ", ".join(
                f"{r[f'landau_{z}_min{i}']:.2f}"
                for i in (1, 2)
                if np.isfinite(r.get(f"landau_{z}_min{i}", np.nan))
            )
            parts.append(
                f"M={int(r['hidden'])} {name} (epoch {int(r['epoch'])}): minima "
                f"[{wells or 'none'}], " + "; ".join(texts)
            )
    decided = combine_verdicts(verdicts)
    epochs = int(trajectories["epoch"].max())
    passed = None if decided is None else undertrained_verdict(decided, epochs, min_epochs)
    note = (
        f" The table lacks {', '.join(missing)} counts: rerun rule mode_trajectory."
        if missing
        else ""
    )
    return claim_row(
        15,
        statement,
        "; ".join(parts),
        f"at the last epoch, the nearest Landau minimum within {spread:g} s.d. of the samples' "
        f"mean: bounds of |mean - minimum| / s.d. at z* = {z_crit:.2f} (alpha = {alpha:g}, "
        f"Bonferroni K = {k}) below {spread:g} (above: FAIL)",
        passed,
        "Statistic: |mean - nearest confined minimum| / s.d. of the samples, s.e. "
        "sqrt((1 + d^2/2)/n) (normal spread, n independent test images or chains); error "
        f"rate <= {alpha:g} both ways: a pass when the minimum is more than {spread:g} s.d. "
        f"away, a FAIL when it is within. {spread:g} s.d. = the ribbons of Figs. 7-8."
        + note
        + n_a_note(passed, epochs, min_epochs),
    )
