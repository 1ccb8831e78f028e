"""Constraint potential and the Landau picture of mode ``i`` (Sec. 4-5, Eqs. 28, 51-55).

Under the uniform measure (``v, h`` iid Bernoulli(1/2)) the rotated reciprocal variables
``u_i``, ``w_i`` (Eqs. 18-19) have a nearly Gaussian marginal centred on the
high-temperature means ``mu_u``, ``mu_w`` (Eqs. 28, 51): the *constraint potential*
``-log rho(z)``. Adding the energy term of the landscape gives the mean-field effective
free energy of Eq. (55),

.. math:: f_i(z) = \\tilde\\lambda_i z^2 / 2 + c_1 (z-\\mu_i) + c_2 (z-\\mu_i)^2
          + c_3 (z-\\mu_i)^3 + c_4 (z-\\mu_i)^4,

with ``tilde lambda_i = -lambda_i`` for the u-modes (``z_i = u_i``, ``i <= M``) and
``+lambda_i`` for the w-modes (``z_{M+i} = w_i``). The quartic is a least-squares fit to
``-log`` of the histogram of projected uniform states; the minima of ``f_i`` tell a single
well from a (ferromagnetic-like) double well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rbm_reciprocal.analysis.reciprocal import Reciprocal, decompose, random_binary, rotate_uw
from rbm_reciprocal.core.rbm import prob_h_given_v
from rbm_reciprocal.sampling.gibbs import sample_chains


def uniform_mode_samples(
    rec: Reciprocal,
    modes: np.ndarray,
    n_states: int,
    rng: np.random.Generator,
    batch: int = 100_000,
) -> tuple[np.ndarray, np.ndarray]:
    """``u_i``, ``w_i`` (Eqs. 18-19) of ``n_states`` uniform (Bernoulli 1/2) states ``(v, h)``.

    Only the columns ``modes`` (0-based, ``< m``) of ``U`` and ``V`` are used, in batches.

    Returns
    -------
    u, w : ndarray, shape (n_states, len(modes)), float64
    """
    modes = np.asarray(modes, dtype=np.int64)
    uc, vc = rec.U[:, modes], rec.V[:, modes]
    us, ws = [], []
    for start in range(0, n_states, batch):
        k = min(batch, n_states - start)
        x = random_binary(k, uc.shape[0], rng) @ uc
        y = random_binary(k, vc.shape[0], rng) @ vc
        u, w = rotate_uw(x, y, rec.x0[modes], rec.y0[modes])
        us.append(u)
        ws.append(w)
    return np.concatenate(us), np.concatenate(ws)


@dataclass(frozen=True)
class QuarticFit:
    """``-log rho(z) ~ c0 + c1 d + c2 d^2 + c3 d^3 + c4 d^4`` with ``d = z - mu``."""

    mu: float
    coeffs: np.ndarray  # (c0, c1, c2, c3, c4)
    z_min: float
    z_max: float


def fit_constraint_potential(
    z: np.ndarray, mu: float, bins: int = 60, min_count: int = 10
) -> QuarticFit:
    """Quartic least-squares fit of ``-log`` of the histogram density of samples ``z``.

    Bins with fewer than ``min_count`` samples are left out; the fit is weighted by the
    Poisson precision of ``log`` counts (weight ``sqrt(count)``).
    """
    z = np.asarray(z, dtype=np.float64)
    counts, edges = np.histogram(z, bins=bins)
    centers = 0.5 * (edges[1:] + edges[:-1])
    keep = counts >= min_count
    if keep.sum() < 5:
        raise ValueError("too few populated bins for a quartic fit; draw more states")
    width = edges[1] - edges[0]
    logrho = -np.log(counts[keep] / (counts.sum() * width))
    d = centers[keep] - mu
    design = np.vander(d, 5, increasing=True)
    wts = np.sqrt(counts[keep])
    coeffs, *_ = np.linalg.lstsq(design * wts[:, None], logrho * wts, rcond=None)
    return QuarticFit(float(mu), coeffs, float(centers[keep][0]), float(centers[keep][-1]))


def landau_free_energy(z: np.ndarray, lam_tilde: float, fit: QuarticFit) -> np.ndarray:
    """Mean-field effective free energy of Eq. (55) (constant ``c0`` dropped)."""
    z = np.asarray(z, dtype=np.float64)
    d = z - fit.mu
    c = fit.coeffs
    return 0.5 * lam_tilde * z * z + c[1] * d + c[2] * d**2 + c[3] * d**3 + c[4] * d**4


def _power_poly(lam_tilde: float, fit: QuarticFit) -> np.ndarray:
    """Coefficients of ``f`` (Eq. 55) in powers of ``d = z - mu`` (constant included)."""
    c = fit.coeffs
    return np.array(
        [
            0.5 * lam_tilde * fit.mu**2,
            lam_tilde * fit.mu + c[1],
            0.5 * lam_tilde + c[2],
            c[3],
            c[4],
        ]
    )


def landau_minima(lam_tilde: float, fit: QuarticFit) -> tuple[np.ndarray, np.ndarray]:
    """Local minima of :func:`landau_free_energy` on the fitted range ``[z_min, z_max]``.

    Interior minima are the roots of ``f'`` (a cubic) with ``f'' > 0``; an edge of the range
    is a minimum when ``f`` decreases towards it (the energy term pushes the mode beyond the
    sampled states: the constraint potential does not confine it there).

    Returns
    -------
    positions : ndarray, ascending
    at_edge : ndarray of bool, same length
    """
    P = np.polynomial.polynomial
    poly = _power_poly(lam_tilde, fit)
    dpoly = P.polyder(poly)
    ddpoly = P.polyder(dpoly)
    lo, hi = fit.z_min - fit.mu, fit.z_max - fit.mu
    roots = P.polyroots(dpoly) if np.any(dpoly[1:] != 0) else np.array([])
    real = roots[np.abs(np.imag(roots)) < 1e-9].real
    found = [(r, False) for r in real if P.polyval(r, ddpoly) > 0 and lo < r < hi]
    if P.polyval(lo, dpoly) > 0:
        found.append((lo, True))
    if P.polyval(hi, dpoly) < 0:
        found.append((hi, True))
    found.sort()
    return (
        np.array([r + fit.mu for r, _ in found], dtype=np.float64),
        np.array([e for _, e in found], dtype=bool),
    )


def well_type(minima: np.ndarray) -> str:
    """``"single"`` or ``"double"`` well from the minima of :func:`landau_minima`."""
    return "double" if len(minima) >= 2 else "single"


def _mean_std(x: np.ndarray) -> tuple[float, float]:
    return float(np.mean(x)), float(np.std(x))


def mode_trajectory_row(
    params,
    test_images: np.ndarray,
    rng: np.random.Generator,
    n_uniform: int = 200_000,
    bins: int = 60,
    gibbs_chains: int = 1000,
    gibbs_sweeps: int = 500,
) -> dict[str, float]:
    """Quantities of Figs. 7-8 for mode 1 (``z_1 = u_1``, ``z_{M+1} = w_1``) of one checkpoint.

    Every position is multiplied by ``sign(mu_w1)`` (column ``sign``), as the authors did,
    so the SVD sign ambiguity cannot flip curves between checkpoints. The saddle is at 0.

    Columns: ``lambda_1, sign, mu_u, mu_w`` (Eq. 28/51); ``test_u_mean/std, test_w_mean/std``
    (test images ``v`` with ``h ~ p(h|v)``); ``gibbs_u_mean/std, gibbs_w_mean/std`` (Gibbs
    samples); ``landau_u_min1/min2, landau_w_min1/min2`` (minima of Eq. 55, NaN if absent),
    ``landau_u_wells, landau_w_wells`` (1 or 2), ``landau_u_edge, landau_w_edge`` (a minimum
    on the edge of the sampled range).
    """

    rec = decompose(params.W, params.a, params.b)
    sign = 1.0 if rec.mu_w[0] >= 0 else -1.0
    lam = float(rec.s[0])
    row: dict[str, float] = {
        "lambda_1": lam,
        "sign": sign,
        "mu_u": sign * rec.mu_u[0],
        "mu_w": sign * rec.mu_w[0],
    }

    def project(v: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = v.astype(np.float64) @ rec.U[:, 0]
        y = h.astype(np.float64) @ rec.V[:, 0]
        u, w = rotate_uw(x, y, rec.x0[0], rec.y0[0])
        return sign * u, sign * w

    ph = prob_h_given_v(test_images.astype(np.float32), params)
    h_test = (rng.random(ph.shape) < ph).astype(np.float32)
    u, w = project(test_images, h_test)
    row["test_u_mean"], row["test_u_std"] = _mean_std(u)
    row["test_w_mean"], row["test_w_std"] = _mean_std(w)

    v0 = (rng.random((gibbs_chains, params.n_visible)) < 0.5).astype(np.float32)
    vg, hg = sample_chains(params, v0, gibbs_sweeps, rng)
    u, w = project(vg, hg)
    row["gibbs_u_mean"], row["gibbs_u_std"] = _mean_std(u)
    row["gibbs_w_mean"], row["gibbs_w_std"] = _mean_std(w)

    uu, ww = uniform_mode_samples(rec, np.array([0]), n_uniform, rng)
    for name, z, mu, lam_tilde in (
        ("u", uu[:, 0], rec.mu_u[0], -lam),
        ("w", ww[:, 0], rec.mu_w[0], lam),
    ):
        mins, edge = landau_minima(lam_tilde, fit_constraint_potential(z, mu, bins))
        mins = np.sort(sign * mins)
        row[f"landau_{name}_wells"] = len(mins)
        row[f"landau_{name}_min1"] = float(mins[0]) if len(mins) else np.nan
        row[f"landau_{name}_min2"] = float(mins[1]) if len(mins) > 1 else np.nan
        row[f"landau_{name}_edge"] = bool(edge.any())
    return row
