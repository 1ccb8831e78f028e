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
  the Ornstein-Uhlenbeck process (tests/analysis/test_diffusion.py).
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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.reciprocal import Reciprocal, random_binary
from rbm_reciprocal.core.errors import ConfigError

#: Exact stiffness of every component under the uniform measure: Cov(z) = I / 4 (see above).
K_EXACT = 4.0


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
        From :func:`rbm_reciprocal.analysis.reciprocal.decompose`.

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


def relaxation_spectrum(modes: ZModes, k_diag: np.ndarray, beta: float) -> pd.DataFrame:
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
