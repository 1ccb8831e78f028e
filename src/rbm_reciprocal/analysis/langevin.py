"""Langevin dynamics of one z-mode in its constraint potential, and convergence statistics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import kstwo, norm

from rbm_reciprocal.analysis.modes import z_coefficients
from rbm_reciprocal.analysis.potentials import GaussianPotential, LargeDeviationPotential
from rbm_reciprocal.analysis.reciprocal import Reciprocal, random_binary
from rbm_reciprocal.core.streams import stream


def simulate_langevin(
    potential,
    z0: np.ndarray,
    dt: float,
    n_steps: int,
    n_records: int,
    rng: np.random.Generator,
    beta: float,
    metropolis: bool,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Overdamped Langevin dynamics ``dz = -U'(z) dt + sqrt(2 D) dW``, ``D = 1 / beta`` (Eq. 33).

    Euler-Maruyama proposals ``z' = z - D (beta U)'(z) dt + sqrt(2 D dt) xi`` for every walker
    at once; with ``metropolis`` each proposal is accepted with the Metropolis-Hastings
    probability of the Metropolis-adjusted Langevin algorithm (MALA), so the stationary law is
    exactly ``exp(-beta U)`` whatever ``dt``, and the dynamics is the Langevin one when the
    acceptance rate is close to 1. Proposals outside ``[potential.lo, potential.hi]`` are
    rejected (``beta U = +inf`` there).

    Parameters
    ----------
    potential : GaussianPotential or LargeDeviationPotential
        Anything with ``beta_u``, ``beta_grad``, ``lo``, ``hi``.
    z0 : ndarray, shape (W,)
        Initial positions of the walkers.
    dt : float
        Time step.
    n_steps : int
        Steps; the horizon is ``n_steps * dt``.
    n_records : int
        Snapshots, equally spaced in time from 0 to the horizon (both included).
    rng : numpy.random.Generator
    beta : float
    metropolis : bool

    Returns
    -------
    times : ndarray, shape (R,)
    snapshots : ndarray, shape (R, W)
    acceptance : float
        Mean acceptance rate (1.0 without ``metropolis``).
    """
    d = 1.0 / beta
    z = np.array(z0, dtype=np.float64, copy=True)
    n_steps, n_records = int(n_steps), max(int(n_records), 2)
    record_at = np.unique(np.round(np.linspace(0, n_steps, n_records)).astype(np.int64))
    snaps = [z.copy()] if record_at[0] == 0 else []
    sd = np.sqrt(2.0 * d * dt)
    grad = potential.beta_grad(z)
    bu = potential.beta_u(z) if metropolis else None
    accepted = 0
    nxt = 1 if record_at[0] == 0 else 0
    for step in range(1, n_steps + 1):
        noise = rng.standard_normal(z.size)
        prop = z - d * grad * dt + sd * noise
        if metropolis:
            inside = (prop >= potential.lo) & (prop <= potential.hi)
            gprop = potential.beta_grad(np.clip(prop, potential.lo, potential.hi))
            bprop = potential.beta_u(prop)
            back = z - prop + d * gprop * dt
            log_q = (-(back**2) + (sd * noise) ** 2) / (4.0 * d * dt)
            with np.errstate(invalid="ignore", over="ignore"):
                log_a = bu - bprop + log_q
            acc = inside & (np.log(rng.random(z.size)) < log_a)
            z = np.where(acc, prop, z)
            grad = np.where(acc, gprop, grad)
            bu = np.where(acc, bprop, bu)
            accepted += int(acc.sum())
        else:
            z = np.clip(prop, potential.lo, potential.hi)
            grad = potential.beta_grad(z)
            accepted += z.size
        if nxt < record_at.size and step == record_at[nxt]:
            snaps.append(z.copy())
            nxt += 1
    return record_at * dt, np.array(snaps), accepted / max(n_steps * z.size, 1)


def ks_distance(samples: np.ndarray, cdf: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between ``samples`` and a CDF evaluated at them.

    Parameters
    ----------
    samples : ndarray, shape (n,)
    cdf : ndarray, shape (n,)
        The reference CDF at ``samples`` (same order).

    Returns
    -------
    float
    """
    order = np.argsort(samples)
    f = np.asarray(cdf, dtype=np.float64)[order]
    n = f.size
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))


def _time_step(
    ld: LargeDeviationPotential,
    z0: np.ndarray,
    row: pd.Series,
    beta: float,
    t_end: float,
    n_steps: int,
    max_steps: int,
) -> tuple[float, int]:
    """The step ``dt`` and number of steps of :func:`simulate_mode` up to ``t_end``: at most
    ``t_end / n_steps``, and ``0.1 / max beta U''`` over the central 99.8% of the initial and
    the stationary laws (at most ``max_steps`` steps)."""
    kappa = float(row["kappa"])
    # region the walkers visit: the central 99.8% of the initial and stationary laws
    zs = ld.z
    cdf = ld.stationary_cdf(zs)
    lo_q, hi_q = np.quantile(z0, [1e-3, 1 - 1e-3])
    region = ((cdf >= 1e-3) & (cdf <= 1 - 1e-3)) | ((zs >= lo_q) & (zs <= hi_q))
    if kappa > 0:
        sd = np.sqrt(1.0 / (beta * kappa))
        zst = float(row["z_star"])
        region |= (zs >= zst - 3 * sd) & (zs <= zst + 3 * sd)
    curv = max(float(np.max(ld.beta_curvature(zs[region]))), beta * abs(kappa), 1e-12)
    dt = min(t_end / n_steps, 0.1 * beta / curv)
    steps = int(min(max_steps, np.ceil(t_end / dt)))
    return t_end / steps, steps


def _snapshot(pot: Any, zt: np.ndarray, large_deviation: bool) -> dict:
    """Moments of one snapshot and its KS distances to the stationary and per-well laws."""
    cdf = pot.stationary_cdf(zt)
    occ = pot.occupation_z(zt) if large_deviation else 0.0
    if cdf is None:
        ks = ks_loc = occ = np.nan
    else:
        ks = ks_distance(zt, cdf)
        local = pot.local_cdf(zt, zt) if large_deviation else cdf
        ks_loc = ks_distance(zt, local)
    return {
        "mean": float(zt.mean()),
        "var": float(zt.var()),
        "ks": ks,
        "ks_local": ks_loc,
        "occupation_z": occ,
    }


def _final_histogram(pot: Any, zf: np.ndarray, name: str) -> pd.DataFrame:
    """Histogram (40 bins) of the final positions and the stationary density's bin means."""
    edges = np.histogram_bin_edges(zf, bins=40)
    dens, _ = np.histogram(zf, bins=edges, density=True)
    centers = 0.5 * (edges[1:] + edges[:-1])
    if name == "gaussian" and pot.kappa <= 0:
        stat = np.full(centers.size, np.nan)
    else:
        fine = np.linspace(edges[0], edges[-1], 40 * 20 + 1)
        stat = np.diff(pot.stationary_cdf(fine)) / np.diff(fine)
        stat = stat.reshape(40, 20).mean(axis=1)  # bin averages
    return pd.DataFrame(
        {
            "potential": name,
            "bin_left": edges[:-1],
            "bin_right": edges[1:],
            "bin_center": centers,
            "density": dens,
            "stationary_density": stat,
        }
    )


def simulate_mode(
    rec: Reciprocal,
    spectrum: pd.DataFrame,
    index: int,
    seed: int,
    n_walkers: int,
    n_steps: int,
    horizon: float,
    n_records: int,
    beta: float,
    max_steps: int,
    n_grid: int,
    metropolis: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Langevin dynamics of one component in the Gaussian and the full constraint potential.

    The walkers start at ``z`` of ``n_walkers`` projected uniform states (the constraint's own
    law, ``beta = 0``) and both potentials get the same initial points and the same noise.
    Time unit: the predicted relaxation time ``tau = 1 / |kappa|``; the horizon is
    ``horizon * tau``. The step is ``min(horizon tau / n_steps, 0.1 / (D max beta U''))``,
    the curvature maximum taken over the central 99.8% of the initial and the stationary
    laws, with at most ``max_steps`` steps (rarer, stiffer places are handled by the
    Metropolis test). The harmonic potential is
    integrated by Euler-Maruyama, the large-deviation one by MALA when ``metropolis``.

    Parameters
    ----------
    rec : Reciprocal
    spectrum : DataFrame
        :func:`relaxation_spectrum` of ``rec``.
    index : int
        0-based position in ``z``.
    seed : int
    n_walkers, n_steps, n_records, max_steps, n_grid : int
    horizon : float
        In units of ``tau``.
    beta : float
    metropolis : bool
        Metropolis-adjusted steps (:func:`simulate_langevin`).

    Returns
    -------
    series : DataFrame
        One row per (potential, snapshot): ``potential`` (``gaussian`` / ``large_deviation``),
        ``t, t_over_tau, mean, var, ks, ks_local`` (KS distance to the stationary law and to
        the per-well law, NaN without a stationary law).
    final : DataFrame
        Histogram of the final positions per potential: ``potential, bin_left, bin_right,
        bin_center, density, stationary_density``.
    """
    row = spectrum.iloc[int(index)]
    kappa = float(row["kappa"])
    gauss = GaussianPotential(
        float(row["lam_tilde"]), float(row["field"]), float(row["k_ii"]), float(row["mu"]), beta
    )
    a, c = z_coefficients(rec, index)
    ld = LargeDeviationPotential(
        a[:, 0], float(c[0]), float(row["lam_tilde"]), float(row["field"]), beta, n_grid
    )
    z0 = (random_binary(n_walkers, a.shape[0], stream(seed, "z0", index)) @ a[:, 0]) + c[0]

    tau = 1.0 / max(abs(kappa), 1e-3)
    dt, steps = _time_step(ld, z0, row, beta, horizon * tau, n_steps, max_steps)
    series, finals = [], []
    for name, pot in (("gaussian", gauss), ("large_deviation", ld)):
        # The harmonic potential runs plain Euler-Maruyama: a Metropolis test is meaningless
        # for the non-normalizable law of a diverging mode (dt |kappa| <= 0.1 keeps the
        # discretisation error of its rates below 5%).
        times, snaps, acc = simulate_langevin(
            pot,
            z0,
            dt,
            steps,
            n_records,
            stream(seed, "noise", index),
            beta,
            metropolis and name == "large_deviation",
        )
        for t, zt in zip(times, snaps, strict=True):
            series.append(
                {"potential": name, "t": float(t), "t_over_tau": float(t / tau)}
                | _snapshot(pot, zt, name == "large_deviation")
                | {"acceptance": acc, "dt": dt, "n_steps": steps}
            )
        finals.append(_final_histogram(pot, snaps[-1], name))
    series = pd.DataFrame(series)
    final = pd.concat(finals, ignore_index=True)
    for df in (series, final):
        df.insert(0, "index", np.int64(index + 1))
        df.insert(1, "kind", str(row["kind"]))
        df.insert(2, "mode", np.int64(row["mode"]))
        df.insert(3, "lam", float(row["lam"]))
        df.insert(4, "kappa", kappa)
        df.insert(5, "predicted_diverges", bool(row["diverges"]))
    series["support_lo"], series["support_hi"] = ld.support
    series["n_wells"] = int(ld.wells().size + 1)
    return series, final


def convergence_summary(series: pd.DataFrame, n_walkers: int, alpha: float = 0.01) -> pd.DataFrame:
    """Did each simulated (mode, potential) converge? One row per group of ``series``.

    * ``var_ratio``: variance at the horizon over the variance at half of it; ``growth_rate``:
      slope of ``log var`` against ``t`` over the second half (``2 |kappa|`` predicted for a
      diverging harmonic mode, 0 once stationary).
    * ``ks_final`` / ``ks_local_final``: KS distance of the final walkers to the stationary
      law / to the per-well law; ``ks_crit``: the ``1 - alpha / K`` quantile of the KS
      statistic of ``n_walkers`` exact samples (``scipy.stats.kstwo``), Bonferroni-corrected
      for the ``K`` simulated (mode, potential) pairs.
    * ``occupation_z_final``: the largest standardized deviation of the well occupations from
      the stationary weights (:meth:`LargeDeviationPotential.occupation_z`); ``z_crit``: the
      normal ``1 - alpha / (2K)`` quantile.
    * ``verdict``: ``diverges`` (``var_ratio > 2``), ``converges`` (bounded,
      ``ks_final <= ks_crit`` and ``occupation_z_final <= z_crit``), ``metastable`` (bounded,
      equilibrated inside the wells but not between them: ``ks_local_final <= ks_crit``) or
      ``not converged``.

    Parameters
    ----------
    series : DataFrame
        Concatenated ``series`` tables of :func:`simulate_mode` (with a ``state`` column).
    n_walkers : int
    alpha : float

    Returns
    -------
    DataFrame
    """

    keys = [c for c in ("state", "epoch") if c in series.columns]
    keys += ["index", "kind", "mode", "lam", "kappa", "predicted_diverges", "potential"]
    n_groups = max(len(series.groupby(keys, sort=False)), 1)
    ks_crit = float(kstwo.isf(alpha / n_groups, int(n_walkers)))
    z_crit = float(norm.isf(alpha / (2 * n_groups)))
    rows = []
    for key, g in series.groupby(keys, sort=False):
        g = g.sort_values("t")
        t, var = g["t"].to_numpy(), g["var"].to_numpy()
        half = t >= 0.5 * t[-1]
        i_half = int(np.argmax(half))
        with np.errstate(divide="ignore"):
            slope = float(np.polyfit(t[half], np.log(np.maximum(var[half], 1e-300)), 1)[0])
        ratio = float(var[-1] / var[i_half]) if var[i_half] > 0 else np.inf
        ks, ks_loc = float(g["ks"].iloc[-1]), float(g["ks_local"].iloc[-1])
        occ = float(g["occupation_z"].iloc[-1])
        if ratio > 2.0 or not np.isfinite(ratio):
            verdict = "diverges"
        elif np.isfinite(ks) and ks <= ks_crit and occ <= z_crit:
            verdict = "converges"
        elif np.isfinite(ks_loc) and ks_loc <= ks_crit:
            verdict = "metastable"
        else:
            verdict = "not converged"
        kappa = float(g["kappa"].iloc[0])
        rows.append(
            dict(
                zip(keys, key, strict=True),
                var_initial=float(var[0]),
                var_final=float(var[-1]),
                var_ratio=ratio,
                growth_rate=slope,
                predicted_growth_rate=2.0 * abs(kappa) if kappa < 0 else 0.0,
                ks_final=ks,
                ks_local_final=ks_loc,
                ks_crit=ks_crit,
                occupation_z_final=occ,
                z_crit=z_crit,
                acceptance=float(g["acceptance"].iloc[-1]),
                dt=float(g["dt"].iloc[-1]),
                n_steps=int(g["n_steps"].iloc[-1]),
                horizon_over_tau=float(g["t_over_tau"].iloc[-1]),
                n_wells=int(g["n_wells"].iloc[0]) if "n_wells" in g else 1,
                converged=verdict == "converges",
                verdict=verdict,
            )
        )
    return pd.DataFrame(rows)
