"""The paper's fourth-order Landau free energy (Eq. 55), a labelled variant of :mod:`.landau`.

``-log`` of the histogram of projected uniform states is fitted by a quartic in
``d = z - mu`` (``c_0 .. c_4``, Eq. 55) on the *sampled range* only. Beyond it the fit knows
nothing: when ``f`` decreases towards an end of that range, the end is flagged (``at_edge``)
and is not a minimum (the mode is unconfined by the fit). Once ``lambda_1 > 4`` the fitted
``f`` is concave on the range and both ends are flagged: the fit cannot tell a double well
from no well, which :func:`rbm_reciprocal.analysis.landau.landau_wells` can.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rbm_reciprocal.analysis.reciprocal import Reciprocal, random_binary, rotate_uw


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
    z: np.ndarray, mu: float, bins: int, min_count: int = 10
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
    """Stationary points of :func:`landau_free_energy` (Eq. 55) on the fitted range.

    Interior minima are the roots of ``f'`` (a cubic) with ``f'' > 0``. An end of the range
    ``[z_min, z_max]`` towards which ``f`` decreases is returned with ``at_edge = True``: it
    is *not* a minimum (the fit does not confine the mode there; :func:`well_type` counts it
    as unconfined, never as a well).

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


def well_type(minima: np.ndarray, at_edge: np.ndarray | None = None) -> str:
    """``"single"``, ``"double"`` or ``"unconfined"`` from :func:`landau_minima`.

    Only interior minima (``at_edge`` false) are wells: two or more give ``"double"``, one
    ``"single"``, none ``"unconfined"`` (``f`` decreases towards the ends of the range).
    """
    at_edge = np.zeros(len(minima), bool) if at_edge is None else np.asarray(at_edge, bool)
    n = int(np.sum(~at_edge))
    return "double" if n >= 2 else "single" if n == 1 else "unconfined"
