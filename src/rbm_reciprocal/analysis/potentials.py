"""Marginal constraint potentials of one z-mode: Gaussian (harmonic) and large deviation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks
from scipy.stats import norm


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
