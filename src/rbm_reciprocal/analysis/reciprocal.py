"""The RBM in reciprocal space (Sec. 3-4): SVD projections, per-mode energies, kurtosis.

Pure functions over arrays; the files behind Figs. 1 (right), 2, 3e and 5 are written by
:mod:`rbm_reciprocal.stages.reciprocal`.

Notation (the paper's, SPEC.md): ``W = U S V^T`` with ``U`` (N, N), ``V`` (M, M) orthogonal and
``m = min(N, M)`` singular values ``lambda_1 >= ... >= lambda_m``. Reciprocal variables
(Eq. 17) are ``x = U^T v``, ``y = V^T h``, ``a0 = U^T a``, ``b0 = V^T b``. For batches, states
are rows: ``x = v @ U`` for ``v`` of shape (B, N). Mode indices in docstrings are 1-based as in
the paper; array indices are 0-based (``x[:, 0]`` is ``x_1``).

The signs of the singular vectors follow :mod:`.svd` (one rule per checkpoint,
:func:`~rbm_reciprocal.analysis.svd.align_signs` across checkpoints).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rbm_reciprocal.analysis.svd import signed_svd


def project_states(states: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Reciprocal variables of states, Eq. (17): ``x = U^T v`` (or ``y = V^T h``).

    Parameters
    ----------
    states : ndarray, shape (B, N) or (N,)
        Visible states ``v`` (hidden states ``h`` with ``basis = V``); rows are states.
    basis : ndarray, shape (N, N)
        ``U`` (or ``V``).

    Returns
    -------
    ndarray, shape (B, N) or (N,), float64
        ``x = v @ U``, i.e. ``x_i = sum_k U_ki v_k``.
    """
    return np.asarray(states, dtype=np.float64) @ np.asarray(basis, dtype=np.float64)


def project_biases(
    a: np.ndarray, b: np.ndarray, U: np.ndarray, V: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reciprocal fields, Eq. (17): ``a0 = U^T a``, ``b0 = V^T b``.

    Parameters
    ----------
    a : ndarray, shape (N,)
    b : ndarray, shape (M,)
    U : ndarray, shape (N, N)
    V : ndarray, shape (M, M)

    Returns
    -------
    a0 : ndarray, shape (N,), float64
    b0 : ndarray, shape (M,), float64
    """
    return project_states(a, U), project_states(b, V)


def landscape_energy(
    x: np.ndarray, y: np.ndarray, lam: np.ndarray, a0: np.ndarray, b0: np.ndarray
) -> np.ndarray:
    """Energy of one paired landscape, Eq. (16): ``E_i = -a0_i x_i - b0_i y_i - lambda_i x_i y_i``.

    All arguments broadcast (e.g. a grid ``x, y`` of shape (G, G) with scalars ``lam, a0, b0``
    for contour plots, or (B, m) variables with (m,) parameters).

    Returns
    -------
    ndarray, the broadcast shape, float64
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return -a0 * x - b0 * y - lam * x * y


def mode_energies(
    x: np.ndarray, y: np.ndarray, s: np.ndarray, a0: np.ndarray, b0: np.ndarray
) -> np.ndarray:
    """Per-mode energies ``E_i``, Eqs. (15-16), whose sum over ``i`` is ``E(v, h)``.

    .. math::

        E_i = \\begin{cases} -a_{0i} x_i - b_{0i} y_i - \\lambda_i x_i y_i, & i \\le m \\\\
              -a_{0i} x_i & m < i \\le N \\ (N > M) \\\\
              -b_{0i} y_i & m < i \\le M \\ (M > N) \\end{cases}

    Parameters
    ----------
    x : ndarray, shape (B, N)
    y : ndarray, shape (B, M)
    s : ndarray, shape (m,), ``m = min(N, M)``
    a0 : ndarray, shape (N,)
    b0 : ndarray, shape (M,)

    Returns
    -------
    ndarray, shape (B, max(N, M)), float64
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    y = np.atleast_2d(np.asarray(y, dtype=np.float64))
    n, m_hidden = x.shape[1], y.shape[1]
    m = min(n, m_hidden)
    if np.shape(s) != (m,) or np.shape(a0) != (n,) or np.shape(b0) != (m_hidden,):
        raise ValueError(
            f"shapes disagree: x {x.shape}, y {y.shape}, s {np.shape(s)}, "
            f"a0 {np.shape(a0)}, b0 {np.shape(b0)}"
        )
    paired = landscape_energy(x[:, :m], y[:, :m], s, a0[:m], b0[:m])
    if n > m:
        rest = -a0[m:] * x[:, m:]
    else:
        rest = -b0[m:] * y[:, m:]
    return np.concatenate([paired, rest], axis=1)


def saddle_points(s: np.ndarray, a0: np.ndarray, b0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Saddle point of each paired landscape (Sec. 3): ``(x0_i, y0_i) = (-b0_i, -a0_i) / lambda_i``.

    Parameters
    ----------
    s : ndarray, shape (m,)
    a0 : ndarray, shape (N,) (only the first ``m`` entries are used)
    b0 : ndarray, shape (M,) (only the first ``m`` entries are used)

    Returns
    -------
    x0, y0 : ndarray, shape (m,), float64 (``+-inf`` where ``lambda_i = 0``)
    """
    s = np.asarray(s, dtype=np.float64)
    m = s.size
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.asarray(b0[:m], np.float64) / s, -np.asarray(a0[:m], np.float64) / s


def saddle_energies(s: np.ndarray, a0: np.ndarray, b0: np.ndarray) -> np.ndarray:
    """Energy at the saddle of each paired landscape (Sec. 3): ``a0_i b0_i / lambda_i``.

    Returns
    -------
    ndarray, shape (m,), float64
    """
    s = np.asarray(s, dtype=np.float64)
    m = s.size
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(a0[:m], np.float64) * np.asarray(b0[:m], np.float64) / s


def rotate_uw(
    x: np.ndarray, y: np.ndarray, x0: np.ndarray, y0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates along the principal axes of the saddle, Eqs. (18-19) with ``theta = pi/4``.

    .. math::

        u_i = \\frac{(x_i - x_{0i}) + (y_i - y_{0i})}{\\sqrt 2}, \\qquad
        w_i = \\frac{-(x_i - x_{0i}) + (y_i - y_{0i})}{\\sqrt 2}

    Applied to the high-temperature means ``(mu_x, mu_y)`` this gives ``(mu_u, mu_w)`` of
    Eq. (28a-b).

    Parameters
    ----------
    x, y : ndarray, shape (B, m) or (m,)
        Paired reciprocal variables (the first ``m`` columns of ``x`` and ``y``).
    x0, y0 : ndarray, shape (m,)
        Saddle points (:func:`saddle_points`).

    Returns
    -------
    u, w : ndarray, the broadcast shape, float64
    """
    dx = np.asarray(x, dtype=np.float64) - x0
    dy = np.asarray(y, dtype=np.float64) - y0
    r = 1.0 / np.sqrt(2.0)
    return r * (dx + dy), r * (dy - dx)


def landscape_energy_uw(
    u: np.ndarray, w: np.ndarray, lam: np.ndarray, a0: np.ndarray, b0: np.ndarray
) -> np.ndarray:
    """Paired landscape energy in rotated coordinates, Eq. (19).

    .. math:: E_i = \\frac{a_{0i} b_{0i}}{\\lambda_i} - \\frac{\\lambda_i}{2}(u_i^2 - w_i^2)

    Equal to :func:`landscape_energy` at the corresponding ``(x, y)``. Arguments broadcast.
    """
    u = np.asarray(u, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return a0 * b0 / lam - 0.5 * lam * (u * u - w * w)


def stack_z(u: np.ndarray, w: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Combined vector of Eq. (29): ``z = [u_1..u_m, w_1..w_m, rest]``.

    For ``M <= N`` (the paper's case) ``rest = x_{m+1..N}``; for ``M > N`` we use
    ``rest = y_{m+1..M}``. So ``z_1 = u_1`` and ``z_{m+1} = w_1``.

    Parameters
    ----------
    u, w : ndarray, shape (B, m) or (m,)
    rest : ndarray, shape (B, |N - M|) or (|N - M|,)

    Returns
    -------
    ndarray, shape (B, max(N, M) + m) or (max(N, M) + m,), float64
    """
    return np.concatenate(
        [np.asarray(u, np.float64), np.asarray(w, np.float64), np.asarray(rest, np.float64)],
        axis=-1,
    )


def high_temperature_means(U: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means of ``x`` and ``y`` under the uniform measure, Eqs. (28c, 51a-b).

    With ``<v_k> = <h_k> = 1/2``: ``mu_x_i = (1/2) sum_k U_ki``, ``mu_y_i = (1/2) sum_k V_ki``.
    Each ``x_i`` and ``y_i`` then has standard deviation exactly 1/2 (Eq. 51c), since the
    columns of ``U`` and ``V`` are unit vectors. ``(mu_u, mu_w)`` follow with
    :func:`rotate_uw`.

    Parameters
    ----------
    U : ndarray, shape (N, N)
    V : ndarray, shape (M, M)

    Returns
    -------
    mu_x : ndarray, shape (N,), float64
    mu_y : ndarray, shape (M,), float64
    """
    return 0.5 * np.asarray(U, np.float64).sum(axis=0), 0.5 * np.asarray(V, np.float64).sum(axis=0)


def haar_orthogonal(k: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random (uniformly distributed) orthogonal matrix of size ``k``.

    The QR decomposition ``Z = Q R`` of a standard Gaussian ``Z`` (k, k), with each column of
    ``Q`` multiplied by the sign of the matching diagonal entry of ``R`` (without that fix the
    law of ``Q`` depends on the QR routine's sign convention; Mezzadri 2007).

    Parameters
    ----------
    k : int
        Size (0 gives an empty (0, 0) matrix).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (k, k), float64
    """
    z = rng.standard_normal((int(k), int(k)))
    q, r = np.linalg.qr(z)
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    return q * signs


def haar_null_basis(basis: np.ndarray, n_paired: int, rng: np.random.Generator) -> np.ndarray:
    """``basis`` with its null-space columns turned into a Haar-random basis of the same space.

    The columns ``i > m`` (``m = n_paired = min(N, M)``) of the full ``U`` (or ``V``) of the
    SVD span the null space of ``W^T`` (or ``W``), but any orthonormal basis of that space is
    equally valid, and LAPACK's is far from typical: its vectors are close to unit vectors
    (largest entry ~0.98 for a 784 x 16 random ``W``), so uniform binary states projected on
    them are two spikes near 0 and 1 rather than the Gaussian of Eq. (51). With the null
    columns ``U0`` (N, k) and a Haar orthogonal ``Q`` (k, k) (:func:`haar_orthogonal`),
    ``U0 Q`` is an orthonormal basis of the same space whose columns are uniformly distributed
    unit vectors in it; the paired columns ``i <= m`` are returned unchanged.

    Parameters
    ----------
    basis : ndarray, shape (n, n)
        ``U`` (N, N) or ``V`` (M, M) of the full SVD.
    n_paired : int
        ``m = min(N, M)``, the number of paired columns kept as they are.
    rng : numpy.random.Generator
        Draws ``Q``.

    Returns
    -------
    ndarray, shape (n, n), float64 -- ``[basis[:, :m], basis[:, m:] @ Q]``, still orthogonal.
    """
    basis = np.asarray(basis, dtype=np.float64)
    m = int(n_paired)
    if not 0 <= m <= basis.shape[1]:
        raise ValueError(f"n_paired = {m} outside [0, {basis.shape[1]}]")
    null = basis[:, m:]
    return np.concatenate([basis[:, :m], null @ haar_orthogonal(null.shape[1], rng)], axis=1)


@dataclass(frozen=True)
class Reciprocal:
    """An RBM in reciprocal space: the signed SVD and every per-mode quantity.

    Attributes
    ----------
    U : (N, N), s : (m,), V : (M, M)
        Signed SVD of ``W`` (:func:`signed_svd`).
    a0 : (N,), b0 : (M,)
        Reciprocal fields (Eq. 17).
    x0, y0 : (m,)
        Saddle points; ``saddle_energy`` (m,) the energies there.
    mu_x : (N,), mu_y : (M,)
        High-temperature means (Eq. 51); ``mu_u, mu_w`` (m,) rotated (Eq. 28a-b).
    """

    U: np.ndarray
    s: np.ndarray
    V: np.ndarray
    a0: np.ndarray
    b0: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    saddle_energy: np.ndarray
    mu_x: np.ndarray
    mu_y: np.ndarray
    mu_u: np.ndarray
    mu_w: np.ndarray

    @property
    def n_modes(self) -> int:
        """``m = min(N, M)``, the number of paired landscapes."""
        return int(self.s.size)


def decompose(W: np.ndarray, a: np.ndarray, b: np.ndarray) -> Reciprocal:
    """Everything of Sec. 3-4 that depends on the parameters only (Eqs. 17, 28, 51).

    Parameters
    ----------
    W : ndarray, shape (N, M)
    a : ndarray, shape (N,)
    b : ndarray, shape (M,)

    Returns
    -------
    Reciprocal
    """
    U, s, V = signed_svd(W)
    a0, b0 = project_biases(a, b, U, V)
    x0, y0 = saddle_points(s, a0, b0)
    mu_x, mu_y = high_temperature_means(U, V)
    m = s.size
    mu_u, mu_w = rotate_uw(mu_x[:m], mu_y[:m], x0, y0)
    return Reciprocal(
        U=U,
        s=s,
        V=V,
        a0=a0,
        b0=b0,
        x0=x0,
        y0=y0,
        saddle_energy=saddle_energies(s, a0, b0),
        mu_x=mu_x,
        mu_y=mu_y,
        mu_u=mu_u,
        mu_w=mu_w,
    )


def random_binary(n_states: int, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """States with iid Bernoulli(1/2) units (the uniform measure), float32 (B, n) of 0/1.

    Drawn as random bytes unpacked to bits (8 units per generated byte).
    """
    n_bytes = (int(n_units) + 7) // 8
    raw = rng.integers(0, 256, size=(int(n_states), n_bytes), dtype=np.uint8)
    return np.unpackbits(raw, axis=1, count=int(n_units)).astype(np.float32)
