"""Rotations of singular-vector matrices and the Jensen-Shannon test of Sec. 5 (Fig. 4).

A rotation by ``theta`` "around" an (n-2)-dimensional subspace (Ref. [31] of the paper)
acts in the 2-plane orthogonal to it. For an orthonormal plane ``P = [p1 p2]`` (Eq. 49-50):

.. math:: R = I + (\\cos\\theta - 1)(p_1 p_1^T + p_2 p_2^T) + \\sin\\theta (p_2 p_1^T - p_1 p_2^T)

For a coordinate plane ``(i, j)`` this is a Givens rotation, applied here to the rows
(or columns) of a matrix in O(n) per rotation without building ``R``.

A *sequence* of Givens rotations is a tuple ``(axes, angles)`` with ``axes`` (k, 2) int
and ``angles`` (k,) float; it represents ``R = G_k ... G_2 G_1`` (``G_1`` acts first).
"""

from __future__ import annotations

import numpy as np
from scipy.special import rel_entr

from rbm_reciprocal.core.errors import ConfigError

GivensSequence = tuple[np.ndarray, np.ndarray]


def plane_rotation_matrix(p1: np.ndarray, p2: np.ndarray, theta: float) -> np.ndarray:
    """Rotation by ``theta`` in the plane spanned by orthonormal ``p1``, ``p2`` (Eq. 49-50).

    Returns the dense (n, n) matrix; for tests and small n. ``p1 -> cos p1 + sin p2``.
    """
    p1 = np.asarray(p1, dtype=np.float64)
    p2 = np.asarray(p2, dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    return (
        np.eye(p1.size)
        + (c - 1.0) * (np.outer(p1, p1) + np.outer(p2, p2))
        + s * (np.outer(p2, p1) - np.outer(p1, p2))
    )


def rotate_in_plane(x: np.ndarray, p1: np.ndarray, p2: np.ndarray, theta: float) -> np.ndarray:
    """``R x`` for the plane rotation of :func:`plane_rotation_matrix`, as a rank-2 update.

    ``x`` is (n,) or (n, k); cost O(n k).
    """
    x = np.asarray(x, dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    a = p1 @ x
    b = p2 @ x
    return (
        x
        + (c - 1.0) * (np.multiply.outer(p1, a) + np.multiply.outer(p2, b))
        + s * (np.multiply.outer(p2, a) - np.multiply.outer(p1, b))
    )


def givens_rows(x: np.ndarray, i: int, j: int, theta: float) -> None:
    """In place ``x <- G x`` for the Givens rotation in coordinate plane (i, j).

    ``G e_i = cos e_i + sin e_j`` (the convention of :func:`plane_rotation_matrix` with
    ``p1 = e_i``, ``p2 = e_j``): rows ``i`` and ``j`` of ``x`` mix.
    """
    c, s = np.cos(theta), np.sin(theta)
    xi = x[i].copy()
    x[i] = c * xi - s * x[j]
    x[j] = s * xi + c * x[j]


def givens_cols(x: np.ndarray, i: int, j: int, theta: float) -> None:
    """In place ``x <- x G`` for the same Givens rotation (columns ``i`` and ``j`` mix)."""
    c, s = np.cos(theta), np.sin(theta)
    xi = x[:, i].copy()
    x[:, i] = c * xi + s * x[:, j]
    x[:, j] = -s * xi + c * x[:, j]


def random_givens_sequence(n: int, count: int, rng: np.random.Generator) -> GivensSequence:
    """``count`` Givens rotations in random coordinate planes with angles uniform in [0, 2 pi)."""
    if n < 2:
        raise ConfigError(f"rotations need dimension >= 2, got {n}")
    axes = np.empty((count, 2), dtype=np.int64)
    for k in range(count):
        axes[k] = rng.choice(n, size=2, replace=False)
    angles = rng.uniform(0.0, 2.0 * np.pi, size=count)
    return axes, angles


def apply_left(x: np.ndarray, seq: GivensSequence) -> np.ndarray:
    """``R x`` with ``R = G_k ... G_1`` (copy, float64)."""
    out = np.array(x, dtype=np.float64)
    for (i, j), t in zip(*seq, strict=True):
        givens_rows(out, i, j, t)
    return out


def apply_right(x: np.ndarray, seq: GivensSequence, transpose: bool = False) -> np.ndarray:
    """``x R`` (or ``x R^T`` when ``transpose``) with ``R = G_k ... G_1`` (copy, float64)."""
    out = np.array(x, dtype=np.float64)
    axes, angles = seq
    if transpose:  # x G_1^T G_2^T ... G_k^T
        for (i, j), t in zip(axes, angles, strict=True):
            givens_cols(out, i, j, -t)
    else:  # x G_k ... G_1
        for (i, j), t in zip(axes[::-1], angles[::-1], strict=True):
            givens_cols(out, i, j, t)
    return out


def sequence_matrix(n: int, seq: GivensSequence) -> np.ndarray:
    """Dense ``R = G_k ... G_1`` (for tests)."""
    return apply_left(np.eye(n), seq)


def rotated_weights(
    w: np.ndarray,
    rng: np.random.Generator,
    fraction: float = 0.1,
    variant: str = "authors",
) -> np.ndarray:
    """``W_rot`` of Fig. 4: random rotations of the singular vectors of ``W``.

    ``floor(fraction N)`` random Givens rotations ``R_U`` act on ``U`` and
    ``floor(fraction M)`` rotations ``R_V`` on ``V`` (random coordinate planes, uniform
    angles). Variants:

    * ``"authors"``: ``W_rot = (R_U U R_U^T) S (R_V V^T R_V)``, as in the authors' code;
    * ``"left"``:    ``W_rot = (R_U U) S (R_V V)^T``, the plain ``U_R = R U`` of the text.

    Parameters
    ----------
    w : ndarray, shape (N, M)

    Returns
    -------
    ndarray, shape (N, M), float64
    """
    w = np.asarray(w, dtype=np.float64)
    n, m = w.shape
    u, s, vt = np.linalg.svd(w, full_matrices=True)
    smat = np.zeros((n, m))
    k = min(n, m)
    smat[:k, :k] = np.diag(s)
    seq_u = random_givens_sequence(n, int(np.floor(fraction * n)), rng)
    seq_v = random_givens_sequence(m, int(np.floor(fraction * m)), rng)
    if variant == "authors":
        u_rot = apply_right(apply_left(u, seq_u), seq_u, transpose=True)
        vt_rot = apply_right(apply_left(vt, seq_v), seq_v)
        return u_rot @ smat @ vt_rot
    if variant == "left":
        u_rot = apply_left(u, seq_u)
        v_rot = apply_left(vt.T, seq_v)
        return u_rot @ smat @ v_rot.T
    raise ConfigError(f"unknown rotation variant {variant!r}; use 'authors' or 'left'")


def jensen_shannon(p: np.ndarray, q: np.ndarray, eps: float = 1e-9) -> float:
    """Jensen-Shannon divergence (natural log) of two histograms on the same bins.

    ``p`` and ``q`` are counts or densities; each is normalised to sum 1 after adding
    ``eps`` to every bin (the authors' regularisation, so empty bins are finite).
    ``JS = KL(p || m)/2 + KL(q || m)/2`` with ``m = (p + q)/2``; 0 <= JS <= log 2.
    """
    p = np.asarray(p, dtype=np.float64) + eps
    q = np.asarray(q, dtype=np.float64) + eps
    p /= p.sum()
    q /= q.sum()
    m = 0.5 * (p + q)
    return float(0.5 * rel_entr(p, m).sum() + 0.5 * rel_entr(q, m).sum())


def histogram_js(x: np.ndarray, y: np.ndarray, edges: np.ndarray, eps: float = 1e-9) -> float:
    """:func:`jensen_shannon` of the count histograms of two samples on the same ``edges``."""
    return jensen_shannon(np.histogram(x, edges)[0], np.histogram(y, edges)[0], eps)


def weight_js_divergence(
    w: np.ndarray, w_rot: np.ndarray, bins: int = 1000, eps: float = 1e-9
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """JS divergence of the entry distributions of ``W`` and ``W_rot`` on ``W``'s edges.

    Both are histogrammed on ``bins`` equal bins spanning ``W``'s range (entries of
    ``W_rot`` outside it are dropped, as ``np.histogram`` does).

    Returns
    -------
    js : float
    edges : (bins + 1,)
    p, q : (bins,) densities of ``W`` and ``W_rot``
    """
    w = np.ravel(w)
    edges = np.histogram_bin_edges(w, bins=bins)
    p, _ = np.histogram(w, bins=edges, density=True)
    q, _ = np.histogram(np.ravel(w_rot), bins=edges, density=True)
    return jensen_shannon(p, q, eps), edges, p, q


def flip_top_modes(u: np.ndarray, k: int = 2) -> np.ndarray:
    """``R U`` for the rotation by pi in the plane of the top-2 left singular vectors.

    That rotation maps ``u_1 -> -u_1``, ``u_2 -> -u_2`` and fixes the rest, i.e.
    ``R U = U diag(-1, -1, 1, ..., 1)`` (the authors' ``diag(-1,-1,1,...)`` in mode
    coordinates). ``k`` generalises to the top-k.
    """
    out = np.array(u, dtype=np.float64)
    out[:, :k] *= -1.0
    return out


def rotate_modes_avoiding_top(
    u: np.ndarray,
    count: int,
    avoid: int,
    rng: np.random.Generator,
    n_modes: int | None = None,
    return_axes: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``U G`` with ``count`` random Givens rotations in planes of modes ``> avoid`` (1-based).

    Each rotation mixes two random singular directions ``i, j`` with ``avoid <= i, j < n_modes``
    (0-based) by a uniform angle: a *local* change that leaves the top ``avoid`` modes intact.
    With ``return_axes`` also returns the ``(count, 2)`` 0-based column pairs of the planes.
    """
    n_modes = u.shape[1] if n_modes is None else n_modes
    if n_modes - avoid < 2:
        raise ConfigError(f"need at least 2 modes beyond the top {avoid}, have {n_modes}")
    axes, angles = random_givens_sequence(n_modes - avoid, count, rng)
    out = np.array(u, dtype=np.float64)
    for (i, j), t in zip(axes + avoid, angles, strict=True):
        givens_cols(out, i, j, t)
    return (out, axes + avoid) if return_axes else out


def decode_visible(
    h: np.ndarray, u: np.ndarray, s: np.ndarray, v: np.ndarray, a: np.ndarray
) -> np.ndarray:
    """``p(v = 1 | h) = sigmoid(U S V^T h + a)`` with a (possibly rotated) ``U`` (Fig. 6).

    Parameters
    ----------
    h : (B, M) hidden states; u : (N, N) or (N, m); s : (m,); v : (M, M) or (M, m); a : (N,)

    Returns
    -------
    (B, N) float64 probabilities.
    """
    m = s.size
    y = np.asarray(h, np.float64) @ v[:, :m]  # y = V^T h (Eq. 17), (B, m)
    field = (y * s) @ u[:, :m].T + a
    return 0.5 * (1.0 + np.tanh(0.5 * field))
