"""Claims 1 and 3-5: random spectra, kurtosis, uniform-state moments, AIS bracket
(claim 2: :mod:`.mp_mode`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import kstwo, norm
from scipy.stats import t as student_t

from rbm_reciprocal.analysis.marchenko_pastur import ks_distance_to_mp
from rbm_reciprocal.analysis.stats import linear_fit
from rbm_reciprocal.claims.rows import claim_row, n_a_note, undertrained_verdict


def _by_m(random_values: Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    return sorted(random_values, key=lambda t: int(t["m"].iloc[0]))


def claim_mp_ks(random_values: Sequence[pd.DataFrame], alpha: float = 0.01) -> dict:
    """Claim 1: singular values of random inits follow Marchenko-Pastur (Eq. 20, Fig. 3a-d).

    Statistic: the Kolmogorov-Smirnov distance ``D`` of the pooled singular values of each M
    to Eq. 20, against the exact critical value of the Kolmogorov distribution for that many
    independent values at level ``alpha / K`` (Bonferroni over the ``K`` shapes). Error rate
    <= ``alpha``: the eigenvalues of one matrix fluctuate less than independent values
    (rigidity), so the test is conservative.

    Parameters
    ----------
    random_values : sequence of DataFrame
        ``results/spectra/random_N{N}_M{M}_values.parquet`` (:func:`random_values_table`).
    alpha : float
    """
    parts, ok = [], True
    k = len(random_values)
    for t in _by_m(random_values):
        n, m, sigma = int(t["n"].iloc[0]), int(t["m"].iloc[0]), float(t["sigma"].iloc[0])
        x = t["value"].to_numpy()
        ks = ks_distance_to_mp(x, n, m, sigma)
        crit = float(kstwo.isf(alpha / k, x.size))
        parts.append(f"M={m}: {ks:.4f} (critical {crit:.4f}, {x.size} values)")
        ok &= ks <= crit
    t0 = random_values[0]
    return claim_row(
        1,
        "Singular values of a random N x M init (sigma = 0.01) follow the Marchenko-Pastur "
        "law (Eq. 20, Fig. 3a-d).",
        "KS distance " + "; ".join(parts),
        f"KS distance of the pooled singular values to Eq. 20 <= the Kolmogorov critical value "
        f"(alpha = {alpha:g}, Bonferroni over {k} shapes)",
        ok,
        f"Statistic: KS distance; error rate <= {alpha:g} (exact for independent values, "
        f"conservative for eigenvalues). N = {int(t0['n'].iloc[0])}, "
        f"{int(t0['n_matrices'].iloc[0])} matrices per M.",
    )


def claim_kurtosis(fits: pd.DataFrame, summaries: pd.DataFrame, alpha: float = 0.01) -> dict:
    """Claim 3: kurtosis of projected Bernoulli(1/2) states tends to 3 (Fig. 3e).

    For each variant the Monte-Carlo linear fit of mean kurtosis against ``1/size`` is compared
    with the same fit applied to the exact Haar mean ``3 - 6/(n+2)`` at the same sizes (which
    tends to intercept 3 and slope -6 as the sizes grow; at small sizes the curvature of
    ``6/(n+2)`` biases a straight-line fit, so the Haar fit, not 3 and -6, is the reference).

    Statistic: ``t = (MC - Haar) / s.e.`` of the intercept and of the slope, against the
    Student critical value with ``n_points - 2`` degrees of freedom at ``alpha / (2K)`` (two
    sided, Bonferroni over the ``K`` = 2 x variants checks). The residual s.e. also absorbs
    the curvature, so the error rate is at most ``alpha``.

    Parameters
    ----------
    fits : DataFrame
        ``kurtosis_*_fit.parquet`` (columns ``variant, source, slope, slope_se, intercept,
        intercept_se, n_points``).
    summaries : DataFrame
        ``kurtosis_*.parquet`` (columns ``variant, size, haar_mean``).
    """

    mc = fits[fits["source"] == "mc"]
    k = 2 * mc["variant"].nunique()
    parts, refs, ok, crits = [], [], True, []
    for variant, f in mc.groupby("variant", sort=True):
        r = f.iloc[0]
        s = summaries[summaries["variant"] == variant].sort_values("size")
        ref = linear_fit(1.0 / s["size"].to_numpy(float), s["haar_mean"].to_numpy(float))
        crit = float(student_t.isf(alpha / (2 * k), max(int(r.get("n_points", len(s))) - 2, 1)))
        crits.append(crit)
        t_int = (r["intercept"] - ref["intercept"]) / r["intercept_se"]
        t_slope = (r["slope"] - ref["slope"]) / r["slope_se"]
        parts.append(
            f"{variant}: intercept {r['intercept']:.4f} ± {r['intercept_se']:.4f} "
            f"(t = {t_int:+.2f}), slope {r['slope']:.2f} ± {r['slope_se']:.2f} "
            f"(t = {t_slope:+.2f})"
        )
        refs.append(
            f"{variant}: sizes {int(s['size'].min())}-{int(s['size'].max())}, Haar fit "
            f"intercept {ref['intercept']:.4f}, slope {ref['slope']:.2f}"
        )
        ok &= abs(t_int) <= crit and abs(t_slope) <= crit
    return claim_row(
        3,
        "Kurtosis of projected Bernoulli(1/2) states tends to 3 as the size grows "
        "(Fig. 3e; exact Haar mean 3 - 6/(n+2), slope -6 in 1/n).",
        "; ".join(parts),
        f"Monte-Carlo fit vs 1/size within t* = {max(crits):.2f} s.e. of the same fit to "
        f"3 - 6/(n+2), intercept and slope (Student, alpha = {alpha:g}, Bonferroni K = {k})",
        ok,
        "Statistic: t of the difference of the fits; error rate <= "
        f"{alpha:g}. Reference: " + "; ".join(refs) + ".",
    )


def claim_uniform_moments(moments: pd.DataFrame, alpha: float = 0.01) -> dict:
    """Claim 4: projected uniform states have std 1/2 (Eq. 51c) and means of Eq. (51a-b).

    Tests the largest standardized deviation over every ``x_i``, ``y_i`` of every model against
    the Bonferroni critical value ``z* = Phi^-1(1 - alpha / (2K))`` of ``K`` comparisons.

    Parameters
    ----------
    moments : DataFrame
        :func:`uniform_moments_table` (columns ``mean, mu, std, se_mean, se_std``).
    """

    dm = (moments["mean"] - moments["mu"]).abs()
    ds = (moments["std"] - 0.5).abs()
    zm, zs = dm / moments["se_mean"], ds / moments["se_std"]
    k = len(moments)
    z_crit = float(norm.isf(alpha / (2 * k)))
    states = ", ".join(
        f"{s} (epoch {int(e)})" for s, e in moments[["state", "epoch"]].drop_duplicates().values
    )
    return claim_row(
        4,
        "Projected uniform (Bernoulli 1/2) states have std exactly 1/2 and means "
        "mu_i = (1/2) sum_k U_ki (Eq. 51).",
        f"max |mean - mu| = {dm.max():.4f} ({zm.max():.2f} s.e.); "
        f"max |std - 1/2| = {ds.max():.4f} ({zs.max():.2f} s.e.)",
        f"both maxima <= z* = {z_crit:.2f} s.e. (Bonferroni, alpha = {alpha:g}, K = {k})",
        bool(zm.max() <= z_crit and zs.max() <= z_crit),
        f"Statistic: largest |z| of K moments; error rate <= {alpha:g} (normal estimates). "
        f"Every x_i and y_i of {states}; {int(moments['n_states'].iloc[0])} states.",
    )


def bound_excess_pvalue(excess: np.ndarray | float) -> np.ndarray:
    """P(X >= t) bound for the log-error ``X`` of one stochastic bound: ``exp(-t)``, t > 0.

    AIS gives an unbiased ``Z_hat`` and reverse AIS (from exact model samples) an unbiased
    ``1/Z_hat``, so by Markov's inequality ``P(log Z_hat - log Z >= t) <= exp(-t)`` (AIS) and
    ``P(log Z - log Z_hat >= t) <= exp(-t)`` (reverse AIS), whatever the weights' law.
    """
    t = np.asarray(excess, dtype=np.float64)
    return np.where(t > 0, np.exp(-np.clip(t, 0, None)), 1.0)


def bound_sum_pvalue(excess: np.ndarray | float) -> np.ndarray:
    """Tail bound of the sum of two independent such log-errors: ``(1 + g) exp(-g)``, g > 0.

    Each log-error is stochastically below an Exp(1) variable (:func:`bound_excess_pvalue`),
    so their sum is below a Gamma(2, 1) one, whose tail is ``(1 + g) exp(-g)``. Applies to an
    AIS-over-RAIS inversion and to a spurious LL increase ``LL_RAIS(last) - LL_AIS(first)``.
    """
    g = np.asarray(excess, dtype=np.float64)
    gc = np.clip(g, 0, None)
    return np.where(g > 0, (1.0 + gc) * np.exp(-gc), 1.0)


def _ladder_text(t: pd.DataFrame) -> str:
    """What the PTT-ladder rows show, described (not tested): the forward - reverse gap of
    the exponential averages (its sign says which way a ladder is out of equilibrium), the
    smallest exchange acceptance, and BAR against the standard-AIS crosscheck columns."""
    gap = t["log_z_rais"] - t["log_z_ais"]
    txt = (
        f"PTT ladder at {len(t)} checkpoints: reverse - forward {gap.mean():+.3f} ± "
        f"{gap.std(ddof=0):.3f} nats (largest |gap| {float(gap.abs().max()):.2f})"
    )
    if "pt_min_acceptance" in t and t["pt_min_acceptance"].notna().any():
        txt += f", smallest exchange acceptance {float(t['pt_min_acceptance'].min()):.2f}"
    if "log_z_ais_check" in t:
        c = t[t["log_z_ais_check"].notna()]
        if len(c):
            parts = "; ".join(
                f"M={int(r.hidden)} r{int(r.replica)} e{int(r.epoch)}: "
                f"{r.log_z_bar - r.log_z_ais_check:+.2f} / {r.log_z_bar - r.log_z_rais_check:+.2f}"
                for r in c.sort_values(["hidden", "replica", "epoch"]).itertuples()
            )
            betas = int(c["check_betas"].max()) if "check_betas" in c else 0
            txt += f"; BAR - crosscheck AIS / reverse AIS ({betas:,} betas, standard): {parts}"
    return txt


def _bracket_checks(t: pd.DataFrame, alpha: float) -> dict:
    """Claim 5 (a): which rows are tested, the Bonferroni level, and the bracket's p-values."""
    # reverse AIS is a stochastic upper bound only where its chains start from model samples:
    # every standard row, and the last checkpoint of a trajectory pass (at the others the
    # arriving chains stand for p_k, so their reverse estimate has no bound; described only)
    last = t["epoch"] == t.groupby(["method", "hidden", "replica"])["epoch"].transform("max")
    est = t["estimator"] if "estimator" in t else pd.Series("standard", t.index)
    traj = est.eq("trajectory")
    # PTT ladder rows (trajectory-pt) are consistent, not unbiased in Z: no Markov bound
    # applies to them; their LL increase is tested on BAR with its group standard errors
    ladder = est.eq("trajectory-pt")
    genuine = (~traj | last).to_numpy() & ~ladder.to_numpy()
    has_exact = t["log_z_exact"].notna() & ~ladder
    ex = t[has_exact]
    ex_genuine = genuine[has_exact.to_numpy()]
    series = [g.sort_values("epoch") for _, g in t.groupby(["method", "hidden", "replica"])]
    series = [g for g in series if g["epoch"].nunique() >= 2]
    # ladder rows with an exact log Z: BAR against it, two-sided Student t (G - 1 dof)
    lx = t[ladder & t["log_z_exact"].notna() & (t["log_z_bar_se"] > 0)] if ladder.any() else t[:0]
    n_checks = int(genuine.sum()) + len(ex) + int(ex_genuine.sum()) + len(series) + len(lx)
    level = alpha / n_checks
    if len(lx):
        z_lx = ((lx["log_z_bar"] - lx["log_z_exact"]) / lx["log_z_bar_se"]).abs()
        p_lx = 2 * student_t.sf(z_lx.to_numpy(), lx["traj_groups"].to_numpy() - 1)
    else:
        z_lx, p_lx = pd.Series(dtype=float), np.ones(0)
    gap = t["log_z_rais"] - t["log_z_ais"]
    p_inv = np.where(genuine, bound_sum_pvalue(-gap.to_numpy()), 1.0)
    over = (ex["log_z_ais"] - ex["log_z_exact"]).to_numpy()
    under = (ex["log_z_exact"] - ex["log_z_rais"]).to_numpy()
    p_under = np.where(ex_genuine, bound_excess_pvalue(under), 1.0)
    ex_ok = (bound_excess_pvalue(over) > level) & (p_under > level)
    flagged = (
        ~t["reliable"].fillna(True).astype(bool) if "reliable" in t else pd.Series(False, t.index)
    )
    return {
        "t": t, "ladder": ladder, "std": ~ladder, "genuine": genuine, "ex": ex, "lx": lx,
        "series": series, "n_checks": n_checks, "level": level, "z_lx": z_lx, "p_lx": p_lx,
        "gap": gap, "over": over, "under": under, "flagged": flagged,
        "inverted": int((gap[~ladder] < 0).sum()),
        "strict": int(((over <= 0) & (under <= 0)).sum()),
        "bracket_ok": int((p_inv <= level).sum()) == 0
        and bool(ex_ok.all())
        and bool((p_lx > level).all()),
    }  # fmt: skip


def _increase_checks(
    series: list[pd.DataFrame], flagged: pd.Series, level: float
) -> tuple[list[bool], dict, list[str]]:
    """Claim 5 (b): per series, whether the LL increased significantly from the first to the
    last epoch; the increases by hidden size; the series whose end rows are flagged."""
    incr, deltas, undecided = [], {}, []
    for g in series:
        first, last = g.iloc[0], g.iloc[-1]
        if flagged[first.name] or flagged[last.name]:
            undecided.append(f"M={int(first['hidden'])} r{int(first['replica'])}")
        if last.get("estimator") == "trajectory-pt":
            # Student t on BAR, G - 1 dof from the independent groups of chain columns;
            # the two estimates share the groups (positively correlated), so adding their
            # variances overstates the s.e. of the difference: conservative
            d = last["test_ll_bar"] - first["test_ll_bar"]
            se_d = float(np.hypot(last["log_z_bar_se"], first["log_z_bar_se"]))
            p_inc = float(student_t.sf(d / se_d, int(last["traj_groups"]) - 1))
            incr.append(bool(p_inc <= level))
        else:
            d = last["test_ll_rais"] - first["test_ll_ais"]
            incr.append(bool(bound_sum_pvalue(d) <= level))
        deltas.setdefault(int(first["hidden"]), []).append(
            (d, int(first["epoch"]), int(last["epoch"]))
        )
    return incr, deltas, undecided


def _bracket_measured(b: dict) -> str:
    """Claim 5's measured text: the bracket, the exact-log Z excursions and the flags."""
    t, ladder, std, gap, inverted = b["t"], b["ladder"], b["std"], b["gap"], b["inverted"]
    ex, lx, over, under = b["ex"], b["lx"], b["over"], b["under"]
    se = np.sqrt(t["log_z_ais_se"] ** 2 + t["log_z_rais_se"] ** 2)
    worst_inv = float((-gap[~ladder]).max()) if inverted else 0.0
    p_worst = float(bound_sum_pvalue(worst_inv))
    inv_txt = (
        f"largest inversion {worst_inv:.2f} nats (bound p = {p_worst:.2g}, "
        f"z = {float((-gap / se)[~ladder].max()):.1f} on the s.e.)"
        if inverted
        else "no inversion"
    )
    ess = ""
    if {"ess_ais", "ess_rais", "n_chains"} <= set(t.columns) and (~ladder).any():
        frac = (np.minimum(t["ess_ais"], t["ess_rais"]) / t["n_chains"])[~ladder]
        ess = f"; smallest ESS {100 * float(frac.min()):.1f}% of the chains"
    worst = max(float(over.max()), float(under.max())) if len(ex) else np.nan
    resolved = (
        f"exact log Z strictly inside [AIS, RAIS] in {b['strict']}/{len(ex)}, largest "
        f"excursion {worst:+.3f} nats (bound p = {float(bound_excess_pvalue(worst)):.2g})"
        if len(ex)
        else "no exact log Z"
        if not len(lx)
        else ""
    )
    if len(lx):
        err = (lx["log_z_bar"] - lx["log_z_exact"]).abs()
        resolved += ("; " if len(ex) else "") + (
            f"PTT BAR vs exact log Z at {len(lx)} checkpoints: largest error "
            f"{float(err.max()):.3f} nats, |t| <= {float(b['z_lx'].max()):.1f} "
            f"(smallest p = {float(b['p_lx'].min()):.2g})"
        )
    measured = (
        f"log Z_RAIS - log Z_AIS = {gap[std].mean():.3f} ± {gap[std].std(ddof=0):.3f} over "
        f"{int(std.sum())} checkpoints ({inverted} inverted; {inv_txt}{ess}); "
        if std.any()
        else ""
    ) + (_ladder_text(t[ladder]) + "; " if ladder.any() else "")
    if resolved:
        measured += resolved + "; "
    if "reliable" in t:
        flagged = b["flagged"]
        kinds = pd.Series([f for x in t.loc[flagged, "flags"] for f in str(x).split(";") if f])
        counts = ", ".join(f"{k} {n}" for k, n in kinds.value_counts().items())
        measured += f"{int(flagged.sum())} of {len(t)} rows flagged" + (
            f" ({counts}); " if counts else "; "
        )
    return measured


def claim_ais_bracket(loglik: pd.DataFrame, min_epochs: int, alpha: float = 0.01) -> dict:
    """Claim 5: AIS and reverse AIS bracket the log-likelihood, which increases with training.

    Statistic: distribution-free tail bounds of stochastic bounds (Markov's inequality,
    :func:`bound_excess_pvalue`, :func:`bound_sum_pvalue`), Bonferroni over the ``K`` checks
    at level ``alpha``; the error rate is at most ``alpha`` for any law of the importance
    weights (a z-test on delta-method standard errors is not: with an ESS of a few chains the
    standard errors themselves are wrong). Checks:

    (a) no checkpoint has ``g = log Z_AIS - log Z_RAIS`` with ``(1 + g) e^-g <= alpha/K``;
    where ``log Z`` is exact, no ``e^-(AIS - log Z)`` or ``e^-(log Z - RAIS)`` ``<= alpha/K``.
    The reverse checks apply only where reverse AIS starts from model samples (standard
    rows; the last checkpoint of a trajectory pass), where it is an upper bound; the forward
    estimate is unbiased in ``Z`` at every checkpoint, resampled or not;
    (b) for every (method, M, replica) the reverse-AIS (lower) test LL at the last evaluated
    epoch exceeds the AIS (upper) test LL at the first one by ``g`` with
    ``(1 + g) e^-g <= alpha/K`` (about 10 nats at K = 24). With one epoch only (a) is tested.
    An increase not shown in models trained fewer than ``min_epochs`` epochs is n/a.

    The row also gives the z-scores on the standard errors and the ESS, as a description.
    """
    b = _bracket_checks(loglik, alpha)
    t, ladder, std, level = b["t"], b["ladder"], b["std"], b["level"]
    incr, deltas, undecided = _increase_checks(b["series"], b["flagged"], level)
    inc_txt = "; ".join(
        f"M={m}: {np.mean([d for d, *_ in v]):+.2f} nats (epoch {v[0][1]} -> {v[0][2]})"
        for m, v in sorted(deltas.items())
    )
    epochs = int(t["epoch"].max())
    passed = False if not b["bracket_ok"] else undertrained_verdict(all(incr), epochs, min_epochs)
    if passed is not None and b["bracket_ok"] and undecided:
        passed = None  # an increase measured on rows that may be wrong decides nothing
    measured = _bracket_measured(b)
    first_last = (
        "BAR(last) - BAR(first)"
        if ladder.all()
        else "LL(last, RAIS) - LL(first, AIS) (ladder: BAR - BAR)"
    )
    tests = []
    if std.any():
        tests.append(
            "standard rows: inversions (1+g)e^-g, exact-log Z excursions e^-t and LL "
            "increases (1+g)e^-g (Markov bounds of stochastic bounds)"
        )
    if ladder.any():
        tests.append(
            "ladder rows: BAR vs exact log Z two-sided and LL increase one-sided Student t "
            "on the groups' s.e. (G - 1 dof)"
        )
    genuine, ex, strict = b["genuine"], b["ex"], b["strict"]
    n_checks = b["n_checks"]
    return claim_row(
        5,
        "AIS and reverse AIS bracket the log-likelihood (AIS under-, reverse AIS over-"
        "estimates log Z), and the test LL increases with training (Fig. 1 left).",
        f"{measured}{first_last}: {inc_txt or 'one epoch only'}",
        f"{'; '.join(tests)}: p <= alpha/K = {level:.2g} (alpha = {alpha:g}, "
        f"Bonferroni K = {n_checks})",
        passed,
        (
            "Statistic: distribution-free tail bounds (Markov) of AIS and reverse AIS; error "
            f"rate <= {alpha:g} for any weight law, given reverse AIS chains that start from "
            "exact model samples (here Gibbs samples; chains that miss modes pull reverse AIS "
            "down, towards inversions). Reverse estimates count only where reverse AIS starts "
            f"({int(genuine.sum())} of {len(t)} rows; the other trajectory checkpoints are "
            "described, not tested). "
            if std.any()
            else ""
        )
        + (
            f"The {int(ladder.sum())} PTT-ladder rows are consistent, not unbiased in Z, so no "
            "Markov bound applies: BAR is tested against the exact log Z (two-sided) and for "
            "the LL increase (one-sided) by Student t on the standard errors of G independent "
            "groups of chain columns, error rate <= alpha when the groups' estimates are "
            "normal; their forward/reverse gap and the crosscheck are described, not tested. "
            if ladder.any()
            else ""
        )
        + f"{sum(incr)}/{len(incr)} series increase significantly. "
        + (
            f"n/a: the first or last row of {', '.join(undecided)} is flagged by the "
            "log-likelihood diagnostics (column flags: below a rigorous lower bound on log Z, "
            "a ladder that barely exchanges, or a gap), so its increase may be wrong. "
            if undecided
            else ""
        )
        + (
            "The exact log Z is rarely strictly inside the bracket: the biases of AIS and "
            "reverse AIS are below their noise here, so the bracket is not resolved; the "
            "estimates are only consistent with it."
            if len(ex) and strict < len(ex)
            else ""
        )
        + n_a_note(passed, epochs, min_epochs),
    )
