"""Diffusion in reciprocal space: the harmonic prediction of Sec. 4.1 and a direct test of it.

The paper (Sec. 4.1, Eqs. 29-48) writes the partition function as an integral over the
continuous reciprocal vector ``z`` of Eq. (29), with an effective potential, and reads
``exp(-beta U_eff)`` as the stationary solution of a Fokker-Planck equation. Approximating the
*constraint potential* ``V_const = -log p(z)`` to second order (a Gaussian, Eq. 45) with
stiffness ``k = Cov(z)^-1`` (Eq. 46), the modes decouple into harmonic oscillators, and a mode
with ``lambda_i > k_ii / beta`` gets a negative relaxation rate: the diffusion is predicted not
to converge. The paper says it has not tested this. This module computes the predicted
spectrum from a checkpoint and tests it by simulating the diffusion.

Our reading of the (garbled) equations
--------------------------------------
* Eq. (29): ``z = [u_1..u_m, w_1..w_m, r]`` with ``m = min(N, M)``, ``u, w`` the rotated
  coordinates of Eqs. (18-19) (measured from the saddle of each landscape) and ``r`` the
  unpaired ``x_{m+1..N}`` (or ``y_{m+1..M}`` when ``M > N``).
* Eq. (30): ``U_eff(z) = E(z) - S_c / beta + V_const(z) / beta`` with ``S_c = (N + M) ln 2``,
  so that ``exp(-beta U_eff) ∝ p(z) exp(-beta E(z))`` is the Boltzmann weight summed over the
  binary states with reciprocal vector ``z``. By Eqs. (16, 19) the energy of component ``i``
  is ``E_i = lt_i z_i^2 / 2 - h_i z_i`` up to a constant, with curvature ``lt_i = -lambda_i``
  for u-modes, ``+lambda_i`` for w-modes, 0 for ``r``, and field ``h_i = a0_i`` (``b0_i``) for
  ``r = x`` (``y``), 0 otherwise.
* Eq. (33), overdamped with friction ``gamma = 1`` and ``D = 1 / beta``:
  ``dP/dt = D lap P + div(P grad U_eff)``; its Langevin equation is
  ``dz = -grad U_eff dt + sqrt(2 D) dW``.
* Eqs. (35-36): ``P = exp(-beta U_eff / 2) psi`` turns ``-dP/dt = Gamma P`` into
  ``H psi = E psi`` with ``H = sum p^2 / 2 + V_S``,
  ``V_S = |grad U|^2 / (8 D^2) - lap U / (4 D)``. The substitution gives ``Gamma = 2 D E``;
  the extracted text reads ``Gamma_n = E_n / 2D`` and later ``Gamma(n) = beta E(n) / 2``,
  which differ from ``2 D E`` by the constant factor ``beta^2 / 4``. The factor never changes
  a sign; we use ``Gamma = 2 D E``, which reproduces the exactly known relaxation rates of
  the Ornstein-Uhlenbeck process (tests/test_diffusion.py).
* Eqs. (39, 45-46): ``V_const(z) ≈ (z - mu)^T k (z - mu) / 2``, ``k = Cov(z)^-1`` under the
  uniform measure, ``mu`` the high-temperature means of Eqs. (28, 51).
* Eq. (40), for a diagonal ``k``: ``omega_i = (k_ii + beta lt_i) / 2``, i.e.
  ``(k_ii - beta lambda_i) / 2`` for u-modes, ``(k_ii + beta lambda_i) / 2`` for w-modes and
  ``k_ii / 2`` for ``r``. This is the only reading consistent with the shifts of Eq. (41)
  (``z_i0 = mu_i k_ii / (2 omega_i)`` for u, w and ``mu_i + beta a0_i / (2 omega_i)`` for
  ``r``), which are the minima of ``beta U_eff``.
* Eqs. (47-48): ``V_S = sum omega_i^2 zeta_i^2 / 2 - omega_i / 2``,
  ``E(n) = sum omega_i n_i``, hence ``Gamma(n) = sum kappa_i n_i`` with
  ``kappa_i = 2 omega_i / beta = lt_i + k_ii / beta``, the curvature of ``U_eff`` along
  ``z_i``. ``kappa_i < 0``, i.e. ``lambda_i > k_ii / beta`` for a u-mode, is the predicted
  divergence; w-modes and ``r`` always have ``kappa_i > 0``.

An exact fact that sharpens the prediction
------------------------------------------
Under the uniform measure every binary unit has variance 1/4 and ``z`` is an orthogonal
transform of ``(v, h)`` (Eqs. 17-19, 29), so ``Cov(z) = I / 4`` *exactly*, for any weights:
``k = 4 I`` (diagonal, so the decoupling of Eq. 47 holds), and the prediction reads
"u-mode ``i`` diverges iff ``lambda_i > 4 / beta``". :func:`stiffness_matrix` estimates ``k``
from projected uniform states, as Eq. (46) says, and the workflow reports both.

The test
--------
The Gaussian ``V_const`` is the second-order Taylor truncation (Eq. 39) of the true
constraint potential. The true one is not quadratic far from ``mu``: ``z_i`` is a sum of
bounded terms, so ``p(z_i)`` has compact support. We take the marginal constraint
potential of each component to all orders through its large-deviation (Cramér) form,
:class:`LargeDeviationPotential`, ``V_i(z) = sup_t [t z - K_i(t)]`` with ``K_i`` the cumulant
generating function of ``z_i`` under the uniform measure; its second-order expansion at
``mu_i`` is exactly the Gaussian with ``k_ii = 1 / Var(z_i) = 4``. For a few predicted
divergent and a few stable modes, :func:`simulate_mode` runs the 1-D overdamped Langevin
dynamics (seeded, vectorized over walkers, Metropolis-adjusted so the time step cannot bias
the stationary law) in both potentials, from the same projected uniform states and with the
same noise, and :func:`convergence_summary` measures variance growth and the Kolmogorov-
Smirnov distance to the stationary density over time.

Treating each component alone uses its marginal constraint potential; the components are
uncorrelated (``Cov(z) = I / 4``) but not independent, which the 1-D test neglects, as the
decoupled harmonic picture of Eq. (47) does.

Randomness: every stream is ``default_rng(SeedSequence([seed, ...tags]))`` (covariance
states per checkpoint, initial walkers and noise per mode), all numpy and single-threaded,
so the same arguments give identical tables.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ConfigError
from .reciprocal import Reciprocal, random_binary

__all__ = [
    "GaussianPotential",
    "LargeDeviationPotential",
    "ZModes",
    "convergence_summary",
    "ks_distance",
    "relaxation_spectrum",
    "run_diffusion",
    "select_modes",
    "simulate_langevin",
    "simulate_mode",
    "stiffness_matrix",
    "uniform_z_moments",
    "z_coefficients",
    "z_modes",
]

PathLike = str | os.PathLike

#: Exact stiffness of every component under the uniform measure: Cov(z) = I / 4 (see above).
K_EXACT = 4.0


# ---------------------------------------------------------------------------------------------
# The reciprocal vector z of Eq. (29)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZModes:
    """Per-component data of ``z = [u_1..u_m, w_1..w_m, r]`` (Eq. 29), ``D = N + M`` entries.

    Attributes
    ----------
    kind : ndarray of str, shape (D,)
        ``"u"``, ``"w"`` or ``"x"`` / ``"y"`` (the unpaired rest ``r``).
    mode : ndarray of int, shape (D,)
        1-based landscape index ``i`` (for ``r``: the index of ``x`` or ``y``).
    lam : ndarray, shape (D,)
        ``lambda_i`` for u- and w-modes, 0 for ``r``.
    lam_tilde : ndarray, shape (D,)
        Curvature of the energy along ``z`` (Eq. 19): ``-lambda_i`` (u), ``+lambda_i`` (w), 0.
    field : ndarray, shape (D,)
        Linear field ``h``, ``E_i = lam_tilde z^2 / 2 - h z``: ``a0`` (``b0``) for ``r``, else 0.
    mu : ndarray, shape (D,)
        High-temperature means (Eqs. 28, 51): ``mu_u``, ``mu_w``, then ``mu_x`` (``mu_y``).
    """

    kind: np.ndarray
    mode: np.ndarray
    lam: np.ndarray
    lam_tilde: np.ndarray
    field: np.ndarray
    mu: np.ndarray

    @property
    def size(self) -> int:
        return int(self.kind.size)


def z_modes(rec: Reciprocal) -> ZModes:
    """The components of ``z`` (Eq. 29) of a decomposed RBM.

    Parameters
    ----------
    rec : Reciprocal
        From :func:`rbm_reciprocal.reciprocal.decompose`.

    Returns
    -------
    ZModes
    """
    n, m_hidden = rec.U.shape[0], rec.V.shape[0]
    m = rec.n_modes
    idx = np.arange(1, m + 1)
    if n >= m_hidden:
        rest_kind, rest_idx = "x", np.arange(m + 1, n + 1)
        rest_field, rest_mu = rec.a0[m:], rec.mu_x[m:]
    else:
        rest_kind, rest_idx = "y", np.arange(m + 1, m_hidden + 1)
        rest_field, rest_mu = rec.b0[m:], rec.mu_y[m:]
    n_rest = rest_idx.size
    zeros = np.zeros(n_rest)
    return ZModes(
        kind=np.array(["u"] * m + ["w"] * m + [rest_kind] * n_rest),
        mode=np.concatenate([idx, idx, rest_idx]).astype(np.int64),
        lam=np.concatenate([rec.s, rec.s, zeros]),
        lam_tilde=np.concatenate([-rec.s, rec.s, zeros]),
        field=np.concatenate([np.zeros(2 * m), np.asarray(rest_field, np.float64)]),
        mu=np.concatenate([rec.mu_u, rec.mu_w, np.asarray(rest_mu, np.float64)]),
    )


def z_coefficients(rec: Reciprocal, index: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Affine maps of components of ``z``: ``z_j = c_j + a_j . [v; h]`` (Eqs. 17-19, 29).

    For ``u_i``: ``a = [U_i; V_i] / sqrt 2``, ``c = -(x0_i + y0_i) / sqrt 2``; for ``w_i``:
    ``a = [-U_i; V_i] / sqrt 2``, ``c = (x0_i - y0_i) / sqrt 2``; for ``r``: a column of ``U``
    (or ``V``) padded with zeros, ``c = 0``.

    Parameters
    ----------
    rec : Reciprocal
    index : int or ndarray of int
        0-based positions in ``z`` (``0 .. N + M - 1``).

    Returns
    -------
    a : ndarray, shape (N + M, k), float64
    c : ndarray, shape (k,), float64
    """
    index = np.atleast_1d(np.asarray(index, dtype=np.int64))
    n, m_hidden = rec.U.shape[0], rec.V.shape[0]
    m = rec.n_modes
    if np.any(index < 0) or np.any(index >= n + m_hidden):
        raise ValueError(f"z indices must lie in 0..{n + m_hidden - 1}, got {index}")
    a = np.zeros((n + m_hidden, index.size))
    c = np.zeros(index.size)
    r = 1.0 / np.sqrt(2.0)
    for j, q in enumerate(index):
        if q < m:
            a[:n, j], a[n:, j] = r * rec.U[:, q], r * rec.V[:, q]
            c[j] = -r * (rec.x0[q] + rec.y0[q])
        elif q < 2 * m:
            i = q - m
            a[:n, j], a[n:, j] = -r * rec.U[:, i], r * rec.V[:, i]
            c[j] = r * (rec.x0[i] - rec.y0[i])
        elif n >= m_hidden:
            a[:n, j] = rec.U[:, q - m]
        else:
            a[n:, j] = rec.V[:, q - m]
    return a, c


def uniform_z_moments(
    rec: Reciprocal, n_states: int, rng: np.random.Generator, batch: int = 5000
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of ``z`` over projected uniform (Bernoulli 1/2) states ``(v, h)``.

    Parameters
    ----------
    rec : Reciprocal
    n_states : int
        Number of random binary states (each a pair ``v``, ``h``).
    rng : numpy.random.Generator
    batch : int
        States per batch (memory ``batch * (N + M) * 8`` bytes twice).

    Returns
    -------
    mean : ndarray, shape (D,)
    cov : ndarray, shape (D, D)
        Unbiased sample covariance (denominator ``n_states - 1``).
    """
    n_states = int(n_states)
    if n_states < 2:
        raise ValueError(f"need at least 2 states, got {n_states}")
    n, m_hidden = rec.U.shape[0], rec.V.shape[0]
    d = n + m_hidden
    a, c = z_coefficients(rec, np.arange(d))
    total = np.zeros(d)
    outer = np.zeros((d, d))
    done = 0
    while done < n_states:
        k = min(batch, n_states - done)
        s = random_binary(k, d, rng).astype(np.float64)
        s -= 0.5  # centred bits: the moments about the exact mean, no cancellation
        z = s @ a
        total += z.sum(axis=0)
        outer += z.T @ z
        done += k
    mean_c = total / n_states
    cov = (outer - n_states * np.outer(mean_c, mean_c)) / (n_states - 1)
    mean = mean_c + c + 0.5 * a.sum(axis=0)
    return mean, cov


def stiffness_matrix(cov: np.ndarray, n_states: int) -> np.ndarray:
    """Stiffness ``k = Cov(z)^-1`` of the Gaussian constraint potential, Eq. (46).

    The inverse of a sample covariance over-estimates the precision matrix:
    ``E[S^-1] = Sigma^-1 (n - 1) / (n - D - 2)`` for Gaussian data (inverse Wishart). The
    returned estimate carries the correction factor ``(n - D - 2) / (n - 1)``.

    Parameters
    ----------
    cov : ndarray, shape (D, D)
        Sample covariance from ``n_states`` states (:func:`uniform_z_moments`).
    n_states : int

    Returns
    -------
    ndarray, shape (D, D)

    Raises
    ------
    ConfigError
        If ``n_states <= D + 2`` (the sample covariance is singular or the bias undefined).
    """
    d = cov.shape[0]
    if n_states <= d + 2:
        raise ConfigError(
            f"diffusion.uniform_states must exceed N + M + 2 = {d + 2} to invert Cov(z); "
            f"got {n_states}"
        )
    return np.linalg.inv(cov) * (n_states - d - 2) / (n_states - 1)


def relaxation_spectrum(modes: ZModes, k_diag: np.ndarray, beta: float = 1.0) -> pd.DataFrame:
    """Predicted harmonic relaxation spectrum of every component, Eqs. (40-48).

    .. math::

        \\kappa_i = \\tilde\\lambda_i + k_{ii}/\\beta, \\qquad
        \\omega_i = \\beta\\kappa_i / 2, \\qquad
        \\Gamma(n) = 2 D E(n) = \\sum_i \\kappa_i n_i .

    ``gamma_1`` is the rate of the first excited state of mode ``i`` (``n_i = 1``), i.e.
    ``kappa_i``; it is negative, and the mode predicted to diverge, when
    ``lambda_i > k_ii / beta`` for a u-mode. For ``kappa_i > 0`` the stationary law of
    ``z_i`` is normal with mean ``z_star`` (Eq. 41) and variance ``1 / (beta kappa_i)``.

    Parameters
    ----------
    modes : ZModes
    k_diag : ndarray, shape (D,)
        Diagonal of ``k`` (Eq. 46).
    beta : float
        Inverse temperature (1 for the RBM).

    Returns
    -------
    DataFrame, one row per component, columns ``index`` (1-based position in ``z``),
    ``kind, mode, lam, lam_tilde, field, mu, k_ii, threshold`` (``k_ii / beta``),
    ``kappa, omega, gamma_1, diverges, z_star, stationary_var``.
    """
    k_diag = np.asarray(k_diag, dtype=np.float64)
    kappa = modes.lam_tilde + k_diag / beta
    with np.errstate(divide="ignore", invalid="ignore"):
        z_star = (k_diag * modes.mu + beta * modes.field) / (beta * kappa)
        stat_var = np.where(kappa > 0, 1.0 / (beta * kappa), np.nan)
    return pd.DataFrame(
        {
            "index": np.arange(1, modes.size + 1, dtype=np.int64),
            "kind": modes.kind,
            "mode": modes.mode,
            "lam": modes.lam,
            "lam_tilde": modes.lam_tilde,
            "field": modes.field,
            "mu": modes.mu,
            "k_ii": k_diag,
            "threshold": k_diag / beta,
            "kappa": kappa,
            "omega": 0.5 * beta * kappa,
            "gamma_1": kappa,
            "diverges": kappa < 0,
            "z_star": z_star,
            "stationary_var": stat_var,
        }
    )


def select_modes(spectrum: pd.DataFrame, n_divergent: int, n_stable: int) -> list[int]:
    """0-based ``z`` positions to simulate: predicted-divergent and stable modes.

    Divergent: the ``n_divergent`` u-modes with the largest ``lambda`` among those with
    ``kappa < 0``. Stable, in this order until ``n_stable`` are chosen: the stable u-mode with
    the largest ``lambda`` (the slowest one), ``w_1``, then stable u-modes evenly spaced in
    index.

    Parameters
    ----------
    spectrum : DataFrame
        From :func:`relaxation_spectrum`.
    n_divergent, n_stable : int

    Returns
    -------
    list of int
    """
    kind = spectrum["kind"].to_numpy()
    kappa = spectrum["kappa"].to_numpy()
    u = np.flatnonzero(kind == "u")
    div = [int(i) for i in u[kappa[u] < 0][: max(n_divergent, 0)]]
    stable_u = u[kappa[u] > 0]
    cand: list[int] = []
    if stable_u.size:
        cand.append(int(stable_u[0]))
    w = np.flatnonzero(kind == "w")
    if w.size:
        cand.append(int(w[0]))
    if stable_u.size > 1:
        for q in np.linspace(0, stable_u.size - 1, max(n_stable, 2))[1:]:
            cand.append(int(stable_u[int(round(q))]))
    stable: list[int] = []
    for i in cand:
        if i not in stable and len(stable) < max(n_stable, 0):
            stable.append(i)
    return div + stable


# ---------------------------------------------------------------------------------------------
# One-dimensional effective potentials beta U_eff(z) of a component
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaussianPotential:
    """``beta U(z) = beta (lam_tilde z^2 / 2 - field z) + k (z - mu)^2 / 2`` (Eqs. 30, 45).

    The harmonic (Gaussian constraint) potential of one component; unbounded domain.
    """

    lam_tilde: float
    field: float
    k: float
    mu: float
    beta: float = 1.0

    lo = -np.inf
    hi = np.inf

    @property
    def kappa(self) -> float:
        """Curvature of ``U`` (not ``beta U``): ``lam_tilde + k / beta``."""
        return self.lam_tilde + self.k / self.beta

    def beta_u(self, z: np.ndarray) -> np.ndarray:
        """``beta U(z)`` (constant dropped)."""
        z = np.asarray(z, dtype=np.float64)
        b = self.beta
        return (
            b * (0.5 * self.lam_tilde * z * z - self.field * z) + 0.5 * self.k * (z - self.mu) ** 2
        )

    def beta_grad(self, z: np.ndarray) -> np.ndarray:
        """``d(beta U)/dz``."""
        z = np.asarray(z, dtype=np.float64)
        return self.beta * (self.lam_tilde * z - self.field) + self.k * (z - self.mu)

    def beta_curvature(self, z: np.ndarray) -> np.ndarray:
        """``d^2(beta U)/dz^2`` (constant ``beta kappa``)."""
        return np.full(np.shape(z), self.beta * self.kappa)

    def stationary_cdf(self, z: np.ndarray) -> np.ndarray | None:
        """CDF of the normal stationary law, or None when ``kappa <= 0`` (no stationary law)."""
        from scipy.stats import norm

        if self.kappa <= 0:
            return None
        mean = (self.k * self.mu + self.beta * self.field) / (self.beta * self.kappa)
        return norm.cdf(
            np.asarray(z, dtype=np.float64), mean, np.sqrt(1 / (self.beta * self.kappa))
        )

    def local_cdf(self, z: np.ndarray) -> np.ndarray | None:
        """Single well: the same as :meth:`stationary_cdf`."""
        return self.stationary_cdf(z)


class LargeDeviationPotential:
    """Marginal constraint potential of one component to all orders (Cramér rate function).

    For ``z = c + sum_j a_j s_j`` with iid ``s_j ~ Bernoulli(1/2)`` (a component of Eq. 29
    under the uniform measure) the cumulant generating function is

    .. math:: K(t) = c t + \\sum_j \\left[\\log(1 + e^{t a_j}) - \\log 2\\right],

    and ``-log p(z) ≈ V(z) = sup_t [t z - K(t)]`` (plus a slowly varying prefactor that we
    drop). ``V`` is convex, ``V(mu) = 0``, ``V'(z) = t``, ``V''(z) = 1 / K''(t)`` at
    ``K'(t) = z``; at ``mu`` its curvature is ``1 / Var(z) = 4``, so its second-order Taylor
    expansion is the Gaussian constraint of Eqs. (39, 45-46), while ``V'`` diverges at the
    edges of the support ``[c + sum min(a_j, 0), c + sum max(a_j, 0)]``.

    ``V`` is tabulated parametrically on a grid of ``t`` (sinh-spaced, dense near ``t = 0``),
    and ``beta U = beta (lam_tilde z^2 / 2 - field z) + V(z)`` is interpolated linearly;
    ``beta U = +inf`` outside the tabulated range (a hard wall just inside the support).

    Parameters
    ----------
    a : ndarray, shape (n,)
        Coefficients of the bits.
    c : float
        Offset.
    lam_tilde, field : float
        Energy curvature and field of the component (:class:`ZModes`).
    beta : float
    n_grid : int
        Grid points in ``t``.
    t_max : float, optional
        Largest ``|t|`` (default ``1000 sqrt(n) / |a|_2``, which brings ``z`` to within a
        negligible distance of the support edges).
    """

    def __init__(
        self,
        a: np.ndarray,
        c: float,
        lam_tilde: float,
        field: float,
        beta: float = 1.0,
        n_grid: int = 4001,
        t_max: float | None = None,
    ) -> None:
        a = np.asarray(a, dtype=np.float64)
        a = a[a != 0]
        if a.size == 0:
            raise ValueError("a component with all-zero coefficients has no constraint potential")
        self.lam_tilde, self.field, self.beta = float(lam_tilde), float(field), float(beta)
        if t_max is None:
            t_max = 1000.0 * np.sqrt(a.size) / np.linalg.norm(a)
        t0 = 1.0 / np.sqrt(np.sum(a * a) / 4.0)  # t moving z by one std (grid dense near 0)
        s_max = np.arcsinh(t_max / t0)
        t = t0 * np.sinh(np.linspace(-s_max, s_max, int(n_grid)))
        ta = t[:, None] * a[None, :]
        sig = 0.5 * (1.0 + np.tanh(0.5 * ta))  # sigmoid without overflow
        k0 = c * t + (np.logaddexp(0.0, ta) - np.log(2.0)).sum(axis=1)
        k1 = c + sig @ a
        k2 = (sig * (1.0 - sig)) @ (a * a)
        keep = np.concatenate([[True], np.diff(k1) > 0])  # strictly increasing z
        keep &= k2 > 0
        self.t, self.z, self.kpp = t[keep], k1[keep], k2[keep]
        self.rate = self.t * self.z - k0[keep]  # V(z) = t z - K(t)
        self.mu = float(c + 0.5 * a.sum())
        self.support = (float(c + np.minimum(a, 0).sum()), float(c + np.maximum(a, 0).sum()))
        self.lo, self.hi = float(self.z[0]), float(self.z[-1])
        self._wells_cache = None

    def _energy(self, z: np.ndarray) -> np.ndarray:
        return self.beta * (0.5 * self.lam_tilde * z * z - self.field * z)

    def beta_u(self, z: np.ndarray) -> np.ndarray:
        """``beta U(z)`` (constant dropped); ``+inf`` outside ``[lo, hi]``."""
        z = np.asarray(z, dtype=np.float64)
        out = self._energy(z) + np.interp(z, self.z, self.rate)
        return np.where((z < self.lo) | (z > self.hi), np.inf, out)

    def beta_grad(self, z: np.ndarray) -> np.ndarray:
        """``d(beta U)/dz = beta (lam_tilde z - field) + t(z)``."""
        z = np.asarray(z, dtype=np.float64)
        return self.beta * (self.lam_tilde * z - self.field) + np.interp(z, self.z, self.t)

    def beta_curvature(self, z: np.ndarray) -> np.ndarray:
        """``d^2(beta U)/dz^2 = beta lam_tilde + 1 / K''(t(z))``."""
        z = np.asarray(z, dtype=np.float64)
        return self.beta * self.lam_tilde + 1.0 / np.interp(z, self.z, self.kpp)

    # -- stationary law exp(-beta U) on the grid, split into wells -------------------------
    def _grid_logdensity(self) -> np.ndarray:
        return -(self._energy(self.z) + self.rate)

    def wells(self) -> np.ndarray:
        """Grid indices of the barriers (interior local maxima of ``beta U``) between wells."""
        from scipy.signal import find_peaks

        peaks, _ = find_peaks(-self._grid_logdensity(), prominence=1e-6)
        return peaks

    def _well_cdfs(self) -> tuple[list[tuple[int, int]], np.ndarray, list[np.ndarray]]:
        """Wells as grid slices, their log-masses and conditional CDFs on their grid points."""
        if self._wells_cache is None:
            self._wells_cache = self._compute_well_cdfs()
        return self._wells_cache

    def _compute_well_cdfs(self) -> tuple[list[tuple[int, int]], np.ndarray, list[np.ndarray]]:
        logd = self._grid_logdensity()
        cuts = [0, *self.wells().tolist(), self.z.size - 1]
        spans, logmass, cdfs = [], [], []
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            zz, ld = self.z[lo : hi + 1], logd[lo : hi + 1]
            top = ld.max()
            dens = np.exp(ld - top)
            cum = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(zz))])
            spans.append((lo, hi))
            logmass.append(top + np.log(cum[-1]))
            cdfs.append(cum / cum[-1])
        return spans, np.array(logmass), cdfs

    def _mixture_cdf(self, z: np.ndarray, weights: np.ndarray) -> np.ndarray:
        spans, _, cdfs = self._well_cdfs()
        z = np.asarray(z, dtype=np.float64)
        out = np.zeros_like(z)
        for (lo, hi), cdf, wgt in zip(spans, cdfs, weights, strict=True):
            out += wgt * np.interp(z, self.z[lo : hi + 1], cdf, left=0.0, right=1.0)
        return out

    def well_weights(self) -> np.ndarray:
        """Stationary probability of each well (Boltzmann weights, log-sum-exp)."""
        _, logmass, _ = self._well_cdfs()
        w = np.exp(logmass - logmass.max())
        return w / w.sum()

    def stationary_cdf(self, z: np.ndarray) -> np.ndarray:
        """CDF of the stationary law ``∝ exp(-beta U)`` (numerical, trapezoid rule)."""
        return self._mixture_cdf(z, self.well_weights())

    def local_cdf(self, z: np.ndarray, samples: np.ndarray | None = None) -> np.ndarray:
        """Stationary law within each well, wells weighted by the occupation of ``samples``.

        A distance to it near zero with a large distance to :meth:`stationary_cdf` means the
        walkers equilibrated inside the wells but not between them (metastability).
        """
        if samples is None or len(self._well_cdfs()[0]) == 1:
            return self.stationary_cdf(z)
        counts = self.well_counts(samples)
        return self._mixture_cdf(z, counts / counts.sum())

    def well_counts(self, samples: np.ndarray) -> np.ndarray:
        """Number of ``samples`` in each well (split at the barriers)."""
        spans, _, _ = self._well_cdfs()
        cuts = self.z[[hi for _, hi in spans[:-1]]]
        return np.bincount(np.searchsorted(cuts, samples), minlength=len(spans))

    def occupation_z(self, samples: np.ndarray) -> float:
        """Largest standardized deviation of the well occupations from the stationary weights.

        ``max_b |c_b - n w_b| / sqrt(n w_b (1 - w_b) + 1/4)`` for counts ``c_b`` of ``n``
        samples and stationary weights ``w_b`` (0 with one well); walkers caught in a well of
        negligible stationary weight give a large value even when the KS distance is small.
        """
        counts = self.well_counts(samples)
        if counts.size == 1:
            return 0.0
        n, w = counts.sum(), self.well_weights()
        return float(np.max(np.abs(counts - n * w) / np.sqrt(n * w * (1 - w) + 0.25)))


# ---------------------------------------------------------------------------------------------
# Overdamped Langevin dynamics and convergence statistics
# ---------------------------------------------------------------------------------------------


def simulate_langevin(
    potential,
    z0: np.ndarray,
    dt: float,
    n_steps: int,
    n_records: int,
    rng: np.random.Generator,
    beta: float = 1.0,
    metropolis: bool = True,
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


def _rng_for(seed: int, *tags: int | str) -> np.random.Generator:
    ints = [zlib.crc32(t.encode()) if isinstance(t, str) else int(t) for t in tags]
    return np.random.default_rng(np.random.SeedSequence([int(seed), *ints]))


def simulate_mode(
    rec: Reciprocal,
    spectrum: pd.DataFrame,
    index: int,
    seed: int,
    n_walkers: int = 2000,
    n_steps: int = 4000,
    horizon: float = 12.0,
    n_records: int = 41,
    beta: float = 1.0,
    max_steps: int = 50_000,
    n_grid: int = 4001,
    metropolis: bool = True,
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
    z0 = (random_binary(n_walkers, a.shape[0], _rng_for(seed, "z0", index)) @ a[:, 0]) + c[0]

    tau = 1.0 / max(abs(kappa), 1e-3)
    t_end = horizon * tau
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
    dt = t_end / steps

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
            _rng_for(seed, "noise", index),
            beta,
            metropolis and name == "large_deviation",
        )
        for t, zt in zip(times, snaps, strict=True):
            cdf = pot.stationary_cdf(zt)
            occ = pot.occupation_z(zt) if name == "large_deviation" else 0.0
            if cdf is None:
                ks = ks_loc = occ = np.nan
            else:
                ks = ks_distance(zt, cdf)
                local = pot.local_cdf(zt, zt) if name == "large_deviation" else cdf
                ks_loc = ks_distance(zt, local)
            series.append(
                {
                    "potential": name,
                    "t": float(t),
                    "t_over_tau": float(t / tau),
                    "mean": float(zt.mean()),
                    "var": float(zt.var()),
                    "ks": ks,
                    "ks_local": ks_loc,
                    "occupation_z": occ,
                    "acceptance": acc,
                    "dt": dt,
                    "n_steps": steps,
                }
            )
        zf = snaps[-1]
        edges = np.histogram_bin_edges(zf, bins=40)
        dens, _ = np.histogram(zf, bins=edges, density=True)
        centers = 0.5 * (edges[1:] + edges[:-1])
        if name == "gaussian" and gauss.kappa <= 0:
            stat = np.full(centers.size, np.nan)
        else:
            fine = np.linspace(edges[0], edges[-1], 40 * 20 + 1)
            stat = np.diff(pot.stationary_cdf(fine)) / np.diff(fine)
            stat = stat.reshape(40, 20).mean(axis=1)  # bin averages
        finals.append(
            pd.DataFrame(
                {
                    "potential": name,
                    "bin_left": edges[:-1],
                    "bin_right": edges[1:],
                    "bin_center": centers,
                    "density": dens,
                    "stationary_density": stat,
                }
            )
        )
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
    from scipy.stats import kstwo, norm

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


# ---------------------------------------------------------------------------------------------
# I/O edge: the workflow job
# ---------------------------------------------------------------------------------------------


def run_diffusion(
    checkpoints: dict[str, PathLike],
    seed: int,
    out_spectrum: PathLike,
    out_series: PathLike,
    out_summary: PathLike,
    out_final: PathLike,
    beta: float = 1.0,
    uniform_states: int = 20_000,
    n_divergent: int = 3,
    n_stable: int = 3,
    n_walkers: int = 2000,
    n_steps: int = 4000,
    horizon: float = 12.0,
    n_records: int = 41,
    max_steps: int = 50_000,
    n_grid: int = 4001,
    metropolis: bool = True,
    log=print,
) -> pd.DataFrame:
    """Predicted spectrum and Langevin test for each checkpoint (``{"untrained": .., ...}``).

    Writes four parquet tables, each with ``state`` and ``epoch`` columns:

    * ``out_spectrum``: :func:`relaxation_spectrum` of every component plus ``var`` (sample
      variance of ``z`` over the uniform states), ``k_exact`` (4) and ``k_offdiag_rms`` (RMS
      of the off-diagonal of ``k``, 0 in exact arithmetic), ``n_states``, ``beta``;
    * ``out_series``: the time series of :func:`simulate_mode`;
    * ``out_summary``: :func:`convergence_summary`;
    * ``out_final``: final-position histograms with the stationary densities.

    Returns
    -------
    DataFrame, the summary.
    """
    from .io import load_npz, save_parquet
    from .reciprocal import decompose

    spectra, series, finals = [], [], []
    for state, path in checkpoints.items():
        ck = load_npz(path)
        epoch = int(ck["epoch"]) if "epoch" in ck else 0
        rec = decompose(ck["W"], ck["a"], ck["b"])
        modes = z_modes(rec)
        d = modes.size
        mean, cov = uniform_z_moments(rec, uniform_states, _rng_for(seed, "cov", state, d))
        k = stiffness_matrix(cov, uniform_states)
        spec = relaxation_spectrum(modes, np.diag(k), beta)
        off = k[~np.eye(d, dtype=bool)]
        spec["sample_mean"] = mean
        spec["var"] = np.diag(cov)
        spec["k_exact"] = K_EXACT
        spec["k_offdiag_rms"] = float(np.sqrt(np.mean(off**2)))
        spec["n_states"] = np.int64(uniform_states)
        spec["beta"] = float(beta)
        n_div = int(spec["diverges"].sum())
        log(
            f"{state} (epoch {epoch}): k_ii = {spec['k_ii'].mean():.3f} +- "
            f"{spec['k_ii'].std():.3f} (exact 4), {n_div} of {rec.n_modes} u-modes with "
            f"lambda_i > k_ii / beta (lambda_1 = {rec.s[0]:.3f})"
        )
        chosen = select_modes(spec, n_divergent, n_stable)
        for q in chosen:
            s_part, f_part = simulate_mode(
                rec,
                spec,
                q,
                _mode_seed(seed, state),
                n_walkers,
                n_steps,
                horizon,
                n_records,
                beta,
                max_steps,
                n_grid,
                metropolis,
            )
            for df in (s_part, f_part):
                df.insert(0, "state", state)
                df.insert(1, "epoch", np.int64(epoch))
            series.append(s_part)
            finals.append(f_part)
        spec.insert(0, "state", state)
        spec.insert(1, "epoch", np.int64(epoch))
        spec["simulated"] = spec["index"].isin([q + 1 for q in chosen])
        spectra.append(spec)
    series_t = pd.concat(series, ignore_index=True)
    summary = convergence_summary(series_t, n_walkers)
    for _, r in summary.iterrows():
        log(
            f"{r['state']} {r['kind']}_{r['mode']} (lambda {r['lam']:.2f}, kappa "
            f"{r['kappa']:.2f}) {r['potential']}: {r['verdict']} (var x{r['var_ratio']:.3g}, "
            f"KS {r['ks_final']:.3f} / crit {r['ks_crit']:.3f}, acceptance {r['acceptance']:.3f})"
        )
    save_parquet(out_spectrum, pd.concat(spectra, ignore_index=True))
    save_parquet(out_series, series_t)
    save_parquet(out_summary, summary)
    save_parquet(out_final, pd.concat(finals, ignore_index=True))
    return summary


def _mode_seed(seed: int, state: str) -> int:
    return int(np.random.SeedSequence([int(seed), zlib.crc32(state.encode())]).generate_state(1)[0])
