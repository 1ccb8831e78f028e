"""The Landau picture of mode 1 across training (Sec. 5, Eqs. 28, 51-55; Figs. 7-8).

Under the uniform measure (``v, h`` iid Bernoulli(1/2)) the rotated reciprocal variable
``z`` of mode ``i`` (``u_i`` or ``w_i``, Eqs. 18-19, 29) is a sum of bounded bits centred on
the high-temperature mean ``mu`` (Eqs. 28, 51); ``-log`` of its marginal density is the
*constraint potential* ``V(z)``. Adding the energy term gives the mean-field effective free
energy of Eq. (55),

.. math:: f_i(z) = \\tilde\\lambda_i z^2 / 2 + V_i(z),

with ``tilde lambda_i = -lambda_i`` for the u-modes (``z_i = u_i``) and ``+lambda_i`` for the
w-modes (``z_{M+i} = w_i``). The paper expands ``V`` to fourth order around ``mu``
(``c_1 .. c_4``).

``V`` is taken here to all orders, from the large-deviation (Cramér) rate function of the
sum of bits (:class:`~rbm_reciprocal.analysis.potentials.LargeDeviationPotential`), which is
defined on the whole support of ``z`` and diverges at its ends, so the minima of ``f`` are
found wherever they lie (:func:`landau_wells`). A mode whose ``f`` still decreases at an
end of its domain has its minimum outside it and is reported *unconfined*, never as a
minimum.

The quartic least-squares fit to ``-log`` of a histogram of projected uniform states
(:func:`fit_constraint_potential`, the paper's expansion) is kept as a labelled variant. It
only knows ``V`` on the sampled range: once ``lambda_1 > 4`` (the Gaussian curvature
``1/sigma^2`` with ``sigma = 1/2``) the fitted ``f`` is concave there, its "minima" are the
ends of the sampled range, which move with the sample size; they are flagged
(``at_edge``) and never counted as wells.

Signs: every position is odd under the SVD sign flip of the pair ``(u_1, v_1)``. One
checkpoint's row is computed in the frame of
:func:`~rbm_reciprocal.analysis.svd.signed_svd`; :func:`orient_trajectories` then orients
the rows of one model consistently over epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.landau_quartic import (
    fit_constraint_potential,
    landau_minima,
    uniform_mode_samples,
)
from rbm_reciprocal.analysis.modes import z_coefficients
from rbm_reciprocal.analysis.potentials import LargeDeviationPotential
from rbm_reciprocal.analysis.reciprocal import Reciprocal, decompose, rotate_uw
from rbm_reciprocal.analysis.svd import align_signs, signed_svd
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import prob_h_given_v
from rbm_reciprocal.sampling.gibbs import sample_chains


@dataclass(frozen=True)
class LandauWells:
    """Minima of the free energy of Eq. (55) of one mode.

    Attributes
    ----------
    positions : ndarray, ascending
        Local minima of ``f`` inside its domain (the confined wells).
    unconfined : bool
        ``f`` still decreases at an end of its domain: a minimum lies outside (never counted
        in ``positions``).
    """

    positions: np.ndarray
    unconfined: bool

    @property
    def kind(self) -> str:
        """``"double"`` (two or more wells), ``"single"`` or ``"unconfined"`` (none)."""
        n = self.positions.size
        return "double" if n >= 2 else "single" if n == 1 else "unconfined"


def mode_potential(rec: Reciprocal, kind: str, mode: int = 0) -> LargeDeviationPotential:
    """``beta U = f`` of Eq. (55) for ``u_i`` (``kind="u"``) or ``w_i`` (``"w"``), all orders.

    ``f(z) = tilde lambda z^2 / 2 + V(z)`` with ``V`` the large-deviation constraint potential
    of ``z = c + a . [v; h]`` (:func:`~rbm_reciprocal.analysis.modes.z_coefficients`) and
    ``tilde lambda = -lambda_i`` (u) or ``+lambda_i`` (w); ``mode`` is 0-based.
    """
    if kind not in ("u", "w"):
        raise ConfigError(f"mode kind must be 'u' or 'w', got {kind!r}")
    lam = float(rec.s[mode])
    a, c = z_coefficients(rec, mode if kind == "u" else rec.n_modes + mode)
    return LargeDeviationPotential(a[:, 0], float(c[0]), -lam if kind == "u" else lam, 0.0)


def landau_wells(potential: LargeDeviationPotential) -> LandauWells:
    """Minima of the free energy ``f`` of Eq. (55) on the whole domain of ``potential``.

    ``f' = tilde lambda z - field + t(z)`` is exact at the grid points of the potential
    (``t = V'``); a minimum is a change of sign of ``f'`` from - to +, located by linear
    interpolation between the two grid points. ``f' > 0`` at the lower end or ``< 0`` at the
    upper end of the domain means that ``f`` decreases towards that end: unconfined.

    Parameters
    ----------
    potential : LargeDeviationPotential
        E.g. from :func:`mode_potential`; any object with a grid ``z`` and ``beta_grad``.

    Returns
    -------
    LandauWells
    """
    z = np.asarray(potential.z, dtype=np.float64)
    g = np.asarray(potential.beta_grad(z), dtype=np.float64)
    i = np.flatnonzero((g[:-1] < 0) & (g[1:] >= 0))
    pos = z[i] - g[i] * (z[i + 1] - z[i]) / (g[i + 1] - g[i])
    return LandauWells(np.sort(pos), bool(g[0] > 0 or g[-1] < 0))


def mode1_continuity(W_prev: np.ndarray, W: np.ndarray) -> tuple[float, float]:
    """Sign and overlap of mode 1 of ``W`` against mode 1 of ``W_prev`` (both signed SVDs).

    Returns ``(flip, overlap)``: ``flip`` (+1/-1) aligns the pair ``(u_1, v_1)`` of ``W``
    with that of ``W_prev`` (:func:`~rbm_reciprocal.analysis.svd.align_signs`), ``overlap``
    is ``|u_1' . u_1 + v_1' . v_1| / 2`` (1 for the same pair; small when modes swapped).
    """
    up, _, vp = signed_svd(W_prev, full_matrices=False)
    u, _, v = signed_svd(W, full_matrices=False)
    ua, va, signs = align_signs(up[:, :1], vp[:, :1], u[:, :1], v[:, :1])
    return float(signs[0]), float(0.5 * (up[:, 0] @ ua[:, 0] + vp[:, 0] @ va[:, 0]))


#: Columns of a trajectory row that are positions (odd under the SVD sign flip of mode 1).
POSITION_COLUMNS = (
    "mu_u",
    "mu_w",
    "test_u_mean",
    "test_w_mean",
    "gibbs_u_mean",
    "gibbs_w_mean",
)
#: Pairs of ascending minima (min1 <= min2) among the positions: negation swaps them.
MINIMA_PAIRS = tuple(
    (f"landau{v}_{z}_min1", f"landau{v}_{z}_min2") for v in ("", "_quartic") for z in "uw"
)


def orient_trajectories(
    table: pd.DataFrame, orientation: str, min_overlap: float = 0.5
) -> pd.DataFrame:
    """Orient the rows of each followed model consistently over epochs (Figs. 7-8).

    Rows come in the frame of :func:`~rbm_reciprocal.analysis.svd.signed_svd` of their own
    checkpoint, with ``flip_prev`` from :func:`mode1_continuity` against the previous row's
    checkpoint. The factor ``sign`` of each row is

    * ``"continuity"``: ``sign(mu_w)`` at the first epoch, then the previous row's sign
      times ``flip_prev`` (the signs follow the singular vectors from checkpoint to
      checkpoint), except where ``overlap_prev < min_overlap`` (mode 1 is another direction
      than before, e.g. right after the random init): there ``sign(mu_w)`` again;
    * ``"mu_w"``: ``sign(mu_w)`` of every checkpoint, the authors' choice (it flips every
      curve when ``mu_w`` crosses 0).

    Positions (:data:`POSITION_COLUMNS`, the Landau minima) are multiplied by ``sign``; the
    ascending minima pairs are reordered. Groups: ``hidden, method, replica`` (those present).

    Returns
    -------
    DataFrame, sorted by group and epoch, with ``sign`` set.
    """
    if orientation not in ("continuity", "mu_w"):
        raise ConfigError(f"landau.orientation must be 'continuity' or 'mu_w', got {orientation!r}")
    keys = [k for k in ("hidden", "method", "replica") if k in table.columns]
    out = table.sort_values([*keys, "epoch"]).reset_index(drop=True)
    own = np.where(out["mu_w"].to_numpy(np.float64) < 0, -1.0, 1.0)
    sign = own.copy()
    if orientation == "continuity":
        flips = out["flip_prev"].to_numpy(np.float64)
        followed = out["overlap_prev"].to_numpy(np.float64) >= min_overlap  # NaN: False
        groups = out.groupby(keys, sort=False).indices.values() if keys else [out.index]
        for idx in groups:
            idx = np.sort(np.asarray(idx))  # epochs ascending within the group
            for k, j in enumerate(idx[1:], start=1):
                if followed[j]:
                    sign[j] = sign[idx[k - 1]] * flips[j]
    for col in POSITION_COLUMNS:
        if col in out.columns:
            out[col] = out[col].to_numpy(np.float64) * sign
    for lo, hi in MINIMA_PAIRS:
        if lo in out.columns:
            pair = np.sort(np.stack([out[lo], out[hi]], axis=1) * sign[:, None], axis=1)
            one = np.isnan(out[hi].to_numpy(np.float64))  # a single minimum stays in min1
            out[lo] = np.where(one, out[lo] * sign, pair[:, 0])
            out[hi] = np.where(one, np.nan, pair[:, 1])
    out["sign"] = sign
    return out


def _mean_std(x: np.ndarray) -> tuple[float, float]:
    return float(np.mean(x)), float(np.std(x))


def _minima_columns(prefix: str, positions: np.ndarray, unconfined: bool) -> dict:
    return {
        f"{prefix}_wells": int(positions.size),
        f"{prefix}_min1": float(positions[0]) if positions.size else np.nan,
        f"{prefix}_min2": float(positions[1]) if positions.size > 1 else np.nan,
        f"{prefix}_unconfined": bool(unconfined),
    }


def mode_trajectory_row(
    params,
    test_images: np.ndarray,
    rng: np.random.Generator,
    n_uniform: int,
    bins: int,
    gibbs_chains: int,
    gibbs_sweeps: int,
) -> dict[str, float]:
    """Quantities of Figs. 7-8 for mode 1 (``z_1 = u_1``, ``z_{M+1} = w_1``) of one checkpoint.

    Positions are in the frame of :func:`~rbm_reciprocal.analysis.svd.signed_svd` of this
    checkpoint (``sign = 1``); :func:`orient_trajectories` orients a whole trajectory. The
    saddle is at 0.

    Columns: ``lambda_1, sign, mu_u, mu_w`` (Eq. 28/51); ``test_u_mean/std, test_w_mean/std``
    (test images ``v`` with ``h ~ p(h|v)``); ``gibbs_u_mean/std, gibbs_w_mean/std`` (Gibbs
    samples); per ``z`` in ``u, w``: ``landau_{z}_wells`` (number of minima of Eq. 55 with the
    all-orders constraint potential, :func:`landau_wells`), ``landau_{z}_min1/min2``
    (ascending, NaN if absent), ``landau_{z}_unconfined``; the same with ``landau_quartic_``
    for the paper's quartic fit on ``n_uniform`` sampled states (an end of the sampled range
    is never a well: ``landau_quartic_{z}_unconfined``).
    """
    rec = decompose(params.W, params.a, params.b)
    lam = float(rec.s[0])
    row: dict[str, float] = {
        "lambda_1": lam,
        "sign": 1.0,
        "mu_u": float(rec.mu_u[0]),
        "mu_w": float(rec.mu_w[0]),
    }

    def project(v: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = v.astype(np.float64) @ rec.U[:, 0]
        y = h.astype(np.float64) @ rec.V[:, 0]
        return rotate_uw(x, y, rec.x0[0], rec.y0[0])

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

    for name in ("u", "w"):
        wells = landau_wells(mode_potential(rec, name))
        row.update(_minima_columns(f"landau_{name}", wells.positions, wells.unconfined))

    uu, ww = uniform_mode_samples(rec, np.array([0]), n_uniform, rng)
    for name, z, mu, lam_tilde in (
        ("u", uu[:, 0], rec.mu_u[0], -lam),
        ("w", ww[:, 0], rec.mu_w[0], lam),
    ):
        mins, edge = landau_minima(lam_tilde, fit_constraint_potential(z, mu, bins))
        row.update(_minima_columns(f"landau_quartic_{name}", mins[~edge], edge.any()))
    return row
