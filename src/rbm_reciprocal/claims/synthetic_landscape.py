"""Synthetic input tables of claims 1-5 for the calibration (numpy/scipy only, no checkpoint).

Each generator ``gen_*(truth, rng)`` returns the claim function's input tables, of the size of
the smoke preset's, from a world where the claim's statement is true (``truth=True``) or
false (``truth=False``). The false worlds are stated in each docstring: they fix the effect
size that the claim's test must detect. Claim 2's generators take the world's parameters
instead (:func:`gen_mp_mode`: the paper's 1000 matrices, scale of sigma, displaced mode).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import eigh_tridiagonal

from rbm_reciprocal.analysis.loglik_reliability import assess_rows
from rbm_reciprocal.analysis.marchenko_pastur import (
    marchenko_pastur_edges,
    marchenko_pastur_mode,
    mode_rank,
    random_values_table,
)
from rbm_reciprocal.analysis.stats import linear_fit

#: Shapes of the smoke preset's random spectra (N = 784, M, 2 matrices, sigma = 0.01).
SMOKE_RANDOM = {"n": 784, "m": (100, 784, 1200, 3000), "n_matrices": 2, "sigma": 0.01}


def gaussian_singular_values(
    n: int, m: int, sigma: float, n_matrices: int, rng: np.random.Generator
) -> np.ndarray:
    """Singular values of ``n_matrices`` iid N(0, sigma^2) ``n x m`` matrices, exactly in law.

    Uses the bidiagonal form of Dumitriu and Edelman: the singular values of a Gaussian
    ``n x m`` matrix (``n >= m``) are those of an upper bidiagonal ``m x m`` matrix with
    diagonal ``chi_{n}, chi_{n-1}, .., chi_{n-m+1}`` and superdiagonal ``chi_{m-1}, .., chi_1``
    (Householder bidiagonalisation), i.e. the square roots of the eigenvalues of a
    tridiagonal matrix: O(m^2) instead of O(n m^2).

    Returns
    -------
    ndarray, shape (n_matrices, min(n, m)), each row in decreasing order.
    """
    big, small = max(int(n), int(m)), min(int(n), int(m))
    out = np.empty((int(n_matrices), small))
    for j in range(int(n_matrices)):
        d = np.sqrt(rng.chisquare(big - np.arange(small)))
        e = np.sqrt(rng.chisquare(small - 1 - np.arange(small - 1))) if small > 1 else np.zeros(0)
        diag = d**2 + np.concatenate([[0.0], e**2])
        ev = eigh_tridiagonal(diag, d[:-1] * e, eigvals_only=True)
        out[j] = sigma * np.sqrt(np.clip(ev, 0.0, None))[::-1]
    return out


def gen_mp_ks(truth: bool, rng: np.random.Generator) -> list[pd.DataFrame]:
    """Claim 1. True: Gaussian inits of std sigma. False: entries of std 1.1 sigma or
    0.9 sigma (the law of Eq. 20 with the wrong scale by 10%)."""
    s = SMOKE_RANDOM
    scale = 1.0 if truth else float(rng.choice([0.9, 1.1]))
    return [
        random_values_table(
            gaussian_singular_values(s["n"], m, scale * s["sigma"], s["n_matrices"], rng),
            s["n"],
            m,
            s["sigma"],
        )
        for m in s["m"]
    ]


def gaussian_singular_value_rank(
    n: int,
    m: int,
    sigma: float,
    index: int,
    n_matrices: int,
    rng: np.random.Generator,
    iterations: int = 32,
) -> np.ndarray:
    """The ``index``-th largest singular value of ``n_matrices`` iid N(0, sigma^2) ``n x m``
    matrices, exactly in law (to ``2^-iterations`` of the spectrum's range).

    The bidiagonal form of :func:`gaussian_singular_values` gives ``B^T B`` tridiagonal;
    Sturm counts (the signs of its ``LDL^T`` pivots at ``x``) count its eigenvalues below
    ``x``, and bisection on them finds one eigenvalue in O(iterations x m) for all matrices at
    once, instead of O(m^2) per matrix for the whole spectrum.

    Returns
    -------
    ndarray, shape (n_matrices,)
    """
    big, small = max(int(n), int(m)), min(int(n), int(m))
    if not 1 <= int(index) <= small:
        raise ValueError(f"index must lie in 1..{small}, got {index}")
    d = np.sqrt(rng.chisquare(big - np.arange(small), size=(int(n_matrices), small)))
    e = np.sqrt(rng.chisquare(small - 1 - np.arange(small - 1), size=(int(n_matrices), small - 1)))
    diag = d**2
    diag[:, 1:] += e**2
    off = d[:, :-1] * e
    hi = (diag + np.pad(off, ((0, 0), (1, 0))) + np.pad(off, ((0, 0), (0, 1)))).max(axis=1)
    lo = np.zeros(int(n_matrices))
    rank = small - int(index) + 1  # from the bottom
    diag_t, off2_t = np.ascontiguousarray(diag.T), np.ascontiguousarray((off**2).T)
    tiny = np.finfo(np.float64).tiny
    for _ in range(int(iterations)):
        x = 0.5 * (lo + hi)
        q = diag_t[0] - x
        below = (q < 0).astype(np.int64)
        for i in range(1, small):
            q = diag_t[i] - x - off2_t[i - 1] / np.where(q == 0, -tiny, q)
            below += q < 0
        up = below >= rank
        hi, lo = np.where(up, x, hi), np.where(up, lo, x)
    return sigma * np.sqrt(0.5 * (lo + hi))


def rank_values_table(n: int, m: int, sigma: float, values: np.ndarray, index: int) -> pd.DataFrame:
    """The rows of :func:`random_values_table` with rank ``index`` (what claim 2 reads)."""
    k = len(values)
    return pd.DataFrame(
        {"n": np.int64(n), "m": np.int64(m), "sigma": np.float64(sigma),
         "n_matrices": np.int64(k), "matrix": np.arange(k, dtype=np.int64),
         "index": np.int64(index), "value": np.asarray(values, dtype=np.float64)}
    )  # fmt: skip


def _displaced_shape(
    n: int, m: int, sigma: float, rng: np.random.Generator, min_rank: int = 1
) -> int:
    """A first dimension ``n'`` whose MP mode sits 25% of the bulk width from that of n x m
    (and with at least ``min_rank`` singular values)."""
    lo, hi = marchenko_pastur_edges(n, m, sigma)
    mode = marchenko_pastur_mode(n, m, sigma)
    options = []
    for sign in (-1.0, 1.0):
        target = mode + sign * 0.25 * (hi - lo)
        if target <= 0:
            continue
        shift = (target / sigma) ** 2
        n2 = int(round(m + shift)) if n >= m else int(round(m - shift))
        if min(n2, m) >= min_rank and (n2 >= m) == (n >= m):
            options.append(n2)
    return options[int(rng.integers(len(options)))]


#: Shapes and matrices of claim 2's calibration at N != M: the paper's 1000 matrices per shape.
PAPER_RANDOM = {"n": 784, "m": (100, 1200, 3000), "n_matrices": 1000, "sigma": 0.01}


def gen_mp_mode(
    rng: np.random.Generator,
    scale: float = 1.0,
    displaced: bool = False,
    n_matrices: int | None = None,
    shapes: tuple[int, ...] | None = None,
) -> list[pd.DataFrame]:
    """Claim 2 at N != M: the rows the claim reads (:func:`rank_values_table`) of
    ``n_matrices`` random ``784 x M`` inits per shape, whose table says sigma = 0.01.

    ``scale``: the entries have std ``scale x sigma`` (true world: 1; a misstated sigma moves
    the mode by the same factor). ``displaced``: the values are those of an ``N' x M`` init
    whose Marchenko-Pastur mode lies 25% of the bulk width ``lambda_+ - lambda_-`` away.
    ``n_matrices`` and ``shapes`` default to :data:`PAPER_RANDOM` (read at call time).
    """
    s = PAPER_RANDOM
    n_matrices = s["n_matrices"] if n_matrices is None else n_matrices
    tables = []
    for m in s["m"] if shapes is None else shapes:
        index, _ = mode_rank(s["n"], m)
        n_gen = _displaced_shape(s["n"], m, s["sigma"], rng, index) if displaced else s["n"]
        sv = gaussian_singular_value_rank(n_gen, m, scale * s["sigma"], index, n_matrices, rng)
        tables.append(rank_values_table(s["n"], m, s["sigma"], sv, index))
    return tables


def gen_mp_mode_square(truth: bool, rng: np.random.Generator, n_matrices: int = 20) -> list:
    """Claim 2 at N = M = 784 (every singular value of ``n_matrices`` inits): true, Gaussian
    inits (the density falls from the mode 0); false, those of an ``N' x 784`` init whose
    mode lies at 0.25 lambda_+."""
    s = SMOKE_RANDOM
    n_gen = s["n"] if truth else _displaced_shape(s["n"], s["n"], s["sigma"], rng)
    sv = gaussian_singular_values(n_gen, s["n"], s["sigma"], n_matrices, rng)
    return [random_values_table(sv, s["n"], s["n"], s["sigma"])]


def gen_kurtosis(truth: bool, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claim 3. Mean kurtosis at the smoke sizes 20-120 (two variants) with Monte-Carlo noise
    of s.d. 0.006 (the smoke fits' residual s.d.) around the exact Haar mean ``3 - 6/(n+2)``
    (true) or around ``3 - 6/(n+2) - 0.1`` (false: a limit of 2.9 instead of 3; with five
    sizes and three degrees of freedom for the residual s.e., a shift of 0.05 is detected
    only three times in four)."""
    sizes = np.array([20, 30, 50, 80, 120])
    haar = 3.0 - 6.0 / (sizes + 2)
    fits, summaries = [], []
    for variant in ("code", "text"):
        mc = haar - (0.0 if truth else 0.1) + rng.normal(0.0, 0.006, sizes.size)
        summaries.append(pd.DataFrame({"variant": variant, "size": sizes, "haar_mean": haar}))
        for source, y in (("mc", mc), ("exact", haar)):
            fits.append({"variant": variant, "source": source, **linear_fit(1.0 / sizes, y)})
    return pd.DataFrame(fits), pd.concat(summaries, ignore_index=True)


def gen_uniform_moments(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 4. Means and std of the 784 x_i and 16 y_i of two models over 2000 uniform states
    with their normal sampling errors; false: every std 5% above 1/2 (0.525)."""
    n_states, parts = 2000, []
    for state, epoch in (("untrained", 0), ("trained", 3)):
        for variable, k in (("x", 784), ("y", 16)):
            mu = rng.normal(0.0, 1.0, k)
            kurt = np.full(k, 3.0)
            se_mean = 0.5 / np.sqrt(n_states)
            se_std = 0.5 * np.sqrt((kurt - 1.0) / (4 * n_states) + 1.0 / n_states**2)
            std = (0.5 if truth else 0.525) + rng.normal(0.0, 1.0, k) * se_std
            parts.append(
                pd.DataFrame(
                    {"state": state, "epoch": np.int64(epoch), "variable": variable,
                     "index": np.arange(1, k + 1), "mean": mu + rng.normal(0, se_mean, k),
                     "mu": mu, "std": std, "se_mean": se_mean, "se_std": se_std,
                     "kurtosis": kurt, "n_states": np.int64(n_states)}
                )
            )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def gen_loglik(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 5. M = 16, 32, two replicas, epochs 1 and 10, exact log Z known, s.e. 0.005-0.02.

    True: AIS below and reverse AIS above log Z by a bias of 0-1 s.e. plus normal noise, and a
    test LL that rises by 20 nats (the quick preset's models rise by 26-34 nats from epoch 6
    to 30). False (alternately): the test LL does not rise (flat), or reverse AIS falls below
    log Z by 15 nats at every checkpoint (a reverse AIS started from poor model samples).
    """
    flat = not truth and bool(rng.integers(2))
    rais_under = not truth and not flat
    rows = []
    for m in (16, 32):
        for r in (0, 1):
            base = rng.normal(-200.0, 2.0)
            for e, rise in ((1, 0.0), (10, 0.0 if flat else 20.0)):
                log_z = 128.0 + rng.normal(0.0, 1.0)
                se_a, se_r = rng.uniform(0.005, 0.02, 2)
                za = log_z - rng.uniform(0.0, 1.0) * se_a + rng.normal(0.0, se_a)
                bias_r = -15.0 if rais_under else rng.uniform(0.0, 1.0) * se_r
                zr = log_z + bias_r + rng.normal(0.0, se_r)
                data = base + rise + log_z  # mean -F(v) of the test set
                rows.append(
                    dict(method="PCD", hidden=m, replica=r, epoch=e, log_z_ais=za,
                         log_z_ais_se=se_a, log_z_rais=zr, log_z_rais_se=se_r,
                         log_z_exact=log_z, test_ll_ais=data - za, test_ll_rais=data - zr,
                         test_ll_exact=data - log_z)
                )  # fmt: skip
    return pd.DataFrame(rows)


def gen_loglik_ladder(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 5 on PTT-ladder rows (``estimator = trajectory-pt``): the layout of
    :func:`gen_loglik`, with BAR the mean of G = 10 normal group estimates (group s.d.
    0.03-0.3 nats) and its standard error their spread; the forward/reverse averages 0-2 s.e.
    below/above it.

    True: BAR unbiased and a test LL that rises by 20 nats. False (alternately): a flat test
    LL, or BAR 0.5 nats off the exact log Z at every checkpoint (a ladder out of equilibrium).
    """
    flat = not truth and bool(rng.integers(2))
    off = 0.0 if truth or flat else 0.5 * rng.choice([-1.0, 1.0])
    groups, rows = 10, []
    for m in (16, 32):
        for r in (0, 1):
            base = rng.normal(-200.0, 2.0)
            for e, rise in ((1, 0.0), (10, 0.0 if flat else 20.0)):
                log_z = 128.0 + rng.normal(0.0, 1.0)
                g = log_z + off + rng.normal(0.0, rng.uniform(0.03, 0.3), groups)
                bar, se = float(g.mean()), float(g.std(ddof=1) / np.sqrt(groups))
                za, zr = bar - rng.uniform(0, 2) * se, bar + rng.uniform(0, 2) * se
                data = base + rise + log_z
                rows.append(
                    dict(method="PCD", hidden=m, replica=r, epoch=e, log_z_ais=za,
                         log_z_ais_se=se, log_z_rais=zr, log_z_rais_se=se, log_z_exact=log_z,
                         test_ll_ais=data - za, test_ll_rais=data - zr,
                         test_ll_exact=data - log_z, estimator="trajectory-pt",
                         traj_groups=groups, log_z_bar=bar, log_z_bar_se=se,
                         test_ll_bar=data - bar)
                )  # fmt: skip
    return pd.DataFrame(rows)


def gen_loglik_missed_mode(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 5 on ladder rows without an exact log Z (the paper's sizes), with the
    log-likelihood diagnostics applied (:func:`~rbm_reciprocal.analysis.loglik_reliability.
    assess_rows`, exchange acceptance 0.1-0.6).

    True: the LL rises by 20 nats and the rigorous bound is 5-30 nats below log Z (a broad
    model: the quick run's picture). False (the audit's case): the LL is flat, but at the last
    epoch BAR misses a dominant mode, 20 nats below log Z at its small group s.e., so the test
    LL it implies rises by 20 nats; the bound, tight on such a peaked model, is 0.3-2 nats
    below log Z. The claim must not pass it.
    """
    t = gen_loglik_ladder(True, rng)
    if truth:
        t["log_z_lower"] = t["log_z_exact"] - rng.uniform(5.0, 30.0, len(t))
    else:
        # the true log Z of the last epoch holds 20 nats the ladder missed: the true LL is
        # flat, while the estimates (and the LL they imply) keep the 20-nat rise
        t.loc[t["epoch"] == t["epoch"].max(), "log_z_exact"] += 20.0
        t["log_z_lower"] = t["log_z_exact"] - rng.uniform(0.3, 2.0, len(t))
    t["pt_min_acceptance"] = rng.uniform(0.1, 0.6, len(t))
    t[["log_z_exact", "test_ll_exact"]] = np.nan
    return assess_rows(t)
